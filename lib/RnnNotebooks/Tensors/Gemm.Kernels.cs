using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnNotebooks.Tensors;

// The register-blocked micro-kernels. A tile of up to 4 rows × 16 columns of C lives in eight
// accumulator registers while the kernel walks the contraction: per step it loads 16 floats of one
// B row, broadcasts one X value per tile row and issues 2 FMAs per row. (6-row tiles measured no
// faster on Zen 3 and leave ragged tiles on the 32-row shards the engine uses.) The tile's row
// count and column shape are generic struct arguments, so the JIT compiles one specialised,
// branch-free kernel per combination from a single source.
public static partial class Gemm
{
    /// <summary>
    /// When a block of B holds at most this many floats (32 KiB, L1) the block is swept strip of
    /// rows by strip of rows, so A and C stream through once in order; larger B blocks are swept
    /// panel by panel, each 16-column panel of B staying in L1 while all rows pass over it.
    /// </summary>
    private const long RowStripMaxFloats = 8192;

    /// <summary>Rows of the full register tile.</summary>
    private const int TileRows = 4;

    private interface IRows
    {
        static abstract int Count { get; }
    }

    private struct Rows1 : IRows
    {
        public static int Count => 1;
    }

    private struct Rows2 : IRows
    {
        public static int Count => 2;
    }

    private struct Rows3 : IRows
    {
        public static int Count => 3;
    }

    private struct Rows4 : IRows
    {
        public static int Count => 4;
    }

    /// <summary>A tile's columns: one or two vectors, the last of them possibly masked (the ragged right edge).</summary>
    private interface IColumns
    {
        static abstract bool TwoVectors { get; }
        static abstract bool LastMasked { get; }
    }

    private struct TwoFull : IColumns
    {
        public static bool TwoVectors => true;
        public static bool LastMasked => false;
    }

    private struct OneFull : IColumns
    {
        public static bool TwoVectors => false;
        public static bool LastMasked => false;
    }

    private struct OneMasked : IColumns
    {
        public static bool TwoVectors => false;
        public static bool LastMasked => true;
    }

    private struct FullThenMasked : IColumns
    {
        public static bool TwoVectors => true;
        public static bool LastMasked => true;
    }

    // ---------------------------------------------------------------- AVX2 + FMA

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx2Block(
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        int columns,
        bool load
    )
    {
        if ((long)depth * columns <= RowStripMaxFloats)
        {
            int i = 0;
            for (; i + TileRows <= rows; i += TileRows)
                Avx2Strip<Rows4>(
                    x.At(i, 0),
                    x.RowStride,
                    x.ColumnStride,
                    b,
                    ldb,
                    c + i * ldc,
                    ldc,
                    depth,
                    columns,
                    load
                );
            float* xi = x.At(i, 0);
            float* ci = c + i * ldc;
            switch (rows - i)
            {
                case 1:
                    Avx2Strip<Rows1>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, columns, load);
                    break;
                case 2:
                    Avx2Strip<Rows2>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, columns, load);
                    break;
                case 3:
                    Avx2Strip<Rows3>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, columns, load);
                    break;
            }
            return;
        }
        int j = 0;
        for (; j + 16 <= columns; j += 16)
            Avx2Panel<TwoFull>(x, b + j, ldb, c + j, ldc, rows, depth, load, default);
        int rest = columns - j;
        if (rest == 0)
            return;
        if (rest == 8)
            Avx2Panel<OneFull>(x, b + j, ldb, c + j, ldc, rows, depth, load, default);
        else if (rest < 8)
            Avx2Panel<OneMasked>(x, b + j, ldb, c + j, ldc, rows, depth, load, FirstLanes(rest));
        else
            Avx2Panel<FullThenMasked>(x, b + j, ldb, c + j, ldc, rows, depth, load, FirstLanes(rest - 8));
    }

    /// <summary>One strip of tile rows across all columns of the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx2Strip<TRows>(
        float* x,
        nint xr,
        nint xc,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int depth,
        int columns,
        bool load
    )
        where TRows : struct, IRows
    {
        int j = 0;
        for (; j + 16 <= columns; j += 16)
            Avx2Tile<TRows, TwoFull>(x, xr, xc, b + j, ldb, c + j, ldc, depth, load, default);
        int rest = columns - j;
        if (rest == 0)
            return;
        if (rest == 8)
            Avx2Tile<TRows, OneFull>(x, xr, xc, b + j, ldb, c + j, ldc, depth, load, default);
        else if (rest < 8)
            Avx2Tile<TRows, OneMasked>(x, xr, xc, b + j, ldb, c + j, ldc, depth, load, FirstLanes(rest));
        else
            Avx2Tile<TRows, FullThenMasked>(x, xr, xc, b + j, ldb, c + j, ldc, depth, load, FirstLanes(rest - 8));
    }

    private static Vector256<float> FirstLanes(int count) =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx2Panel<TColumns>(
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        bool load,
        Vector256<float> mask
    )
        where TColumns : struct, IColumns
    {
        int i = 0;
        for (; i + TileRows <= rows; i += TileRows)
            Avx2Tile<Rows4, TColumns>(
                x.At(i, 0),
                x.RowStride,
                x.ColumnStride,
                b,
                ldb,
                c + i * ldc,
                ldc,
                depth,
                load,
                mask
            );
        float* xi = x.At(i, 0);
        float* ci = c + i * ldc;
        switch (rows - i)
        {
            case 1:
                Avx2Tile<Rows1, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load, mask);
                break;
            case 2:
                Avx2Tile<Rows2, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load, mask);
                break;
            case 3:
                Avx2Tile<Rows3, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load, mask);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> LoadFirst<TColumns>(float* p, Vector256<float> mask)
        where TColumns : struct, IColumns =>
        TColumns.LastMasked && !TColumns.TwoVectors ? Avx.MaskLoad(p, mask) : Avx.LoadVector256(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> LoadSecond<TColumns>(float* p, Vector256<float> mask)
        where TColumns : struct, IColumns => TColumns.LastMasked ? Avx.MaskLoad(p + 8, mask) : Avx.LoadVector256(p + 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store<TColumns>(
        float* p,
        Vector256<float> first,
        Vector256<float> second,
        Vector256<float> mask
    )
        where TColumns : struct, IColumns
    {
        if (TColumns.TwoVectors)
        {
            Avx.Store(p, first);
            if (TColumns.LastMasked)
                Avx.MaskStore(p + 8, mask, second);
            else
                Avx.Store(p + 8, second);
        }
        else if (TColumns.LastMasked)
            Avx.MaskStore(p, mask, first);
        else
            Avx.Store(p, first);
    }

    /// <summary>
    /// C[r, 0..w) (+)= Σ_p X[r, p] · B[p, 0..w) for the tile's rows r, one FMA chain per element.
    /// X[r, p] sits at x + r·xr + p·xc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx2Tile<TRows, TColumns>(
        float* x,
        nint xr,
        nint xc,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int depth,
        bool load,
        Vector256<float> mask
    )
        where TRows : struct, IRows
        where TColumns : struct, IColumns
    {
        int rows = TRows.Count;
        bool two = TColumns.TwoVectors;
        Vector256<float> c00 = default,
            c01 = default,
            c10 = default,
            c11 = default,
            c20 = default,
            c21 = default,
            c30 = default,
            c31 = default;
        if (load)
        {
            c00 = LoadFirst<TColumns>(c, mask);
            if (two)
                c01 = LoadSecond<TColumns>(c, mask);
            if (rows > 1)
            {
                c10 = LoadFirst<TColumns>(c + ldc, mask);
                if (two)
                    c11 = LoadSecond<TColumns>(c + ldc, mask);
            }
            if (rows > 2)
            {
                c20 = LoadFirst<TColumns>(c + 2 * ldc, mask);
                if (two)
                    c21 = LoadSecond<TColumns>(c + 2 * ldc, mask);
            }
            if (rows > 3)
            {
                c30 = LoadFirst<TColumns>(c + 3 * ldc, mask);
                if (two)
                    c31 = LoadSecond<TColumns>(c + 3 * ldc, mask);
            }
        }
        nint x1 = xr,
            x2 = 2 * xr,
            x3 = 3 * xr;
        for (int p = 0; p < depth; p++)
        {
            var b0 = LoadFirst<TColumns>(b, mask);
            var b1 = two ? LoadSecond<TColumns>(b, mask) : default;
            var v = Avx.BroadcastScalarToVector256(x);
            c00 = Fma.MultiplyAdd(v, b0, c00);
            if (two)
                c01 = Fma.MultiplyAdd(v, b1, c01);
            if (rows > 1)
            {
                v = Avx.BroadcastScalarToVector256(x + x1);
                c10 = Fma.MultiplyAdd(v, b0, c10);
                if (two)
                    c11 = Fma.MultiplyAdd(v, b1, c11);
            }
            if (rows > 2)
            {
                v = Avx.BroadcastScalarToVector256(x + x2);
                c20 = Fma.MultiplyAdd(v, b0, c20);
                if (two)
                    c21 = Fma.MultiplyAdd(v, b1, c21);
            }
            if (rows > 3)
            {
                v = Avx.BroadcastScalarToVector256(x + x3);
                c30 = Fma.MultiplyAdd(v, b0, c30);
                if (two)
                    c31 = Fma.MultiplyAdd(v, b1, c31);
            }
            x += xc;
            b += ldb;
        }
        Store<TColumns>(c, c00, c01, mask);
        if (rows > 1)
            Store<TColumns>(c + ldc, c10, c11, mask);
        if (rows > 2)
            Store<TColumns>(c + 2 * ldc, c20, c21, mask);
        if (rows > 3)
            Store<TColumns>(c + 3 * ldc, c30, c31, mask);
    }

    // ---------------------------------------------------------------- portable Vector128

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Vector128Block(
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        int columns,
        bool load
    )
    {
        int j = 0;
        for (; j + 8 <= columns; j += 8)
            Vector128Panel<TwoFull>(x, b + j, ldb, c + j, ldc, rows, depth, load);
        if (columns - j >= 4)
        {
            Vector128Panel<OneFull>(x, b + j, ldb, c + j, ldc, rows, depth, load);
            j += 4;
        }
        for (; j < columns; j++)
        for (int i = 0; i < rows; i++)
        {
            float* xi = x.At(i, 0);
            float sum = load ? c[i * ldc + j] : 0f;
            for (int p = 0; p < depth; p++)
                sum += xi[p * x.ColumnStride] * b[p * ldb + j];
            c[i * ldc + j] = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Vector128Panel<TColumns>(
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        bool load
    )
        where TColumns : struct, IColumns
    {
        int i = 0;
        for (; i + 4 <= rows; i += 4)
            Vector128Tile<Rows4, TColumns>(
                x.At(i, 0),
                x.RowStride,
                x.ColumnStride,
                b,
                ldb,
                c + i * ldc,
                ldc,
                depth,
                load
            );
        float* xi = x.At(i, 0);
        float* ci = c + i * ldc;
        switch (rows - i)
        {
            case 1:
                Vector128Tile<Rows1, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 2:
                Vector128Tile<Rows2, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 3:
                Vector128Tile<Rows3, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
        }
    }

    /// <summary>The portable tile: up to 4 rows × 8 columns in 128-bit vectors, multiply then add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Vector128Tile<TRows, TColumns>(
        float* x,
        nint xr,
        nint xc,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int depth,
        bool load
    )
        where TRows : struct, IRows
        where TColumns : struct, IColumns
    {
        int rows = TRows.Count;
        bool two = TColumns.TwoVectors;
        Vector128<float> c00 = default,
            c01 = default,
            c10 = default,
            c11 = default,
            c20 = default,
            c21 = default,
            c30 = default,
            c31 = default;
        if (load)
        {
            c00 = Vector128.Load(c);
            if (two)
                c01 = Vector128.Load(c + 4);
            if (rows > 1)
            {
                c10 = Vector128.Load(c + ldc);
                if (two)
                    c11 = Vector128.Load(c + ldc + 4);
            }
            if (rows > 2)
            {
                c20 = Vector128.Load(c + 2 * ldc);
                if (two)
                    c21 = Vector128.Load(c + 2 * ldc + 4);
            }
            if (rows > 3)
            {
                c30 = Vector128.Load(c + 3 * ldc);
                if (two)
                    c31 = Vector128.Load(c + 3 * ldc + 4);
            }
        }
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = two ? Vector128.Load(b + 4) : default;
            var v = Vector128.Create(x[0]);
            c00 += v * b0;
            if (two)
                c01 += v * b1;
            if (rows > 1)
            {
                v = Vector128.Create(x[xr]);
                c10 += v * b0;
                if (two)
                    c11 += v * b1;
            }
            if (rows > 2)
            {
                v = Vector128.Create(x[2 * xr]);
                c20 += v * b0;
                if (two)
                    c21 += v * b1;
            }
            if (rows > 3)
            {
                v = Vector128.Create(x[3 * xr]);
                c30 += v * b0;
                if (two)
                    c31 += v * b1;
            }
            x += xc;
            b += ldb;
        }
        c00.Store(c);
        if (two)
            c01.Store(c + 4);
        if (rows > 1)
        {
            c10.Store(c + ldc);
            if (two)
                c11.Store(c + ldc + 4);
        }
        if (rows > 2)
        {
            c20.Store(c + 2 * ldc);
            if (two)
                c21.Store(c + 2 * ldc + 4);
        }
        if (rows > 3)
        {
            c30.Store(c + 3 * ldc);
            if (two)
                c31.Store(c + 3 * ldc + 4);
        }
    }
}
