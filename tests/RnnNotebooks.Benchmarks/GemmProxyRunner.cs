using System.Diagnostics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// A stand-in until the real training loop exists: times only the matrix products one epoch of the
/// recurrent model needs (input projection, the recurrence forward, its backward and the weight
/// gradients), sharded across threads the way the engine shards a batch. No embedding, activations,
/// loss or optimizer — a lower bound on the engine's epoch, and a check of the harness plumbing.
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
        int batch = Math.Min(problem.BatchSize, problem.Samples);
        var rng = new SeededRandom(problem.Seed);
        // Batch-major buffers as the layers keep them: row (b, t) of X, H and Z; one timestep of a
        // shard is then a strided block (leading dimension T·width), read in place.
        var x = Random(batch * timesteps * input, rng);
        var h = Random(batch * timesteps * units, rng);
        var dz = Random(batch * timesteps * width, rng);
        var z = new float[batch * timesteps * width];
        var dx = new float[batch * timesteps * input];
        var kernel = Random(input * width, rng);
        var recurrentKernel = Random(units * width, rng);
        int maxShards = Engine.ShardCount(batch);
        var shardGradients = Enumerable
            .Range(0, maxShards)
            .Select(_ =>
                (
                    Kernel: new float[input * width],
                    Recurrent: new float[units * width],
                    Dh: new float[Engine.ShardRows * 2 * units]
                )
            )
            .ToArray();

        var clock = Stopwatch.StartNew();
        for (int start = 0; start < problem.Samples; start += problem.BatchSize)
        {
            int rows = Math.Min(problem.BatchSize, problem.Samples - start);
            int shards = Engine.ShardCount(rows);
            Engine.ForEachShard(
                shards,
                s =>
                {
                    var (first, end) = Engine.ShardRange(rows, s);
                    var g = shardGradients[s];
                    Shard(first, end - first, g.Kernel, g.Recurrent, g.Dh);
                }
            );
        }
        clock.Stop();
        return new EpochTiming(clock.Elapsed.TotalSeconds);

        void Shard(int first, int count, float[] dKernel, float[] dRecurrent, float[] dh)
        {
            int flat = count * timesteps;
            var xs = x.AsSpan(first * timesteps * input, flat * input);
            var zs = z.AsSpan(first * timesteps * width, flat * width);
            var dzs = dz.AsSpan(first * timesteps * width, flat * width);
            var hs = h.AsSpan(first * timesteps * units, flat * units);
            int ldz = timesteps * width,
                ldh = timesteps * units;
            // Forward: Z = X·W for all timesteps at once, then Z_t += h_{t-1}·U step by step.
            Gemm.MatMul(xs, input, kernel, width, zs, width, flat, input, width, false);
            for (int t = 1; t < timesteps; t++)
                Gemm.MatMul(
                    hs[((t - 1) * units)..],
                    ldh,
                    recurrentKernel,
                    width,
                    zs[(t * width)..],
                    ldz,
                    count,
                    units,
                    width,
                    true
                );
            // Backward through time: dh_{t-1} = dZ_t·Uᵀ, ∂L/∂U += h_{t-1}ᵀ·dZ_t.
            for (int t = timesteps - 1; t >= 1; t--)
            {
                Gemm.MatMulTransposeB(
                    dzs[(t * width)..],
                    ldz,
                    recurrentKernel,
                    width,
                    dh,
                    units,
                    count,
                    width,
                    units,
                    false
                );
                Gemm.MatMulTransposeA(
                    hs[((t - 1) * units)..],
                    ldh,
                    dzs[(t * width)..],
                    ldz,
                    dRecurrent,
                    width,
                    count,
                    units,
                    width,
                    true
                );
            }
            // Input side: ∂L/∂W += Xᵀ·dZ, ∂L/∂X = dZ·Wᵀ over all timesteps at once.
            Gemm.MatMulTransposeA(xs, input, dzs, width, dKernel, width, flat, input, width, true);
            Gemm.MatMulTransposeB(
                dzs,
                width,
                kernel,
                width,
                dx.AsSpan(first * timesteps * input, flat * input),
                input,
                flat,
                width,
                input,
                false
            );
        }
    }

    private static float[] Random(int size, SeededRandom rng)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
            values[i] = rng.Uniform(-0.5f, 0.5f);
        return values;
    }
}
