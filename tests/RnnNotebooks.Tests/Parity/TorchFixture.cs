using System.Text.Json;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Parity;

/// <summary>
/// One PyTorch parity case written by tests/fixtures-torch/make_fixtures.py: named float32 arrays
/// (inputs, Keras-layout weights, outputs, states, dOut and gradients) plus a "meta" object.
/// Values are stored in their shortest round-trip form, so they load bit for bit.
/// </summary>
public sealed class TorchFixture
{
    private readonly Dictionary<string, Tensor> _arrays;

    private TorchFixture(string caseName, string torchVersion, Dictionary<string, Tensor> arrays, JsonElement meta)
    {
        Case = caseName;
        TorchVersion = torchVersion;
        _arrays = arrays;
        Meta = meta;
    }

    public string Case { get; }

    public string TorchVersion { get; }

    public JsonElement Meta { get; }

    public IReadOnlyCollection<string> Names => _arrays.Keys;

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Torch");

    /// <summary>Loads Fixtures/Torch/&lt;caseName&gt;.json from the test output folder.</summary>
    public static TorchFixture Load(string caseName)
    {
        string path = Path.Combine(Directory, caseName + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"No torch fixture '{caseName}' at {path}; regenerate with /usr/bin/python3 tests/fixtures-torch/make_fixtures.py",
                path
            );
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in root.GetProperty("arrays").EnumerateObject())
        {
            int[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            float[] data = entry.Value.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            arrays[entry.Name] = new Tensor(data, shape);
        }
        return new TorchFixture(
            root.GetProperty("case").GetString()!,
            root.GetProperty("torch_version").GetString()!,
            arrays,
            root.GetProperty("meta").Clone()
        );
    }

    /// <summary>A fresh copy of the named array (tests may modify it).</summary>
    public Tensor this[string name] =>
        _arrays.TryGetValue(name, out var t)
            ? t.Clone()
            : throw new KeyNotFoundException(
                $"Fixture '{Case}' has no array '{name}'. Arrays: {string.Join(", ", _arrays.Keys)}."
            );

    public bool Has(string name) => _arrays.ContainsKey(name);

    /// <summary>Asserts that <paramref name="actual"/> has the named array's shape and is within <paramref name="tolerance"/> of it everywhere.</summary>
    public void ShouldMatch(Tensor actual, string name, float tolerance = 1e-5f)
    {
        var expected = _arrays[name];
        actual.Shape.Should().Equal(expected.Shape, $"{Case}: '{name}' has the PyTorch shape");
        int worst = 0;
        float worstDiff = 0f;
        for (int i = 0; i < expected.Size; i++)
        {
            float diff = Math.Abs(actual.Data[i] - expected.Data[i]);
            if (diff > worstDiff || float.IsNaN(diff))
            {
                worst = i;
                worstDiff = diff;
                if (float.IsNaN(diff))
                    break;
            }
        }
        float.IsNaN(worstDiff).Should().BeFalse($"{Case}: '{name}'[{worst}] is NaN in C# or PyTorch");
        worstDiff
            .Should()
            .BeLessThanOrEqualTo(
                tolerance,
                $"{Case}: '{name}'[{worst}] is {actual.Data[worst]} in C# and {expected.Data[worst]} in PyTorch {TorchVersion}"
            );
    }
}
