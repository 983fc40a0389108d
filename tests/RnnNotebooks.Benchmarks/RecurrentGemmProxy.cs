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
/// <item>Input projection (forward): per shard of n rows, block of timesteps and gate g,
/// (steps·n, d)·(d, u) → the gate's rows, Z_g = X·W_g, with the real embedding output and the layer's
/// kernel W (kernel shape (d, G·u)).</item>
/// <item>Backward, block by block in increasing time: ∂L/∂W_g += Xᵀ·δ_g, ∂L/∂U_g += H_prevᵀ·δ_g, then
/// ∂L/∂X = Σ_g δ_g·W_gᵀ for the block (stand-in values of the same shapes).</item>
/// </list>
/// Not included (so they fall into the derived "steps" part): the time-major copies, the bias add,
/// the kernel transposes and everything per timestep.
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
            .Select(_ => new Shard(rows, _inputDim, _units, _gates))
            .ToArray();
    }

    /// <summary>Seconds spent in <see cref="Projection"/> so far.</summary>
    public double ProjectionSeconds { get; private set; }

    /// <summary>Seconds spent in <see cref="BackwardProducts"/> so far.</summary>
    public double BackwardSeconds { get; private set; }

    /// <summary>The input projection of a batch: per shard, block of timesteps and gate, Z_g = X·W_g.</summary>
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
                    rows = n * _steps;
                var x = embedded.Data.AsSpan(start * _steps * _inputDim, rows * _inputDim);
                var z = _shards[i].Deltas;
                foreach (var (first, count) in Blocks(n, RecurrentLayer.DefaultBlockRows))
                    for (int g = 0; g < _gates; g++)
                        Gemm.MatMul(
                            x.Slice(first * _inputDim, count * _inputDim),
                            _inputDim,
                            _kernel.AsSpan(g * _units),
                            _gates * _units,
                            z.AsSpan(g * rows * _units + first * _units, count * _units),
                            _units,
                            count,
                            _inputDim,
                            _units,
                            false
                        );
            }
        );
        _clock.Stop();
        ProjectionSeconds += _clock.Elapsed.TotalSeconds;
    }

    /// <summary>The backward pass's products of a batch of <paramref name="batch"/> rows, block by block.</summary>
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
                    rows = n * _steps;
                var s = _shards[i];
                foreach (var (first, count) in Blocks(n, RecurrentLayer.DefaultBlockRows))
                {
                    var inputs = s.Inputs.AsSpan(first * _inputDim, count * _inputDim);
                    for (int g = 0; g < _gates; g++)
                    {
                        var delta = s.Deltas.AsSpan(g * rows * _units + first * _units, count * _units);
                        Gemm.MatMulTransposeA(
                            inputs,
                            _inputDim,
                            delta,
                            _units,
                            s.KernelGradient.AsSpan(g * _units),
                            width,
                            count,
                            _inputDim,
                            _units,
                            first > 0
                        );
                        Gemm.MatMulTransposeA(
                            s.PreviousStates.AsSpan(first * _units, count * _units),
                            _units,
                            delta,
                            _units,
                            s.RecurrentGradient.AsSpan(g * _units),
                            width,
                            count,
                            _units,
                            _units,
                            first > 0
                        );
                    }
                    for (int g = 0; g < _gates; g++)
                        Gemm.MatMul(
                            s.Deltas.AsSpan(g * rows * _units + first * _units, count * _units),
                            _units,
                            _kernelTransposed.AsSpan(g * _units * _inputDim),
                            _inputDim,
                            inputs,
                            _inputDim,
                            count,
                            _units,
                            _inputDim,
                            g > 0
                        );
                }
            }
        );
        _clock.Stop();
        BackwardSeconds += _clock.Elapsed.TotalSeconds;
    }

    /// <summary>The layer's blocks as (first row, row count) over T·n time-major rows: whole timesteps, about <paramref name="blockRows"/> rows each.</summary>
    private IEnumerable<(int First, int Count)> Blocks(int n, int blockRows)
    {
        int blockSteps = Math.Max(1, blockRows / n);
        for (int t = 0; t < _steps; t += blockSteps)
            yield return (t * n, Math.Min(blockSteps, _steps - t) * n);
    }

    /// <summary>One shard's operands: T·n rows each (n ≤ Engine.ShardRows).</summary>
    private sealed class Shard(int rows, int inputDim, int units, int gates)
    {
        public readonly float[] Deltas = Filled(rows * units * gates);
        public readonly float[] Inputs = Filled(rows * inputDim);
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
