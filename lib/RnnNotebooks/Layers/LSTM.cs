using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' LSTM, gate order i, f, c, o in every weight:
/// <code>
/// i = σ(x·W_i + h_{t−1}·U_i + b_i)      f = σ(x·W_f + h_{t−1}·U_f + b_f)
/// g = act(x·W_c + h_{t−1}·U_c + b_c)    o = σ(x·W_o + h_{t−1}·U_o + b_o)
/// c_t = f ⊙ c_{t−1} + i ⊙ g             h_t = o ⊙ act(c_t)
/// </code>
/// σ is the recurrent activation: hard_sigmoid in Keras 2.0–2.2 (the default here), sigmoid in
/// Keras 2.3 / tf.keras. Weights: kernel (I, 4u), recurrent_kernel (u, 4u), bias (4u);
/// 4u(I + u + 1) parameters. unitForgetBias starts the f block of the bias at 1.
/// <para>
/// Backward step, with dh = ∂L/∂h_t and the carried dc = ∂L/∂c_t from step t+1:
/// dc += dh ⊙ o ⊙ act′(c_t); δ_o = dh ⊙ act(c_t) ⊙ σ′; δ_i = dc ⊙ g ⊙ σ′; δ_f = dc ⊙ c_{t−1} ⊙ σ′;
/// δ_c = dc ⊙ i ⊙ act′; then ∂L/∂c_{t−1} = dc ⊙ f and ∂L/∂h_{t−1} += Σ_gates δ·Uᵀ.
/// </para>
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
        : base(
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
    {
        RecurrentActivation = ParseActivation(recurrentActivation, "recurrent_activation");
        UnitForgetBias = unitForgetBias;
    }

    private LSTM(LSTM source, string name, bool goBackwards)
        : base(source, name, goBackwards)
    {
        RecurrentActivation = source.RecurrentActivation;
        UnitForgetBias = source.UnitForgetBias;
    }

    public override string TypeName => "LSTM";

    /// <summary>The gates' activation σ (hard_sigmoid by default, as Keras 2.0–2.2).</summary>
    public ActivationKind RecurrentActivation { get; }

    public bool UnitForgetBias { get; }

    public override int StateCount => 2;

    private protected override int GateCount => 4;

    /// <summary>tanh(c_t) of every step, kept for the backward pass.</summary>
    private protected override int ExtraCount => 1;

    private protected override Initializer BiasWeightInitializer =>
        UnitForgetBias ? new UnitForgetBiasInitializer(BiasInitializer, Units) : BiasInitializer;

    /// <summary>
    /// The per-timestep gate activations and states of the last forward call (needs
    /// <see cref="RecurrentLayer.RecordInternals"/>), each (batch, T, units) by input time.
    /// </summary>
    public LstmGates? LastGates =>
        LastInternals is { } d ? new LstmGates(d["i"], d["f"], d["g"], d["o"], d["c"], d["h"]) : null;

    internal override RecurrentLayer CloneConfiguration(string name, bool goBackwards) =>
        new LSTM(this, name, goBackwards);

    /// <summary>The layer a config from <see cref="RecurrentLayer.GetConfig"/> describes (fresh weights).</summary>
    public static LSTM FromConfig(LayerConfig config)
    {
        var o = CommonOptions.Read(config);
        return new LSTM(
            o.Units,
            o.Activation,
            config.String("recurrent_activation", "hard_sigmoid"),
            o.UseBias,
            o.KernelInitializer,
            o.RecurrentInitializer,
            o.BiasInitializer,
            config.Bool("unit_forget_bias", true),
            o.Dropout,
            o.RecurrentDropout,
            o.ReturnSequences,
            o.ReturnState,
            o.GoBackwards,
            o.Stateful,
            o.Name,
            o.InputShape,
            o.BatchSize
        );
    }

    private protected override void AddConfig(Dictionary<string, object?> config)
    {
        config["recurrent_activation"] = Activations.KerasName(RecurrentActivation);
        config["unit_forget_bias"] = UnitForgetBias;
    }

    private protected override void ForwardStep(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        var hPrev = s.State(0, inSlot);
        for (int g = 0; g < 4; g++)
            AddRecurrentProduct(s, g, t, hPrev, s.Gate(g, t));
        Span<float> i = s.Gate(0, t),
            f = s.Gate(1, t),
            candidate = s.Gate(2, t),
            o = s.Gate(3, t);
        GateMath.Apply(RecurrentActivation, i, i);
        GateMath.Apply(RecurrentActivation, f, f);
        GateMath.Apply(Activation, candidate, candidate);
        GateMath.Apply(RecurrentActivation, o, o);
        var c = s.State(1, outSlot);
        TensorPrimitives.Multiply(f, s.State(1, inSlot), c);
        GateMath.MultiplyAdd(i, candidate, c);
        var actC = s.Extra(0, t);
        GateMath.Apply(Activation, c, actC);
        TensorPrimitives.Multiply(o, actC, s.State(0, outSlot));
    }

    private protected override void BackwardStep(
        RecurrentShard s,
        int t,
        int inSlot,
        int outSlot,
        Span<float> previousStateGrad
    )
    {
        Span<float> i = s.Gate(0, t),
            f = s.Gate(1, t),
            candidate = s.Gate(2, t),
            o = s.Gate(3, t);
        var dh = s.StateGrad(t);
        var carry = s.InitialGrad(1);
        var actC = s.Extra(0, t);

        // dc = carry + dh ⊙ o ⊙ act′(c_t)
        var dc = s.Temp1;
        TensorPrimitives.Multiply(dh, o, dc);
        GateMath.Gradient(Activation, actC, dc, dc);
        TensorPrimitives.Add(dc, carry, dc);

        var iCopy = s.Temp2;
        i.CopyTo(iCopy);
        GateMath.ReplaceWithGradient(RecurrentActivation, i, dc, candidate);
        GateMath.ReplaceWithGradient(Activation, candidate, dc, iCopy);
        TensorPrimitives.Multiply(dc, f, carry);
        GateMath.ReplaceWithGradient(RecurrentActivation, f, dc, s.State(1, inSlot));
        GateMath.ReplaceWithGradient(RecurrentActivation, o, dh, actC);

        for (int g = 0; g < 4; g++)
            AddRecurrentInputGradient(s, g, s.Gate(g, t), previousStateGrad);
    }

    private protected override IEnumerable<(string Name, InternalBlock Block)> InternalBlocks =>
        [
            ("i", (s, t, _) => s.Gate(0, t)),
            ("f", (s, t, _) => s.Gate(1, t)),
            ("g", (s, t, _) => s.Gate(2, t)),
            ("o", (s, t, _) => s.Gate(3, t)),
            ("c", (s, _, outSlot) => s.State(1, outSlot)),
            ("h", (s, _, outSlot) => s.State(0, outSlot)),
        ];

    /// <summary>Keras' unit_forget_bias: [init(u) for i | ones(u) for f | init(2u) for c, o].</summary>
    private sealed class UnitForgetBiasInitializer(Initializer inner, int units) : Initializer
    {
        public override string Name => inner.Name;

        public override void Fill(Tensor weight, SeededRandom rng)
        {
            var input = new Tensor(units);
            inner.Fill(input, rng);
            var rest = new Tensor(2 * units);
            inner.Fill(rest, rng);
            input.Data.CopyTo(weight.Data, 0);
            Array.Fill(weight.Data, 1f, units, units);
            rest.Data.CopyTo(weight.Data, 2 * units);
        }
    }
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
