namespace RnnNotebooks.Layers;

/// <summary>
/// Rebuilds layers from their configs (Keras' <c>layer_from_config</c>): the inverse of
/// <see cref="Layer.GetConfig"/>, used to save a model's architecture as JSON and load it back.
/// A rebuilt layer has fresh weights; set the saved ones with <see cref="Layer.SetWeights"/>
/// (docs/keras-semantics.md#model-config).
/// </summary>
public static class LayerFactory
{
    // One line per layer class, keyed by its Keras class name (Layer.TypeName).
    private static readonly Dictionary<string, Func<LayerConfig, Layer>> Builders = new(StringComparer.Ordinal)
    {
        ["Dense"] = Dense.FromConfig,
        ["Embedding"] = Embedding.FromConfig,
        ["Dropout"] = Dropout.FromConfig,
        ["Flatten"] = Flatten.FromConfig,
        ["Activation"] = Activation.FromConfig,
        ["SimpleRNN"] = SimpleRNN.FromConfig,
        ["LSTM"] = LSTM.FromConfig,
        ["GRU"] = GRU.FromConfig,
        ["Bidirectional"] = Bidirectional.FromConfig,
    };

    /// <summary>The class names <see cref="FromConfig"/> knows.</summary>
    public static IReadOnlyCollection<string> ClassNames => Builders.Keys;

    /// <summary>A new layer of Keras class <paramref name="className"/> from its config dictionary.</summary>
    /// <exception cref="LayerException">Unknown class, or a config value of the wrong type.</exception>
    public static Layer FromConfig(string className, IReadOnlyDictionary<string, object?> config)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(config);
        if (!Builders.TryGetValue(className, out var build))
            throw new LayerException(
                $"Unknown layer class '{className}'. Known: {string.Join(", ", Builders.Keys.Order(StringComparer.Ordinal))}."
            );
        return build(new LayerConfig(className, config));
    }

    /// <summary>A layer from Keras' serialised form <c>{"class_name": …, "config": {…}}</c>.</summary>
    public static Layer FromEntry(IReadOnlyDictionary<string, object?> entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var reader = new LayerConfig("layer entry", entry);
        string className = reader.String("class_name");
        var config = new LayerConfig(className, entry).Dictionary("config");
        return FromConfig(className, config);
    }

    /// <summary>Keras' serialised form of a layer: <c>{"class_name": TypeName, "config": GetConfig()}</c>.</summary>
    public static IReadOnlyDictionary<string, object?> ToEntry(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new Dictionary<string, object?> { ["class_name"] = layer.TypeName, ["config"] = layer.GetConfig() };
    }
}
