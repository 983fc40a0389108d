namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' GRU, gate order z, r, h in every weight (resetAfter = false, Keras 2.x):
/// <code>
/// z = σ(x·W_z + b_z + h_{t−1}·U_z)     r = σ(x·W_r + b_r + h_{t−1}·U_r)
/// hh = act(x·W_h + b_h + (r ⊙ h_{t−1})·U_h)
/// h_t = z ⊙ h_{t−1} + (1 − z) ⊙ hh
/// </code>
/// resetAfter = true (tf.keras, cuDNN) applies r after the product: hh = act(x·W_h + bi_h + r ⊙ (h_{t−1}·U_h + br_h)).
/// The step and its backward pass are <see cref="GruCell"/>; the time loop is <see cref="RecurrentLayer"/>.
/// See docs/keras-semantics.md#gru.
/// </summary>
public sealed class GRU : RecurrentLayer
{
    public GRU(
        int units,
        string activation = "tanh",
        string recurrentActivation = "hard_sigmoid",
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
        bool resetAfter = false,
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
            ),
            recurrentActivation,
            resetAfter
        ) { }

    private GRU(RecurrentOptions options, string recurrentActivation, bool resetAfter)
        : base(
            options,
            (layer, cell) =>
                new GruCell(cell, layer.ParseActivation(recurrentActivation, "recurrent_activation"), resetAfter)
        ) { }

    public override string TypeName => "GRU";

    /// <summary>The GRU step: its equation, weights and own options.</summary>
    public new GruCell Cell => (GruCell)base.Cell;

    public ActivationKind RecurrentActivation => Cell.RecurrentActivation;

    /// <summary>Apply the reset gate after the recurrent product (tf.keras default) rather than before it (Keras 2.x).</summary>
    public bool ResetAfter => Cell.ResetAfter;

    /// <summary>
    /// The layer a config from <see cref="RecurrentLayer.GetConfig"/> describes (fresh weights).
    /// A missing reset_after means false, the Keras 2.x default this class follows.
    /// </summary>
    public static GRU FromConfig(LayerConfig config) =>
        new(
            RecurrentOptions.Read(config),
            config.String("recurrent_activation", "hard_sigmoid"),
            config.Bool("reset_after", false)
        );

    private protected override RecurrentLayer WithOptions(RecurrentOptions options) =>
        new GRU(options, Activations.KerasName(RecurrentActivation), ResetAfter);
}
