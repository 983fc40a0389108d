namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' SimpleRNN, the Elman network: <c>h_t = act(x_t·W + b + h_{t−1}·U)</c>, output y_t = h_t.
/// The step and its backward pass are <see cref="SimpleRnnCell"/>; the time loop is <see cref="RecurrentLayer"/>.
/// See docs/keras-semantics.md#simplernn.
/// </summary>
public sealed class SimpleRNN : RecurrentLayer
{
    public SimpleRNN(
        int units,
        string activation = "tanh",
        bool useBias = true,
        string kernelInitializer = "glorot_uniform",
        string recurrentInitializer = "orthogonal",
        string biasInitializer = "zeros",
        float dropout = 0,
        float recurrentDropout = 0,
        bool returnSequences = false,
        bool returnState = false,
        bool goBackwards = false,
        bool stateful = false,
        string? name = null,
        int?[]? inputShape = null,
        int? batchSize = null
    )
        : this(
            new RecurrentOptions(
                units,
                activation,
                useBias,
                kernelInitializer,
                recurrentInitializer,
                biasInitializer,
                dropout,
                recurrentDropout,
                returnSequences,
                returnState,
                goBackwards,
                stateful,
                name,
                inputShape,
                batchSize
            )
        ) { }

    private SimpleRNN(RecurrentOptions options)
        : base(options, (_, cell) => new SimpleRnnCell(cell)) { }

    public override string TypeName => "SimpleRNN";

    /// <summary>The layer a config from <see cref="RecurrentLayer.GetConfig"/> describes (fresh weights).</summary>
    public static SimpleRNN FromConfig(LayerConfig config) => new(RecurrentOptions.Read(config));

    private protected override RecurrentLayer WithOptions(RecurrentOptions options) => new SimpleRNN(options);
}
