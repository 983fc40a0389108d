namespace RnnNotebooks.Layers;

/// <summary>
/// The constructor arguments SimpleRNN, LSTM and GRU share, as given (Keras' base config of a
/// recurrent layer; docs/keras-semantics.md#model-config). Each layer adds only its cell's own
/// arguments (LSTM recurrent_activation and unit_forget_bias, GRU recurrent_activation and reset_after).
/// <see cref="RecurrentLayer"/> checks and parses them; <see cref="Read"/> is the inverse of
/// <see cref="RecurrentLayer.GetConfig"/>.
/// </summary>
internal sealed record RecurrentOptions(
    int Units,
    string Activation,
    bool UseBias,
    string KernelInitializer,
    string RecurrentInitializer,
    string BiasInitializer,
    float Dropout,
    float RecurrentDropout,
    bool ReturnSequences,
    bool ReturnState,
    bool GoBackwards,
    bool Stateful,
    string? Name,
    int?[]? InputShape,
    int? BatchSize
)
{
    /// <summary>The shared options of a recurrent config, with Keras' defaults for missing keys.</summary>
    public static RecurrentOptions Read(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(
            config.Int("units"),
            config.String("activation", "tanh"),
            config.Bool("use_bias", true),
            config.String("kernel_initializer", "glorot_uniform"),
            config.String("recurrent_initializer", "orthogonal"),
            config.String("bias_initializer", "zeros"),
            config.Float("dropout", 0f),
            config.Float("recurrent_dropout", 0f),
            config.Bool("return_sequences", false),
            config.Bool("return_state", false),
            config.Bool("go_backwards", false),
            config.Bool("stateful", false),
            config.Name,
            config.InputShape,
            config.BatchSize
        );
    }
}

/// <summary>The shared options a cell uses, checked and parsed by <see cref="RecurrentLayer"/>.</summary>
internal sealed record CellOptions(
    int Units,
    ActivationKind Activation,
    bool UseBias,
    Initializer KernelInitializer,
    Initializer RecurrentInitializer,
    Initializer BiasInitializer
);
