using System.Diagnostics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// A stand-in until the real training loop exists: times only the matrix products one epoch of the
/// recurrent model needs (input projection, the recurrence forward, its backward and the weight
/// gradients), sharded across threads the way the engine shards a batch. No embedding, activations,
/// loss or optimizer — a lower bound on the engine's epoch, and a check of the harness plumbing.
/// <para>Each shard keeps its sequences time-major, (T, rows, ·), so one timestep is a contiguous
/// block and the whole sequence one contiguous matrix of T·rows rows for the input-side products.</para>
/// </summary>
internal sealed class GemmProxyRunner : IEpochRunner
{
    public string Name => "gemm-proxy";

    public string Description =>
        "gemm-proxy: only the GEMMs of one epoch (X·W, h·U per step, dZ·Uᵀ, hᵀ·dZ, Xᵀ·dZ, dZ·Wᵀ), sharded like the engine";

    public int Preference => 0;

    public EpochTiming RunEpoch(RecurrentKind kind, ImdbShapedProblem problem)
    {
        int timesteps = problem.Timesteps,
            input = problem.EmbeddingDim,
            units = problem.Units;
        int width = ImdbShapedProblem.Gates(kind) * units;
        var rng = new SeededRandom(problem.Seed);
        var kernel = Random(input * width, rng);
        var recurrentKernel = Random(units * width, rng);
        int rowsMax = Engine.ShardRows;
        var shards = Enumerable
            .Range(0, Engine.ShardCount(Math.Min(problem.BatchSize, problem.Samples)))
            .Select(_ => new ShardBuffers(timesteps * rowsMax, input, units, width, rng))
            .ToArray();

        var clock = Stopwatch.StartNew();
        for (int start = 0; start < problem.Samples; start += problem.BatchSize)
        {
            int rows = Math.Min(problem.BatchSize, problem.Samples - start);
            Engine.ForEachShard(
                Engine.ShardCount(rows),
                s =>
                {
                    var (first, end) = Engine.ShardRange(rows, s);
                    Shard(shards[s], end - first);
                }
            );
        }
        clock.Stop();
        return new EpochTiming(clock.Elapsed.TotalSeconds);

        void Shard(ShardBuffers b, int count)
        {
            int flat = timesteps * count;
            int step = count * width,
                hStep = count * units;
            // Forward: Z = X·W for the whole sequence at once, then Z_t += h_{t-1}·U step by step.
            Gemm.MatMul(b.X, input, kernel, width, b.Z, width, flat, input, width, false);
            for (int t = 1; t < timesteps; t++)
                Gemm.MatMul(
                    b.H.AsSpan((t - 1) * hStep, hStep),
                    units,
                    recurrentKernel,
                    width,
                    b.Z.AsSpan(t * step, step),
                    width,
                    count,
                    units,
                    width,
                    true
                );
            // Backward through time: dh_{t-1} = dZ_t·Uᵀ, ∂L/∂U += h_{t-1}ᵀ·dZ_t.
            for (int t = timesteps - 1; t >= 1; t--)
            {
                Gemm.MatMulTransposeB(
                    b.Dz.AsSpan(t * step, step),
                    width,
                    recurrentKernel,
                    width,
                    b.Dh,
                    units,
                    count,
                    width,
                    units,
                    false
                );
                Gemm.MatMulTransposeA(
                    b.H.AsSpan((t - 1) * hStep, hStep),
                    units,
                    b.Dz.AsSpan(t * step, step),
                    width,
                    b.DRecurrent,
                    width,
                    count,
                    units,
                    width,
                    true
                );
            }
            // Input side, whole sequence at once: ∂L/∂W += Xᵀ·dZ, ∂L/∂X = dZ·Wᵀ.
            Gemm.MatMulTransposeA(b.X, input, b.Dz, width, b.DKernel, width, flat, input, width, true);
            Gemm.MatMulTransposeB(b.Dz, width, kernel, width, b.Dx, input, flat, width, input, false);
        }
    }

    /// <summary>One shard's sequences, time-major, and its own gradient buffers.</summary>
    private sealed class ShardBuffers(int flatRows, int input, int units, int width, SeededRandom rng)
    {
        public readonly float[] X = Random(flatRows * input, rng);
        public readonly float[] H = Random(flatRows * units, rng);
        public readonly float[] Dz = Random(flatRows * width, rng);
        public readonly float[] Z = new float[flatRows * width];
        public readonly float[] Dx = new float[flatRows * input];
        public readonly float[] Dh = new float[Engine.ShardRows * units];
        public readonly float[] DKernel = new float[input * width];
        public readonly float[] DRecurrent = new float[units * width];
    }

    private static float[] Random(int size, SeededRandom rng)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = rng.Uniform(-0.5f, 0.5f);
        return values;
    }
}
