namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' SimpleRNN, the Elman network:
/// <c>h_t = act(x_t·W + b + h_{t−1}·U)</c>, output y_t = h_t.
/// Weights: kernel W (I, u), recurrent_kernel U (u, u), bias b (u); u(I + u + 1) parameters.
/// <para>
/// Backward step (δ_t = ∂L/∂ pre-activation): δ_t = ∂L/∂h_t ⊙ act′, ∂L/∂h_{t−1} += δ_t·Uᵀ;
/// after the loop ∂L/∂W = Σ_t x_tᵀ·δ_t, ∂L/∂U = Σ_t h_{t−1}ᵀ·δ_t, ∂L/∂b = Σ_t δ_t.
/// </para>
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
        ) { }

    private SimpleRNN(SimpleRNN source, string name, bool goBackwards)
        : base(source, name, goBackwards) { }

    public override string TypeName => "SimpleRNN";

    public override int StateCount => 1;

    private protected override int GateCount => 1;

    internal override RecurrentLayer CloneConfiguration(string name, bool goBackwards) =>
        new SimpleRNN(this, name, goBackwards);

    /// <summary>The layer a config from <see cref="RecurrentLayer.GetConfig"/> describes (fresh weights).</summary>
    public static SimpleRNN FromConfig(LayerConfig config)
    {
        var o = CommonOptions.Read(config);
        return new SimpleRNN(
            o.Units,
            o.Activation,
            o.UseBias,
            o.KernelInitializer,
            o.RecurrentInitializer,
            o.BiasInitializer,
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

    private protected override void ForwardStep(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        var z = s.Gate(0, t);
        AddRecurrentProduct(s, 0, t, s.State(0, inSlot), z);
        GateMath.Apply(Activation, z, s.State(0, outSlot));
    }

    private protected override void BackwardStep(
        RecurrentShard s,
        int t,
        int inSlot,
        int outSlot,
        Span<float> previousStateGrad
    )
    {
        var delta = s.Gate(0, t);
        GateMath.Gradient(Activation, s.State(0, outSlot), s.StateGrad(t), delta);
        AddRecurrentInputGradient(s, 0, delta, previousStateGrad);
    }

    private protected override IEnumerable<(string Name, InternalBlock Block)> InternalBlocks =>
        [("h", (s, t, outSlot) => s.State(0, outSlot))];
}
