using System.Diagnostics;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Benchmarks;

/// <summary>The measured parts of one training batch, in the order <see cref="ManualEpoch"/> runs them.</summary>
public enum Phase
{
    /// <summary>Copying the batch's rows out of the data set (TensorBatchSource.Batch).</summary>
    Gather,

    /// <summary>Embedding.Forward: the token ids' rows of the table.</summary>
    EmbeddingForward,

    /// <summary>The recurrent layer's Forward: input projection and the steps.</summary>
    RecurrentForward,

    /// <summary>Dense.Forward, the loss and its gradient, the accuracy metric, Dense.Backward.</summary>
    DenseAndLoss,

    /// <summary>The recurrent layer's Backward: back-propagation through time and the weight gradients.</summary>
    RecurrentBackward,

    /// <summary>Embedding.Backward: scatter-add into the table's gradient.</summary>
    EmbeddingBackward,

    /// <summary>Zeroing every gradient before the batch and the optimizer's step after it.</summary>
    Optimizer,
}

/// <summary>Seconds and bytes per <see cref="Phase"/>, summed over an epoch.</summary>
public sealed class PhaseTotals
{
    public static readonly int Count = Enum.GetValues<Phase>().Length;

    public double[] Seconds { get; } = new double[Count];

    public long[] AllocatedBytes { get; } = new long[Count];

    public int Batches { get; set; }

    /// <summary>The epoch's mean training loss, computed exactly as Fit computes it.</summary>
    public double Loss { get; set; }

    public double this[Phase phase] => Seconds[(int)phase];
}

/// <summary>
/// One training epoch driven layer by layer, so each part can be timed: the same calls in the same
/// order as <c>Sequential.Fit</c> makes for every batch (see Sequential.Training.cs, TrainLoop) —
/// shuffle the sample indices with <c>SeededRandom(seed)</c>, gather the batch, zero the gradients,
/// forward each layer with training on, loss (with its gradient) and accuracy, backward each layer in
/// reverse, one optimizer step. So for the same model and seed it ends with the same loss and
/// bit-identical weights as <c>Fit(…, epochs: 1, seed: seed)</c>; <see cref="SelfChecks"/> verifies it.
/// </summary>
public static class ManualEpoch
{
    /// <param name="model">Embedding → recurrent → Dense, compiled (<see cref="BenchmarkModel.Create"/>).</param>
    /// <param name="shuffleSeed">The seed Fit would get as <c>seed:</c>.</param>
    /// <param name="countAllocations">Also read the allocated bytes around every phase (outside the timed spans).</param>
    /// <param name="proxy">When given, times its GEMM stand-ins after the recurrent forward and backward
    /// (their own buffers; the model is not touched).</param>
    public static PhaseTotals Run(
        Sequential model,
        ImdbShapedProblem problem,
        ulong shuffleSeed,
        bool countAllocations,
        RecurrentGemmProxy? proxy = null
    )
    {
        if (model.Layers.Count != 3 || model.Optimizer is not { } optimizer || model.Loss is not { } loss)
            throw new InvalidOperationException("ManualEpoch needs a compiled Embedding → recurrent → Dense model.");
        if (!model.IsBuilt)
            BenchmarkModel.Build(model, problem.Timesteps);
        Layer embedding = model.Layers[0],
            recurrent = model.Layers[1],
            dense = model.Layers[2];
        var parameters = model.Parameters.ToList();
        var accuracy = Accuracy.Resolve(loss.Name, model.OutputShape?[-1] ?? 1);
        var source = new TensorBatchSource(problem.X, problem.Y);
        int samples = problem.Samples,
            batchSize = problem.BatchSize;
        int batches = (samples + batchSize - 1) / batchSize;
        var order = new int[samples];
        for (int i = 0; i < samples; i++)
            order[i] = i;
        new SeededRandom(shuffleSeed).Shuffle(order.AsSpan());

        var totals = new PhaseTotals();
        var clock = new Stopwatch();
        long allocatedAtStart = 0;
        Tensor? gradient = null;
        double lossSum = 0;
        // As in Fit, every layer reuses its per-batch buffers (its output and input-gradient tensors)
        // while the loop runs, so the phases time and count what Fit's epoch does.
        foreach (var layer in model.Layers)
            layer.ReusesBatchBuffers = true;
        try
        {
            for (int start = 0; start < samples; start += batchSize)
            {
                var rows = order.AsSpan(start, Math.Min(batchSize, samples - start));

                Begin();
                var (xb, yb) = source.Batch(rows);
                End(Phase.Gather);

                Begin();
                model.ZeroGradients();
                End(Phase.Optimizer);

                Begin();
                var embedded = embedding.Forward(xb, training: true);
                End(Phase.EmbeddingForward);

                Begin();
                var hidden = recurrent.Forward(embedded, training: true);
                End(Phase.RecurrentForward);
                proxy?.Projection(embedded);

                Begin();
                var prediction = dense.Forward(hidden, training: true);
                if (gradient is null || !gradient.HasShape(prediction.Shape))
                    gradient = new Tensor(prediction.Shape);
                double batchLoss = loss.Compute(yb, prediction, gradient);
                if (!double.IsFinite(batchLoss))
                    throw new TrainingDivergedException(1, totals.Batches + 1, batches, batchLoss);
                lossSum += batchLoss * rows.Length;
                // Fit computes the compiled metric on every batch; its value is not needed here, its cost is.
                Accuracy.Compute(accuracy, yb, prediction);
                var hiddenGradient = dense.Backward(gradient);
                End(Phase.DenseAndLoss);

                Begin();
                var embeddedGradient = recurrent.Backward(hiddenGradient);
                End(Phase.RecurrentBackward);
                proxy?.BackwardProducts(embedded.Shape[0]);

                Begin();
                embedding.Backward(embeddedGradient);
                End(Phase.EmbeddingBackward);

                Begin();
                optimizer.Step(parameters);
                End(Phase.Optimizer);

                totals.Batches++;
            }
        }
        finally
        {
            foreach (var layer in model.Layers)
                layer.ReusesBatchBuffers = false;
        }
        totals.Loss = lossSum / samples;
        return totals;

        void Begin()
        {
            if (countAllocations)
                allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();
        }

        void End(Phase phase)
        {
            clock.Stop();
            totals.Seconds[(int)phase] += clock.Elapsed.TotalSeconds;
            if (countAllocations)
                totals.AllocatedBytes[(int)phase] += GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart;
        }
    }
}
