using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnNotebooks.Tensors;

// The AVX-512 micro-kernels, for CPUs that have it (Ice Lake and later Xeons, Zen 4). A tile of up
// to 8 rows × 32 columns of C lives in sixteen 512-bit accumulators (of the 32 registers AVX-512
// has) while the kernel walks the contraction: per step it loads 32 floats of one B row,
// broadcasts one X value per tile row and issues 2 FMAs per row — 16 FMAs for 10 loads, enough
// independent chains to keep both FMA units busy. Columns that do not fill 16 lanes (the ragged
// right edge) go through the AVX2 kernels. Each C[i,j] is still one chain of fused multiply-adds
// over p = 0, 1, … (the same instruction, vfmadd231ps, on wider registers), so this path gives the
// same bits as the AVX2 one for every shape.
public static partial class Gemm
{
    /// <summary>Rows of the full AVX-512 register tile.</summary>
    private const int TileRows512 = 8;

    private struct Rows5 : IRows
    {
        public static int Count => 5;
    }

    private struct Rows6 : IRows
    {
        public static int Count => 6;
    }

    private struct Rows7 : IRows
    {
        public static int Count => 7;
    }

    private struct Rows8 : IRows
    {
        public static int Count => 8;
    }

    /// <summary>A tile's columns on the AVX-512 path: two full vectors (32 columns) or one (16).</summary>
    private interface IWidth512
    {
        static abstract bool TwoVectors { get; }
    }

    private struct Columns32 : IWidth512
    {
        public static bool TwoVectors => true;
    }

    private struct Columns16 : IWidth512
    {
        public static bool TwoVectors => false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512Block(
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
        int wide = columns & ~15;
        if (wide > 0 && (long)depth * wide <= RowStripMaxFloats)
        {
            int i = 0;
            for (; i + TileRows512 <= rows; i += TileRows512)
                Avx512Strip<Rows8>(
                    x.At(i, 0),
                    x.RowStride,
                    x.ColumnStride,
                    b,
                    ldb,
                    c + i * ldc,
                    ldc,
                    depth,
                    wide,
                    load
                );
            float* xi = x.At(i, 0);
            float* ci = c + i * ldc;
            switch (rows - i)
            {
                case 1:
                    Avx512Strip<Rows1>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
                case 2:
                    Avx512Strip<Rows2>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
                case 3:
                    Avx512Strip<Rows3>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
                case 4:
                    Avx512Strip<Rows4>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
                case 5:
                    Avx512Strip<Rows5>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
                case 6:
                    Avx512Strip<Rows6>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
                case 7:
                    Avx512Strip<Rows7>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, wide, load);
                    break;
            }
        }
        else if (wide > 0)
        {
            int j = 0;
            for (; j + 32 <= wide; j += 32)
                Avx512Panel<Columns32>(x, b + j, ldb, c + j, ldc, rows, depth, load);
            if (j < wide)
                Avx512Panel<Columns16>(x, b + j, ldb, c + j, ldc, rows, depth, load);
        }
        if (wide < columns)
            Avx2Block(x, b + wide, ldb, c + wide, ldc, rows, depth, columns - wide, load);
    }

    /// <summary>One strip of tile rows across the block's first <paramref name="columns"/> (a multiple of 16) columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512Strip<TRows>(
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
        for (; j + 32 <= columns; j += 32)
            Avx512Tile<TRows, Columns32>(x, xr, xc, b + j, ldb, c + j, ldc, depth, load);
        if (j < columns)
            Avx512Tile<TRows, Columns16>(x, xr, xc, b + j, ldb, c + j, ldc, depth, load);
    }

    /// <summary>One 16- or 32-column panel of B (kept in L1) swept by every row tile of the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512Panel<TColumns>(
        Operand x,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int rows,
        int depth,
        bool load
    )
        where TColumns : struct, IWidth512
    {
        int i = 0;
        for (; i + TileRows512 <= rows; i += TileRows512)
            Avx512Tile<Rows8, TColumns>(x.At(i, 0), x.RowStride, x.ColumnStride, b, ldb, c + i * ldc, ldc, depth, load);
        float* xi = x.At(i, 0);
        float* ci = c + i * ldc;
        switch (rows - i)
        {
            case 1:
                Avx512Tile<Rows1, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 2:
                Avx512Tile<Rows2, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 3:
                Avx512Tile<Rows3, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 4:
                Avx512Tile<Rows4, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 5:
                Avx512Tile<Rows5, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 6:
                Avx512Tile<Rows6, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
            case 7:
                Avx512Tile<Rows7, TColumns>(xi, x.RowStride, x.ColumnStride, b, ldb, ci, ldc, depth, load);
                break;
        }
    }

    /// <summary>
    /// C[r, 0..w) (+)= Σ_p X[r, p] · B[p, 0..w) for the tile's rows r (w = 16 or 32), one FMA chain
    /// per element. X[r, p] sits at x + r·xr + p·xc. Written out row by row like the AVX2 tile, so
    /// that every accumulator stays in a register.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512Tile<TRows, TColumns>(
        float* x,
        nint xr,
        nint xc,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int depth,
        bool load,
        int panels = 1,
        nint panelJump = 0,
        float* bias = null
    )
        where TRows : struct, IRows
        where TColumns : struct, IWidth512
    {
        int rows = TRows.Count;
        bool two = TColumns.TwoVectors;
        Vector512<float> c00 = default,
            c01 = default,
            c10 = default,
            c11 = default,
            c20 = default,
            c21 = default,
            c30 = default,
            c31 = default,
            c40 = default,
            c41 = default,
            c50 = default,
            c51 = default,
            c60 = default,
            c61 = default,
            c70 = default,
            c71 = default;
        if (load)
        {
            c00 = Avx512F.LoadVector512(c);
            if (two)
                c01 = Avx512F.LoadVector512(c + 16);
            if (rows > 1)
            {
                c10 = Avx512F.LoadVector512(c + ldc);
                if (two)
                    c11 = Avx512F.LoadVector512(c + ldc + 16);
            }
            if (rows > 2)
            {
                c20 = Avx512F.LoadVector512(c + 2 * ldc);
                if (two)
                    c21 = Avx512F.LoadVector512(c + 2 * ldc + 16);
            }
            if (rows > 3)
            {
                c30 = Avx512F.LoadVector512(c + 3 * ldc);
                if (two)
                    c31 = Avx512F.LoadVector512(c + 3 * ldc + 16);
            }
            if (rows > 4)
            {
                c40 = Avx512F.LoadVector512(c + 4 * ldc);
                if (two)
                    c41 = Avx512F.LoadVector512(c + 4 * ldc + 16);
            }
            if (rows > 5)
            {
                c50 = Avx512F.LoadVector512(c + 5 * ldc);
                if (two)
                    c51 = Avx512F.LoadVector512(c + 5 * ldc + 16);
            }
            if (rows > 6)
            {
                c60 = Avx512F.LoadVector512(c + 6 * ldc);
                if (two)
                    c61 = Avx512F.LoadVector512(c + 6 * ldc + 16);
            }
            if (rows > 7)
            {
                c70 = Avx512F.LoadVector512(c + 7 * ldc);
                if (two)
                    c71 = Avx512F.LoadVector512(c + 7 * ldc + 16);
            }
        }
        nint x1 = xr,
            x2 = 2 * xr,
            x3 = 3 * xr,
            x4 = 4 * xr,
            x5 = 5 * xr,
            x6 = 6 * xr,
            x7 = 7 * xr;
        // The contraction may run over several panels of X (the gates of one step, apart in memory):
        // panel q starts at x + q·panelJump; C stays in registers across them, B's rows run on.
        float* panel = x;
        for (int q = 0; q < panels; q++)
        {
            x = panel + q * panelJump;
            for (int p = 0; p < depth; p++)
            {
                var b0 = Avx512F.LoadVector512(b);
                var b1 = two ? Avx512F.LoadVector512(b + 16) : default;
                var v = Vector512.Create(*x);
                c00 = Avx512F.FusedMultiplyAdd(v, b0, c00);
                if (two)
                    c01 = Avx512F.FusedMultiplyAdd(v, b1, c01);
                if (rows > 1)
                {
                    v = Vector512.Create(*(x + x1));
                    c10 = Avx512F.FusedMultiplyAdd(v, b0, c10);
                    if (two)
                        c11 = Avx512F.FusedMultiplyAdd(v, b1, c11);
                }
                if (rows > 2)
                {
                    v = Vector512.Create(*(x + x2));
                    c20 = Avx512F.FusedMultiplyAdd(v, b0, c20);
                    if (two)
                        c21 = Avx512F.FusedMultiplyAdd(v, b1, c21);
                }
                if (rows > 3)
                {
                    v = Vector512.Create(*(x + x3));
                    c30 = Avx512F.FusedMultiplyAdd(v, b0, c30);
                    if (two)
                        c31 = Avx512F.FusedMultiplyAdd(v, b1, c31);
                }
                if (rows > 4)
                {
                    v = Vector512.Create(*(x + x4));
                    c40 = Avx512F.FusedMultiplyAdd(v, b0, c40);
                    if (two)
                        c41 = Avx512F.FusedMultiplyAdd(v, b1, c41);
                }
                if (rows > 5)
                {
                    v = Vector512.Create(*(x + x5));
                    c50 = Avx512F.FusedMultiplyAdd(v, b0, c50);
                    if (two)
                        c51 = Avx512F.FusedMultiplyAdd(v, b1, c51);
                }
                if (rows > 6)
                {
                    v = Vector512.Create(*(x + x6));
                    c60 = Avx512F.FusedMultiplyAdd(v, b0, c60);
                    if (two)
                        c61 = Avx512F.FusedMultiplyAdd(v, b1, c61);
                }
                if (rows > 7)
                {
                    v = Vector512.Create(*(x + x7));
                    c70 = Avx512F.FusedMultiplyAdd(v, b0, c70);
                    if (two)
                        c71 = Avx512F.FusedMultiplyAdd(v, b1, c71);
                }
                x += xc;
                b += ldb;
            }
        }
        if (bias != null)
        {
            // A bias row added as C is stored: C = Σ + b, the bits of adding b to the stored sum.
            var bias0 = Avx512F.LoadVector512(bias);
            var bias1 = two ? Avx512F.LoadVector512(bias + 16) : default;
            c00 = Avx512F.Add(c00, bias0);
            c01 = two ? Avx512F.Add(c01, bias1) : c01;
            c10 = rows > 1 ? Avx512F.Add(c10, bias0) : c10;
            c11 = rows > 1 && two ? Avx512F.Add(c11, bias1) : c11;
            c20 = rows > 2 ? Avx512F.Add(c20, bias0) : c20;
            c21 = rows > 2 && two ? Avx512F.Add(c21, bias1) : c21;
            c30 = rows > 3 ? Avx512F.Add(c30, bias0) : c30;
            c31 = rows > 3 && two ? Avx512F.Add(c31, bias1) : c31;
            c40 = rows > 4 ? Avx512F.Add(c40, bias0) : c40;
            c41 = rows > 4 && two ? Avx512F.Add(c41, bias1) : c41;
            c50 = rows > 5 ? Avx512F.Add(c50, bias0) : c50;
            c51 = rows > 5 && two ? Avx512F.Add(c51, bias1) : c51;
            c60 = rows > 6 ? Avx512F.Add(c60, bias0) : c60;
            c61 = rows > 6 && two ? Avx512F.Add(c61, bias1) : c61;
            c70 = rows > 7 ? Avx512F.Add(c70, bias0) : c70;
            c71 = rows > 7 && two ? Avx512F.Add(c71, bias1) : c71;
        }
        Avx512F.Store(c, c00);
        if (two)
            Avx512F.Store(c + 16, c01);
        if (rows > 1)
        {
            Avx512F.Store(c + ldc, c10);
            if (two)
                Avx512F.Store(c + ldc + 16, c11);
        }
        if (rows > 2)
        {
            Avx512F.Store(c + 2 * ldc, c20);
            if (two)
                Avx512F.Store(c + 2 * ldc + 16, c21);
        }
        if (rows > 3)
        {
            Avx512F.Store(c + 3 * ldc, c30);
            if (two)
                Avx512F.Store(c + 3 * ldc + 16, c31);
        }
        if (rows > 4)
        {
            Avx512F.Store(c + 4 * ldc, c40);
            if (two)
                Avx512F.Store(c + 4 * ldc + 16, c41);
        }
        if (rows > 5)
        {
            Avx512F.Store(c + 5 * ldc, c50);
            if (two)
                Avx512F.Store(c + 5 * ldc + 16, c51);
        }
        if (rows > 6)
        {
            Avx512F.Store(c + 6 * ldc, c60);
            if (two)
                Avx512F.Store(c + 6 * ldc + 16, c61);
        }
        if (rows > 7)
        {
            Avx512F.Store(c + 7 * ldc, c70);
            if (two)
                Avx512F.Store(c + 7 * ldc + 16, c71);
        }
    }
}
