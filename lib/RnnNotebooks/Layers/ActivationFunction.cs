using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// The activation table: each element-wise activation's f and f′ side by side, applied to contiguous
/// blocks (one gate of one shard at one timestep in a recurrent cell, a whole output in Dense). Every
/// derivative is written in terms of the activation's <i>output</i> y (tanh′ = 1 − y², σ′ = y(1 − y), …)
/// so layers keep only outputs. See docs/keras-semantics.md#activations.
/// <para>
/// tanh and σ are Cephes-style polynomials on Vector256 (accurate to float precision); every element,
/// the last &lt; 8 of a block included, goes through the same vector code, so a value does not depend on
/// where it falls in a block (on the shard sizes). The fused loops <see cref="Gradient"/> and
/// <see cref="ReplaceWithGradient"/> make one pass over data that stays in L1.
/// </para>
/// <para>
/// The recurrent cells' fused steps (<see cref="StepKernels"/>) compute the same curves through
/// <see cref="LaneActivations"/> on Vector512 or Vector256; this table is the reference they are
/// tested against byte for byte, and what Dense and the cells' reference steps use.
/// </para>
/// </summary>
internal sealed class ActivationFunction
{
    private static readonly ActivationFunction[] Table =
    [
        Create<Linear>(ActivationKind.Linear),
        Create<Relu>(ActivationKind.Relu),
        Create<Tanh>(ActivationKind.Tanh),
        Create<Sigmoid>(ActivationKind.Sigmoid),
        Create<HardSigmoid>(ActivationKind.HardSigmoid),
    ];

    private readonly ApplyBlock _apply;
    private readonly GradientBlock _gradient;
    private readonly ReplaceBlock _replaceWithGradient;

    private ActivationFunction(
        ActivationKind kind,
        ApplyBlock apply,
        GradientBlock gradient,
        ReplaceBlock replaceWithGradient
    )
    {
        Kind = kind;
        _apply = apply;
        _gradient = gradient;
        _replaceWithGradient = replaceWithGradient;
    }

    public ActivationKind Kind { get; }

    /// <summary>The table entry of an element-wise activation (softmax is not one).</summary>
    public static ActivationFunction Of(ActivationKind kind) =>
        (int)kind >= 0 && (int)kind < Table.Length
            ? Table[(int)kind]
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an element-wise activation");

    /// <summary>y = f(x); x and y may be the same block.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y) => _apply(x, y);

    /// <summary>dst = f′(y) · dy (dst may alias dy).</summary>
    public void Gradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst) => _gradient(y, dy, dst);

    /// <summary>y ← f′(y) · a · b: a gate block becomes its gradient.</summary>
    public void ReplaceWithGradient(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        _replaceWithGradient(y, a, b);

    private delegate void ApplyBlock(ReadOnlySpan<float> x, Span<float> y);

    private delegate void GradientBlock(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst);

    private delegate void ReplaceBlock(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> b);

    private static ActivationFunction Create<T>(ActivationKind kind)
        where T : struct, IActivation => new(kind, Apply<T>, Gradient<T>, ReplaceWithGradient<T>);

    /// <summary>One activation: f on a block, and f′(y)·dy from the output y.</summary>
    private interface IActivation
    {
        static abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

        static abstract Vector256<float> Gradient(Vector256<float> y, Vector256<float> dy);

        static abstract float Gradient(float y, float dy);
    }

    /// <summary>A function computed lane by lane in a Vector256 (the scalar form only where Vector256 is not accelerated).</summary>
    private interface ICurve
    {
        static abstract Vector256<float> Of(Vector256<float> x);

        static abstract float Of(float x);
    }

    /// <summary>tanh(x), to within 2.5·10⁻⁷ absolute; tanh′ = 1 − y².</summary>
    private readonly struct Tanh : IActivation, ICurve
    {
        public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Map<Tanh>(x, y);

        public static Vector256<float> Of(Vector256<float> x) => VectorMath.Tanh(x);

        public static float Of(float x) => MathF.Tanh(x);

        public static Vector256<float> Gradient(Vector256<float> y, Vector256<float> dy) =>
            (Vector256<float>.One - y * y) * dy;

        public static float Gradient(float y, float dy) => (1f - y * y) * dy;
    }

    /// <summary>σ(x) = 1 / (1 + e^{−x}), relative error below 5·10⁻⁷; σ′ = y (1 − y).</summary>
    private readonly struct Sigmoid : IActivation, ICurve
    {
        public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Map<Sigmoid>(x, y);

        public static Vector256<float> Of(Vector256<float> x) =>
            Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp(-x));

        public static float Of(float x) => 1f / (1f + MathF.Exp(-x));

        public static Vector256<float> Gradient(Vector256<float> y, Vector256<float> dy) =>
            y * (Vector256<float>.One - y) * dy;

        public static float Gradient(float y, float dy) => y * (1f - y) * dy;
    }

    /// <summary>
    /// Keras' hard_sigmoid: clip(0.2·x + 0.5, 0, 1), rounded after the product as TF does; its
    /// derivative is 0.2 on the linear part (0 &lt; y &lt; 1) and 0 where it is clipped.
    /// </summary>
    private readonly struct HardSigmoid : IActivation, ICurve
    {
        public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Map<HardSigmoid>(x, y);

        public static Vector256<float> Of(Vector256<float> x) =>
            Vector256.Min(
                Vector256.Max(x * Vector256.Create(0.2f) + Vector256.Create(0.5f), Vector256<float>.Zero),
                Vector256<float>.One
            );

        public static float Of(float x) => Math.Clamp(x * 0.2f + 0.5f, 0f, 1f);

        public static Vector256<float> Gradient(Vector256<float> y, Vector256<float> dy) =>
            Vector256.ConditionalSelect(
                Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256<float>.One),
                Vector256.Create(0.2f),
                Vector256<float>.Zero
            ) * dy;

        public static float Gradient(float y, float dy) => (y > 0f && y < 1f ? 0.2f : 0f) * dy;
    }

    /// <summary>relu(x) = max(x, 0); the gradient passes where y &gt; 0 and is +0 elsewhere.</summary>
    private readonly struct Relu : IActivation
    {
        public static void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

        public static Vector256<float> Gradient(Vector256<float> y, Vector256<float> dy) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);

        public static float Gradient(float y, float dy) => y > 0f ? dy : 0f;
    }

    /// <summary>linear(x) = x; linear′ = 1.</summary>
    private readonly struct Linear : IActivation
    {
        public static void Apply(ReadOnlySpan<float> x, Span<float> y)
        {
            if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y)))
                x.CopyTo(y);
        }

        public static Vector256<float> Gradient(Vector256<float> y, Vector256<float> dy) => dy;

        public static float Gradient(float y, float dy) => dy;
    }

    private static void Apply<T>(ReadOnlySpan<float> x, Span<float> y)
        where T : struct, IActivation => T.Apply(x, y);

    /// <summary>y = f(x) lane by lane; the tail (&lt; 8 elements) is zero-padded into one more vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<T>(ReadOnlySpan<float> src, Span<float> dst)
        where T : struct, ICurve
    {
        int n = src.Length,
            i = 0;
        if (dst.Length < n)
            throw new ArgumentException("destination too short");
        if (!Vector256.IsHardwareAccelerated)
        {
            for (; i < n; i++)
                dst[i] = T.Of(src[i]);
            return;
        }
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            T.Of(Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        if (i < n)
            VectorMath.StoreTail(T.Of(VectorMath.LoadTail(src[i..])), dst[i..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gradient<T>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst)
        where T : struct, IActivation
    {
        int n = y.Length,
            i = 0;
        if (dy.Length < n || dst.Length < n)
            throw new ArgumentException("operands shorter than the gate block");
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                T.Gradient(Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256.LoadUnsafe(ref gr, (nuint)i))
                    .StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++)
            Unsafe.Add(ref dr, i) = T.Gradient(Unsafe.Add(ref yr, i), Unsafe.Add(ref gr, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReplaceWithGradient<T>(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where T : struct, IActivation
    {
        int n = y.Length,
            i = 0;
        if (a.Length < n || b.Length < n)
            throw new ArgumentException("operands shorter than the gate block");
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                (
                    T.Gradient(Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256.LoadUnsafe(ref ar, (nuint)i))
                    * Vector256.LoadUnsafe(ref br, (nuint)i)
                ).StoreUnsafe(ref yr, (nuint)i);
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = T.Gradient(Unsafe.Add(ref yr, i), Unsafe.Add(ref ar, i)) * Unsafe.Add(ref br, i);
    }
}

/// <summary>The Cephes-style vector kernels behind the table's tanh and σ.</summary>
internal static class VectorMath
{
    /// <summary>
    /// Cephes' expf: e^x = 2^n · e^r with n = round(x·log₂e), r = x − n·ln 2 (ln 2 split in two
    /// parts for exactness) and a degree-6 polynomial for e^r on |r| ≤ ln 2 / 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.33654f)), Vector256.Create(88.37626f));
        var n = Vector256.Floor(x * Vector256.Create(1.44269504088896341f) + Vector256.Create(0.5f));
        var r = x - n * Vector256.Create(0.693359375f);
        r -= n * Vector256.Create(-2.12194440e-4f);
        var p = Vector256.Create(1.9875691500e-4f);
        p = p * r + Vector256.Create(1.3981999507e-3f);
        p = p * r + Vector256.Create(8.3334519073e-3f);
        p = p * r + Vector256.Create(4.1665795894e-2f);
        p = p * r + Vector256.Create(1.6666665459e-1f);
        p = p * r + Vector256.Create(5.0000001201e-1f);
        var y = p * (r * r) + r + Vector256<float>.One;
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return y * scale;
    }

    /// <summary>
    /// Cephes' tanhf: an odd polynomial x + x³·P(x²) for |x| &lt; 0.625, else
    /// sign(x)·(1 − 2 / (e^{2|x|} + 1)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var magnitude = Vector256.Abs(x);
        var s = x * x;
        var p = Vector256.Create(-5.70498872745e-3f);
        p = p * s + Vector256.Create(2.06390887954e-2f);
        p = p * s - Vector256.Create(5.37397155531e-2f);
        p = p * s + Vector256.Create(1.33314422036e-1f);
        p = p * s - Vector256.Create(3.33332819422e-1f);
        var small = p * s * x + x;
        var e = Exp(magnitude + magnitude);
        var large = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        large |= x & Vector256.Create(-0f); // copy the sign of x
        return Vector256.ConditionalSelect(Vector256.LessThan(magnitude, Vector256.Create(0.625f)), small, large);
    }

    /// <summary>
    /// The last &lt; 8 elements, zero-padded: the tail goes through the same vector code as the rest,
    /// so an element's value does not depend on where it falls in a block (that is, on shard sizes).
    /// </summary>
    public static Vector256<float> LoadTail(ReadOnlySpan<float> tail)
    {
        Span<float> padded = stackalloc float[Vector256<float>.Count];
        padded.Clear();
        tail.CopyTo(padded);
        return Vector256.Create<float>(padded);
    }

    public static void StoreTail(Vector256<float> values, Span<float> tail)
    {
        Span<float> padded = stackalloc float[Vector256<float>.Count];
        values.CopyTo(padded);
        padded[..tail.Length].CopyTo(tail);
    }
}
