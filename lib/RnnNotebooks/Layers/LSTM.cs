using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' LSTM, gate order i, f, c, o in every weight:
/// <code>
/// i = σ(x·W_i + h_{t−1}·U_i + b_i)      f = σ(x·W_f + h_{t−1}·U_f + b_f)
/// g = act(x·W_c + h_{t−1}·U_c + b_c)    o = σ(x·W_o + h_{t−1}·U_o + b_o)
/// c_t = f ⊙ c_{t−1} + i ⊙ g             h_t = o ⊙ act(c_t)
/// </code>
/// The step and its backward pass are <see cref="LstmCell"/>; the time loop is <see cref="RecurrentLayer"/>.
/// σ is the recurrent activation (hard_sigmoid by default, as Keras 2.0–2.2). See docs/keras-semantics.md#lstm.
/// </summary>
public sealed class LSTM : RecurrentLayer
{
    public LSTM(
        int units,
        string activation = "tanh",
        string recurrentActivation = "hard_sigmoid",
        bool useBias = true,
        string kernelInitializer = "glorot_uniform",
        string recurrentInitializer = "orthogonal",
        string biasInitializer = "zeros",
        bool unitForgetBias = true,
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
            ),
            recurrentActivation,
            unitForgetBias
        ) { }

    private LSTM(RecurrentOptions options, string recurrentActivation, bool unitForgetBias)
        : base(
            options,
            (layer, cell) =>
                new LstmCell(cell, layer.ParseActivation(recurrentActivation, "recurrent_activation"), unitForgetBias)
        ) { }

    public override string TypeName => "LSTM";

    /// <summary>The LSTM step: its equation, weights and own options.</summary>
    public new LstmCell Cell => (LstmCell)base.Cell;

    /// <summary>The gates' activation σ (hard_sigmoid by default, as Keras 2.0–2.2).</summary>
    public ActivationKind RecurrentActivation => Cell.RecurrentActivation;

    public bool UnitForgetBias => Cell.UnitForgetBias;

    /// <summary>
    /// The per-timestep gate activations and states of the last forward call (needs
    /// <see cref="RecurrentLayer.RecordInternals"/>), each (batch, T, units) by input time.
    /// </summary>
    public LstmGates? LastGates =>
        LastInternals is { } d ? new LstmGates(d["i"], d["f"], d["g"], d["o"], d["c"], d["h"]) : null;

    /// <summary>The layer a config from <see cref="RecurrentLayer.GetConfig"/> describes (fresh weights).</summary>
    public static LSTM FromConfig(LayerConfig config) =>
        new(
            RecurrentOptions.Read(config),
            config.String("recurrent_activation", "hard_sigmoid"),
            config.Bool("unit_forget_bias", true)
        );

    private protected override RecurrentLayer WithOptions(RecurrentOptions options) =>
        new LSTM(options, Activations.KerasName(RecurrentActivation), UnitForgetBias);
}

/// <summary>An LSTM's per-timestep internals, each (batch, T, units) by input time: gates i, f, o, candidate g, cell c_t, output h_t.</summary>
public sealed record LstmGates(
    Tensor Input,
    Tensor Forget,
    Tensor Candidate,
    Tensor Output,
    Tensor Cell,
    Tensor Hidden
);
