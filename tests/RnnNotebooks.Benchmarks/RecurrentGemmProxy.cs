using System.Diagnostics;
using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// Times, beside the real recurrent layer, the matrix products its forward and backward do on the
/// whole sequence at once, on the same shapes, shards and threads — without touching the library.
/// The profile subtracts them from the layer's measured times to estimate the per-step part
/// (derived, not measured).
/// <list type="bullet">
/// <item>Input projection (forward): per shard of n rows and gate g, (T·n, d)·(d, u) → the gate's slab,
/// Z_g = X·W_g, with the real embedding output and the layer's kernel W (kernel shape (d, G·u)).</item>
/// <item>Backward, whole sequence: ∂L/∂W_g = Xᵀ·δ_g, ∂L/∂U_g = H_prevᵀ·δ_g and ∂L/∂X = Σ_g δ_g·W_gᵀ, on
/// (T·n)-row operands (stand-in values of the same shapes).</item>
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

    /// <summary>The input projection of a batch: per shard and gate, Z_g = X·W_g over all T·n rows.</summary>
    public void Projection(Tensor embedded)
    {
        int batch = embedded.Shape[0];
        _clock.Restart();
        Engine.ForEachShard(
            Engine.ShardCount(batch),
            i =>
            {
                var (start, end) = Engine.ShardRange(batch, i);
                int rows = (end - start) * _steps;
                var x = embedded.Data.AsSpan(start * _steps * _inputDim, rows * _inputDim);
                var z = _shards[i].Deltas;
                for (int g = 0; g < _gates; g++)
                    Gemm.MatMul(
                        x,
                        _inputDim,
                        _kernel.AsSpan(g * _units),
                        _gates * _units,
                        z.AsSpan(g * rows * _units, rows * _units),
                        _units,
                        rows,
                        _inputDim,
                        _units,
                        false
                    );
            }
        );
        _clock.Stop();
        ProjectionSeconds += _clock.Elapsed.TotalSeconds;
    }

    /// <summary>The whole-sequence products of the backward pass of a batch of <paramref name="batch"/> rows.</summary>
    public void BackwardProducts(int batch)
    {
        int width = _gates * _units;
        _clock.Restart();
        Engine.ForEachShard(
            Engine.ShardCount(batch),
            i =>
            {
                var (start, end) = Engine.ShardRange(batch, i);
                int rows = (end - start) * _steps;
                var s = _shards[i];
                for (int g = 0; g < _gates; g++)
                {
                    var delta = s.Deltas.AsSpan(g * rows * _units, rows * _units);
                    Gemm.MatMulTransposeA(
                        s.Inputs.AsSpan(0, rows * _inputDim),
                        _inputDim,
                        delta,
                        _units,
                        s.KernelGradient.AsSpan(g * _units),
                        width,
                        rows,
                        _inputDim,
                        _units,
                        false
                    );
                    Gemm.MatMulTransposeA(
                        s.PreviousStates.AsSpan(0, rows * _units),
                        _units,
                        delta,
                        _units,
                        s.RecurrentGradient.AsSpan(g * _units),
                        width,
                        rows,
                        _units,
                        _units,
                        false
                    );
                    Gemm.MatMul(
                        delta,
                        _units,
                        _kernelTransposed.AsSpan(g * _units * _inputDim),
                        _inputDim,
                        s.Inputs.AsSpan(0, rows * _inputDim),
                        _inputDim,
                        rows,
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
