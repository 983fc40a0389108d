using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Models;

/// <summary>
/// A linear stack of layers, Keras' Sequential. Shapes are inferred as layers are added (when the
/// first layer declares its input shape, as Keras' input_shape does), so <see cref="Summary"/>
/// works before any data has been seen. Training lives in Sequential.Training.cs.
/// </summary>
public sealed partial class Sequential
{
    private readonly List<Layer> _layers = new();
    private readonly SeededRandom _buildRng;

    /// <param name="layers">The layers, first to last.</param>
    /// <param name="name">Model name; null gives sequential_1, sequential_2, …</param>
    /// <param name="seed">Seeds every weight initializer and dropout mask of the model.</param>
    public Sequential(IEnumerable<Layer>? layers = null, string? name = null, ulong seed = 0)
    {
        Name = name ?? LayerNames.Next("Sequential");
        Seed = seed;
        _buildRng = new SeededRandom(seed);
        foreach (var layer in layers ?? [])
            Add(layer);
    }

    public Sequential(params Layer[] layers)
        : this((IEnumerable<Layer>)layers) { }

    public string Name { get; }

    public ulong Seed { get; }

    public IReadOnlyList<Layer> Layers => _layers;

    public Layer this[int index] => _layers[index];

    public TensorShape? InputShape => _layers.Count > 0 ? _layers[0].InputShape : null;

    public TensorShape? OutputShape => _layers.Count > 0 ? _layers[^1].OutputShape : null;

    public bool IsBuilt => _layers.Count > 0 && _layers.All(l => l.IsBuilt);

    /// <summary>All parameters, layer by layer, in Keras' get_weights() order.</summary>
    public IEnumerable<Parameter> Parameters => _layers.SelectMany(l => l.Parameters);

    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_layers.Contains(layer))
            throw new ArgumentException($"Layer '{layer.Name}' is already in model '{Name}'.");
        // Keras: every layer of a Sequential model must have a single output tensor.
        if (layer is Bidirectional { MergeMode: null })
            throw new LayerException(
                $"Layer '{layer.Name}' (Bidirectional) has merge mode null and returns two outputs, but every layer of Sequential model '{Name}' must have a single output: use a merge mode (concat, sum, mul, ave), or call the layer's CallUnmerged directly."
            );
        if (_layers.Count > 0 && layer.DeclaredInputShape is not null && _layers[^1].OutputShape is { } prev)
        {
            var declared = TensorShape.Batched(layer.DeclaredInputShape);
            if (!Compatible(declared, prev))
                throw new LayerException(
                    $"Layer '{layer.Name}' ({layer.TypeName}) declares input shape {declared} but the previous layer '{_layers[^1].Name}' outputs {prev}."
                );
        }
        _layers.Add(layer);
        TensorShape? input = _layers.Count == 1 ? DeclaredInput(layer) : _layers[^2].OutputShape;
        if (input is not null)
            BuildFrom(_layers.Count - 1, input);
    }

    public Layer GetLayer(string name) =>
        _layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException(
            $"Model '{Name}' has no layer named '{name}'. Layers: {string.Join(", ", _layers.Select(l => l.Name))}."
        );

    /// <summary>Builds every layer for inputs of the given shape (batch axis included, may be None).</summary>
    public void Build(TensorShape inputShape)
    {
        if (_layers.Count == 0)
            throw new InvalidOperationException($"Model '{Name}' has no layers.");
        BuildFrom(0, inputShape);
    }

    /// <summary>The forward pass through all layers. <paramref name="training"/> turns dropout on.</summary>
    public Tensor Forward(Tensor input, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_layers.Count == 0)
            throw new InvalidOperationException($"Model '{Name}' has no layers.");
        if (!IsBuilt)
            Build(new TensorShape([null, .. input.Shape[1..].Select(d => (int?)d)]));
        // Keras' mask propagation (docs/keras-semantics.md#masking): Embedding(maskZero: true) starts a
        // mask, recurrent layers consume it; without such an Embedding every mask is null.
        var x = input;
        Tensor? mask = null;
        foreach (var layer in _layers)
        {
            var output = layer.Forward(x, mask, training);
            mask = layer.ComputeMask(x, mask);
            x = output;
        }
        return x;
    }

    /// <summary>Back-propagates ∂L/∂output of the last Forward through every layer; returns ∂L/∂input.</summary>
    public Tensor Backward(Tensor outputGradient)
    {
        var g = outputGradient;
        for (int i = _layers.Count - 1; i >= 0; i--)
            g = _layers[i].Backward(g);
        return g;
    }

    /// <summary>
    /// Turns <see cref="Layer.ReusesBatchBuffers"/> on or off in every layer. Fit, Evaluate and Predict
    /// turn it on for exactly one batch (forward, loss, backward; or forward and Predict's copy), whose
    /// intermediate tensors nothing outside the library sees, and off again in a finally — never
    /// around user code (batch sources, callbacks) — so Forward/Backward called anywhere else return
    /// fresh tensors.
    /// </summary>
    private void ReuseBatchBuffers(bool on)
    {
        foreach (var layer in _layers)
            layer.ReusesBatchBuffers = on;
    }

    public void ZeroGradients()
    {
        foreach (var layer in _layers)
            layer.ZeroGradients();
    }

    public long CountParams() => _layers.Sum(l => l.ParameterCount);

    /// <summary>Keras' model.summary(): print it, or display it in a notebook as a table.</summary>
    public ModelSummary Summary()
    {
        if (!IsBuilt)
            throw new InvalidOperationException(
                $"Model '{Name}' is not built yet: give the first layer an input shape (inputShape: …) or call Build/Fit first."
            );
        return new ModelSummary(
            Name,
            _layers
                .Select(l => new ModelSummary.Row(l.Name, l.TypeName, l.OutputShape!.ToString(), l.ParameterCount))
                .ToList(),
            CountParams(),
            _layers.Sum(l => l.TrainableParameterCount)
        );
    }

    /// <summary>Every layer's weights, in order (Keras' model.get_weights()).</summary>
    public Tensor[] GetWeights() => _layers.SelectMany(l => l.GetWeights()).ToArray();

    public void SetWeights(params Tensor[] weights)
    {
        int expected = _layers.Sum(l => l.Parameters.Count);
        if (weights.Length != expected)
            throw new ArgumentException(
                $"Model '{Name}' has {expected} weight arrays but {weights.Length} were given."
            );
        int k = 0;
        foreach (var layer in _layers)
        {
            int n = layer.Parameters.Count;
            layer.SetWeights(weights[k..(k + n)]);
            k += n;
        }
    }

    /// <summary>Zeros the carried state of every stateful layer.</summary>
    public void ResetStates()
    {
        foreach (var layer in _layers)
            layer.ResetStates();
    }

    public override string ToString() => Summary().ToString();

    private void BuildFrom(int start, TensorShape input)
    {
        var shape = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            if (i >= start)
                _layers[i].Build(shape, _buildRng);
            shape = _layers[i].OutputShape!;
        }
    }

    private static TensorShape? DeclaredInput(Layer layer) =>
        layer.DeclaredInputShape is null
            ? null
            : new TensorShape([layer.DeclaredBatchSize, .. layer.DeclaredInputShape]);

    private static bool Compatible(TensorShape declared, TensorShape actual) =>
        declared.Rank == actual.Rank
        && Enumerable
            .Range(1, declared.Rank - 1)
            .All(i => declared[i] is null || actual[i] is null || declared[i] == actual[i]);
}
