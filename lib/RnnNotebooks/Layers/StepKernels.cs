using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnNotebooks.Layers;

/// <summary>
/// The element-wise work of a recurrent step fused into one pass over the step's blocks, forwards
/// (after the recurrent GEMMs: the activations and the state update) and backwards (the δ of every
/// gate and the carried gradients, before the δ·Uᵀ GEMMs), for a cell's gate activation σ and state
/// activation act. Each element goes through exactly the IEEE operations, in the same order, of the
/// cells' reference steps (<c>ReferenceStep</c>, <c>ReferenceBackwardStep</c>), which make one pass per
/// operation; tests compare the two byte for byte.
/// <para>
/// Each kernel's arithmetic is written once per element on vectors (a <c>…Lanes</c> method) and run
/// over a block in full vectors; the last elements (fewer than a vector) go through the same code one
/// at a time in lane 0, which gives the same values since every operation works lane by lane.
/// </para>
/// </summary>
internal abstract class StepKernels
{
    /// <summary>
    /// The kernels for a gate and a state activation on the widest accelerated vectors (Vector512,
    /// else Vector256); null where neither is accelerated (the cells then run their reference steps,
    /// whose scalar code these kernels do not reproduce).
    /// </summary>
    public static StepKernels? For(ActivationKind gate, ActivationKind state) =>
        Vector512.IsHardwareAccelerated ? For(gate, state, 512)
        : Vector256.IsHardwareAccelerated ? For(gate, state, 256)
        : null;

    /// <summary>The kernels on vectors of <paramref name="bits"/> (256 or 512) bits, for tests of either width.</summary>
    internal static StepKernels For(ActivationKind gate, ActivationKind state, int bits) =>
        bits switch
        {
            512 => WithLanes<Vector512<float>, Lanes512>(gate, state),
            256 => WithLanes<Vector256<float>, Lanes256>(gate, state),
            _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "256 or 512"),
        };

    private static StepKernels WithLanes<TV, TL>(ActivationKind gate, ActivationKind state)
        where TV : struct
        where TL : struct, ILanes<TV> =>
        gate switch
        {
            ActivationKind.Tanh => WithGate<TV, TL, LaneActivations.Tanh>(state),
            ActivationKind.Sigmoid => WithGate<TV, TL, LaneActivations.Sigmoid>(state),
            ActivationKind.HardSigmoid => WithGate<TV, TL, LaneActivations.HardSigmoid>(state),
            ActivationKind.Relu => WithGate<TV, TL, LaneActivations.Relu>(state),
            ActivationKind.Linear => WithGate<TV, TL, LaneActivations.Linear>(state),
            _ => throw new ArgumentOutOfRangeException(nameof(gate), gate, "not an element-wise activation"),
        };

    private static StepKernels WithGate<TV, TL, TG>(ActivationKind state)
        where TV : struct
        where TL : struct, ILanes<TV>
        where TG : struct, ILaneActivation =>
        state switch
        {
            ActivationKind.Tanh => new StepKernels<TV, TL, TG, LaneActivations.Tanh>(),
            ActivationKind.Sigmoid => new StepKernels<TV, TL, TG, LaneActivations.Sigmoid>(),
            ActivationKind.HardSigmoid => new StepKernels<TV, TL, TG, LaneActivations.HardSigmoid>(),
            ActivationKind.Relu => new StepKernels<TV, TL, TG, LaneActivations.Relu>(),
            ActivationKind.Linear => new StepKernels<TV, TL, TG, LaneActivations.Linear>(),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not an element-wise activation"),
        };

    /// <summary>y = act(x) (SimpleRNN's step); x and y may be the same block.</summary>
    public abstract void Activate(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>δ = act′(y) · dy (SimpleRNN's backward step); δ may alias dy.</summary>
    public abstract void ActivationGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> delta);

    /// <summary>
    /// LSTM forwards, the gate blocks holding pre-activations: i, f, o ← σ(·), g ← act(·) in place,
    /// c = f ⊙ c_{t−1} + i ⊙ g, act(c) kept, h = o ⊙ act(c).
    /// </summary>
    public abstract void LstmForward(
        Span<float> i,
        Span<float> f,
        Span<float> g,
        Span<float> o,
        ReadOnlySpan<float> cPrevious,
        Span<float> c,
        Span<float> actC,
        Span<float> h
    );

    /// <summary>
    /// LSTM backwards: dc = act′(act c) ⊙ (dh ⊙ o) + carry; the gate blocks become δ_i = σ′(i)·dc·g,
    /// δ_g = act′(g)·dc·i, δ_f = σ′(f)·dc·c_{t−1}, δ_o = σ′(o)·dh·act(c); carry ← dc ⊙ f.
    /// </summary>
    public abstract void LstmBackward(
        Span<float> i,
        Span<float> f,
        Span<float> g,
        Span<float> o,
        ReadOnlySpan<float> dh,
        ReadOnlySpan<float> actC,
        ReadOnlySpan<float> cPrevious,
        Span<float> carry
    );

    /// <summary>GRU after the z and r GEMMs: z, r ← σ(·) in place.</summary>
    public abstract void GruGates(Span<float> z, Span<float> r);

    /// <summary>GRU (reset before) after the z and r GEMMs: z, r ← σ(·), and the operand of U_h, extra = r ⊙ h̃_{t−1}.</summary>
    public abstract void GruGatesAndResetOperand(
        Span<float> z,
        Span<float> r,
        ReadOnlySpan<float> operand,
        Span<float> extra
    );

    /// <summary>GRU (reset before) after the U_h GEMM: hh ← act(hh), h = z ⊙ h_{t−1} + (1 − z) ⊙ hh.</summary>
    public abstract void GruState(ReadOnlySpan<float> z, Span<float> hh, ReadOnlySpan<float> hPrevious, Span<float> h);

    /// <summary>GRU (reset after) with extra = h_{t−1}·U_h + br_h: hh ← act(r ⊙ extra + hh), h = z ⊙ h_{t−1} + (1 − z) ⊙ hh.</summary>
    public abstract void GruStateResetAfter(
        ReadOnlySpan<float> z,
        ReadOnlySpan<float> r,
        ReadOnlySpan<float> extra,
        Span<float> hh,
        ReadOnlySpan<float> hPrevious,
        Span<float> h
    );

    /// <summary>
    /// GRU backwards, the part before any GEMM: ∂L/∂h_{t−1} += dh ⊙ z; z becomes δ_z = σ′(z)·dh·(h_{t−1} − hh),
    /// hh becomes δ_h = act′(hh)·dh·(1 − z).
    /// </summary>
    public abstract void GruBackward(
        Span<float> z,
        Span<float> hh,
        ReadOnlySpan<float> hPrevious,
        ReadOnlySpan<float> dh,
        Span<float> previousStateGrad
    );

    /// <summary>
    /// <see cref="GruBackward"/> for reset after, and the reset gate: r becomes δ_r = σ′(r)·δ_h·extra and
    /// extra (h_{t−1}·U_h + br_h) becomes δ_h ⊙ r.
    /// </summary>
    public abstract void GruBackwardResetAfter(
        Span<float> z,
        Span<float> r,
        Span<float> hh,
        Span<float> extra,
        ReadOnlySpan<float> hPrevious,
        ReadOnlySpan<float> dh,
        Span<float> previousStateGrad
    );

    /// <summary>
    /// GRU (reset before), given d(r ⊙ h̃) = δ_h·U_hᵀ: with recurrent dropout it is multiplied by the
    /// mask first; ∂L/∂h_{t−1} += d ⊙ r, and r becomes δ_r = σ′(r)·d·h_{t−1}.
    /// </summary>
    public abstract void GruResetGradient(
        Span<float> r,
        ReadOnlySpan<float> dOperand,
        ReadOnlySpan<float> mask,
        ReadOnlySpan<float> hPrevious,
        Span<float> previousStateGrad
    );

    /// <summary>Throws unless every operand holds at least <paramref name="n"/> floats (the kernels then index without checks).</summary>
    private protected static void Require(int n, params ReadOnlySpan<int> lengths)
    {
        foreach (int length in lengths)
            if (length < n)
                throw new ArgumentException("an operand is shorter than the step's block");
    }
}

/// <summary>The kernels for vectors TV (operations TL), gate activation TG and state activation TS.</summary>
internal sealed class StepKernels<TV, TL, TG, TS> : StepKernels
    where TV : struct
    where TL : struct, ILanes<TV>
    where TG : struct, ILaneActivation
    where TS : struct, ILaneActivation
{
    private static nuint Width => (nuint)TL.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load(ref float source, nuint index, bool one) =>
        one ? TL.LoadOne(Unsafe.Add(ref source, index)) : TL.Load(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(TV value, ref float target, nuint index, bool one)
    {
        if (one)
            Unsafe.Add(ref target, index) = TL.First(value);
        else
            TL.Store(value, ref target, index);
    }

    /// <summary>Index steps over a block of n: whole vectors, then one element at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Next(ref nuint k, nuint n, out bool one)
    {
        if (k >= n)
        {
            one = false;
            return false;
        }
        one = k + Width > n;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Advance(bool one) => one ? 1 : Width;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Activate(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        Require(n, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
            Store(TS.Of<TV, TL>(Load(ref xr, k, one)), ref yr, k, one);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void ActivationGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> delta)
    {
        int n = y.Length;
        Require(n, dy.Length, delta.Length);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dyr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(delta);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
            Store(TS.Gradient<TV, TL>(Load(ref yr, k, one), Load(ref dyr, k, one)), ref dr, k, one);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void LstmForward(
        Span<float> i,
        Span<float> f,
        Span<float> g,
        Span<float> o,
        ReadOnlySpan<float> cPrevious,
        Span<float> c,
        Span<float> actC,
        Span<float> h
    )
    {
        int n = i.Length;
        Require(n, f.Length, g.Length, o.Length, cPrevious.Length, c.Length, actC.Length, h.Length);
        ref float ir = ref MemoryMarshal.GetReference(i);
        ref float fr = ref MemoryMarshal.GetReference(f);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float or = ref MemoryMarshal.GetReference(o);
        ref float cpr = ref MemoryMarshal.GetReference(cPrevious);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float ar = ref MemoryMarshal.GetReference(actC);
        ref float hr = ref MemoryMarshal.GetReference(h);
        // Two passes over the block, the gates then the state: act(g) and act(c) are each a long chain of
        // dependent operations, and one pass holding both left too few independent vectors in flight
        // (measured 1.35× slower on a 32 × 32 block).
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var iv = TG.Of<TV, TL>(Load(ref ir, k, one));
            var fv = TG.Of<TV, TL>(Load(ref fr, k, one));
            var gv = TS.Of<TV, TL>(Load(ref gr, k, one));
            var ov = TG.Of<TV, TL>(Load(ref or, k, one));
            // c = (i ⊙ g) + (f ⊙ c_{t−1}): the reference's f ⊙ c_{t−1} then MultiplyAdd(i, g, c).
            var cv = TL.Add(TL.Multiply(iv, gv), TL.Multiply(fv, Load(ref cpr, k, one)));
            Store(iv, ref ir, k, one);
            Store(fv, ref fr, k, one);
            Store(gv, ref gr, k, one);
            Store(ov, ref or, k, one);
            Store(cv, ref cr, k, one);
        }
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var av = TS.Of<TV, TL>(Load(ref cr, k, one));
            Store(av, ref ar, k, one);
            Store(TL.Multiply(Load(ref or, k, one), av), ref hr, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void LstmBackward(
        Span<float> i,
        Span<float> f,
        Span<float> g,
        Span<float> o,
        ReadOnlySpan<float> dh,
        ReadOnlySpan<float> actC,
        ReadOnlySpan<float> cPrevious,
        Span<float> carry
    )
    {
        int n = i.Length;
        Require(n, f.Length, g.Length, o.Length, dh.Length, actC.Length, cPrevious.Length, carry.Length);
        ref float ir = ref MemoryMarshal.GetReference(i);
        ref float fr = ref MemoryMarshal.GetReference(f);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float or = ref MemoryMarshal.GetReference(o);
        ref float dhr = ref MemoryMarshal.GetReference(dh);
        ref float ar = ref MemoryMarshal.GetReference(actC);
        ref float cpr = ref MemoryMarshal.GetReference(cPrevious);
        ref float carryr = ref MemoryMarshal.GetReference(carry);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var iv = Load(ref ir, k, one);
            var fv = Load(ref fr, k, one);
            var gv = Load(ref gr, k, one);
            var ov = Load(ref or, k, one);
            var dhv = Load(ref dhr, k, one);
            var av = Load(ref ar, k, one);
            var dc = TL.Add(TS.Gradient<TV, TL>(av, TL.Multiply(dhv, ov)), Load(ref carryr, k, one));
            Store(TL.Multiply(TG.Gradient<TV, TL>(iv, dc), gv), ref ir, k, one);
            Store(TL.Multiply(TS.Gradient<TV, TL>(gv, dc), iv), ref gr, k, one);
            Store(TL.Multiply(dc, fv), ref carryr, k, one);
            Store(TL.Multiply(TG.Gradient<TV, TL>(fv, dc), Load(ref cpr, k, one)), ref fr, k, one);
            Store(TL.Multiply(TG.Gradient<TV, TL>(ov, dhv), av), ref or, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruGates(Span<float> z, Span<float> r)
    {
        int n = z.Length;
        Require(n, r.Length);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rr = ref MemoryMarshal.GetReference(r);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            Store(TG.Of<TV, TL>(Load(ref zr, k, one)), ref zr, k, one);
            Store(TG.Of<TV, TL>(Load(ref rr, k, one)), ref rr, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruGatesAndResetOperand(
        Span<float> z,
        Span<float> r,
        ReadOnlySpan<float> operand,
        Span<float> extra
    )
    {
        int n = z.Length;
        Require(n, r.Length, operand.Length, extra.Length);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rr = ref MemoryMarshal.GetReference(r);
        ref float opr = ref MemoryMarshal.GetReference(operand);
        ref float er = ref MemoryMarshal.GetReference(extra);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            Store(TG.Of<TV, TL>(Load(ref zr, k, one)), ref zr, k, one);
            var rv = TG.Of<TV, TL>(Load(ref rr, k, one));
            Store(rv, ref rr, k, one);
            Store(TL.Multiply(rv, Load(ref opr, k, one)), ref er, k, one);
        }
    }

    /// <summary>h = (z ⊙ h_{t−1}) + ((1 − z) ⊙ hh), in the reference's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV GruUpdate(TV z, TV hPrevious, TV hh) =>
        TL.Add(TL.Multiply(z, hPrevious), TL.Multiply(TL.Subtract(TL.One, z), hh));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruState(ReadOnlySpan<float> z, Span<float> hh, ReadOnlySpan<float> hPrevious, Span<float> h)
    {
        int n = z.Length;
        Require(n, hh.Length, hPrevious.Length, h.Length);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float hhr = ref MemoryMarshal.GetReference(hh);
        ref float hpr = ref MemoryMarshal.GetReference(hPrevious);
        ref float hr = ref MemoryMarshal.GetReference(h);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var hhv = TS.Of<TV, TL>(Load(ref hhr, k, one));
            Store(hhv, ref hhr, k, one);
            Store(GruUpdate(Load(ref zr, k, one), Load(ref hpr, k, one), hhv), ref hr, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruStateResetAfter(
        ReadOnlySpan<float> z,
        ReadOnlySpan<float> r,
        ReadOnlySpan<float> extra,
        Span<float> hh,
        ReadOnlySpan<float> hPrevious,
        Span<float> h
    )
    {
        int n = z.Length;
        Require(n, r.Length, extra.Length, hh.Length, hPrevious.Length, h.Length);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rr = ref MemoryMarshal.GetReference(r);
        ref float er = ref MemoryMarshal.GetReference(extra);
        ref float hhr = ref MemoryMarshal.GetReference(hh);
        ref float hpr = ref MemoryMarshal.GetReference(hPrevious);
        ref float hr = ref MemoryMarshal.GetReference(h);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var pre = TL.Add(TL.Multiply(Load(ref rr, k, one), Load(ref er, k, one)), Load(ref hhr, k, one));
            var hhv = TS.Of<TV, TL>(pre);
            Store(hhv, ref hhr, k, one);
            Store(GruUpdate(Load(ref zr, k, one), Load(ref hpr, k, one), hhv), ref hr, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruBackward(
        Span<float> z,
        Span<float> hh,
        ReadOnlySpan<float> hPrevious,
        ReadOnlySpan<float> dh,
        Span<float> previousStateGrad
    )
    {
        int n = z.Length;
        Require(n, hh.Length, hPrevious.Length, dh.Length, previousStateGrad.Length);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float hhr = ref MemoryMarshal.GetReference(hh);
        ref float hpr = ref MemoryMarshal.GetReference(hPrevious);
        ref float dhr = ref MemoryMarshal.GetReference(dh);
        ref float pr = ref MemoryMarshal.GetReference(previousStateGrad);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var zv = Load(ref zr, k, one);
            var hhv = Load(ref hhr, k, one);
            var dhv = Load(ref dhr, k, one);
            Store(TL.Add(TL.Multiply(dhv, zv), Load(ref pr, k, one)), ref pr, k, one);
            var difference = TL.Subtract(Load(ref hpr, k, one), hhv);
            Store(TL.Multiply(TG.Gradient<TV, TL>(zv, dhv), difference), ref zr, k, one);
            Store(TL.Multiply(TS.Gradient<TV, TL>(hhv, dhv), TL.Subtract(TL.One, zv)), ref hhr, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruBackwardResetAfter(
        Span<float> z,
        Span<float> r,
        Span<float> hh,
        Span<float> extra,
        ReadOnlySpan<float> hPrevious,
        ReadOnlySpan<float> dh,
        Span<float> previousStateGrad
    )
    {
        int n = z.Length;
        Require(n, r.Length, hh.Length, extra.Length, hPrevious.Length, dh.Length, previousStateGrad.Length);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float rr = ref MemoryMarshal.GetReference(r);
        ref float hhr = ref MemoryMarshal.GetReference(hh);
        ref float er = ref MemoryMarshal.GetReference(extra);
        ref float hpr = ref MemoryMarshal.GetReference(hPrevious);
        ref float dhr = ref MemoryMarshal.GetReference(dh);
        ref float pr = ref MemoryMarshal.GetReference(previousStateGrad);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var zv = Load(ref zr, k, one);
            var hhv = Load(ref hhr, k, one);
            var dhv = Load(ref dhr, k, one);
            var rv = Load(ref rr, k, one);
            Store(TL.Add(TL.Multiply(dhv, zv), Load(ref pr, k, one)), ref pr, k, one);
            var difference = TL.Subtract(Load(ref hpr, k, one), hhv);
            Store(TL.Multiply(TG.Gradient<TV, TL>(zv, dhv), difference), ref zr, k, one);
            var deltaH = TL.Multiply(TS.Gradient<TV, TL>(hhv, dhv), TL.Subtract(TL.One, zv));
            Store(deltaH, ref hhr, k, one);
            Store(TL.Multiply(TG.Gradient<TV, TL>(rv, deltaH), Load(ref er, k, one)), ref rr, k, one);
            Store(TL.Multiply(deltaH, rv), ref er, k, one);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void GruResetGradient(
        Span<float> r,
        ReadOnlySpan<float> dOperand,
        ReadOnlySpan<float> mask,
        ReadOnlySpan<float> hPrevious,
        Span<float> previousStateGrad
    )
    {
        int n = r.Length;
        bool masked = !mask.IsEmpty;
        Require(n, dOperand.Length, masked ? mask.Length : n, hPrevious.Length, previousStateGrad.Length);
        ref float rr = ref MemoryMarshal.GetReference(r);
        ref float dr = ref MemoryMarshal.GetReference(dOperand);
        ref float mr = ref MemoryMarshal.GetReference(mask);
        ref float hpr = ref MemoryMarshal.GetReference(hPrevious);
        ref float pr = ref MemoryMarshal.GetReference(previousStateGrad);
        for (nuint k = 0; Next(ref k, (nuint)n, out bool one); k += Advance(one))
        {
            var d = Load(ref dr, k, one);
            if (masked)
                d = TL.Multiply(d, Load(ref mr, k, one));
            var rv = Load(ref rr, k, one);
            Store(TL.Add(TL.Multiply(d, rv), Load(ref pr, k, one)), ref pr, k, one);
            Store(TL.Multiply(TG.Gradient<TV, TL>(rv, d), Load(ref hpr, k, one)), ref rr, k, one);
        }
    }
}

/// <summary>
/// Single-operation element-wise loops of the time loop (masking, accumulating, flushing), written
/// out so the per-step work does not go through TensorPrimitives' generic code (which reaches
/// optimised code late in a process). Each element gets the one IEEE operation of the name, the
/// same as TensorPrimitives.Multiply / Add / MultiplyAdd (which does not fuse the multiply-add).
/// </summary>
internal static class Elementwise
{
    /// <summary>dst = a ⊙ b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
    {
        int n = a.Length,
            k = 0;
        if (b.Length < n || dst.Length < n)
            throw new ArgumentException("operands shorter than the block");
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        if (Vector512.IsHardwareAccelerated)
            for (; k <= n - Vector512<float>.Count; k += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref ar, (nuint)k) * Vector512.LoadUnsafe(ref br, (nuint)k)).StoreUnsafe(
                    ref dr,
                    (nuint)k
                );
        else if (Vector256.IsHardwareAccelerated)
            for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref ar, (nuint)k) * Vector256.LoadUnsafe(ref br, (nuint)k)).StoreUnsafe(
                    ref dr,
                    (nuint)k
                );
        for (; k < n; k++)
            Unsafe.Add(ref dr, k) = Unsafe.Add(ref ar, k) * Unsafe.Add(ref br, k);
    }

    /// <summary>acc = (a ⊙ b) + acc, unfused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> acc)
    {
        int n = a.Length,
            k = 0;
        if (b.Length < n || acc.Length < n)
            throw new ArgumentException("operands shorter than the block");
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(acc);
        if (Vector512.IsHardwareAccelerated)
            for (; k <= n - Vector512<float>.Count; k += Vector512<float>.Count)
                (
                    Vector512.LoadUnsafe(ref ar, (nuint)k) * Vector512.LoadUnsafe(ref br, (nuint)k)
                    + Vector512.LoadUnsafe(ref cr, (nuint)k)
                ).StoreUnsafe(ref cr, (nuint)k);
        else if (Vector256.IsHardwareAccelerated)
            for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
                (
                    Vector256.LoadUnsafe(ref ar, (nuint)k) * Vector256.LoadUnsafe(ref br, (nuint)k)
                    + Vector256.LoadUnsafe(ref cr, (nuint)k)
                ).StoreUnsafe(ref cr, (nuint)k);
        for (; k < n; k++)
            Unsafe.Add(ref cr, k) = Unsafe.Add(ref ar, k) * Unsafe.Add(ref br, k) + Unsafe.Add(ref cr, k);
    }

    /// <summary>
    /// to[0..width) = from[0..width) by reference, for copies of many short rows (a row is a few vectors;
    /// slicing a span per row cost more than the copy).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyRow(ref float from, ref float to, int width)
    {
        nuint k = 0,
            count = (nuint)width;
        if (Vector512.IsHardwareAccelerated)
            for (; k + (nuint)Vector512<float>.Count <= count; k += (nuint)Vector512<float>.Count)
                Vector512.LoadUnsafe(ref from, k).StoreUnsafe(ref to, k);
        else if (Vector256.IsHardwareAccelerated)
            for (; k + (nuint)Vector256<float>.Count <= count; k += (nuint)Vector256<float>.Count)
                Vector256.LoadUnsafe(ref from, k).StoreUnsafe(ref to, k);
        for (; k < count; k++)
            Unsafe.Add(ref to, k) = Unsafe.Add(ref from, k);
    }

    /// <summary>acc = acc + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddTo(Span<float> acc, ReadOnlySpan<float> b)
    {
        int n = acc.Length,
            k = 0;
        if (b.Length < n)
            throw new ArgumentException("operands shorter than the block");
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(acc);
        if (Vector512.IsHardwareAccelerated)
            for (; k <= n - Vector512<float>.Count; k += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref cr, (nuint)k) + Vector512.LoadUnsafe(ref br, (nuint)k)).StoreUnsafe(
                    ref cr,
                    (nuint)k
                );
        else if (Vector256.IsHardwareAccelerated)
            for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref cr, (nuint)k) + Vector256.LoadUnsafe(ref br, (nuint)k)).StoreUnsafe(
                    ref cr,
                    (nuint)k
                );
        for (; k < n; k++)
            Unsafe.Add(ref cr, k) += Unsafe.Add(ref br, k);
    }

    /// <summary>
    /// Each of the <paramref name="rows"/> consecutive rows of <paramref name="block"/> += <paramref name="vector"/>
    /// (row + vector per element, as TensorPrimitives.Add(row, vector, row) row by row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToRows(Span<float> block, int rows, ReadOnlySpan<float> vector)
    {
        int width = vector.Length;
        if (block.Length < (long)rows * width)
            throw new ArgumentException("block shorter than rows × width");
        ref float b = ref MemoryMarshal.GetReference(block);
        ref float v = ref MemoryMarshal.GetReference(vector);
        if (Vector512.IsHardwareAccelerated)
            AddToRows<Vector512<float>, Lanes512>(ref b, rows, ref v, width);
        else if (Vector256.IsHardwareAccelerated)
            AddToRows<Vector256<float>, Lanes256>(ref b, rows, ref v, width);
        else
            for (int r = 0; r < rows; r++)
            for (int c = 0; c < width; c++)
                Unsafe.Add(ref b, (nint)r * width + c) += Unsafe.Add(ref v, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddToRows<TV, TL>(ref float block, int rows, ref float vector, int width)
        where TV : struct
        where TL : struct, ILanes<TV>
    {
        nuint count = (nuint)TL.Count,
            w = (nuint)width;
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref block, (nint)r * width);
            nuint c = 0;
            for (; c + count <= w; c += count)
                TL.Store(TL.Add(TL.Load(ref row, c), TL.Load(ref vector, c)), ref row, c);
            for (; c < w; c++)
                Unsafe.Add(ref row, c) += Unsafe.Add(ref vector, c);
        }
    }

    /// <summary>
    /// acc += Σ over <paramref name="rows"/> consecutive rows of <paramref name="block"/>: each entry
    /// receives the rows one by one in row order, acc + row₀ + row₁ + … (as TensorPrimitives.Add(acc,
    /// row, acc) row by row), with the partial sums of up to four vectors of columns kept in registers
    /// while the rows stream past in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddColumnSums(ReadOnlySpan<float> block, int rows, Span<float> acc)
    {
        int width = acc.Length;
        if (block.Length < (long)rows * width)
            throw new ArgumentException("block shorter than rows × width");
        ref float b = ref MemoryMarshal.GetReference(block);
        ref float a = ref MemoryMarshal.GetReference(acc);
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
            c = ColumnSums<Vector512<float>, Lanes512>(ref b, rows, ref a, width);
        else if (Vector256.IsHardwareAccelerated)
            c = ColumnSums<Vector256<float>, Lanes256>(ref b, rows, ref a, width);
        for (; c < width; c++)
        {
            float sum = Unsafe.Add(ref a, c);
            for (int r = 0; r < rows; r++)
                sum += Unsafe.Add(ref b, (nint)r * width + c);
            Unsafe.Add(ref a, c) = sum;
        }
    }

    /// <summary>The whole vectors of columns, in strips of 4, 2 and 1 vectors; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ColumnSums<TV, TL>(ref float block, int rows, ref float acc, int width)
        where TV : struct
        where TL : struct, ILanes<TV>
    {
        int v = TL.Count,
            c = 0;
        for (; c + 4 * v <= width; c += 4 * v)
        {
            nuint c0 = (nuint)c,
                c1 = c0 + (nuint)v,
                c2 = c1 + (nuint)v,
                c3 = c2 + (nuint)v;
            TV s0 = TL.Load(ref acc, c0),
                s1 = TL.Load(ref acc, c1),
                s2 = TL.Load(ref acc, c2),
                s3 = TL.Load(ref acc, c3);
            for (int r = 0; r < rows; r++)
            {
                ref float row = ref Unsafe.Add(ref block, (nint)r * width);
                s0 = TL.Add(s0, TL.Load(ref row, c0));
                s1 = TL.Add(s1, TL.Load(ref row, c1));
                s2 = TL.Add(s2, TL.Load(ref row, c2));
                s3 = TL.Add(s3, TL.Load(ref row, c3));
            }
            TL.Store(s0, ref acc, c0);
            TL.Store(s1, ref acc, c1);
            TL.Store(s2, ref acc, c2);
            TL.Store(s3, ref acc, c3);
        }
        for (; c + 2 * v <= width; c += 2 * v)
        {
            nuint c0 = (nuint)c,
                c1 = c0 + (nuint)v;
            TV s0 = TL.Load(ref acc, c0),
                s1 = TL.Load(ref acc, c1);
            for (int r = 0; r < rows; r++)
            {
                ref float row = ref Unsafe.Add(ref block, (nint)r * width);
                s0 = TL.Add(s0, TL.Load(ref row, c0));
                s1 = TL.Add(s1, TL.Load(ref row, c1));
            }
            TL.Store(s0, ref acc, c0);
            TL.Store(s1, ref acc, c1);
        }
        for (; c + v <= width; c += v)
        {
            nuint c0 = (nuint)c;
            TV s0 = TL.Load(ref acc, c0);
            for (int r = 0; r < rows; r++)
                s0 = TL.Add(s0, TL.Load(ref Unsafe.Add(ref block, (nint)r * width), c0));
            TL.Store(s0, ref acc, c0);
        }
        return c;
    }

    /// <summary>Values below <paramref name="tiny"/> in magnitude (subnormals included) become +0; NaN stays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FlushBelow(Span<float> values, float tiny)
    {
        int n = values.Length,
            k = 0;
        ref float vr = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated)
        {
            var limit = Vector512.Create(tiny);
            for (; k <= n - Vector512<float>.Count; k += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref vr, (nuint)k);
                Vector512
                    .ConditionalSelect(Vector512.LessThan(Vector512.Abs(v), limit), Vector512<float>.Zero, v)
                    .StoreUnsafe(ref vr, (nuint)k);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var limit = Vector256.Create(tiny);
            for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref vr, (nuint)k);
                Vector256
                    .ConditionalSelect(Vector256.LessThan(Vector256.Abs(v), limit), Vector256<float>.Zero, v)
                    .StoreUnsafe(ref vr, (nuint)k);
            }
        }
        for (; k < n; k++)
            if (MathF.Abs(Unsafe.Add(ref vr, k)) < tiny)
                Unsafe.Add(ref vr, k) = 0f;
    }
}
