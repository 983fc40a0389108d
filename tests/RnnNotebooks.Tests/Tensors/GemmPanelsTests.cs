using System.Runtime.Intrinsics.X86;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Tensors;

/// <summary>
/// The products over panels (the gate blocks of one timestep, far apart in a recurrent layer's gate
/// buffer) against what they replace: one MatMul per panel. Every shape must give the same bits, on
/// every path, whether or not the AVX-512 panel sweep takes it (16-column multiples, short
/// contractions) or it falls back to the calls themselves.
/// </summary>
public class GemmPanelsTests
{
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string> { "Scalar", "Vector128" };
        if (Avx2.IsSupported && Fma.IsSupported)
            data.Add("Avx2Fma");
        if (Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && Fma.IsSupported)
            data.Add("Avx512");
        return data;
    }

    private static readonly int[] Rows = [1, 5, 8, 13, 32, 33];
    private static readonly int[] Depths = [1, 12, 32, 70, 200];
    private static readonly int[] Widths = [8, 12, 16, 32, 48, 64];
    private static readonly int[] PanelCounts = [1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(Paths))]
    public void OverPanelsOfAEqualsOneAccumulatingCallPerPanel(string pathName)
    {
        var path = Enum.Parse<Gemm.Path>(pathName);
        var rng = new Random(5);
        foreach (int m in Rows)
        foreach (int k in Depths)
        foreach (int n in Widths)
        foreach (int panels in PanelCounts)
        foreach (bool accumulate in new[] { false, true })
        {
            int lda = k + 3,
                ldc = n + 1,
                panelStride = m * lda + 7;
            var a = RandomArray(panels * panelStride, rng);
            var b = RandomArray(panels * k * n, rng);
            var start = RandomArray(m * ldc, rng);
            var expected = (float[])start.Clone();
            for (int q = 0; q < panels; q++)
                Gemm.MatMul(
                    a.AsSpan(q * panelStride),
                    lda,
                    b.AsSpan(q * k * n),
                    n,
                    expected,
                    ldc,
                    m,
                    k,
                    n,
                    accumulate || q > 0,
                    path
                );
            var actual = (float[])start.Clone();
            Gemm.MatMulOverPanelsOfA(a, lda, panelStride, panels, b, n, actual, ldc, m, k, n, accumulate, path);
            Assert.True(
                expected.AsSpan().SequenceEqual(actual),
                $"{pathName}: m {m}, k {k}, n {n}, {panels} panels, accumulate {accumulate}: the bits differ from one call per panel"
            );
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void IntoPanelsOfCEqualsOneCallPerPanelThenTheBias(string pathName)
    {
        var path = Enum.Parse<Gemm.Path>(pathName);
        var rng = new Random(6);
        foreach (int m in Rows)
        foreach (int k in Depths)
        foreach (int width in Widths)
        foreach (int panels in PanelCounts)
        foreach (bool accumulate in new[] { false, true })
        foreach (bool withBias in new[] { false, true })
        {
            int lda = k + 2,
                ldb = panels * width + 5,
                ldc = width + 3,
                panelStride = m * ldc + 11;
            var a = RandomArray(m * lda, rng);
            var b = RandomArray(k * ldb, rng);
            var bias = withBias ? RandomArray(panels * width, rng) : [];
            // Values between and after the panels must come through untouched.
            var start = RandomArray(panels * panelStride, rng);
            var expected = (float[])start.Clone();
            for (int q = 0; q < panels; q++)
            {
                var cq = expected.AsSpan(q * panelStride);
                Gemm.MatMul(a, lda, b.AsSpan(q * width), ldb, cq, ldc, m, k, width, accumulate, path);
                if (withBias)
                    for (int i = 0; i < m; i++)
                    for (int j = 0; j < width; j++)
                        cq[i * ldc + j] += bias[q * width + j];
            }
            var actual = (float[])start.Clone();
            Gemm.MatMulIntoPanelsOfC(
                a,
                lda,
                b,
                ldb,
                actual,
                ldc,
                panelStride,
                panels,
                m,
                k,
                width,
                accumulate,
                path,
                bias
            );
            Assert.True(
                expected.AsSpan().SequenceEqual(actual),
                $"{pathName}: m {m}, k {k}, width {width}, {panels} panels, accumulate {accumulate}, bias {withBias}: "
                    + "the bits differ from one call per panel and the bias added after"
            );
        }
    }

    [Fact]
    public void ABiasShorterThanThePanelsIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.MatMulIntoPanelsOfC(
                new float[16],
                4,
                new float[32],
                8,
                new float[64],
                4,
                32,
                2,
                4,
                4,
                4,
                false,
                Gemm.BestPath,
                new float[7]
            )
        );
        Assert.Contains("bias", error.Message);
    }

    /// <summary>
    /// The recurrent layer's use: a block of timesteps as groups, x read in place in a batch-major
    /// (rows, T, I) tensor (a group's rows T·I apart, the next group I on), the projection into the gate
    /// panels and ∂L/∂x out of them, and the weight gradient over the same rows as pieces of Xᵀ.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void BatchMajorGroupsAndPiecesEqualOneCallEach(string pathName)
    {
        var path = Enum.Parse<Gemm.Path>(pathName);
        var rng = new Random(7);
        foreach (int rows in new[] { 1, 8, 13, 32 })
        foreach (int inputDim in new[] { 3, 16, 32, 40 })
        foreach (int units in new[] { 12, 16, 32 })
        foreach (int steps in new[] { 1, 5 })
        foreach (int gates in new[] { 1, 3, 4 })
        {
            int totalSteps = steps + 2,
                rowStride = totalSteps * inputDim,
                block = rows * units,
                gateStride = steps * block + 5;
            var x = RandomArray(rows * rowStride, rng);
            var w = RandomArray(inputDim * gates * units, rng);
            var wT = RandomArray(gates * units * inputDim, rng);
            var bias = RandomArray(gates * units, rng);
            const int first = 1; // the block starts at timestep 1 of the tensor

            // Projection: x_t · W + b into each gate's block of step t.
            var expected = RandomArray((gates - 1) * gateStride + steps * block, rng);
            var actual = (float[])expected.Clone();
            for (int t = 0; t < steps; t++)
            for (int g = 0; g < gates; g++)
            {
                var cg = expected.AsSpan(g * gateStride + t * block);
                Gemm.MatMul(
                    x.AsSpan((first + t) * inputDim),
                    rowStride,
                    w.AsSpan(g * units),
                    gates * units,
                    cg,
                    units,
                    rows,
                    inputDim,
                    units,
                    false,
                    path
                );
                for (int i = 0; i < rows; i++)
                for (int j = 0; j < units; j++)
                    cg[i * units + j] += bias[g * units + j];
            }
            Gemm.MatMulIntoPanelsOfC(
                x.AsSpan(first * inputDim),
                rowStride,
                w,
                gates * units,
                actual,
                units,
                gateStride,
                gates,
                rows,
                inputDim,
                units,
                false,
                path,
                bias,
                steps,
                inputDim,
                block
            );
            Assert.True(
                expected.AsSpan().SequenceEqual(actual),
                $"{pathName} projection: {rows} rows, I {inputDim}, u {units}, {steps} steps, {gates} gates"
            );

            // ∂L/∂x_t = Σ_g δ_g · W_gᵀ into the batch-major gradient; the values of other timesteps stay.
            var deltas = actual;
            var dxExpected = RandomArray(rows * rowStride, rng);
            var dxActual = (float[])dxExpected.Clone();
            for (int t = 0; t < steps; t++)
            for (int g = 0; g < gates; g++)
                Gemm.MatMul(
                    deltas.AsSpan(g * gateStride + t * block),
                    units,
                    wT.AsSpan(g * units * inputDim),
                    inputDim,
                    dxExpected.AsSpan((first + t) * inputDim),
                    rowStride,
                    rows,
                    units,
                    inputDim,
                    g > 0,
                    path
                );
            Gemm.MatMulOverPanelsOfA(
                deltas,
                units,
                gateStride,
                gates,
                wT,
                inputDim,
                dxActual.AsSpan(first * inputDim),
                rowStride,
                rows,
                units,
                inputDim,
                false,
                path,
                steps,
                block,
                inputDim
            );
            Assert.True(
                dxExpected.AsSpan().SequenceEqual(dxActual),
                $"{pathName} ∂x: {rows} rows, I {inputDim}, u {units}, {steps} steps, {gates} gates"
            );

            // ∂L/∂W_g = Σ_t x_tᵀ · δ_{g,t}, accumulating onto what is there, one chain over the rows.
            var kgExpected = RandomArray(inputDim * units, rng);
            var kgActual = (float[])kgExpected.Clone();
            var slab = deltas.AsSpan((gates - 1) * gateStride, steps * block);
            for (int t = 0; t < steps; t++)
                Gemm.MatMulTransposeA(
                    x.AsSpan((first + t) * inputDim),
                    rowStride,
                    slab[(t * block)..],
                    units,
                    kgExpected,
                    units,
                    rows,
                    inputDim,
                    units,
                    true,
                    path
                );
            Gemm.MatMulTransposeAOverPanels(
                x.AsSpan(first * inputDim),
                rowStride,
                inputDim,
                steps,
                slab,
                units,
                kgActual,
                units,
                rows,
                inputDim,
                units,
                true,
                path
            );
            Assert.True(
                kgExpected.AsSpan().SequenceEqual(kgActual),
                $"{pathName} ∂W: {rows} rows, I {inputDim}, u {units}, {steps} steps"
            );
        }
    }

    [Fact]
    public void OverlappingPanelsOfCAreRejectedBeforeAnythingIsWritten()
    {
        var a = new float[4 * 4];
        var b = new float[4 * 8];
        var c = Enumerable.Repeat(3f, 40).ToArray();
        // Two 4 × 4 panels (leading dimension 4) need 16 floats each; 10 apart they overlap.
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.MatMulIntoPanelsOfC(a, 4, b, 8, c, 4, 10, 2, 4, 4, 4, false, Gemm.BestPath)
        );
        Assert.Contains("overlap", error.Message);
        Assert.All(c, value => Assert.Equal(3f, value));
    }

    [Fact]
    public void ALastPanelPastTheSpanIsRejected()
    {
        var a = new float[2 * 20 + 10];
        var b = new float[3 * 4 * 4];
        var c = new float[4 * 4];
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.MatMulOverPanelsOfA(a, 4, 20, 3, b, 4, c, 4, 4, 4, 4, false, Gemm.BestPath)
        );
        Assert.Contains("A", error.Message);
    }

    [Fact]
    public void NegativePanelCountsAreRejected()
    {
        var buffer = new float[64];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.MatMulOverPanelsOfA(buffer, 4, 16, -1, buffer, 4, new float[16], 4, 4, 4, 4, false, Gemm.BestPath)
        );
    }

    private static float[] RandomArray(int size, Random rng)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }
}
