using System.Runtime.CompilerServices;

namespace RnnNotebooks.Tensors;

// Products whose operand is split into panels that lie apart in memory: the gate blocks of one
// timestep in a recurrent layer's (G, T, n, u) gate buffer. One step's h_{t−1}·U writes G panels of
// C (one per gate) and its backward Σ_g δ_g·U_gᵀ contracts over G panels of A. Done as G calls of
// MatMul these are G small products (32 × 32 · 32 × 32 in the benchmark), each paying the call, the
// checks and (backwards) a store and reload of C; here one call sweeps all panels and, backwards,
// keeps C in registers from the first panel to the last. The bits are those of the G calls: every
// C[i,j] is still one chain of fused multiply-adds over the panels' columns in order.
public static partial class Gemm
{
    /// <summary>
    /// C[m,n] (+)= Σ_q A_q[m,k] · B[q·k … (q+1)·k, n]: the contraction runs over <paramref name="panels"/>
    /// panels of A, panel q at <paramref name="a"/> + q·<paramref name="panelStride"/> (each m × k, leading
    /// dimension lda), against consecutive row blocks of B. Equal, bit for bit, to
    /// <paramref name="panels"/> MatMul calls of which all but the first accumulate.
    /// </summary>
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
        Path path
    )
    {
        CheckPanels(a, m, k, lda, panelStride, panels, "A", written: false);
        CheckMatrix(b, panels * k, n, ldb, "B");
        CheckMatrix(c, m, n, ldc, "C");
        if (m == 0 || n == 0 || panels == 0)
            return;
        if (!PanelsFit(path, n, panels * k))
        {
            for (int q = 0; q < panels; q++)
                MatMul(
                    a[(q * panelStride)..],
                    lda,
                    b[(q * k * ldb)..],
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
            Avx512Panels(pa, lda, panels, panelStride, k, pb, ldb, pc, ldc, 1, 0, n, m, accumulate, null);
    }

    /// <summary>
    /// C_q[m, w] (+)= A[m,k] · B[:, q·w … (q+1)·w) for q &lt; <paramref name="panels"/>: the columns of B
    /// in blocks of w = <paramref name="panelWidth"/>, block q written to the panel of C at
    /// <paramref name="c"/> + q·<paramref name="panelStride"/> (leading dimension ldc). Equal, bit for
    /// bit, to one MatMul call per panel.
    /// </summary>
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
        ReadOnlySpan<float> bias = default
    )
    {
        CheckMatrix(a, m, k, lda, "A");
        if (!bias.IsEmpty && bias.Length < (long)panels * panelWidth)
            throw new ArgumentException(
                $"Gemm: the bias has {bias.Length} values but {panels} panels of {panelWidth} columns need {(long)panels * panelWidth}."
            );
        CheckMatrix(b, k, panels * panelWidth, ldb, "B");
        CheckPanels(c, m, panelWidth, ldc, panelStride, panels, "C", written: true);
        if (m == 0 || panelWidth == 0 || panels == 0)
            return;
        if (!PanelsFit(path, panelWidth, k))
        {
            for (int q = 0; q < panels; q++)
            {
                var cq = c[(q * panelStride)..];
                MatMul(a, lda, b[(q * panelWidth)..], ldb, cq, ldc, m, k, panelWidth, accumulate, path);
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
            Avx512Panels(pa, lda, 1, 0, k, pb, ldb, pc, ldc, panels, panelStride, panelWidth, m, accumulate, pbias);
    }

    /// <summary>
    /// Whether one sweep of AVX-512 tiles does the product: whole 16-float columns and a contraction the
    /// plain product would not split into blocks (so the sums' order is the same either way).
    /// </summary>
    private static bool PanelsFit(Path path, int width, int depth) =>
        path == Path.Avx512 && width % 16 == 0 && depth <= ContractionBlock + ContractionBlock / 2;

    /// <summary>
    /// Panel of C by panel of C (one, when A has the panels), row strips of 8 and then the rest, each
    /// strip across the panel's 32/16-column tiles. (Sweeping every panel per strip instead measured
    /// slower: panels T·n·u floats apart alias in the store buffer, each tile's loads of C waiting on
    /// the stores of the tile before.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512Panels(
        float* a,
        nint lda,
        int aPanels,
        nint aPanelJump,
        int depth,
        float* b,
        nint ldb,
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
            float* bq = b + q * width;
            float* cq = c + q * cPanelJump;
            float* biasq = Offset(bias, q * width);
            int i = 0;
            for (; i + TileRows512 <= rows; i += TileRows512)
                Avx512PanelStrip<Rows8>(
                    a + i * lda,
                    lda,
                    aPanels,
                    aPanelJump,
                    depth,
                    bq,
                    ldb,
                    cq + i * ldc,
                    ldc,
                    width,
                    load,
                    biasq
                );
            float* ai = a + i * lda;
            float* ci = cq + i * ldc;
            switch (rows - i)
            {
                case 1:
                    Avx512PanelStrip<Rows1>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 2:
                    Avx512PanelStrip<Rows2>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 3:
                    Avx512PanelStrip<Rows3>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 4:
                    Avx512PanelStrip<Rows4>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 5:
                    Avx512PanelStrip<Rows5>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 6:
                    Avx512PanelStrip<Rows6>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
                case 7:
                    Avx512PanelStrip<Rows7>(ai, lda, aPanels, aPanelJump, depth, bq, ldb, ci, ldc, width, load, biasq);
                    break;
            }
        }
    }

    /// <summary>One strip of rows across one panel of C, its tiles walking every panel of A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Avx512PanelStrip<TRows>(
        float* a,
        nint lda,
        int aPanels,
        nint aPanelJump,
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
        int j = 0;
        for (; j + 32 <= width; j += 32)
            Avx512Tile<TRows, Columns32>(
                a,
                lda,
                1,
                b + j,
                ldb,
                c + j,
                ldc,
                depth,
                load,
                aPanels,
                aPanelJump,
                Offset(bias, j)
            );
        if (j < width)
            Avx512Tile<TRows, Columns16>(
                a,
                lda,
                1,
                b + j,
                ldb,
                c + j,
                ldc,
                depth,
                load,
                aPanels,
                aPanelJump,
                Offset(bias, j)
            );
    }

    private static unsafe float* Offset(float* pointer, int offset) => pointer == null ? null : pointer + offset;

    private static void CheckPanels(
        ReadOnlySpan<float> span,
        int rows,
        int cols,
        int ld,
        int panelStride,
        int panels,
        string name,
        bool written
    )
    {
        if (panels < 0 || panelStride < 0)
            throw new ArgumentOutOfRangeException(
                nameof(panels),
                $"Gemm: {name} has {panels} panels {panelStride} floats apart; both must be ≥ 0."
            );
        if (panels == 0)
            return;
        if (written && panels > 1 && panelStride < (long)(rows - 1) * ld + cols && rows > 0 && cols > 0)
            throw new ArgumentException(
                $"Gemm: the panels of {name} ({rows}×{cols}, leading dimension {ld}) overlap at {panelStride} floats apart."
            );
        long offset = (long)(panels - 1) * panelStride;
        if (offset > span.Length)
            throw new ArgumentException(
                $"Gemm: {name}'s panel {panels - 1} starts at {offset} but its span has {span.Length} values."
            );
        CheckMatrix(span[(int)offset..], rows, cols, ld, name);
    }
}
