using System.Diagnostics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>One GEMM shape's single-thread throughput.</summary>
public sealed record GemmResult(string Product, int M, int K, int N, double GflopPerSecond, double MicrosecondsPerCall);

/// <summary>
/// Single-thread GFLOP/s of <see cref="RnnNotebooks.Tensors.Gemm"/> on the shapes an RNN epoch runs:
/// per-step h·U and its backward (B = 32-row shards and 128-row batches, u = 32/64, G·u up to 256),
/// and the whole-sequence input projection and weight gradient ((B·T) × 32 · 32 × 128).
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
        ("A·Bᵀ", 32, 32, 32),
        ("A·Bᵀ", 32, 128, 32),
        ("A·Bᵀ", 128, 128, 32),
        ("A·Bᵀ", 32, 256, 64),
        ("A·Bᵀ", 64_000, 128, 32),
        ("Aᵀ·B", 32, 32, 128),
        ("Aᵀ·B", 128, 32, 128),
        ("Aᵀ·B", 128, 64, 256),
        ("Aᵀ·B", 64_000, 32, 128),
    ];

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
            Action call = product switch
            {
                "A·B" => () => Gemm.MatMul(a, k, b, n, c, n, m, k, n, false),
                "A·Bᵀ" => () => Gemm.MatMulTransposeB(a, k, b, k, c, n, m, k, n, false),
                _ => () => Gemm.MatMulTransposeA(a, k, b, n, c, n, m, k, n, false),
            };
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
            var result = new GemmResult(product, m, k, n, flops / best / 1e9, best * 1e6);
            Console.WriteLine(
                $"{product, -5} m={m, 6} k={k, 4} n={n, 4}  {result.GflopPerSecond, 7:F1} GFLOP/s  {result.MicrosecondsPerCall, 10:F1} µs"
            );
            results.Add(result);
        }
        return results;
    }

    private static float[] Random(int size, SeededRandom rng)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = rng.Uniform(-1f, 1f);
        return values;
    }
}
