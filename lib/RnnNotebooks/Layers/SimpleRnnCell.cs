using System.Runtime.CompilerServices;

namespace RnnNotebooks.Layers;

/// <summary>
/// The step of Keras' SimpleRNN, the Elman network (docs/keras-semantics.md#simplernn):
/// <code>
/// h_t = act(x_t·W + b + h_{t−1}·U)        output y_t = h_t
/// </code>
/// Weights: kernel W (I, u), recurrent_kernel U (u, u), bias b (u); u(I + u + 1) parameters.
/// <para>
/// Backward step (δ_t = ∂L/∂ pre-activation): δ_t = ∂L/∂h_t ⊙ act′, ∂L/∂h_{t−1} += δ_t·Uᵀ;
/// after the loop ∂L/∂W = Σ_t x_tᵀ·δ_t, ∂L/∂U = Σ_t h_{t−1}ᵀ·δ_t, ∂L/∂b = Σ_t δ_t.
/// </para>
/// </summary>
public sealed class SimpleRnnCell : RecurrentCell
{
    internal SimpleRnnCell(CellOptions options)
        : base(options, gateCount: 1, stateCount: 1, extraCount: 0, biasShape: [options.Units])
    {
        Kernels = StepKernels.For(options.Activation, options.Activation);
    }

    internal override void AddConfig(Dictionary<string, object?> config) { }

    internal override void ProjectInputs(RecurrentShard s, TimeBlock times) => ProjectInputs(s, BiasValues, times);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void Step(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        if (Kernels is null)
        {
            ReferenceStep(s, t, inSlot, outSlot);
            return;
        }
        var z = s.Gate(0, t);
        AddRecurrentProduct(s, 0, t, s.State(0, inSlot), z);
        Kernels.Activate(z, s.State(0, outSlot));
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
        if (Kernels is null)
        {
            if (overwrite)
                previousStateGrad.Clear();
            ReferenceBackwardStep(s, t, inSlot, outSlot, previousStateGrad);
            return;
        }
        var delta = s.Gate(0, t);
        Kernels.ActivationGradient(s.State(0, outSlot), s.StateGrad(t), delta);
        AddRecurrentInputGradient(s, 0, delta, previousStateGrad, overwrite);
    }

    /// <summary>The step one operation per pass (the plain form <see cref="Step"/> is tested against).</summary>
    internal void ReferenceStep(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        var z = s.Gate(0, t);
        AddRecurrentProduct(s, 0, t, s.State(0, inSlot), z);
        StateActivation.Apply(z, s.State(0, outSlot));
    }

    internal void ReferenceBackwardStep(RecurrentShard s, int t, int inSlot, int outSlot, Span<float> previousStateGrad)
    {
        var delta = s.Gate(0, t);
        StateActivation.Gradient(s.State(0, outSlot), s.StateGrad(t), delta);
        AddRecurrentInputGradient(s, 0, delta, previousStateGrad);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void AccumulateGradients(RecurrentShard s, TimeBlock block)
    {
        BackwardThroughInputs(s, block);
        AddRecurrentKernelGradient(s, 0, PreviousStates(s, 0, block), s.GateSlab(0, block), block);
        if (UseBias)
            AccumulateBiasGradient(s, block);
    }

    internal override IEnumerable<(string Name, InternalBlock Block)> Internals =>
        [("h", (s, t, outSlot) => s.State(0, outSlot))];
}
