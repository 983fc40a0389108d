using System.Diagnostics;
using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// Times, beside the real recurrent layer, the matrix products its forward and backward do over blocks
/// of timesteps, on the same shapes, shards, blocks and threads — without touching the library. The
/// profile subtracts them from the layer's measured times to estimate the per-step part (derived, not
/// measured). The layer interleaves these blocks with its steps (the forward projects a block just
/// before stepping through it); the proxy runs them back to back, so its data is less often in cache
/// than the layer's and the derived rows are estimates.
/// <list type="bullet">
/// <item>Input projection (forward): per shard of n rows and block of timesteps, Z_g = X·W_g for all
/// gates in one product over the gate panels, X read in place in the real batch-major embedding output
/// (one group of n rows per timestep), with the layer's kernel W (kernel shape (d, G·u)).</item>
/// <item>Backward, block by block in increasing time: ∂L/∂W_g += Xᵀ·δ_g (X in place), ∂L/∂U_g +=
/// H_prevᵀ·δ_g, then ∂L/∂X = Σ_g δ_g·W_gᵀ per timestep into a batch-major gradient (stand-in values of
/// the same shapes).</item>
/// </list>
/// Not included (so they fall into the derived "steps" part): the bias (added as the projection's
/// tiles are stored), the kernel transposes and everything per timestep.
/// </summary>
public sealed class RecurrentGemmProxy
{
    private readonly int _steps,
        _inputDim,
        _units,
        _gates;
    private readonly float[] _kernel;
    private readonly float[] _kernelTransposed;
    private readonly Shard[] _shards;
    private readonly Stopwatch _clock = new();

    /// <param name="recurrent">The built recurrent layer; its first parameter is the input kernel W (d, G·u).</param>
    public RecurrentGemmProxy(Layer recurrent, RecurrentKind kind, ImdbShapedProblem problem)
    {
        _steps = problem.Timesteps;
        _inputDim = problem.EmbeddingDim;
        _units = problem.Units;
        _gates = ImdbShapedProblem.Gates(kind);
        int width = _gates * _units;
        _kernel = recurrent.Parameters[0].Value.Data;
        if (_kernel.Length != _inputDim * width)
            throw new InvalidOperationException(
                $"{recurrent.Name}'s first parameter has {_kernel.Length} values, not the input kernel's {_inputDim}×{width}."
            );
        _kernelTransposed = new float[width * _inputDim];
        int rows = _steps * Engine.ShardRows;
        _shards = Enumerable
            .Range(0, Engine.ShardCount(problem.BatchSize))
            .Select(_ => new Shard(rows, problem.BatchSize * _steps, _inputDim, _units, _gates))
            .ToArray();
    }

    /// <summary>Seconds spent in <see cref="Projection"/> so far.</summary>
    public double ProjectionSeconds { get; private set; }

    /// <summary>Seconds spent in <see cref="BackwardProducts"/> so far.</summary>
    public double BackwardSeconds { get; private set; }

    /// <summary>
    /// The input projection of a batch: per shard and block of timesteps, Z_g = X·W_g for every gate in
    /// one product over the gates' panels, x read in place in the batch-major embedding output (a
    /// group of n rows per timestep), as the layer does.
    /// </summary>
    public void Projection(Tensor embedded)
    {
        int batch = embedded.Shape[0];
        _clock.Restart();
        Engine.ForEachShard(
            Engine.ShardCount(batch),
            i =>
            {
                var (start, end) = Engine.ShardRange(batch, i);
                int n = end - start,
                    rows = n * _steps,
                    rowStride = _steps * _inputDim;
                var z = _shards[i].Deltas;
                foreach (var (first, count) in Blocks(n))
                    Gemm.MatMulIntoPanelsOfC(
                        embedded.Data.AsSpan((start * _steps + first) * _inputDim),
                        rowStride,
                        _kernel,
                        _gates * _units,
                        z.AsSpan(first * n * _units),
                        _units,
                        rows * _units,
                        _gates,
                        n,
                        _inputDim,
                        _units,
                        false,
                        Gemm.BestPath,
                        groups: count,
                        aGroupJump: _inputDim,
                        cGroupJump: n * _units
                    );
            }
        );
        _clock.Stop();
        ProjectionSeconds += _clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The backward pass's block products of a batch of <paramref name="batch"/> rows, block by block in
    /// increasing time, as the layer does them: ∂L/∂W_g over the block's timesteps (x in place),
    /// ∂L/∂U_g, then ∂L/∂x = Σ_g δ_g·W_gᵀ per timestep into the batch-major gradient.
    /// </summary>
    public void BackwardProducts(int batch)
    {
        int width = _gates * _units;
        _clock.Restart();
        Engine.ForEachShard(
            Engine.ShardCount(batch),
            i =>
            {
                var (start, end) = Engine.ShardRange(batch, i);
                int n = end - start,
                    rows = n * _steps,
                    rowStride = _steps * _inputDim;
                var s = _shards[i];
                foreach (var (first, count) in Blocks(n))
                {
                    var inputs = s.Inputs.AsSpan(start * rowStride + first * _inputDim);
                    for (int g = 0; g < _gates; g++)
                    {
                        var delta = s.Deltas.AsSpan(g * rows * _units + first * n * _units, count * n * _units);
                        Gemm.MatMulTransposeAOverPanels(
                            inputs,
                            rowStride,
                            _inputDim,
                            count,
                            delta,
                            _units,
                            s.KernelGradient.AsSpan(g * _units),
                            width,
                            n,
                            _inputDim,
                            _units,
                            first > 0,
                            Gemm.BestPath
                        );
                        Gemm.MatMulTransposeA(
                            s.PreviousStates.AsSpan(first * n * _units, count * n * _units),
                            _units,
                            delta,
                            _units,
                            s.RecurrentGradient.AsSpan(g * _units),
                            width,
                            count * n,
                            _units,
                            _units,
                            first > 0
                        );
                    }
                    Gemm.MatMulOverPanelsOfA(
                        s.Deltas.AsSpan(first * n * _units),
                        _units,
                        rows * _units,
                        _gates,
                        _kernelTransposed,
                        _inputDim,
                        s.InputGradient.AsSpan(start * rowStride + first * _inputDim),
                        rowStride,
                        n,
                        _units,
                        _inputDim,
                        false,
                        Gemm.BestPath,
                        groups: count,
                        aGroupJump: n * _units,
                        cGroupJump: _inputDim
                    );
                }
            }
        );
        _clock.Stop();
        BackwardSeconds += _clock.Elapsed.TotalSeconds;
    }

    /// <summary>The layer's blocks of timesteps for a shard of n rows: (first timestep, count).</summary>
    private IEnumerable<(int First, int Count)> Blocks(int n)
    {
        int blockSteps = Math.Max(1, RecurrentLayer.DefaultBlockRows / n);
        for (int t = 0; t < _steps; t += blockSteps)
            yield return (t, Math.Min(blockSteps, _steps - t));
    }

    /// <summary>
    /// One shard's operands: T·n rows each (n ≤ Engine.ShardRows), and stand-ins for the batch-major
    /// (batch, T, d) input and input gradient the layer reads and writes in place.
    /// </summary>
    private sealed class Shard(int rows, int batchRows, int inputDim, int units, int gates)
    {
        public readonly float[] Deltas = Filled(rows * units * gates);
        public readonly float[] Inputs = Filled(batchRows * inputDim);
        public readonly float[] InputGradient = new float[batchRows * inputDim];
        public readonly float[] PreviousStates = Filled(rows * units);
        public readonly float[] KernelGradient = new float[inputDim * units * gates];
        public readonly float[] RecurrentGradient = new float[units * units * gates];

        /// <summary>Ordinary values (never subnormal, which would slow the products down).</summary>
        private static float[] Filled(int size)
        {
            var values = new float[size];
            var rng = new SeededRandom((ulong)size);
            for (int i = 0; i < size; i++)
                values[i] = rng.Uniform(-0.5f, 0.5f);
            return values;
        }
    }
}
