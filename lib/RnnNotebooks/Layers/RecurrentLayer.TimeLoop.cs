using System.Runtime.CompilerServices;
using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// The time loop of <see cref="RecurrentLayer"/>, forwards and backwards (BPTT), for one shard of the
/// batch on one thread: the cell's step at every timestep in processing order, padded rows of a mask
/// keeping their states (docs/keras-semantics.md#masking), then the gathering of states, state
/// gradients and recorded internals into batch-major tensors.
/// </summary>
public abstract partial class RecurrentLayer
{
    private void PrepareShards(int batch, int steps, int inputDim, bool inputMasks, bool recurrentMasks, bool stepMask)
    {
        _shardCount = Engine.ShardCount(batch);
        while (_shards.Count < _shardCount)
            _shards.Add(new RecurrentShard());
        int biasSize = Bias?.Size ?? 0;
        for (int i = 0; i < _shardCount; i++)
        {
            var (start, end) = Engine.ShardRange(batch, i);
            _shards[i]
                .Prepare(
                    start,
                    end - start,
                    steps,
                    inputDim,
                    Units,
                    GateCount,
                    StateCount,
                    Cell.ExtraCount,
                    biasSize,
                    GoBackwards,
                    inputMasks ? _inputMasks : null,
                    recurrentMasks ? _recurrentMasks : null,
                    batch,
                    stepMask ? _stepMask : null
                );
        }
    }

    /// <summary>Input time of processing step <paramref name="step"/>.</summary>
    private int TimeOf(int step) => GoBackwards ? _steps - 1 - step : step;

    private int InSlot(int t) => GoBackwards ? t + 1 : t;

    private int OutSlot(int t) => GoBackwards ? t : t + 1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardShard(
        RecurrentShard s,
        Tensor inputs,
        Tensor[]? initialState,
        Tensor output,
        Tensor[] finalStates
    )
    {
        int n = s.Rows,
            steps = s.Steps,
            units = Units;

        int initialSlot = GoBackwards ? steps : 0;
        for (int k = 0; k < StateCount; k++)
            if (initialState is null)
                s.State(k, initialSlot).Clear();
            else
                initialState[k].Data.AsSpan(s.Start * units, s.BlockSize).CopyTo(s.State(k, initialSlot));

        // A few timesteps at a time, in processing order: the block's projection x_t·W + b (x read in
        // place, or with input dropout from a time-major copy, row (t, r) = x[start + r, t]), then its
        // steps, which find their gate blocks still in cache.
        s.UseBatchInputs(inputs.Data);
        int blockSteps = Math.Max(1, BlockRows / n);
        for (int first = 0; first < steps; first += blockSteps)
        {
            int count = Math.Min(blockSteps, steps - first);
            var times = new TimeBlock(GoBackwards ? steps - first - count : first, count);
            if (!s.ReadsInputsInPlace)
                RecurrentShard.ToTimeMajor(
                    inputs.Data.AsSpan(s.Start * steps * s.InputDim),
                    s.Inputs,
                    n,
                    steps,
                    s.InputDim,
                    reverseTime: false,
                    times
                );
            Cell.ProjectInputs(s, times);
            for (int step = first; step < first + count; step++)
            {
                int t = TimeOf(step);
                Cell.Step(s, t, InSlot(t), OutSlot(t));
                if (s.HasStepMask)
                    KeepStatesOfPaddedRows(s, t);
            }
        }

        int finalSlot = GoBackwards ? 0 : steps;
        if (ReturnSequences)
            // Processing order, as Keras stacks them: output step s is state slot s + 1 going
            // forwards, slot T − 1 − s going backwards.
            RecurrentShard.ToBatchMajor(
                s.StateSlab(0, GoBackwards ? 0 : 1),
                output.Data.AsSpan(s.Start * steps * units),
                n,
                steps,
                units,
                reverseTime: GoBackwards
            );
        else
            s.State(0, finalSlot).CopyTo(output.Data.AsSpan(s.Start * units, s.BlockSize));
        for (int k = 0; k < StateCount; k++)
            s.State(k, finalSlot).CopyTo(finalStates[k].Data.AsSpan(s.Start * units, s.BlockSize));
    }

    /// <summary>A padded row's states pass the step unchanged: the cell's result for that row is discarded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void KeepStatesOfPaddedRows(RecurrentShard s, int t)
    {
        for (int r = 0; r < s.Rows; r++)
            if (s.IsPadding(r, t))
                for (int k = 0; k < StateCount; k++)
                    s.RowOf(s.State(k, InSlot(t)), r).CopyTo(s.RowOf(s.State(k, OutSlot(t)), r));
    }

    /// <summary>
    /// Before the backward step: a padded row's ∂L/∂h_t and carried ∂L/∂c_t are set aside and zeroed,
    /// so the cell's step gives that row zero δ (no weight or input gradient, nothing through U).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HoldGradientsOfPaddedRows(RecurrentShard s, int t)
    {
        for (int r = 0; r < s.Rows; r++)
        {
            if (!s.IsPadding(r, t))
                continue;
            for (int k = 0; k < StateCount; k++)
            {
                var grad = s.RowOf(k == 0 ? s.StateGrad(t) : s.InitialGrad(k), r);
                grad.CopyTo(s.RowOf(s.HeldGrad(k), r));
                grad.Clear();
            }
        }
    }

    /// <summary>After the backward step: the identity h_t = h_{t−1} (c_t = c_{t−1}) of a padded row carries its gradients on unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PassGradientsOfPaddedRows(RecurrentShard s, int t, Span<float> previousStateGrad)
    {
        for (int r = 0; r < s.Rows; r++)
        {
            if (!s.IsPadding(r, t))
                continue;
            var held = s.RowOf(s.HeldGrad(0), r);
            held.CopyTo(s.RowOf(s.StateGrad(t), r)); // StateGradients reports ∂L/∂h_t itself
            Elementwise.AddTo(s.RowOf(previousStateGrad, r), held);
            for (int k = 1; k < StateCount; k++)
                s.RowOf(s.HeldGrad(k), r).CopyTo(s.RowOf(s.InitialGrad(k), r));
        }
    }

    /// <summary>
    /// Rows (timesteps × shard rows) per block of the input projection before the forward steps and of
    /// the gradient products after the backward loop: the block's δ of every gate, inputs and states
    /// (≈ 0.3 MB at 4 gates × 32 units) stay in L2.
    /// </summary>
    internal const int DefaultBlockRows = 512;

    /// <summary>
    /// <see cref="DefaultBlockRows"/> unless a test sets it: any value ≥ 1 gives the same numbers (a
    /// block holds at least one timestep), which the tests check by running 1, a few and all timesteps
    /// per block.
    /// </summary>
    internal int BlockRows { get; set; } = DefaultBlockRows;

    /// <summary>Values below 1e-30 in magnitude (and subnormals) become 0.</summary>
    internal static void FlushTiny(Span<float> values) => Elementwise.FlushBelow(values, 1e-30f);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardShard(
        RecurrentShard s,
        Tensor outputGradient,
        Tensor[]? finalStateGradients,
        Tensor inputGradient,
        Tensor[] initialGradients
    )
    {
        int n = s.Rows,
            steps = s.Steps,
            inputDim = s.InputDim,
            units = Units,
            block = s.BlockSize;
        var dOut = outputGradient.Data;

        // Seed ∂L/∂h_t with what the outputs receive; the loop adds what flows back through time.
        int lastTime = TimeOf(steps - 1);
        if (ReturnSequences)
            RecurrentShard.ToTimeMajor(
                dOut.AsSpan(s.Start * steps * units),
                s.StateGrads,
                n,
                steps,
                units,
                reverseTime: GoBackwards
            );
        else
            // Only the last step's output is used; every earlier ∂L/∂h_t is written (not added to) by
            // the step after it (no clearing of the whole T·n·u buffer up front, nor of a block per step).
            dOut.AsSpan(s.Start * units, block).CopyTo(s.StateGrad(lastTime));
        if (finalStateGradients is not null)
        {
            var dh = s.StateGrad(lastTime);
            TensorPrimitives.Add(dh, finalStateGradients[0].Data.AsSpan(s.Start * units, block), dh);
        }
        s.InitialGrad(0).Clear();
        for (int k = 1; k < StateCount; k++)
            if (finalStateGradients is null)
                s.InitialGrad(k).Clear();
            else
                finalStateGradients[k].Data.AsSpan(s.Start * units, block).CopyTo(s.InitialGrad(k));

        for (int step = steps - 1; step >= 0; step--)
        {
            int t = TimeOf(step);
            var previous = step > 0 ? s.StateGrad(TimeOf(step - 1)) : s.InitialGrad(0);
            if (s.HasStepMask)
                HoldGradientsOfPaddedRows(s, t);
            Cell.BackwardStep(s, t, InSlot(t), OutSlot(t), previous, overwrite: !ReturnSequences && step > 0);
            if (s.HasStepMask)
                PassGradientsOfPaddedRows(s, t, previous);
            // Gradients flowing back over hundreds of steps shrink geometrically; once they reach the
            // subnormal range every later step would run at a fraction of its speed (subnormal floats
            // are very slow on x86). Flushing them to zero changes no sum by more than 1e-30.
            FlushTiny(previous);
            for (int k = 1; k < StateCount; k++)
                FlushTiny(s.InitialGrad(k));
        }

        // Weight gradients and ∂L/∂x a few timesteps at a time, in increasing time, while the block's
        // δ, inputs and states are in cache (each weight-gradient sum runs on as one chain over the
        // blocks); ∂L/∂x goes straight into the batch-major input gradient (with input dropout it is
        // built time-major in the shard's input copy and moved there).
        s.UseBatchInputGradient(inputGradient.Data);
        int blockSteps = Math.Max(1, BlockRows / n);
        for (int first = 0; first < steps; first += blockSteps)
        {
            var times = new TimeBlock(first, Math.Min(blockSteps, steps - first));
            Cell.AccumulateGradients(s, times);
            if (!s.ReadsInputsInPlace)
                RecurrentShard.ToBatchMajor(
                    s.Inputs,
                    inputGradient.Data.AsSpan(s.Start * steps * inputDim),
                    n,
                    steps,
                    inputDim,
                    reverseTime: false,
                    times
                );
        }
        for (int k = 0; k < StateCount; k++)
            s.InitialGrad(k).CopyTo(initialGradients[k].Data.AsSpan(s.Start * units, block));
    }

    private Tensor GatherStateGradients()
    {
        var result = new Tensor(_batch, _steps, Units);
        for (int i = 0; i < _shardCount; i++)
        {
            var s = _shards[i];
            RecurrentShard.ToBatchMajor(
                s.StateGrads,
                result.Data.AsSpan(s.Start * _steps * Units),
                s.Rows,
                _steps,
                Units,
                false
            );
        }
        return result;
    }

    private Dictionary<string, Tensor> GatherInternals()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, accessor) in Cell.Internals)
        {
            var tensor = new Tensor(_batch, _steps, Units);
            for (int i = 0; i < _shardCount; i++)
            {
                var s = _shards[i];
                CopyBatchMajor(s, t => accessor(s, t, OutSlot(t)), tensor);
            }
            result[name] = tensor;
        }
        return result;
    }

    /// <summary>Copies a time-major per-step block sequence of one shard into rows of a (batch, T, units) tensor.</summary>
    private void CopyBatchMajor(RecurrentShard s, SpanOf blockAt, Tensor target)
    {
        int units = Units;
        for (int t = 0; t < s.Steps; t++)
        {
            var block = blockAt(t);
            for (int r = 0; r < s.Rows; r++)
                block.Slice(r * units, units).CopyTo(target.Data.AsSpan(((s.Start + r) * s.Steps + t) * units, units));
        }
    }

    private delegate Span<float> SpanOf(int t);

    private static void AddInto(float[] target, ReadOnlySpan<float> values) =>
        TensorPrimitives.Add(target.AsSpan(0, values.Length), values, target.AsSpan(0, values.Length));
}
