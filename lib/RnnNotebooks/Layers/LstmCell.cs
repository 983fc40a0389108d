using System.Runtime.CompilerServices;
using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// The step of Keras' LSTM (docs/keras-semantics.md#lstm), gate order i, f, c, o in every weight:
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
public sealed class LstmCell : RecurrentCell
{
    private readonly ActivationFunction _gateActivation;

    internal LstmCell(CellOptions options, ActivationKind recurrentActivation, bool unitForgetBias)
        : base(
            options,
            gateCount: 4,
            stateCount: 2,
            extraCount: 1, // act(c_t) of every step, kept for the backward pass
            biasShape: [4 * options.Units],
            unitForgetBias ? new UnitForgetBiasInitializer(options.BiasInitializer, options.Units) : null
        )
    {
        RecurrentActivation = recurrentActivation;
        UnitForgetBias = unitForgetBias;
        _gateActivation = ActivationFunction.Of(recurrentActivation);
        Kernels = StepKernels.For(recurrentActivation, options.Activation);
    }

    /// <summary>The gates' activation σ (hard_sigmoid by default, as Keras 2.0–2.2).</summary>
    public ActivationKind RecurrentActivation { get; }

    public bool UnitForgetBias { get; }

    internal override void AddConfig(Dictionary<string, object?> config)
    {
        config["recurrent_activation"] = Activations.KerasName(RecurrentActivation);
        config["unit_forget_bias"] = UnitForgetBias;
    }

    internal override void ProjectInputs(RecurrentShard s, TimeBlock times) => ProjectInputs(s, BiasValues, times);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void Step(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        if (Kernels is null)
        {
            ReferenceStep(s, t, inSlot, outSlot);
            return;
        }
        AddRecurrentProducts(s, 0, 4, t, s.State(0, inSlot));
        Kernels.LstmForward(
            s.Gate(0, t),
            s.Gate(1, t),
            s.Gate(2, t),
            s.Gate(3, t),
            s.State(1, inSlot),
            s.State(1, outSlot),
            s.Extra(0, t),
            s.State(0, outSlot)
        );
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
        Kernels.LstmBackward(
            s.Gate(0, t),
            s.Gate(1, t),
            s.Gate(2, t),
            s.Gate(3, t),
            s.StateGrad(t),
            s.Extra(0, t),
            s.State(1, inSlot),
            s.InitialGrad(1)
        );
        AddRecurrentInputGradients(s, 0, 4, t, previousStateGrad, overwrite);
    }

    /// <summary>The step one operation per pass over the blocks (the plain form <see cref="Step"/> is tested against).</summary>
    internal void ReferenceStep(RecurrentShard s, int t, int inSlot, int outSlot)
    {
        var hPrev = s.State(0, inSlot);
        for (int g = 0; g < 4; g++)
            AddRecurrentProduct(s, g, t, hPrev, s.Gate(g, t));
        Span<float> i = s.Gate(0, t),
            f = s.Gate(1, t),
            candidate = s.Gate(2, t),
            o = s.Gate(3, t);
        _gateActivation.Apply(i, i);
        _gateActivation.Apply(f, f);
        StateActivation.Apply(candidate, candidate);
        _gateActivation.Apply(o, o);
        var c = s.State(1, outSlot);
        TensorPrimitives.Multiply(f, s.State(1, inSlot), c);
        MultiplyAdd(i, candidate, c);
        var actC = s.Extra(0, t);
        StateActivation.Apply(c, actC);
        TensorPrimitives.Multiply(o, actC, s.State(0, outSlot));
    }

    internal void ReferenceBackwardStep(RecurrentShard s, int t, int inSlot, int outSlot, Span<float> previousStateGrad)
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
        StateActivation.Gradient(actC, dc, dc);
        TensorPrimitives.Add(dc, carry, dc);

        // Each gate block becomes its δ in place; i is read by δ_c after δ_i replaced it, so keep a copy.
        var iCopy = s.Temp2;
        i.CopyTo(iCopy);
        _gateActivation.ReplaceWithGradient(i, dc, candidate);
        StateActivation.ReplaceWithGradient(candidate, dc, iCopy);
        TensorPrimitives.Multiply(dc, f, carry);
        _gateActivation.ReplaceWithGradient(f, dc, s.State(1, inSlot));
        _gateActivation.ReplaceWithGradient(o, dh, actC);

        for (int g = 0; g < 4; g++)
            AddRecurrentInputGradient(s, g, s.Gate(g, t), previousStateGrad);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void AccumulateGradients(RecurrentShard s, TimeBlock block)
    {
        BackwardThroughInputs(s, block);
        for (int g = 0; g < 4; g++)
            AddRecurrentKernelGradient(s, g, PreviousStates(s, g, block), s.GateSlab(g, block), block);
        if (UseBias)
            AccumulateBiasGradient(s, block);
    }

    internal override IEnumerable<(string Name, InternalBlock Block)> Internals =>
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
