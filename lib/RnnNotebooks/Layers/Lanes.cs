using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnNotebooks.Layers;

/// <summary>
/// The vector operations the fused step kernels (<see cref="StepKernels"/>) are written with, once,
/// for both vector widths: <see cref="Lanes512"/> where Vector512 is accelerated, <see cref="Lanes256"/>
/// otherwise. Every operation works lane by lane with the IEEE single operation of its name (no
/// fused multiply-add), so an element's value does not depend on the width, nor on whether it is
/// computed in a full vector or alone in lane 0 (<see cref="LoadOne"/>, the tails of a block).
/// </summary>
internal interface ILanes<TV>
    where TV : struct
{
    static abstract int Count { get; }

    static abstract TV Load(ref float source, nuint index);

    static abstract void Store(TV value, ref float target, nuint index);

    /// <summary>A vector with <paramref name="value"/> in lane 0 and zeros elsewhere.</summary>
    static abstract TV LoadOne(float value);

    static abstract float First(TV value);

    static abstract TV Splat(float value);

    static abstract TV Zero { get; }

    static abstract TV One { get; }

    static abstract TV Add(TV a, TV b);

    static abstract TV Subtract(TV a, TV b);

    static abstract TV Multiply(TV a, TV b);

    static abstract TV Divide(TV a, TV b);

    static abstract TV Negate(TV a);

    /// <summary>
    /// min(max(x, lo), hi) for constants lo &lt; hi, a NaN x staying NaN: the IEEE minimum and maximum
    /// of Vector256/512.Min/Max wherever x is not a zero of the other sign than a bound, in two plain
    /// minps/maxps (x as their second operand, which x86 returns when either is NaN) instead of the
    /// five instructions each of the IEEE forms.
    /// </summary>
    static abstract TV Clamp(TV x, TV lo, TV hi);

    static abstract TV Max(TV a, TV b);

    static abstract TV Floor(TV a);

    static abstract TV Abs(TV a);

    static abstract TV And(TV a, TV b);

    static abstract TV Or(TV a, TV b);

    static abstract TV LessThan(TV a, TV b);

    static abstract TV LessThanOrEqual(TV a, TV b);

    static abstract TV GreaterThan(TV a, TV b);

    static abstract TV Select(TV mask, TV whenTrue, TV whenFalse);

    /// <summary>Whether every lane of a comparison's mask is set.</summary>
    static abstract bool All(TV mask);

    /// <summary>2ⁿ for integral n in the exponent range, built in the exponent bits: (int(n) + 127) &lt;&lt; 23.</summary>
    static abstract TV Pow2(TV n);
}

/// <summary>16 floats per vector (AVX-512).</summary>
internal readonly struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float target, nuint index) =>
        value.StoreUnsafe(ref target, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadOne(float value) => Vector512.CreateScalar(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float First(Vector512<float> value) => value.ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Splat(float value) => Vector512.Create(value);

    public static Vector512<float> Zero => Vector512<float>.Zero;

    public static Vector512<float> One => Vector512<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Negate(Vector512<float> a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Clamp(Vector512<float> x, Vector512<float> lo, Vector512<float> hi) =>
        Avx512F.Min(hi, Avx512F.Max(lo, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Floor(Vector512<float> a) => Vector512.Floor(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThanOrEqual(Vector512<float> a, Vector512<float> b) =>
        Vector512.LessThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(
        Vector512<float> mask,
        Vector512<float> whenTrue,
        Vector512<float> whenFalse
    ) => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vector512<float> mask) => Vector512.EqualsAll(mask.AsInt32(), Vector512<int>.AllBitsSet);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Pow2(Vector512<float> n) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
}

/// <summary>8 floats per vector (AVX2), the same operations as <see cref="Lanes512"/>.</summary>
internal readonly struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float target, nuint index) =>
        value.StoreUnsafe(ref target, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadOne(float value) => Vector256.CreateScalar(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float First(Vector256<float> value) => value.ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Splat(float value) => Vector256.Create(value);

    public static Vector256<float> Zero => Vector256<float>.Zero;

    public static Vector256<float> One => Vector256<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Negate(Vector256<float> a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Clamp(Vector256<float> x, Vector256<float> lo, Vector256<float> hi) =>
        Avx.Min(hi, Avx.Max(lo, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Floor(Vector256<float> a) => Vector256.Floor(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThanOrEqual(Vector256<float> a, Vector256<float> b) =>
        Vector256.LessThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(
        Vector256<float> mask,
        Vector256<float> whenTrue,
        Vector256<float> whenFalse
    ) => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vector256<float> mask) => Vector256.EqualsAll(mask.AsInt32(), Vector256<int>.AllBitsSet);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Pow2(Vector256<float> n) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
}

/// <summary>
/// An element-wise activation on lanes, for the fused kernels: the same curves as
/// <see cref="ActivationFunction"/> (whose Vector256 code is the reference they are tested against),
/// operation for operation, in either vector width.
/// </summary>
internal interface ILaneActivation
{
    /// <summary>y = f(x).</summary>
    static abstract TV Of<TV, TL>(TV x)
        where TV : struct
        where TL : struct, ILanes<TV>;

    /// <summary>f′(y) · dy from the output y.</summary>
    static abstract TV Gradient<TV, TL>(TV y, TV dy)
        where TV : struct
        where TL : struct, ILanes<TV>;
}

/// <summary>The lane activations, one per <see cref="ActivationKind"/> the recurrent cells accept.</summary>
internal static class LaneActivations
{
    /// <summary>tanh: <see cref="LaneMath.Tanh"/>; tanh′ = 1 − y².</summary>
    public readonly struct Tanh : ILaneActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Of<TV, TL>(TV x)
            where TV : struct
            where TL : struct, ILanes<TV> => LaneMath.Tanh<TV, TL>(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL>(TV y, TV dy)
            where TV : struct
            where TL : struct, ILanes<TV> => TL.Multiply(TL.Subtract(TL.One, TL.Multiply(y, y)), dy);
    }

    /// <summary>σ(x) = 1 / (1 + e^{−x}); σ′ = y (1 − y).</summary>
    public readonly struct Sigmoid : ILaneActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Of<TV, TL>(TV x)
            where TV : struct
            where TL : struct, ILanes<TV> => TL.Divide(TL.One, TL.Add(TL.One, LaneMath.Exp<TV, TL>(TL.Negate(x))));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL>(TV y, TV dy)
            where TV : struct
            where TL : struct, ILanes<TV> => TL.Multiply(TL.Multiply(y, TL.Subtract(TL.One, y)), dy);
    }

    /// <summary>hard_sigmoid: min(max(x·0.2 + 0.5, 0), 1); derivative 0.2 where 0 &lt; y &lt; 1, else 0.</summary>
    public readonly struct HardSigmoid : ILaneActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Of<TV, TL>(TV x)
            where TV : struct
            where TL : struct, ILanes<TV> =>
            // x·0.2 + 0.5 is never −0, so the clamp is the reference's IEEE max-then-min.
            TL.Clamp(TL.Add(TL.Multiply(x, TL.Splat(0.2f)), TL.Splat(0.5f)), TL.Zero, TL.One);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL>(TV y, TV dy)
            where TV : struct
            where TL : struct, ILanes<TV> =>
            TL.Multiply(
                TL.Select(TL.And(TL.GreaterThan(y, TL.Zero), TL.LessThan(y, TL.One)), TL.Splat(0.2f), TL.Zero),
                dy
            );
    }

    /// <summary>
    /// relu(x) = max(x, +0), the IEEE 754:2019 maximum of Vector256/512.Max as in TensorPrimitives.Max(x, 0f):
    /// +0 for x ≤ 0 (−0 included), NaN stays NaN; the gradient passes where y &gt; 0 and is +0 elsewhere.
    /// </summary>
    public readonly struct Relu : ILaneActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Of<TV, TL>(TV x)
            where TV : struct
            where TL : struct, ILanes<TV> => TL.Max(x, TL.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL>(TV y, TV dy)
            where TV : struct
            where TL : struct, ILanes<TV> => TL.Select(TL.GreaterThan(y, TL.Zero), dy, TL.Zero);
    }

    /// <summary>linear(x) = x; linear′ = 1.</summary>
    public readonly struct Linear : ILaneActivation
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Of<TV, TL>(TV x)
            where TV : struct
            where TL : struct, ILanes<TV> => x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Gradient<TV, TL>(TV y, TV dy)
            where TV : struct
            where TL : struct, ILanes<TV> => dy;
    }
}

/// <summary>The Cephes-style e^x and tanh of <see cref="VectorMath"/>, operation for operation, on either vector width.</summary>
internal static class LaneMath
{
    /// <summary>e^x = 2^n · e^r, n = round(x·log₂e), r = x − n·ln 2 (two-part ln 2), degree-6 polynomial for e^r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV, TL>(TV x)
        where TV : struct
        where TL : struct, ILanes<TV>
    {
        x = TL.Clamp(x, TL.Splat(-87.33654f), TL.Splat(88.37626f));
        var n = TL.Floor(TL.Add(TL.Multiply(x, TL.Splat(1.44269504088896341f)), TL.Splat(0.5f)));
        var r = TL.Subtract(x, TL.Multiply(n, TL.Splat(0.693359375f)));
        r = TL.Subtract(r, TL.Multiply(n, TL.Splat(-2.12194440e-4f)));
        var p = TL.Splat(1.9875691500e-4f);
        p = TL.Add(TL.Multiply(p, r), TL.Splat(1.3981999507e-3f));
        p = TL.Add(TL.Multiply(p, r), TL.Splat(8.3334519073e-3f));
        p = TL.Add(TL.Multiply(p, r), TL.Splat(4.1665795894e-2f));
        p = TL.Add(TL.Multiply(p, r), TL.Splat(1.6666665459e-1f));
        p = TL.Add(TL.Multiply(p, r), TL.Splat(5.0000001201e-1f));
        var y = TL.Add(TL.Add(TL.Multiply(p, TL.Multiply(r, r)), r), TL.One);
        return TL.Multiply(y, TL.Pow2(n));
    }

    /// <summary>x + x³·P(x²) for |x| &lt; 0.625, else sign(x)·(1 − 2 / (e^{2|x|} + 1)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV, TL>(TV x)
        where TV : struct
        where TL : struct, ILanes<TV>
    {
        var magnitude = TL.Abs(x);
        var s = TL.Multiply(x, x);
        var p = TL.Splat(-5.70498872745e-3f);
        p = TL.Add(TL.Multiply(p, s), TL.Splat(2.06390887954e-2f));
        p = TL.Subtract(TL.Multiply(p, s), TL.Splat(5.37397155531e-2f));
        p = TL.Add(TL.Multiply(p, s), TL.Splat(1.33314422036e-1f));
        p = TL.Subtract(TL.Multiply(p, s), TL.Splat(3.33332819422e-1f));
        var small = TL.Add(TL.Multiply(TL.Multiply(p, s), x), x);
        var isSmall = TL.LessThan(magnitude, TL.Splat(0.625f));
        // Where every lane is small the select below would take the polynomial in each: skip e^x and
        // the division, two thirds of the work (states and candidates near 0 are common).
        if (TL.All(isSmall))
            return small;
        var e = Exp<TV, TL>(TL.Add(magnitude, magnitude));
        var large = TL.Subtract(TL.One, TL.Divide(TL.Splat(2f), TL.Add(e, TL.One)));
        large = TL.Or(large, TL.And(x, TL.Splat(-0f))); // copy the sign of x
        return TL.Select(isSmall, small, large);
    }
}
