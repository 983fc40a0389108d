using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' GRU, gate order z, r, h in every weight. σ is the recurrent
/// activation (hard_sigmoid in Keras 2.0–2.2, the default here; sigmoid in Keras 2.3 / tf.keras).
/// <para>resetAfter = false (Keras 2.x), bias (3u), 3u(I + u + 1) parameters:</para>
/// <code>
/// z = σ(x·W_z + b_z + h_{t−1}·U_z)     r = σ(x·W_r + b_r + h_{t−1}·U_r)
/// hh = act(x·W_h + b_h + (r ⊙ h_{t−1})·U_h)
/// h_t = z ⊙ h_{t−1} + (1 − z) ⊙ hh
/// </code>
/// <para>resetAfter = true (tf.keras, cuDNN), bias (2, 3u) = [input bias; recurrent bias], 3u(I + u + 2) parameters:</para>
/// <code>
/// z = σ(x·W_z + bi_z + h_{t−1}·U_z + br_z)     r = σ(x·W_r + bi_r + h_{t−1}·U_r + br_r)
/// hh = act(x·W_h + bi_h + r ⊙ (h_{t−1}·U_h + br_h))
/// </code>
/// <para>
/// Backward step with dh = ∂L/∂h_t: δ_z = dh ⊙ (h_{t−1} − hh) ⊙ σ′, δ_h = dh ⊙ (1 − z) ⊙ act′,
/// ∂L/∂h_{t−1} = dh ⊙ z + δ_z·U_zᵀ + δ_r·U_rᵀ + the reset path: before the product
/// (d(r⊙h) = δ_h·U_hᵀ, δ_r = d(r⊙h) ⊙ h_{t−1} ⊙ σ′, ∂L/∂h_{t−1} += d(r⊙h) ⊙ r); after it
/// (δ_r = δ_h ⊙ (h_{t−1}·U_h + br_h) ⊙ σ′, ∂L/∂h_{t−1} += (δ_h ⊙ r)·U_hᵀ).
/// </para>
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
        ResetAfter = resetAfter;
    }

    private GRU(GRU source, string name, bool goBackwards)
        : base(source, name, goBackwards)
    {
        RecurrentActivation = source.RecurrentActivation;
        ResetAfter = source.ResetAfter;
    }

    public override string TypeName => "GRU";

    public ActivationKind RecurrentActivation { get; }

    /// <summary>Apply the reset gate after the recurrent product (tf.keras default) rather than before it (Keras 2.x).</summary>
    public bool ResetAfter { get; }

    public override int StateCount => 1;

    private protected override int GateCount => 3;

    /// <summary>resetAfter = false: r ⊙ h_{t−1} (the operand of U_h); true: h_{t−1}·U_h + br_h, then its gradient.</summary>
    private protected override int ExtraCount => 1;

    private protected override int[] BiasShape => ResetAfter ? [2, 3 * Units] : [3 * Units];

    internal override RecurrentLayer CloneConfiguration(string name, bool goBackwards) =>
        new GRU(this, name, goBackwards);

    /// <summary>
    /// The layer a config from <see cref="RecurrentLayer.GetConfig"/> describes (fresh weights).
    /// A missing reset_after means false, the Keras 2.x default this class follows.
    /// </summary>
    public static GRU FromConfig(LayerConfig config)
    {
        var o = CommonOptions.Read(config);
        return new GRU(
            o.Units,
            o.Activation,
            config.String("recurrent_activation", "hard_sigmoid"),
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
            config.Bool("reset_after", false),
            o.Name,
            o.InputShape,
            o.BatchSize
        );
    }

    private protected override void AddConfig(Dictionary<string, object?> config)
    {
        config["recurrent_activation"] = Activations.KerasName(RecurrentActivation);
        config["reset_after"] = ResetAfter;
    }

    /// <summary>resetAfter: the z and r blocks take both biases up front; br_h is added inside the reset product.</summary>
    private protected override void FillProjectionBias(ReadOnlySpan<float> bias, Span<float> projectionBias)
    {
        int width = 3 * Units;
        bias[..width].CopyTo(projectionBias);
        if (ResetAfter)
        {
            var zr = projectionBias[..(2 * Units)];
            TensorPrimitives.Add(zr, bias.Slice(width, 2 * Units), zr);
        }
    }

    private protected override void ForwardStep(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        var hPrev = s.State(0, inSlot);
        Span<float> z = s.Gate(0, t),
            r = s.Gate(1, t),
            hh = s.Gate(2, t),
            extra = s.Extra(0, t);
        AddRecurrentProduct(s, 0, t, hPrev, z);
        AddRecurrentProduct(s, 1, t, hPrev, r);
        GateMath.Apply(RecurrentActivation, z, z);
        GateMath.Apply(RecurrentActivation, r, r);
        var operand = RecurrentOperand(s, 2, t, hPrev);
        if (ResetAfter)
        {
            RecurrentProduct(s, 2, operand, extra, accumulate: false);
            if (UseBias)
                GateMath.AddToRows(extra, s.Rows, BiasValues.Slice(5 * Units, Units));
            GateMath.MultiplyAdd(r, extra, hh);
        }
        else
        {
            TensorPrimitives.Multiply(r, operand, extra);
            RecurrentProduct(s, 2, extra, hh, accumulate: true);
        }
        GateMath.Apply(Activation, hh, hh);

        // h = z ⊙ h_{t−1} + (1 − z) ⊙ hh
        var h = s.State(0, outSlot);
        var oneMinusZ = s.Temp1;
        GateMath.OneMinus(z, oneMinusZ);
        TensorPrimitives.Multiply(oneMinusZ, hh, oneMinusZ);
        TensorPrimitives.Multiply(z, hPrev, h);
        TensorPrimitives.Add(h, oneMinusZ, h);
    }

    private protected override void BackwardStep(
        RecurrentShard s,
        int t,
        int inSlot,
        int outSlot,
        Span<float> previousStateGrad
    )
    {
        var hPrev = s.State(0, inSlot);
        var dh = s.StateGrad(t);
        Span<float> z = s.Gate(0, t),
            r = s.Gate(1, t),
            hh = s.Gate(2, t),
            extra = s.Extra(0, t);
        Span<float> oneMinusZ = s.Temp1,
            difference = s.Temp2;
        GateMath.OneMinus(z, oneMinusZ);
        TensorPrimitives.Subtract(hPrev, hh, difference);
        GateMath.MultiplyAdd(dh, z, previousStateGrad);
        GateMath.ReplaceWithGradient(RecurrentActivation, z, dh, difference);
        GateMath.ReplaceWithGradient(Activation, hh, dh, oneMinusZ);

        if (ResetAfter)
        {
            // extra = h_{t−1}·U_h + br_h becomes its gradient δ_h ⊙ r.
            var dRecurrent = s.Temp1;
            TensorPrimitives.Multiply(hh, r, dRecurrent);
            GateMath.ReplaceWithGradient(RecurrentActivation, r, hh, extra);
            dRecurrent.CopyTo(extra);
            AddRecurrentInputGradient(s, 2, extra, previousStateGrad);
        }
        else
        {
            // d(r ⊙ h̃) with h̃ = h_{t−1} ⊙ mask_h: ∂L/∂h̃ ⊙ mask_h goes to h_{t−1}, ⊙ h̃ to r.
            var dOperand = s.Temp1;
            RecurrentProductGradient(s, 2, hh, dOperand, accumulate: false);
            if (s.HasRecurrentMasks)
                TensorPrimitives.Multiply(dOperand, RecurrentMask(s, 2), dOperand);
            GateMath.MultiplyAdd(dOperand, r, previousStateGrad);
            GateMath.ReplaceWithGradient(RecurrentActivation, r, dOperand, hPrev);
        }
        AddRecurrentInputGradient(s, 0, z, previousStateGrad);
        AddRecurrentInputGradient(s, 1, r, previousStateGrad);
    }

    /// <summary>∂L/∂U_h: resetAfter = false takes (r ⊙ h_{t−1})ᵀ·δ_h.</summary>
    private protected override ReadOnlySpan<float> RecurrentOperandSlab(RecurrentShard s, int gate) =>
        gate == 2 && !ResetAfter ? s.ExtraSlab(0) : base.RecurrentOperandSlab(s, gate);

    /// <summary>∂L/∂U_h: resetAfter = true takes h_{t−1}ᵀ·(δ_h ⊙ r).</summary>
    private protected override ReadOnlySpan<float> RecurrentDeltaSlab(RecurrentShard s, int gate) =>
        gate == 2 && ResetAfter ? s.ExtraSlab(0) : base.RecurrentDeltaSlab(s, gate);

    private protected override void AccumulateBiasGradient(RecurrentShard s)
    {
        base.AccumulateBiasGradient(s);
        if (!ResetAfter)
            return;
        int rows = s.Steps * s.Rows,
            u = Units;
        var recurrent = s.BiasGrad.Slice(3 * u, 3 * u);
        GateMath.AddColumnSums(s.GateSlab(0), rows, recurrent[..u]);
        GateMath.AddColumnSums(s.GateSlab(1), rows, recurrent.Slice(u, u));
        GateMath.AddColumnSums(s.ExtraSlab(0), rows, recurrent.Slice(2 * u, u));
    }

    private protected override IEnumerable<(string Name, InternalBlock Block)> InternalBlocks =>
        [
            ("z", (s, t, _) => s.Gate(0, t)),
            ("r", (s, t, _) => s.Gate(1, t)),
            ("hh", (s, t, _) => s.Gate(2, t)),
            ("h", (s, _, outSlot) => s.State(0, outSlot)),
        ];
}
