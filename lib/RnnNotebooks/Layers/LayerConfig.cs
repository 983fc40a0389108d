using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace RnnNotebooks.Layers;

/// <summary>
/// A layer's config (Keras' <c>get_config()</c> dictionary) being read back, e.g. from a saved
/// model's JSON. Values may be <see cref="JsonElement"/>s (what System.Text.Json gives for
/// <c>object</c>) or plain .NET values (int, long, double, float, bool, string, arrays, nested
/// dictionaries), so a config survives both a JSON round trip and direct use of
/// <see cref="Layer.GetConfig"/>. Missing keys take the Keras default passed by the caller;
/// keys a layer does not use (trainable, dtype) are ignored, as Keras does (docs/keras-semantics.md#model-config).
/// </summary>
public sealed class LayerConfig
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    public LayerConfig(string className, IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(values);
        ClassName = className;
        _values = values;
    }

    /// <summary>The Keras class name the config belongs to (Dense, Embedding, …).</summary>
    public string ClassName { get; }

    /// <summary>The layer name, or null to let <see cref="LayerNames"/> pick one.</summary>
    public string? Name => OptionalString("name");

    /// <summary>One sample's shape from Keras' <c>batch_input_shape</c> (batch axis dropped), or null.</summary>
    public int?[]? InputShape => BatchInputShape is { Length: > 0 } s ? s[1..] : null;

    /// <summary>The fixed batch size from <c>batch_input_shape[0]</c>, or null.</summary>
    public int? BatchSize => BatchInputShape is { Length: > 0 } s ? s[0] : null;

    private int?[]? BatchInputShape => OptionalShape("batch_input_shape");

    /// <summary>True when the key is present, even with a null value (Bidirectional's merge_mode=None).</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>True when the key is present and not null.</summary>
    public bool Has(string key) => _values.TryGetValue(key, out var v) && !IsNull(v);

    public int Int(string key) => ToInt(key, Required(key));

    public int Int(string key, int fallback) => Has(key) ? ToInt(key, _values[key]) : fallback;

    public int? OptionalInt(string key) => Has(key) ? ToInt(key, _values[key]) : null;

    public float Float(string key) => ToFloat(key, Required(key));

    public float Float(string key, float fallback) => Has(key) ? ToFloat(key, _values[key]) : fallback;

    public bool Bool(string key, bool fallback) => Has(key) ? ToBool(key, _values[key]) : fallback;

    public string String(string key) => ToText(key, Required(key));

    public string String(string key, string fallback) => Has(key) ? ToText(key, _values[key]) : fallback;

    public string? OptionalString(string key) => Has(key) ? ToText(key, _values[key]) : null;

    /// <summary>A shape such as <c>[null, 400, 50]</c> (nulls are unknown axes), or null when absent.</summary>
    public int?[]? OptionalShape(string key)
    {
        if (!Has(key))
            return null;
        var items = Items(key, _values[key]);
        return items.Select(item => IsNull(item) ? (int?)null : ToInt(key, item)).ToArray();
    }

    /// <summary>
    /// A nested layer stored as <c>{"class_name": …, "config": {…}}</c> (Bidirectional's "layer"),
    /// built through <see cref="LayerFactory"/>.
    /// </summary>
    public Layer Layer(string key) => LayerFactory.FromEntry(Dictionary(key));

    /// <summary>A nested dictionary (a JSON object), required.</summary>
    public IReadOnlyDictionary<string, object?> Dictionary(string key) => ToDictionary(key, Required(key));

    /// <summary>Keras' dictionary of defaults for the keys every layer config carries.</summary>
    public static Dictionary<string, object?> Common(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var config = new Dictionary<string, object?>
        {
            ["name"] = layer.Name,
            ["trainable"] = layer.Parameters.All(p => p.Trainable),
            ["dtype"] = "float32",
        };
        if (layer.DeclaredInputShape is { } shape)
            config["batch_input_shape"] = new int?[] { layer.DeclaredBatchSize }
                .Concat(shape)
                .ToArray();
        return config;
    }

    private object Required(string key) =>
        _values.TryGetValue(key, out var v) && !IsNull(v) ? v! : throw Fail(key, "is missing");

    private static bool IsNull(object? value) =>
        value is null || value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined };

    private int ToInt(string key, object? value)
    {
        switch (value)
        {
            case int i:
                return i;
            case long or short or byte or uint or ulong:
                return checked((int)Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case double or float or decimal:
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
                    return (int)d;
                break;
            case JsonElement { ValueKind: JsonValueKind.Number } e:
                if (e.TryGetInt32(out int n))
                    return n;
                if (e.TryGetDouble(out double x) && x == Math.Floor(x) && x is >= int.MinValue and <= int.MaxValue)
                    return (int)x;
                break;
        }
        throw Fail(key, $"must be an integer, got {Describe(value)}");
    }

    private float ToFloat(string key, object? value) =>
        value switch
        {
            float f => f,
            double or int or long or decimal => Convert.ToSingle(value, CultureInfo.InvariantCulture),
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetSingle(),
            _ => throw Fail(key, $"must be a number, got {Describe(value)}"),
        };

    private bool ToBool(string key, object? value) =>
        value switch
        {
            bool b => b,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => throw Fail(key, $"must be true or false, got {Describe(value)}"),
        };

    private string ToText(string key, object? value) =>
        value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
            _ => throw Fail(key, $"must be a string, got {Describe(value)}"),
        };

    private IEnumerable<object?> Items(string key, object? value) =>
        value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => (object?)x).ToList(),
            string => throw Fail(key, $"must be a list, got {Describe(value)}"),
            IEnumerable list => list.Cast<object?>().ToList(),
            _ => throw Fail(key, $"must be a list, got {Describe(value)}"),
        };

    private IReadOnlyDictionary<string, object?> ToDictionary(string key, object? value)
    {
        switch (value)
        {
            case IReadOnlyDictionary<string, object?> d:
                return d;
            case IDictionary<string, object?> d:
                return d.ToDictionary(kv => kv.Key, kv => kv.Value);
            case JsonElement { ValueKind: JsonValueKind.Object } e:
                return e.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
            default:
                throw Fail(key, $"must be an object, got {Describe(value)}");
        }
    }

    private LayerException Fail(string key, string problem)
    {
        // Name the layer when its name is readable (Fail must not recurse through OptionalString).
        string? name = _values.GetValueOrDefault("name") switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            _ => null,
        };
        return new($"Config of {ClassName}{(name is null ? "" : $" '{name}'")}: '{key}' {problem}.");
    }

    private static string Describe(object? value) =>
        value switch
        {
            null => "null",
            JsonElement e => $"{e.GetRawText()} (JSON {e.ValueKind.ToString().ToLowerInvariant()})",
            string s => $"\"{s}\"",
            _ => $"{Convert.ToString(value, CultureInfo.InvariantCulture)} ({value.GetType().Name})",
        };
}
