using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnNotebooks.Tensors;

/// <summary>
/// Row-major matrix products on spans, the engine's hot path. Every operand has an explicit
/// leading dimension (the distance between rows), so a layer can multiply a block of a larger
/// buffer (one timestep of a (T, B, G·u) gate buffer, say) without copying it.
/// <para>All three products either overwrite C (<c>accumulate: false</c>) or add into it. C must not
/// overlap A or B. Single-threaded and allocation-free in steady state: callers parallelise across
/// shards.</para>
/// <para>Every C[i,j] is one chain of fused multiply-adds over the contraction index in order
/// (p = 0, 1, …), starting from C[i,j] or 0. Its value therefore depends only on row i of A, column j
/// of B and the old C[i,j] — not on the shapes, on where the row falls in a register tile, or on how
/// the caller cuts a batch into shards.</para>
/// </summary>
public static partial class Gemm
{
    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate
    ) => MatMul(a, lda, b, ldb, c, ldc, m, k, n, accumulate, BestPath);

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ (B stored row-major as n rows of k).</summary>
    public static void MatMulTransposeB(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate
    ) => MatMulTransposeB(a, lda, b, ldb, c, ldc, m, k, n, accumulate, BestPath);

    /// <summary>C[k,n] (+)= A[m,k]ᵀ · B[m,n] (the weight-gradient product Xᵀ·dY).</summary>
    public static void MatMulTransposeA(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate
    ) => MatMulTransposeA(a, lda, b, ldb, c, ldc, m, k, n, accumulate, BestPath);

    /// <summary>The instruction set a product runs on; tests pin each one.</summary>
    internal enum Path
    {
        Scalar,
        Vector128,
        Avx2Fma,
        Avx512,
    }

    /// <summary>The fastest path this machine supports.</summary>
    internal static readonly Path BestPath =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported ? Path.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? Path.Avx2Fma
        : Vector128.IsHardwareAccelerated ? Path.Vector128
        : Path.Scalar;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // no slow Tier-0 copy on the hot path
    internal static unsafe void MatMul(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate,
        Path path
    )
    {
        CheckDimensions(m, k, n);
        CheckMatrix(a, m, k, lda, "A");
        CheckMatrix(b, k, n, ldb, "B");
        CheckMatrix(c, m, n, ldc, "C");
        if (m == 0 || n == 0)
            return;
        fixed (
            float* pa = a,
                pb = b,
                pc = c
        )
            Product(path, new Operand(pa, lda, 1), pb, ldb, pc, ldc, m, k, n, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MatMulTransposeB(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate,
        Path path
    )
    {
        CheckDimensions(m, k, n);
        CheckMatrix(a, m, k, lda, "A");
        CheckMatrix(b, n, k, ldb, "B");
        CheckMatrix(c, m, n, ldc, "C");
        if (m == 0 || n == 0)
            return;
        // Bᵀ is packed once into a (k, n) row-major scratch so the product runs on the same
        // broadcast-and-FMA kernel as MatMul; the O(k·n) copy is small next to the O(m·k·n) product.
        var packed = PackBuffer(k * n);
        fixed (
            float* pa = a,
                pb = b,
                pc = c,
                pt = packed
        )
        {
            Transpose(path, pb, ldb, pt, n, n, k);
            Product(path, new Operand(pa, lda, 1), pt, n, pc, ldc, m, k, n, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MatMulTransposeA(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate,
        Path path
    )
    {
        CheckDimensions(m, k, n);
        CheckMatrix(a, m, k, lda, "A");
        CheckMatrix(b, m, n, ldb, "B");
        CheckMatrix(c, k, n, ldc, "C");
        if (k == 0 || n == 0)
            return;
        // Aᵀ is read in place: row r of Aᵀ is column r of A (stride lda), and a register tile's
        // rows r..r+3 sit side by side in one row of A.
        fixed (
            float* pa = a,
                pb = b,
                pc = c
        )
            Product(path, new Operand(pa, 1, lda), pb, ldb, pc, ldc, k, m, n, accumulate);
    }

    [ThreadStatic]
    private static float[]? _packBuffer;

    private static float[] PackBuffer(int size)
    {
        var buffer = _packBuffer;
        if (buffer is null || buffer.Length < size)
            _packBuffer = buffer = new float[Math.Max(size, 4096)];
        return buffer;
    }

    private static void CheckDimensions(int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0)
            throw new ArgumentOutOfRangeException(
                nameof(m),
                $"Gemm dimensions must be ≥ 0, got m = {m}, k = {k}, n = {n}."
            );
    }

    private static void CheckMatrix(ReadOnlySpan<float> span, int rows, int cols, int ld, string name)
    {
        if (ld < cols || ld < 0)
            throw new ArgumentOutOfRangeException(
                "ld" + name.ToLowerInvariant(),
                $"Gemm: {name} has {cols} columns but leading dimension {ld}; it must be ≥ the number of columns."
            );
        if (rows == 0 || cols == 0)
            return;
        long needed = (long)(rows - 1) * ld + cols;
        if (span.Length < needed)
            throw new ArgumentException(
                $"Gemm: {name} ({rows}×{cols}, leading dimension {ld}) needs {needed} values but its span has {span.Length}."
            );
    }

    /// <summary>
    /// A matrix read through a row stride and a column stride, so that the same kernel serves
    /// A (column stride 1) and Aᵀ read in place (row stride 1).
    /// </summary>
    private readonly unsafe struct Operand(float* origin, nint rowStride, nint columnStride)
    {
        public readonly float* Origin = origin;
        public readonly nint RowStride = rowStride;
        public readonly nint ColumnStride = columnStride;

        public float* At(nint row, nint column) => Origin + row * RowStride + column * ColumnStride;
    }

    /// <summary>Contraction steps per block: one block's B panel (rows × 16 floats) stays in L1.</summary>
    private const int ContractionBlock = 256;

    /// <summary>Floats of A per block (32 KiB), reused from cache across all column panels.</summary>
    private const int ABlockFloats = 8192;

    /// <summary>
    /// C[M,N] (+)= X[M,K] · B[K,N] with X read through <paramref name="x"/>'s strides. Blocks the
    /// contraction and the rows so that a block of X and a panel of B stay in cache while the
    /// register tiles sweep them; the blocking never changes the order of any C[i,j]'s sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Product(
        Path path,
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        int columns,
        bool accumulate
    )
    {
        if (depth == 0)
        {
            if (!accumulate)
                for (int i = 0; i < rows; i++)
                    new Span<float>(c + i * ldc, columns).Clear();
            return;
        }
        if (path == Path.Scalar)
        {
            ScalarProduct(x, b, ldb, c, ldc, rows, depth, columns, accumulate);
            return;
        }
        int kcMax = depth <= ContractionBlock + ContractionBlock / 2 ? depth : ContractionBlock;
        for (int p0 = 0; p0 < depth; p0 += kcMax)
        {
            int kc = Math.Min(kcMax, depth - p0);
            bool load = accumulate || p0 > 0;
            int mcMax = Math.Max(TileRows, ABlockFloats / kc / TileRows * TileRows);
            for (int i0 = 0; i0 < rows; i0 += mcMax)
            {
                int mc = Math.Min(mcMax, rows - i0);
                var block = new Operand(x.At(i0, p0), x.RowStride, x.ColumnStride);
                float* bBlock = b + p0 * ldb;
                float* cBlock = c + i0 * ldc;
                if (path == Path.Avx512)
                    Avx512Block(block, bBlock, ldb, cBlock, ldc, mc, kc, columns, load);
                else if (path == Path.Avx2Fma)
                    Avx2Block(block, bBlock, ldb, cBlock, ldc, mc, kc, columns, load);
                else
                    Vector128Block(block, bBlock, ldb, cBlock, ldc, mc, kc, columns, load);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScalarProduct(
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        int columns,
        bool accumulate
    )
    {
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < columns; j++)
        {
            float sum = accumulate ? c[i * ldc + j] : 0f;
            for (int p = 0; p < depth; p++)
                sum += *x.At(i, p) * b[p * ldb + j];
            c[i * ldc + j] = sum;
        }
    }

    /// <summary>Writes the transpose of <paramref name="src"/> (rows × cols, leading dimension ldSrc) to dst (cols × rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Transpose(Path path, float* src, nint ldSrc, float* dst, nint ldDst, int rows, int cols)
    {
        int i0 = 0;
        if (path is Path.Avx2Fma or Path.Avx512)
        {
            for (; i0 + 8 <= rows; i0 += 8)
            {
                int j0 = 0;
                for (; j0 + 8 <= cols; j0 += 8)
                    Transpose8x8(src + i0 * ldSrc + j0, ldSrc, dst + j0 * ldDst + i0, ldDst);
                for (int i = i0; i < i0 + 8; i++)
                for (int j = j0; j < cols; j++)
                    dst[j * ldDst + i] = src[i * ldSrc + j];
            }
        }
        for (int i = i0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            dst[j * ldDst + i] = src[i * ldSrc + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* src, nint ldSrc, float* dst, nint ldDst)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ldSrc);
        var r2 = Avx.LoadVector256(src + 2 * ldSrc);
        var r3 = Avx.LoadVector256(src + 3 * ldSrc);
        var r4 = Avx.LoadVector256(src + 4 * ldSrc);
        var r5 = Avx.LoadVector256(src + 5 * ldSrc);
        var r6 = Avx.LoadVector256(src + 6 * ldSrc);
        var r7 = Avx.LoadVector256(src + 7 * ldSrc);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldDst, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldDst, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldDst, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldDst, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldDst, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldDst, Avx.Permute2x128(s3, s7, 0x31));
    }
}
