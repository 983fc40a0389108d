using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// The element-wise math of the recurrent cells on contiguous blocks (one gate of one shard at one
/// timestep, <c>rows · units</c> floats). Transcendental functions go through TensorPrimitives; the
/// cheap fused products are written once here with Vector256 so a cell step makes a handful of
/// passes over data that stays in L1. Every derivative is taken from the activation's
/// <i>output</i> y, as in <see cref="Activations.Backward"/>.
/// </summary>
internal static class GateMath
{
    /// <summary>dst = f(src); src and dst may be the same block.</summary>
    public static void Apply(ActivationKind kind, ReadOnlySpan<float> src, Span<float> dst)
    {
        switch (kind)
        {
            case ActivationKind.Tanh:
                Tanh(src, dst);
                break;
            case ActivationKind.Sigmoid:
                Sigmoid(src, dst);
                break;
            case ActivationKind.HardSigmoid:
                HardSigmoid(src, dst);
                break;
            case ActivationKind.Relu:
                TensorPrimitives.Max(src, 0f, dst);
                break;
            case ActivationKind.Linear:
                if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(src), ref MemoryMarshal.GetReference(dst)))
                    src.CopyTo(dst);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an element-wise activation");
        }
    }

    /// <summary>y ← f′(y) · a · b, with f′ written in terms of the output y (the gate block becomes its gradient).</summary>
    public static void ReplaceWithGradient(
        ActivationKind kind,
        Span<float> y,
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b
    )
    {
        switch (kind)
        {
            case ActivationKind.Tanh:
                ReplaceWithGradient<TanhDerivative>(y, a, b);
                break;
            case ActivationKind.Sigmoid:
                ReplaceWithGradient<SigmoidDerivative>(y, a, b);
                break;
            case ActivationKind.HardSigmoid:
                ReplaceWithGradient<HardSigmoidDerivative>(y, a, b);
                break;
            case ActivationKind.Relu:
                ReplaceWithGradient<ReluDerivative>(y, a, b);
                break;
            case ActivationKind.Linear:
                ReplaceWithGradient<LinearDerivative>(y, a, b);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an element-wise activation");
        }
    }

    /// <summary>dst = f′(y) · dy (dst may alias dy).</summary>
    public static void Gradient(ActivationKind kind, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst)
    {
        switch (kind)
        {
            case ActivationKind.Tanh:
                Gradient<TanhDerivative>(y, dy, dst);
                break;
            case ActivationKind.Sigmoid:
                Gradient<SigmoidDerivative>(y, dy, dst);
                break;
            case ActivationKind.HardSigmoid:
                Gradient<HardSigmoidDerivative>(y, dy, dst);
                break;
            case ActivationKind.Relu:
                Gradient<ReluDerivative>(y, dy, dst);
                break;
            case ActivationKind.Linear:
                dy.CopyTo(dst);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an element-wise activation");
        }
    }

    /// <summary>acc += a ⊙ b.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> acc) =>
        TensorPrimitives.MultiplyAdd(a, b, acc, acc);

    /// <summary>dst = 1 − x.</summary>
    public static void OneMinus(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Subtract(1f, x, dst);

    /// <summary>Adds <paramref name="vector"/> to each of the <paramref name="rows"/> consecutive rows of <paramref name="block"/>.</summary>
    public static void AddToRows(Span<float> block, int rows, ReadOnlySpan<float> vector)
    {
        int width = vector.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = block.Slice(r * width, width);
            TensorPrimitives.Add(row, vector, row);
        }
    }

    /// <summary>acc += Σ over <paramref name="rows"/> consecutive rows of <paramref name="block"/> (a bias gradient).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> block, int rows, Span<float> acc)
    {
        int width = acc.Length;
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(acc, block.Slice(r * width, width), acc);
    }

    /// <summary>Keras' hard_sigmoid: clip(0.2·x + 0.5, 0, 1), rounded after the product as TF does.</summary>
    private static void HardSigmoid(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length,
            i = 0;
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector256.IsHardwareAccelerated)
        {
            var slope = Vector256.Create(0.2f);
            var half = Vector256.Create(0.5f);
            var one = Vector256<float>.One;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)i) * slope + half;
                Vector256.Min(Vector256.Max(v, Vector256<float>.Zero), one).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = Math.Clamp(Unsafe.Add(ref s, i) * 0.2f + 0.5f, 0f, 1f);
    }

    /// <summary>
    /// tanh in float32 to within 2.5·10⁻⁷ absolute (<see cref="VectorTanh"/>). A little faster than
    /// TensorPrimitives.Tanh, and every element goes through the same vector code (see <see cref="LoadTail"/>).
    /// </summary>
    public static void Tanh(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length,
            i = 0;
        if (dst.Length < n)
            throw new ArgumentException("destination too short");
        if (!Vector256.IsHardwareAccelerated)
        {
            for (; i < n; i++)
                dst[i] = MathF.Tanh(src[i]);
            return;
        }
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            VectorTanh(Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        if (i < n)
            StoreTail(VectorTanh(LoadTail(src[i..])), dst[i..n]);
    }

    /// <summary>σ(x) = 1 / (1 + e^{−x}) in float32 (relative error below 5·10⁻⁷).</summary>
    public static void Sigmoid(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length,
            i = 0;
        if (dst.Length < n)
            throw new ArgumentException("destination too short");
        if (!Vector256.IsHardwareAccelerated)
        {
            for (; i < n; i++)
                dst[i] = 1f / (1f + MathF.Exp(-src[i]));
            return;
        }
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            VectorSigmoid(Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        if (i < n)
            StoreTail(VectorSigmoid(LoadTail(src[i..])), dst[i..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> VectorSigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + VectorExp(-x));

    /// <summary>
    /// The last &lt; 8 elements, zero-padded: the tail goes through the same vector code as the rest,
    /// so an element's value does not depend on where it falls in a block (that is, on shard sizes).
    /// </summary>
    private static Vector256<float> LoadTail(ReadOnlySpan<float> tail)
    {
        Span<float> padded = stackalloc float[Vector256<float>.Count];
        padded.Clear();
        tail.CopyTo(padded);
        return Vector256.Create<float>(padded);
    }

    private static void StoreTail(Vector256<float> values, Span<float> tail)
    {
        Span<float> padded = stackalloc float[Vector256<float>.Count];
        values.CopyTo(padded);
        padded[..tail.Length].CopyTo(tail);
    }

    /// <summary>
    /// Cephes' expf: e^x = 2^n · e^r with n = round(x·log₂e), r = x − n·ln 2 (ln 2 split in two
    /// parts for exactness) and a degree-6 polynomial for e^r on |r| ≤ ln 2 / 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> VectorExp(Vector256<float> x)
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
    private static Vector256<float> VectorTanh(Vector256<float> x)
    {
        var magnitude = Vector256.Abs(x);
        var s = x * x;
        var p = Vector256.Create(-5.70498872745e-3f);
        p = p * s + Vector256.Create(2.06390887954e-2f);
        p = p * s - Vector256.Create(5.37397155531e-2f);
        p = p * s + Vector256.Create(1.33314422036e-1f);
        p = p * s - Vector256.Create(3.33332819422e-1f);
        var small = p * s * x + x;
        var e = VectorExp(magnitude + magnitude);
        var large = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        large |= x & Vector256.Create(-0f); // copy the sign of x
        return Vector256.ConditionalSelect(Vector256.LessThan(magnitude, Vector256.Create(0.625f)), small, large);
    }

    private static void ReplaceWithGradient<TDerivative>(Span<float> y, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TDerivative : struct, IDerivative
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
            {
                var g =
                    TDerivative.Of(Vector256.LoadUnsafe(ref yr, (nuint)i))
                    * Vector256.LoadUnsafe(ref ar, (nuint)i)
                    * Vector256.LoadUnsafe(ref br, (nuint)i);
                g.StoreUnsafe(ref yr, (nuint)i);
            }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) =
                TDerivative.Of(Unsafe.Add(ref yr, i)) * Unsafe.Add(ref ar, i) * Unsafe.Add(ref br, i);
    }

    private static void Gradient<TDerivative>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst)
        where TDerivative : struct, IDerivative
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
                (
                    TDerivative.Of(Vector256.LoadUnsafe(ref yr, (nuint)i)) * Vector256.LoadUnsafe(ref gr, (nuint)i)
                ).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++)
            Unsafe.Add(ref dr, i) = TDerivative.Of(Unsafe.Add(ref yr, i)) * Unsafe.Add(ref gr, i);
    }

    /// <summary>f′ as a function of the activation's output y.</summary>
    private interface IDerivative
    {
        static abstract Vector256<float> Of(Vector256<float> y);

        static abstract float Of(float y);
    }

    /// <summary>tanh′ = 1 − y².</summary>
    private readonly struct TanhDerivative : IDerivative
    {
        public static Vector256<float> Of(Vector256<float> y) => Vector256<float>.One - y * y;

        public static float Of(float y) => 1f - y * y;
    }

    /// <summary>σ′ = y (1 − y).</summary>
    private readonly struct SigmoidDerivative : IDerivative
    {
        public static Vector256<float> Of(Vector256<float> y) => y * (Vector256<float>.One - y);

        public static float Of(float y) => y * (1f - y);
    }

    /// <summary>hard_sigmoid′ = 0.2 on the linear part (0 &lt; y &lt; 1), 0 where it is clipped.</summary>
    private readonly struct HardSigmoidDerivative : IDerivative
    {
        public static Vector256<float> Of(Vector256<float> y) =>
            Vector256.ConditionalSelect(
                Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256<float>.One),
                Vector256.Create(0.2f),
                Vector256<float>.Zero
            );

        public static float Of(float y) => y > 0f && y < 1f ? 0.2f : 0f;
    }

    /// <summary>relu′ = 1 where y &gt; 0.</summary>
    private readonly struct ReluDerivative : IDerivative
    {
        public static Vector256<float> Of(Vector256<float> y) =>
            Vector256.ConditionalSelect(
                Vector256.GreaterThan(y, Vector256<float>.Zero),
                Vector256<float>.One,
                Vector256<float>.Zero
            );

        public static float Of(float y) => y > 0f ? 1f : 0f;
    }

    private readonly struct LinearDerivative : IDerivative
    {
        public static Vector256<float> Of(Vector256<float> y) => Vector256<float>.One;

        public static float Of(float y) => 1f;
    }
}
