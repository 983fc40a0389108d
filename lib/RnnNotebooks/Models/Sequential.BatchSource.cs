using System.Diagnostics;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Models;

/// <summary>Fit / Evaluate / Predict on data built batch by batch (<see cref="IBatchSource"/>).</summary>
public sealed partial class Sequential
{
    /// <summary>
    /// Keras' model.fit on a data source that builds each batch on demand (Keras' fit with a
    /// <c>Sequence</c>), for data too large to hold as one tensor. Everything else is the tensor
    /// <see cref="Fit(Tensor, Tensor, int, int, int, float, ValueTuple{Tensor, Tensor}?, bool, ulong?, Action{EpochLog}?, bool)"/>:
    /// the same shuffling (a permutation of the sample indices per epoch, from <paramref name="seed"/> or
    /// the model's stream), batches, dropout, log lines and History, so for the same samples both give
    /// identical numbers. <paramref name="validation"/>, when given, is evaluated at the end of every
    /// epoch (Keras' validation_data).
    /// </summary>
    public History Fit(
        IBatchSource train,
        int batchSize = 32,
        int epochs = 1,
        int verbose = 1,
        IBatchSource? validation = null,
        bool shuffle = true,
        ulong? seed = null,
        Action<EpochLog>? onEpochEnd = null,
        bool resetStatesEachEpoch = false
    )
    {
        RequireCompiled("Fit");
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count < 1)
            throw new ArgumentException("The training source has no samples.", nameof(train));
        if (validation is { Count: < 1 })
            throw new ArgumentException("The validation source has no samples.", nameof(validation));
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be ≥ 1, got {batchSize}.");
        if (epochs < 0)
            throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be ≥ 0, got {epochs}.");
        if (verbose is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(verbose), $"verbose must be 0, 1 or 2, got {verbose}.");
        EnsureBuilt(train);
        int valCount = validation?.Count ?? 0;
        return TrainLoop(
            train,
            train.Count,
            valCount,
            (loss, metrics) => EvaluateSource(validation!, 0, valCount, batchSize, loss, metrics),
            batchSize,
            epochs,
            verbose,
            shuffle,
            seed,
            onEpochEnd,
            resetStatesEachEpoch
        );
    }

    /// <summary>Keras' model.evaluate on a data source: the exact mean loss and metrics over all its samples, in order.</summary>
    public EvaluateResult Evaluate(IBatchSource data, int batchSize = 32)
    {
        var (_, loss) = RequireCompiled("Evaluate");
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count < 1)
            throw new ArgumentException("The source has no samples.", nameof(data));
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be ≥ 1, got {batchSize}.");
        EnsureBuilt(data);
        CheckFixedBatch(batchSize, data.Count, "evaluation");
        return new EvaluateResult(
            EvaluateSource(data, 0, data.Count, batchSize, loss, ResolveMetrics(loss)),
            data.Count
        );
    }

    /// <summary>Keras' model.predict on a data source (its targets are ignored): the outputs of every sample, in order.</summary>
    public Tensor Predict(IBatchSource data, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count < 1)
            throw new ArgumentException("The source has no samples.", nameof(data));
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be ≥ 1, got {batchSize}.");
        EnsureBuilt(data);
        int n = data.Count;
        CheckFixedBatch(batchSize, n, "prediction");
        var rows = Enumerable.Range(0, n).ToArray();
        return PredictBatches(
            n,
            batchSize,
            (start, count) =>
            {
                var (xb, yb) = data.Batch(rows.AsSpan(start, count));
                CheckBatch(xb, yb, count, "prediction");
                return xb;
            }
        );
    }

    /// <summary>The exact mean loss and metrics over the samples first … first + count − 1 of <paramref name="data"/>.</summary>
    private List<KeyValuePair<string, double>> EvaluateSource(
        IBatchSource data,
        int first,
        int count,
        int batchSize,
        Loss loss,
        (string Key, AccuracyKind Kind)[] metrics
    )
    {
        var rows = Enumerable.Range(first, count).ToArray();
        var sums = new double[1 + metrics.Length];
        for (int offset = 0; offset < count; offset += batchSize)
        {
            int n = Math.Min(batchSize, count - offset);
            var (xb, yb) = data.Batch(rows.AsSpan(offset, n));
            CheckBatch(xb, yb, n, "evaluation");
            ReuseBatchBuffers(true);
            try
            {
                var prediction = Forward(xb, training: false);
                sums[0] += loss.Compute(yb, prediction) * n;
                for (int m = 0; m < metrics.Length; m++)
                    sums[m + 1] += Training.Accuracy.Compute(metrics[m].Kind, yb, prediction) * n;
            }
            finally
            {
                ReuseBatchBuffers(false);
            }
        }
        var values = new List<KeyValuePair<string, double>>(sums.Length) { new("loss", sums[0] / count) };
        for (int m = 0; m < metrics.Length; m++)
            values.Add(new(metrics[m].Key, sums[m + 1] / count));
        return values;
    }

    private void EnsureBuilt(IBatchSource source)
    {
        if (_layers.Count == 0)
            throw new InvalidOperationException($"Model '{Name}' has no layers.");
        if (IsBuilt)
            return;
        var (x, _) = source.Batch([0]);
        Build(new TensorShape([null, .. x.Shape[1..].Select(d => (int?)d)]));
    }

    private static void CheckBatch(Tensor x, Tensor y, int rows, string what)
    {
        if (x is null || y is null || x.Rank < 1 || y.Rank < 1 || x.Shape[0] != rows || y.Shape[0] != rows)
            throw new InvalidOperationException(
                $"The {what} source returned a batch of x {(x is null ? "null" : Tensor.ShapeToString(x.Shape))} and "
                    + $"y {(y is null ? "null" : Tensor.ShapeToString(y.Shape))} for {rows} rows; both need {rows} rows."
            );
    }
}
