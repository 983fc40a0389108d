using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// The step of Keras' GRU (docs/keras-semantics.md#gru), gate order z, r, h in every weight. σ is the
/// recurrent activation (hard_sigmoid in Keras 2.0–2.2, the default here; sigmoid in Keras 2.3 / tf.keras).
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
/// <para>
/// The extra store of every step (<see cref="RecurrentShard.Extra"/>) holds, with resetAfter = false,
/// r ⊙ h_{t−1} (the operand of U_h); with resetAfter = true, h_{t−1}·U_h + br_h, which the backward
/// step replaces by its gradient δ_h ⊙ r.
/// </para>
/// </summary>
public sealed class GruCell : RecurrentCell
{
    private readonly ActivationFunction _gateActivation;

    internal GruCell(CellOptions options, ActivationKind recurrentActivation, bool resetAfter)
        : base(
            options,
            gateCount: 3,
            stateCount: 1,
            extraCount: 1,
            biasShape: resetAfter ? [2, 3 * options.Units] : [3 * options.Units]
        )
    {
        RecurrentActivation = recurrentActivation;
        ResetAfter = resetAfter;
        _gateActivation = ActivationFunction.Of(recurrentActivation);
        Kernels = StepKernels.For(recurrentActivation, options.Activation);
    }

    public ActivationKind RecurrentActivation { get; }

    /// <summary>Apply the reset gate after the recurrent product (tf.keras default) rather than before it (Keras 2.x).</summary>
    public bool ResetAfter { get; }

    internal override void AddConfig(Dictionary<string, object?> config)
    {
        config["recurrent_activation"] = Activations.KerasName(RecurrentActivation);
        config["reset_after"] = ResetAfter;
    }

    /// <summary>resetAfter: the z and r blocks take both biases up front; br_h is added inside the reset product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void ProjectInputs(RecurrentShard s, TimeBlock times)
    {
        if (!UseBias)
        {
            ProjectInputs(s, default, times);
            return;
        }
        int width = 3 * Units;
        var bias = s.BiasScratch[..width];
        BiasValues[..width].CopyTo(bias);
        if (ResetAfter)
        {
            var zr = bias[..(2 * Units)];
            TensorPrimitives.Add(zr, BiasValues.Slice(width, 2 * Units), zr);
        }
        ProjectInputs(s, bias, times);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void Step(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        if (Kernels is null)
        {
            ReferenceStep(s, t, inSlot, outSlot);
            return;
        }
        var hPrev = s.State(0, inSlot);
        Span<float> z = s.Gate(0, t),
            r = s.Gate(1, t),
            hh = s.Gate(2, t),
            extra = s.Extra(0, t),
            h = s.State(0, outSlot);
        AddRecurrentProducts(s, 0, 2, t, hPrev);
        var operand = RecurrentOperand(s, 2, t, hPrev);
        if (ResetAfter)
        {
            Kernels.GruGates(z, r);
            RecurrentProduct(s, 2, operand, extra, accumulate: false);
            if (UseBias)
                AddToRows(extra, s.Rows, BiasValues.Slice(5 * Units, Units));
            Kernels.GruStateResetAfter(z, r, extra, hh, hPrev, h);
        }
        else
        {
            Kernels.GruGatesAndResetOperand(z, r, operand, extra);
            RecurrentProduct(s, 2, extra, hh, accumulate: true);
            Kernels.GruState(z, hh, hPrev, h);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void BackwardStep(
        RecurrentShard s,
        int t,
        int inSlot,
        int outSlot,
        Span<float> previousStateGrad,
        bool overwrite
    )
    {
        // The GRU's first term, dh ⊙ z, is added by its kernel.
        if (overwrite)
            previousStateGrad.Clear();
        if (Kernels is null)
        {
            ReferenceBackwardStep(s, t, inSlot, outSlot, previousStateGrad);
            return;
        }
        var hPrev = s.State(0, inSlot);
        var dh = s.StateGrad(t);
        Span<float> z = s.Gate(0, t),
            r = s.Gate(1, t),
            hh = s.Gate(2, t),
            extra = s.Extra(0, t);
        if (ResetAfter)
        {
            Kernels.GruBackwardResetAfter(z, r, hh, extra, hPrev, dh, previousStateGrad);
            AddRecurrentInputGradient(s, 2, extra, previousStateGrad);
        }
        else
        {
            Kernels.GruBackward(z, hh, hPrev, dh, previousStateGrad);
            var dOperand = s.Temp1;
            RecurrentProductGradient(s, 2, hh, dOperand, accumulate: false);
            Kernels.GruResetGradient(
                r,
                dOperand,
                s.HasRecurrentMasks ? s.RecurrentMask(2) : default,
                hPrev,
                previousStateGrad
            );
        }
        AddRecurrentInputGradients(s, 0, 2, t, previousStateGrad);
    }

    /// <summary>The step one operation per pass over the blocks (the plain form <see cref="Step"/> is tested against).</summary>
    internal void ReferenceStep(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        var hPrev = s.State(0, inSlot);
        Span<float> z = s.Gate(0, t),
            r = s.Gate(1, t),
            hh = s.Gate(2, t),
            extra = s.Extra(0, t);
        AddRecurrentProduct(s, 0, t, hPrev, z);
        AddRecurrentProduct(s, 1, t, hPrev, r);
        _gateActivation.Apply(z, z);
        _gateActivation.Apply(r, r);
        var operand = RecurrentOperand(s, 2, t, hPrev);
        if (ResetAfter)
        {
            RecurrentProduct(s, 2, operand, extra, accumulate: false);
            if (UseBias)
                AddToRows(extra, s.Rows, BiasValues.Slice(5 * Units, Units));
            MultiplyAdd(r, extra, hh);
        }
        else
        {
            TensorPrimitives.Multiply(r, operand, extra);
            RecurrentProduct(s, 2, extra, hh, accumulate: true);
        }
        StateActivation.Apply(hh, hh);

        // h = z ⊙ h_{t−1} + (1 − z) ⊙ hh
        var h = s.State(0, outSlot);
        var oneMinusZ = s.Temp1;
        OneMinus(z, oneMinusZ);
        TensorPrimitives.Multiply(oneMinusZ, hh, oneMinusZ);
        TensorPrimitives.Multiply(z, hPrev, h);
        TensorPrimitives.Add(h, oneMinusZ, h);
    }

    internal void ReferenceBackwardStep(RecurrentShard s, int t, int inSlot, int outSlot, Span<float> previousStateGrad)
    {
        var hPrev = s.State(0, inSlot);
        var dh = s.StateGrad(t);
        Span<float> z = s.Gate(0, t),
            r = s.Gate(1, t),
            hh = s.Gate(2, t),
            extra = s.Extra(0, t);
        Span<float> oneMinusZ = s.Temp1,
            difference = s.Temp2;
        OneMinus(z, oneMinusZ);
        TensorPrimitives.Subtract(hPrev, hh, difference);
        MultiplyAdd(dh, z, previousStateGrad);
        _gateActivation.ReplaceWithGradient(z, dh, difference);
        StateActivation.ReplaceWithGradient(hh, dh, oneMinusZ);

        if (ResetAfter)
        {
            // extra = h_{t−1}·U_h + br_h becomes its gradient δ_h ⊙ r.
            var dRecurrent = s.Temp1;
            TensorPrimitives.Multiply(hh, r, dRecurrent);
            _gateActivation.ReplaceWithGradient(r, hh, extra);
            dRecurrent.CopyTo(extra);
            AddRecurrentInputGradient(s, 2, extra, previousStateGrad);
        }
        else
        {
            // d(r ⊙ h̃) with h̃ = h_{t−1} ⊙ mask_h: ∂L/∂h̃ ⊙ mask_h goes to h_{t−1}, ⊙ h̃ to r.
            var dOperand = s.Temp1;
            RecurrentProductGradient(s, 2, hh, dOperand, accumulate: false);
            if (s.HasRecurrentMasks)
                TensorPrimitives.Multiply(dOperand, s.RecurrentMask(2), dOperand);
            MultiplyAdd(dOperand, r, previousStateGrad);
            _gateActivation.ReplaceWithGradient(r, dOperand, hPrev);
        }
        AddRecurrentInputGradient(s, 0, z, previousStateGrad);
        AddRecurrentInputGradient(s, 1, r, previousStateGrad);
    }

    /// <summary>
    /// ∂L/∂U_h: resetAfter = false takes (r ⊙ h_{t−1})ᵀ·δ_h, resetAfter = true h_{t−1}ᵀ·(δ_h ⊙ r); with
    /// resetAfter the recurrent bias br receives δ_z, δ_r and δ_h ⊙ r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void AccumulateGradients(RecurrentShard s, TimeBlock block)
    {
        BackwardThroughInputs(s, block);
        AddRecurrentKernelGradient(s, 0, PreviousStates(s, 0, block), s.GateSlab(0, block), block);
        AddRecurrentKernelGradient(s, 1, PreviousStates(s, 1, block), s.GateSlab(1, block), block);
        if (ResetAfter)
            AddRecurrentKernelGradient(s, 2, PreviousStates(s, 2, block), s.ExtraSlab(0, block), block);
        else
            AddRecurrentKernelGradient(s, 2, s.ExtraSlab(0, block), s.GateSlab(2, block), block);
        if (!UseBias)
            return;
        AccumulateBiasGradient(s, block);
        if (!ResetAfter)
            return;
        int rows = block.Count * s.Rows,
            u = Units;
        var recurrent = s.BiasGrad.Slice(3 * u, 3 * u);
        AddColumnSums(s.GateSlab(0, block), rows, recurrent[..u]);
        AddColumnSums(s.GateSlab(1, block), rows, recurrent.Slice(u, u));
        AddColumnSums(s.ExtraSlab(0, block), rows, recurrent.Slice(2 * u, u));
    }

    internal override IEnumerable<(string Name, InternalBlock Block)> Internals =>
        [
            ("z", (s, t, _) => s.Gate(0, t)),
            ("r", (s, t, _) => s.Gate(1, t)),
            ("hh", (s, t, _) => s.Gate(2, t)),
            ("h", (s, _, outSlot) => s.State(0, outSlot)),
        ];
}
