using System.Runtime.CompilerServices;

namespace RnnNotebooks.Tensors;

// Products over operands that lie in pieces apart in memory, as a recurrent layer's buffers do:
//   • panels: the gate blocks of one timestep in the (G, T, n, u) gate buffer, T·n·u floats apart. One
//     step's h_{t−1}·U writes G panels of C (one per gate); its backward Σ_g δ_g·U_gᵀ contracts over G
//     panels of A, C staying in registers from the first panel to the last.
//   • groups: the same product for each timestep of a block, A or C read in place in the layer's
//     batch-major (batch, T, I) input or input gradient, where the n rows of a timestep are T·I floats
//     apart and the next timestep starts I floats on (a strided batched product, B shared).
// One call sweeps them all with the AVX-512 tiles; elsewhere (other paths, widths that are not whole
// 16-float vectors) it makes the MatMul calls the pieces stand for. Either way every C[i,j] is one
// chain of fused multiply-adds over the contraction in order, so the bits are those of the calls.
public static partial class Gemm
{
    /// <summary>
    /// For each of <paramref name="groups"/> groups g: C_g[m,n] (+)= Σ_q A_{g,q}[m,k] · B[q·k … (q+1)·k, n].
    /// Panel q of group g's A starts at a + g·aGroupJump + q·panelStride (m × k, leading dimension lda);
    /// group g's C at c + g·cGroupJump. Equal, bit for bit, to one MatMul per group and panel, all
    /// but each group's first accumulating.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // no slow Tier-0 copy on the hot path
    internal static unsafe void MatMulOverPanelsOfA(
        ReadOnlySpan<float> a,
        int lda,
        int panelStride,
        int panels,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate,
        Path path,
        int groups = 1,
        int aGroupJump = 0,
        int cGroupJump = 0
    )
    {
        CheckLayout(a, m, k, lda, panels, panelStride, groups, aGroupJump, "A");
        CheckMatrix(b, panels * k, n, ldb, "B");
        CheckLayout(c, m, n, ldc, 1, 0, groups, cGroupJump, "C");
        if (m == 0 || n == 0 || panels == 0 || groups == 0)
            return;
        if (!PanelsFit(path, n))
        {
            for (int g = 0; g < groups; g++)
            for (int q = 0; q < panels; q++)
                MatMul(
                    a[(g * aGroupJump + q * panelStride)..],
                    lda,
                    b[(q * k * ldb)..],
                    ldb,
                    c[(g * cGroupJump)..],
                    ldc,
                    m,
                    k,
                    n,
                    accumulate || q > 0,
                    path
                );
            return;
        }
        fixed (
            float* pa = a,
                pb = b,
                pc = c
        )
            for (int g = 0; g < groups; g++)
                Avx512Panels(
                    new Operand(pa + (nint)g * aGroupJump, lda, 1),
                    panels,
                    panelStride,
                    k,
                    pb,
                    ldb,
                    0,
                    pc + (nint)g * cGroupJump,
                    ldc,
                    1,
                    0,
                    n,
                    m,
                    accumulate,
                    null
                );
    }

    /// <summary>
    /// For each of <paramref name="groups"/> groups g and panel q &lt; <paramref name="panels"/>:
    /// C_{g,q}[m, w] (+)= A_g[m,k] · B[:, q·w … (q+1)·w) (+ bias[q·w … (q+1)·w) on every row), w =
    /// <paramref name="panelWidth"/>. Group g's A starts at a + g·aGroupJump (leading dimension lda); its
    /// panel q of C at c + g·cGroupJump + q·panelStride (leading dimension ldc). Equal, bit for bit, to
    /// one MatMul per group and panel followed by adding the bias to each row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // no slow Tier-0 copy on the hot path
    internal static unsafe void MatMulIntoPanelsOfC(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int panelStride,
        int panels,
        int m,
        int k,
        int panelWidth,
        bool accumulate,
        Path path,
        ReadOnlySpan<float> bias = default,
        int groups = 1,
        int aGroupJump = 0,
        int cGroupJump = 0
    )
    {
        CheckLayout(a, m, k, lda, 1, 0, groups, aGroupJump, "A");
        CheckMatrix(b, k, panels * panelWidth, ldb, "B");
        CheckLayout(c, m, panelWidth, ldc, panels, panelStride, groups, cGroupJump, "C");
        if (panels > 1 && m > 0 && panelWidth > 0 && panelStride < (long)(m - 1) * ldc + panelWidth)
            throw new ArgumentException(
                $"Gemm: the panels of C ({m}×{panelWidth}, leading dimension {ldc}) overlap at {panelStride} floats apart."
            );
        if (!bias.IsEmpty && bias.Length < (long)panels * panelWidth)
            throw new ArgumentException(
                $"Gemm: the bias has {bias.Length} values but {panels} panels of {panelWidth} columns need {(long)panels * panelWidth}."
            );
        if (m == 0 || panelWidth == 0 || panels == 0 || groups == 0)
            return;
        if (!PanelsFit(path, panelWidth))
        {
            for (int g = 0; g < groups; g++)
            for (int q = 0; q < panels; q++)
            {
                var cq = c[(g * cGroupJump + q * panelStride)..];
                MatMul(
                    a[(g * aGroupJump)..],
                    lda,
                    b[(q * panelWidth)..],
                    ldb,
                    cq,
                    ldc,
                    m,
                    k,
                    panelWidth,
                    accumulate,
                    path
                );
                if (!bias.IsEmpty)
                    for (int i = 0; i < m; i++)
                        System.Numerics.Tensors.TensorPrimitives.Add(
                            cq.Slice(i * ldc, panelWidth),
                            bias.Slice(q * panelWidth, panelWidth),
                            cq.Slice(i * ldc, panelWidth)
                        );
            }
            return;
        }
        fixed (
            float* pa = a,
                pb = b,
                pc = c,
                pbias = bias
        )
            for (int g = 0; g < groups; g++)
                Avx512Panels(
                    new Operand(pa + (nint)g * aGroupJump, lda, 1),
                    1,
                    0,
                    k,
                    pb,
                    ldb,
                    panelWidth,
                    pc + (nint)g * cGroupJump,
                    ldc,
                    panels,
                    panelStride,
                    panelWidth,
                    m,
                    accumulate,
                    pbias
                );
    }

    /// <summary>
    /// C[k,n] (+)= Σ_q A_q[m,k]ᵀ · B[q·m … (q+1)·m, n]: a weight gradient Xᵀ·δ whose rows of X lie in
    /// <paramref name="panels"/> pieces, piece q at a + q·panelStride (m rows, leading dimension lda), and
    /// whose δ rows run on in B. Equal, bit for bit, to one MatMulTransposeA per piece, all but the first
    /// accumulating: each C[i,j] is one chain over the rows in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // no slow Tier-0 copy on the hot path
    internal static unsafe void MatMulTransposeAOverPanels(
        ReadOnlySpan<float> a,
        int lda,
        int panelStride,
        int panels,
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
        CheckLayout(a, m, k, lda, panels, panelStride, 1, 0, "A");
        CheckMatrix(b, panels * m, n, ldb, "B");
        CheckMatrix(c, k, n, ldc, "C");
        if (k == 0 || n == 0 || panels == 0)
            return;
        if (!PanelsFit(path, n))
        {
            for (int q = 0; q < panels; q++)
                MatMulTransposeA(
                    a[(q * panelStride)..],
                    lda,
                    b[(q * m * ldb)..],
                    ldb,
                    c,
                    ldc,
                    m,
                    k,
                    n,
                    accumulate || q > 0,
                    path
                );
            return;
        }
        fixed (
            float* pa = a,
                pb = b,
                pc = c
        )
            // Row r of Aᵀ is column r of A: rows 1 apart, the contraction lda apart within a piece.
            Avx512Panels(
                new Operand(pa, 1, lda),
                panels,
                panelStride,
                m,
                pb,
                ldb,
                0,
                pc,
                ldc,
                1,
                0,
                n,
                k,
                accumulate,
                null
            );
    }

    /// <summary>Whether the AVX-512 tiles sweep the product: that path, and whole 16-float vectors of columns.</summary>
    private static bool PanelsFit(Path path, int width) => path == Path.Avx512 && width % 16 == 0;

    /// <summary>
    /// Panel of C by panel of C (one, when A has the panels), row strips of 8 and then the rest, each
    /// strip across the panel's 32/16-column tiles, the tiles walking every panel of X. (Sweeping every
    /// panel per strip instead measured slower: panels T·n·u floats apart alias in the store buffer,
    /// each tile's loads of C waiting on the stores of the tile before.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512Panels(
        Operand x,
        int xPanels,
        nint xPanelJump,
        int depth,
        float* b,
        nint ldb,
        nint bPanelJump,
        float* c,
        nint ldc,
        int cPanels,
        nint cPanelJump,
        int width,
        int rows,
        bool load,
        float* bias
    )
    {
        for (int q = 0; q < cPanels; q++)
        {
            float* bq = b + q * bPanelJump;
            float* cq = c + q * cPanelJump;
            float* biasq = Offset(bias, q * width);
            int i = 0;
            for (; i + TileRows512 <= rows; i += TileRows512)
                Avx512PanelStrip<Rows8>(
                    x,
                    i,
                    xPanels,
                    xPanelJump,
                    depth,
                    bq,
                    ldb,
                    cq + i * ldc,
                    ldc,
                    width,
                    load,
                    biasq
                );
            float* ci = cq + i * ldc;
            switch (rows - i)
            {
                case 1:
                    Avx512PanelStrip<Rows1>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 2:
                    Avx512PanelStrip<Rows2>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 3:
                    Avx512PanelStrip<Rows3>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 4:
                    Avx512PanelStrip<Rows4>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 5:
                    Avx512PanelStrip<Rows5>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 6:
                    Avx512PanelStrip<Rows6>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 7:
                    Avx512PanelStrip<Rows7>(x, i, xPanels, xPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
            }
        }
    }

    /// <summary>Rows i … of X (a strip) across one panel of C, its tiles walking every panel of X.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512PanelStrip<TRows>(
        Operand x,
        int i,
        int xPanels,
        nint xPanelJump,
        int depth,
        float* b,
        nint ldb,
        float* c,
        nint ldc,
        int width,
        bool load,
        float* bias
    )
        where TRows : struct, IRows
    {
        float* xi = x.At(i, 0);
        int j = 0;
        for (; j + 32 <= width; j += 32)
            Avx512Tile<TRows, Columns32>(
                xi,
                x.RowStride,
                x.ColumnStride,
                b + j,
                ldb,
                c + j,
                ldc,
                depth,
                load,
                xPanels,
                xPanelJump,
                Offset(bias, j)
            );
        if (j < width)
            Avx512Tile<TRows, Columns16>(
                xi,
                x.RowStride,
                x.ColumnStride,
                b + j,
                ldb,
                c + j,
                ldc,
                depth,
                load,
                xPanels,
                xPanelJump,
                Offset(bias, j)
            );
    }

    private static unsafe float* Offset(float* pointer, int offset) => pointer == null ? null : pointer + offset;

    /// <summary>
    /// Checks that every element of a (rows × cols, leading dimension ld) matrix repeated in
    /// <paramref name="panels"/> panels and <paramref name="groups"/> groups lies inside the span.
    /// </summary>
    private static void CheckLayout(
        ReadOnlySpan<float> span,
        int rows,
        int cols,
        int ld,
        int panels,
        int panelStride,
        int groups,
        int groupJump,
        string name
    )
    {
        if (panels < 0 || panelStride < 0 || groups < 0 || groupJump < 0)
            throw new ArgumentOutOfRangeException(
                nameof(panels),
                $"Gemm: {name} has {panels} panels {panelStride} floats apart in {groups} groups {groupJump} apart; all must be ≥ 0."
            );
        if (ld < cols || ld < 0)
            throw new ArgumentOutOfRangeException(
                "ld" + name.ToLowerInvariant(),
                $"Gemm: {name} has {cols} columns but leading dimension {ld}; it must be ≥ the number of columns."
            );
        if (panels == 0 || groups == 0 || rows == 0 || cols == 0)
            return;
        long needed = (long)(groups - 1) * groupJump + (long)(panels - 1) * panelStride + (long)(rows - 1) * ld + cols;
        if (span.Length < needed)
            throw new ArgumentException(
                $"Gemm: {name} ({groups} groups of {panels} panels of {rows}×{cols}, leading dimension {ld}) needs {needed} values but its span has {span.Length}."
            );
    }
}
