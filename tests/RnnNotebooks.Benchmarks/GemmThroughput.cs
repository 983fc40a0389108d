using System.Diagnostics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>One GEMM shape's single-thread throughput on one instruction path.</summary>
public sealed record GemmResult(
    string Product,
    int M,
    int K,
    int N,
    string Path,
    double GflopPerSecond,
    double MicrosecondsPerCall
);

/// <summary>
/// Single-thread GFLOP/s of <see cref="RnnNotebooks.Tensors.Gemm"/> on the shapes an RNN epoch runs:
/// per-step h·U and its backward (B = 32-row shards and 128-row batches, u = 32/64, G·u up to 256),
/// the whole-sequence input projection and weight gradient ((B·T) × 32 · 32 × 128), and one gate of one
/// 32-row shard over 500 steps (16,000 × 32 · 32 × 32). Each shape runs on the machine's best path and,
/// where that is AVX-512, on the AVX2 path too, so the two are compared in the same run.
/// </summary>
public static class GemmThroughput
{
    private static readonly (string Product, int M, int K, int N)[] Shapes =
    [
        ("A·B", 32, 32, 32),
        ("A·B", 32, 32, 96),
        ("A·B", 32, 32, 128),
        ("A·B", 32, 64, 256),
        ("A·B", 128, 32, 128),
        ("A·B", 128, 64, 256),
        ("A·B", 64_000, 32, 128),
        ("A·B", 16_000, 32, 32),
        ("A·Bᵀ", 32, 32, 32),
        ("A·Bᵀ", 32, 128, 32),
        ("A·Bᵀ", 128, 128, 32),
        ("A·Bᵀ", 32, 256, 64),
        ("A·Bᵀ", 64_000, 128, 32),
        ("Aᵀ·B", 32, 32, 128),
        ("Aᵀ·B", 128, 32, 128),
        ("Aᵀ·B", 128, 64, 256),
        ("Aᵀ·B", 64_000, 32, 128),
        ("Aᵀ·B", 16_000, 32, 32),
    ];

    /// <summary>The paths measured: the best one, and AVX2 beside AVX-512.</summary>
    private static Gemm.Path[] Paths =>
        Gemm.BestPath == Gemm.Path.Avx512 ? [Gemm.Path.Avx2Fma, Gemm.Path.Avx512] : [Gemm.BestPath];

    public static List<GemmResult> Run()
    {
        var rng = new SeededRandom(7);
        var results = new List<GemmResult>();
        foreach (var (product, m, k, n) in Shapes)
        {
            var (aSize, bSize, cSize) = product switch
            {
                "A·B" => (m * k, k * n, m * n),
                "A·Bᵀ" => (m * k, n * k, m * n),
                _ => (m * k, m * n, k * n),
            };
            var a = Random(aSize, rng);
            var b = Random(bSize, rng);
            var c = new float[cSize];
            var line = $"{product, -5} m={m, 6} k={k, 4} n={n, 4}";
            double? first = null;
            foreach (var path in Paths)
            {
                Action call = product switch
                {
                    "A·B" => () => Gemm.MatMul(a, k, b, n, c, n, m, k, n, false, path),
                    "A·Bᵀ" => () => Gemm.MatMulTransposeB(a, k, b, k, c, n, m, k, n, false, path),
                    _ => () => Gemm.MatMulTransposeA(a, k, b, n, c, n, m, k, n, false, path),
                };
                var result = Measure(product, m, k, n, path, call);
                line += $"  {path, -7} {result.GflopPerSecond, 6:F1} GFLOP/s {result.MicrosecondsPerCall, 9:F1} µs";
                if (first is { } baseline)
                    line += $"  ×{result.GflopPerSecond / baseline:F2}";
                first ??= result.GflopPerSecond;
                results.Add(result);
            }
            Console.WriteLine(line);
        }
        return results;
    }

    private static GemmResult Measure(string product, int m, int k, int n, Gemm.Path path, Action call)
    {
        double flops = 2.0 * m * k * n;
        int calls = Math.Max(1, (int)(2e7 / flops));
        for (int i = 0; i < Math.Min(calls, 100); i++)
            call();
        double best = double.MaxValue;
        for (int trial = 0; trial < 15; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
                call();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / calls);
        }
        return new GemmResult(product, m, k, n, path.ToString(), flops / best / 1e9, best * 1e6);
    }

    private static float[] Random(int size, SeededRandom rng)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = rng.Uniform(-1f, 1f);
        return values;
    }
}
