using System.Runtime.Intrinsics.X86;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Tensors;

public class GemmTests
{
    public enum Product
    {
        MatMul,
        TransposeB,
        TransposeA,
    }

    /// <summary>Every instruction path this machine can run (AVX2 + FMA and AVX-512 only where the CPU has them).</summary>
    public static TheoryData<Product, string, bool> Cases()
    {
        var data = new TheoryData<Product, string, bool>();
        var paths = new List<string> { "Scalar", "Vector128" };
        if (Avx2.IsSupported && Fma.IsSupported)
            paths.Add("Avx2Fma");
        if (Avx512Supported)
            paths.Add("Avx512");
        foreach (var product in Enum.GetValues<Product>())
        foreach (var path in paths)
        foreach (var accumulate in new[] { false, true })
            data.Add(product, path, accumulate);
        return data;
    }

    private static bool Avx512Supported =>
        Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && Fma.IsSupported;

    private static readonly int[] RowCounts = [1, 2, 3, 4, 5, 6, 7, 8, 13, 16, 32, 33, 70];
    private static readonly int[] ColumnCounts = [1, 3, 7, 8, 9, 15, 16, 17, 24, 32, 33, 48, 70];
    private static readonly int[] Depths = [1, 2, 8, 31, 70];

    /// <summary>Shapes that cross the blocking limits: long contractions, many rows, wide B blocks.</summary>
    private static readonly (int M, int K, int N)[] LargeShapes =
    [
        (300, 40, 37),
        (9, 1000, 20),
        (1000, 10, 130),
        (260, 70, 140),
    ];

    private static IEnumerable<(int M, int K, int N)> Shapes()
    {
        foreach (int m in RowCounts)
        foreach (int k in Depths)
        foreach (int n in ColumnCounts)
            yield return (m, k, n);
        foreach (var shape in LargeShapes)
            yield return shape;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDoublePrecisionReference(Product product, string path, bool accumulate)
    {
        var rng = new Random(1234);
        foreach (var (m, k, n) in Shapes())
        {
            var run = Run.Create(product, m, k, n, Padding(m, k, n), rng);
            run.Execute(Enum.Parse<Gemm.Path>(path), accumulate);
            run.CheckAgainstDoubleReference(accumulate);
            run.CheckUntouchedOutsideC();
        }
    }

    /// <summary>
    /// The documented contract: each C[i,j] is one chain over p = 0, 1, … (fused multiply-adds on
    /// the AVX2 path, multiply then add elsewhere), so it equals that chain bit for bit whatever the
    /// shape, tiling or blocking.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EqualsTheInOrderChainBitForBit(Product product, string path, bool accumulate)
    {
        var rng = new Random(99);
        var gemmPath = Enum.Parse<Gemm.Path>(path);
        foreach (var (m, k, n) in Shapes())
        {
            var run = Run.Create(product, m, k, n, Padding(m, k, n), rng);
            run.Execute(gemmPath, accumulate);
            run.CheckAgainstChain(accumulate, fused: gemmPath is Gemm.Path.Avx2Fma or Gemm.Path.Avx512);
        }
    }

    /// <summary>
    /// The AVX-512 tiles (8 rows × 32 columns, the ragged right edge handed to AVX2) give the AVX2
    /// path's bits exactly, so a machine with AVX-512 trains to the same weights as one without.
    /// </summary>
    [Theory]
    [InlineData(Product.MatMul)]
    [InlineData(Product.TransposeB)]
    [InlineData(Product.TransposeA)]
    public void Avx512GivesTheAvx2PathsBits(Product product)
    {
        if (!Avx512Supported)
            return;
        var rng = new Random(17);
        foreach (var (m, k, n) in Shapes())
        foreach (var accumulate in new[] { false, true })
        {
            var run = Run.Create(product, m, k, n, Padding(m, k, n), rng);
            run.Execute(Gemm.Path.Avx512, accumulate);
            var wide = run.C.ToArray();
            run.Execute(Gemm.Path.Avx2Fma, accumulate);
            wide.Should().Equal(run.C, $"{product} {m}×{k}×{n}, accumulate {accumulate}");
        }
    }

    [Theory]
    [InlineData(Product.MatMul)]
    [InlineData(Product.TransposeB)]
    [InlineData(Product.TransposeA)]
    public void RepeatedCallsGiveIdenticalNumbers(Product product)
    {
        var run = Run.Create(product, 70, 33, 47, 3, new Random(5));
        run.Execute(Gemm.BestPath, accumulate: false);
        var first = run.C.ToArray();
        for (int repeat = 0; repeat < 3; repeat++)
        {
            run.Execute(Gemm.BestPath, accumulate: false);
            run.C.Should().Equal(first);
        }
    }

    [Fact]
    public void ARowGivesTheSameBitsAloneOrInsideABatch()
    {
        const int m = 37,
            k = 29,
            n = 53;
        var rng = new Random(3);
        var a = RandomArray(m * k, rng);
        var b = RandomArray(k * n, rng);
        var whole = new float[m * n];
        Gemm.MatMul(a, k, b, n, whole, n, m, k, n, accumulate: false);
        for (int i = 0; i < m; i++)
        {
            var single = new float[n];
            Gemm.MatMul(a.AsSpan(i * k, k), k, b, n, single, n, 1, k, n, accumulate: false);
            single.Should().Equal(whole.AsSpan(i * n, n).ToArray(), $"row {i}");
        }
    }

    [Fact]
    public void ThreadsEachUseTheirOwnPackBuffer()
    {
        var runs = Enumerable
            .Range(0, 16)
            .Select(i => Run.Create(Product.TransposeB, 20 + i, 30 + 2 * i, 10 + 3 * i, i % 3, new Random(i)))
            .ToArray();
        Parallel.For(
            0,
            runs.Length * 8,
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => runs[i % runs.Length].Execute(Gemm.BestPath, accumulate: false)
        );
        foreach (var run in runs)
            run.CheckAgainstDoubleReference(accumulate: false);
    }

    [Fact]
    public void ZeroDepthClearsOrKeepsC()
    {
        var c = new[] { 1f, 2f, 3f, 4f };
        Gemm.MatMul([], 0, [], 2, c, 2, 2, 0, 2, accumulate: true);
        c.Should().Equal(1f, 2f, 3f, 4f);
        Gemm.MatMul([], 0, [], 2, c, 2, 2, 0, 2, accumulate: false);
        c.Should().Equal(0f, 0f, 0f, 0f);
    }

    [Fact]
    public void EmptyOutputsDoNothing()
    {
        var c = new[] { 7f };
        Gemm.MatMul([], 3, [1f, 2f, 3f], 1, c, 1, 0, 3, 1, accumulate: false);
        Gemm.MatMulTransposeA([], 3, [], 0, c, 0, 0, 3, 0, accumulate: false);
        c.Should().Equal(7f);
    }

    [Fact]
    public void ShortSpansAreRejectedBeforeAnythingIsWritten()
    {
        var a = new float[2 * 3];
        var b = new float[3 * 4];
        var c = Enumerable.Repeat(5f, 2 * 4).ToArray();
        var shortA = () => Gemm.MatMul(a.AsSpan(0, 5), 3, b, 4, c, 4, 2, 3, 4, accumulate: false);
        shortA.Should().Throw<ArgumentException>().WithMessage("*A (2×3, leading dimension 3) needs 6 values*5*");
        var shortB = () => Gemm.MatMulTransposeB(a, 3, b.AsSpan(0, 11), 3, c, 4, 2, 3, 4, accumulate: false);
        shortB.Should().Throw<ArgumentException>().WithMessage("*B (4×3, leading dimension 3) needs 12 values*");
        var shortC = () =>
            Gemm.MatMulTransposeA(a, 3, b.AsSpan(0, 8), 4, c.AsSpan(0, 5), 2, 2, 3, 2, accumulate: false);
        shortC
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*C (3×2, leading dimension 2) needs 6 values but its span has 5*");
        c.Should().OnlyContain(v => v == 5f);
    }

    [Fact]
    public void LeadingDimensionsNarrowerThanRowsAreRejected()
    {
        var a = new float[16];
        var act = () => Gemm.MatMul(a, 2, a, 4, a.AsSpan(0, 8), 4, 2, 3, 4, accumulate: false);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*A has 3 columns but leading dimension 2*");
        var negative = () => Gemm.MatMul(a, 3, a, 4, a, 4, -1, 3, 4, accumulate: false);
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*m = -1*");
    }

    private static int Padding(int m, int k, int n) => (m + k + n) % 3 == 0 ? 0 : (m + 2 * n) % 5 + 1;

    private static float[] RandomArray(int size, Random rng)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>
    /// One product's operands, each an exactly sized window of a larger array: the gaps between rows
    /// (leading dimension > width) and the guards either side hold NaN in A and B, so reading any of
    /// them would poison C, and a sentinel in C, so any write outside C's rows shows.
    /// </summary>
    private sealed class Run
    {
        private const float Sentinel = 12345.5f;

        private Product _product;
        private int _m,
            _k,
            _n;
        private Window _a = null!,
            _b = null!,
            _c = null!;
        private float[] _initialC = null!;

        public float[] C => _c.Array;

        public static Run Create(Product product, int m, int k, int n, int padding, Random rng)
        {
            var (aRows, aCols) = (m, k);
            var (bRows, bCols) = product switch
            {
                Product.MatMul => (k, n),
                Product.TransposeB => (n, k),
                _ => (m, n),
            };
            var (cRows, cCols) = product == Product.TransposeA ? (k, n) : (m, n);
            var run = new Run
            {
                _product = product,
                _m = m,
                _k = k,
                _n = n,
                _a = Window.Create(aRows, aCols, aCols + padding, float.NaN, rng),
                _b = Window.Create(bRows, bCols, bCols + (padding + 1) % 4, float.NaN, rng),
                _c = Window.Create(cRows, cCols, cCols + padding % 2, Sentinel, rng),
            };
            run._initialC = run._c.Array.ToArray();
            return run;
        }

        public void Execute(Gemm.Path path, bool accumulate)
        {
            _initialC.CopyTo(_c.Array, 0);
            var a = _a.Span;
            var b = _b.Span;
            var c = _c.Array.AsSpan(_c.Offset, _c.Length);
            switch (_product)
            {
                case Product.MatMul:
                    Gemm.MatMul(a, _a.Ld, b, _b.Ld, c, _c.Ld, _m, _k, _n, accumulate, path);
                    break;
                case Product.TransposeB:
                    Gemm.MatMulTransposeB(a, _a.Ld, b, _b.Ld, c, _c.Ld, _m, _k, _n, accumulate, path);
                    break;
                default:
                    Gemm.MatMulTransposeA(a, _a.Ld, b, _b.Ld, c, _c.Ld, _m, _k, _n, accumulate, path);
                    break;
            }
        }

        private string Describe() => $"{_product} m={_m} k={_k} n={_n} lda={_a.Ld} ldb={_b.Ld} ldc={_c.Ld}";

        private (int Rows, int Depth, int Columns) OutputShape() =>
            _product == Product.TransposeA ? (_k, _m, _n) : (_m, _k, _n);

        private float X(int r, int d) => _product == Product.TransposeA ? _a.At(d, r) : _a.At(r, d);

        private float Y(int d, int j) => _product == Product.TransposeB ? _b.At(j, d) : _b.At(d, j);

        public void CheckAgainstDoubleReference(bool accumulate)
        {
            var (rows, depth, columns) = OutputShape();
            for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
            {
                double start = accumulate ? _initialC[_c.Index(r, j)] : 0.0;
                double sum = start,
                    magnitude = Math.Abs(start);
                for (int d = 0; d < depth; d++)
                {
                    double term = (double)X(r, d) * Y(d, j);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                double got = _c.At(r, j);
                if (!(Math.Abs(got - sum) <= 1e-5 * magnitude + 1e-30))
                    throw new Xunit.Sdk.XunitException(
                        $"{Describe()}: C[{r},{j}] = {got} but the double reference is {sum} (Σ|terms| = {magnitude})"
                    );
            }
        }

        public void CheckAgainstChain(bool accumulate, bool fused)
        {
            var (rows, depth, columns) = OutputShape();
            for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
            {
                float sum = accumulate ? _initialC[_c.Index(r, j)] : 0f;
                for (int d = 0; d < depth; d++)
                    sum = fused ? MathF.FusedMultiplyAdd(X(r, d), Y(d, j), sum) : sum + X(r, d) * Y(d, j);
                float got = _c.At(r, j);
                if (BitConverter.SingleToInt32Bits(got) != BitConverter.SingleToInt32Bits(sum))
                    throw new Xunit.Sdk.XunitException(
                        $"{Describe()}: C[{r},{j}] = {got:R} but the in-order chain gives {sum:R}"
                    );
            }
        }

        public void CheckUntouchedOutsideC()
        {
            var (rows, _, columns) = OutputShape();
            for (int i = 0; i < _c.Array.Length; i++)
            {
                int rel = i - _c.Offset;
                bool inside = rel >= 0 && rel < _c.Length && rel % _c.Ld < columns && rel / _c.Ld < rows;
                if (!inside && _c.Array[i] != _initialC[i])
                    throw new Xunit.Sdk.XunitException($"{Describe()}: wrote outside C at array index {i}");
            }
        }
    }

    private sealed record Window(float[] Array, int Offset, int Length, int Ld)
    {
        public static Window Create(int rows, int cols, int ld, float filler, Random rng)
        {
            const int guard = 19;
            int length = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
            var array = new float[guard + length + guard];
            System.Array.Fill(array, filler);
            for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                array[guard + r * ld + c] = (float)(rng.NextDouble() * 2 - 1);
            return new Window(array, guard, length, ld);
        }

        public ReadOnlySpan<float> Span => Array.AsSpan(Offset, Length);

        public int Index(int r, int c) => Offset + r * Ld + c;

        public float At(int r, int c) => Array[Index(r, c)];
    }
}
