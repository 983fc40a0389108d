using System.Diagnostics;
using System.Globalization;
using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Models;

/// <summary>
/// Compile / Fit / Evaluate / Predict with Keras 2.x semantics: docs/keras-semantics.md#fit, docs/keras-semantics.md#losses and
/// docs/keras-semantics.md#optimizers.
/// </summary>
public sealed partial class Sequential
{
    private static readonly string[] NoMetrics = [];
    private string[] _metricNames = NoMetrics;
    private SeededRandom? _shuffleRng;

    /// <summary>The optimizer given to <see cref="Compile(Optimizer, string, string[])"/>; null before.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to Compile; null before.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metric names as passed to Compile ("acc", "accuracy", …).</summary>
    public IReadOnlyList<string> Metrics => _metricNames;

    /// <summary>The History of the last <c>Fit</c> (Keras' model.history).</summary>
    public History? History { get; private set; }

    /// <summary>
    /// Keras' model.compile: the optimizer, a loss by name (binary_crossentropy,
    /// categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error / mse) and
    /// metrics ("acc" / "accuracy", resolved by Keras 2.x's rule: see <see cref="Accuracy.Resolve"/>;
    /// or explicitly binary_accuracy, categorical_accuracy, sparse_categorical_accuracy).
    /// </summary>
    public void Compile(Optimizer optimizer, string loss, string[]? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        var lossFunction = Training.Loss.FromName(loss);
        var names = metrics is null ? NoMetrics : (string[])metrics.Clone();
        foreach (var m in names)
            MetricKey(m);
        Optimizer = optimizer;
        Loss = lossFunction;
        _metricNames = names;
    }

    /// <summary>Compile with an optimizer by name and Keras' default arguments: "sgd", "rmsprop", "adam".</summary>
    public void Compile(string optimizer, string loss, string[]? metrics = null) =>
        Compile(Training.Optimizer.FromName(optimizer), loss, metrics);

    /// <summary>
    /// Keras' model.fit on in-memory arrays.
    /// <list type="bullet">
    /// <item><paramref name="x"/>: (N, T) token ids stored as floats, (N, T, F) vectors or (N, F);
    /// <paramref name="y"/>: targets for the loss, N rows.</item>
    /// <item><paramref name="validationSplit"/> v: the <b>last</b> N − s samples, s = (int)(N·(1 − v))
    /// computed in double from v's decimal value (0.2f counts as 0.2), are held out before any shuffling
    /// and never shuffled. <paramref name="validationData"/> overrides it.</item>
    /// <item>Each epoch the training samples are permuted (when <paramref name="shuffle"/>) with a
    /// <see cref="SeededRandom"/>: from <paramref name="seed"/>, or, when null, from a stream derived
    /// from the model's <see cref="Seed"/> that continues across Fit calls.</item>
    /// <item>Per batch: forward with training = true (dropout on), loss and metrics on that output,
    /// backward, one optimizer step. The epoch's loss/acc are the sample-weighted means of the batch
    /// values, each computed before that batch's update; validation runs at epoch end in inference
    /// mode, batched, and is the exact mean over the validation samples.</item>
    /// <item>Stateful models (any layer whose <see cref="Layer.IsStateful"/> is true): the samples are <b>never
    /// shuffled</b> (shuffle is forced off: row i of each batch must continue row i of the previous
    /// one), states are carried from batch to batch and, as in Keras 2.x (docs/keras-semantics.md#recurrent-layers), <b>not</b> reset
    /// between epochs unless <paramref name="resetStatesEachEpoch"/> is true (what tutorials do with a
    /// callback that calls model.reset_states()). A model with a fixed batch size needs
    /// <paramref name="batchSize"/> equal to it and sample counts divisible by it.</item>
    /// <item><paramref name="verbose"/> 1 (or 2): one line per epoch on Console.Out,
    /// <c>Epoch 3/10 - 12.3s - loss: 0.4412 - acc: 0.8011 - val_loss: 0.5102 - val_acc: 0.7650</c>,
    /// after Keras 2.x's <c>Train on N samples, validate on M samples</c>; 0 prints nothing. In a notebook kernel,
    /// verbose 1 shows each epoch as a progress bar updated in place during the epoch that ends as that line
    /// (a <see cref="Notebooks.LiveLine"/>: one display per epoch instead of a printed line).</item>
    /// <item>A NaN or infinite batch loss stops training with a <see cref="TrainingDivergedException"/>
    /// naming the epoch and batch.</item>
    /// </list>
    /// </summary>
    /// <returns>The History (also kept in <see cref="History"/>).</returns>
    public History Fit(
        Tensor x,
        Tensor y,
        int batchSize = 32,
        int epochs = 1,
        int verbose = 1,
        float validationSplit = 0,
        (Tensor X, Tensor Y)? validationData = null,
        bool shuffle = true,
        ulong? seed = null,
        Action<EpochLog>? onEpochEnd = null,
        bool resetStatesEachEpoch = false
    )
    {
        RequireCompiled("Fit");
        CheckPair(x, y, "x", "y");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be ≥ 1, got {batchSize}.");
        if (epochs < 0)
            throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be ≥ 0, got {epochs}.");
        if (verbose is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(verbose), $"verbose must be 0, 1 or 2, got {verbose}.");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(
                nameof(validationSplit),
                $"validationSplit must be in [0, 1), got {validationSplit}."
            );
        EnsureBuilt(x);

        int n = x.Shape[0];
        Tensor valX,
            valY;
        int valStart,
            valCount,
            trainCount;
        if (validationData is var (vx, vy))
        {
            CheckPair(vx, vy, "validationData.X", "validationData.Y");
            (valX, valY, valStart, valCount, trainCount) = (vx, vy, 0, vx.Shape[0], n);
        }
        else if (validationSplit > 0)
        {
            trainCount = SplitIndex(n, validationSplit);
            if (trainCount <= 0 || trainCount >= n)
                throw new ArgumentException(
                    $"validationSplit {validationSplit.ToString(CultureInfo.InvariantCulture)} of {n} samples leaves "
                        + $"{trainCount} for training and {n - trainCount} for validation; both need at least one."
                );
            (valX, valY, valStart, valCount) = (x, y, trainCount, n - trainCount);
        }
        else
            (valX, valY, valStart, valCount, trainCount) = (x, y, 0, 0, n);

        return TrainLoop(
            new TensorBatchSource(x, y),
            trainCount,
            valCount,
            (loss, metrics) =>
                EvaluateSource(new TensorBatchSource(valX, valY), valStart, valCount, batchSize, loss, metrics),
            batchSize,
            epochs,
            verbose,
            shuffle,
            seed,
            onEpochEnd,
            resetStatesEachEpoch
        );
    }

    /// <summary>
    /// The training loop behind both Fits: the first <paramref name="trainCount"/> samples of
    /// <paramref name="train"/> are shuffled (a permutation of their indices per epoch) and cut into batches;
    /// each batch is one forward, loss, backward and optimizer step; <paramref name="validate"/> (when
    /// <paramref name="valCount"/> &gt; 0) runs at the end of every epoch.
    /// </summary>
    private History TrainLoop(
        IBatchSource train,
        int trainCount,
        int valCount,
        Func<Loss, (string Key, AccuracyKind Kind)[], List<KeyValuePair<string, double>>> validate,
        int batchSize,
        int epochs,
        int verbose,
        bool shuffle,
        ulong? seed,
        Action<EpochLog>? onEpochEnd,
        bool resetStatesEachEpoch
    )
    {
        var (optimizer, loss) = RequireCompiled("Fit");
        if (HasStatefulLayer())
            shuffle = false;
        CheckFixedBatch(batchSize, trainCount, "training");
        if (valCount > 0)
            CheckFixedBatch(batchSize, valCount, "validation");

        var rng = seed is ulong s ? new SeededRandom(s) : (_shuffleRng ??= new SeededRandom(Seed ^ ShuffleSalt));
        var metrics = ResolveMetrics(loss);
        var parameters = Parameters.ToList();
        var keys = new List<string> { "loss" };
        keys.AddRange(metrics.Select(m => m.Key));
        if (valCount > 0)
            keys.AddRange(keys.ToList().Select(k => "val_" + k));
        var history = new History(
            new Dictionary<string, object?>
            {
                ["batch_size"] = batchSize,
                ["epochs"] = epochs,
                ["steps"] = null,
                ["samples"] = trainCount,
                ["verbose"] = verbose,
                ["do_validation"] = valCount > 0,
                ["metrics"] = keys.ToArray(),
                ["val_samples"] = valCount,
            }
        );
        History = history;
        if (verbose > 0)
            WriteLine(TrainingLog.FormatStartLine(trainCount, valCount));

        var order = new int[trainCount];
        int batches = (trainCount + batchSize - 1) / batchSize;
        var sums = new double[1 + metrics.Length];
        Tensor? gradient = null;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var progress = EpochProgress.Start(verbose, epoch, epochs, batches);
            if (resetStatesEachEpoch)
                ResetStates();
            for (int i = 0; i < trainCount; i++)
                order[i] = i;
            if (shuffle)
                rng.Shuffle(order.AsSpan());
            Array.Clear(sums);
            for (int b = 0; b < batches; b++)
            {
                int start = b * batchSize;
                var rows = order.AsSpan(start, Math.Min(batchSize, trainCount - start));
                var (xb, yb) = train.Batch(rows);
                CheckBatch(xb, yb, rows.Length, "training");
                ZeroGradients();
                ReuseBatchBuffers(true);
                try
                {
                    var prediction = Forward(xb, training: true);
                    // One gradient tensor per output shape, reused: the loss overwrites it.
                    if (gradient is null || !gradient.HasShape(prediction.Shape))
                        gradient = new Tensor(prediction.Shape);
                    double batchLoss = loss.Compute(yb, prediction, gradient);
                    if (!double.IsFinite(batchLoss))
                        throw new TrainingDivergedException(epoch + 1, b + 1, batches, batchLoss);
                    sums[0] += batchLoss * rows.Length;
                    for (int m = 0; m < metrics.Length; m++)
                        sums[m + 1] += Training.Accuracy.Compute(metrics[m].Kind, yb, prediction) * rows.Length;
                    Backward(gradient);
                }
                finally
                {
                    ReuseBatchBuffers(false);
                }
                optimizer.Step(parameters);
                progress.Batch(b + 1, keys, sums, start + rows.Length);
            }

            var values = new List<KeyValuePair<string, double>>(keys.Count) { new("loss", sums[0] / trainCount) };
            for (int m = 0; m < metrics.Length; m++)
                values.Add(new(metrics[m].Key, sums[m + 1] / trainCount));
            if (valCount > 0)
                foreach (var (key, value) in validate(loss, metrics))
                    values.Add(new("val_" + key, value));
            clock.Stop();
            history.Append(epoch, values);
            var log = new EpochLog(epoch, epochs, clock.Elapsed, values);
            progress.End(verbose, log);
            onEpochEnd?.Invoke(log);
        }
        return history;
    }

    /// <summary>
    /// Keras' model.evaluate: the loss and compiled metrics over (x, y), computed in inference mode in
    /// batches of <paramref name="batchSize"/> and averaged by sample count (the exact dataset mean).
    /// </summary>
    public EvaluateResult Evaluate(Tensor x, Tensor y, int batchSize = 32)
    {
        var (_, loss) = RequireCompiled("Evaluate");
        CheckPair(x, y, "x", "y");
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be ≥ 1, got {batchSize}.");
        EnsureBuilt(x);
        int n = x.Shape[0];
        CheckFixedBatch(batchSize, n, "evaluation");
        return new EvaluateResult(
            EvaluateSource(new TensorBatchSource(x, y), 0, n, batchSize, loss, ResolveMetrics(loss)),
            n
        );
    }

    /// <summary>
    /// Keras' model.predict: the outputs for every sample, computed in inference mode (no dropout) in
    /// batches of <paramref name="batchSize"/>. Stateful layers carry their states from batch to batch.
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1 || x.Shape[0] == 0)
            throw new ArgumentException(
                $"Predict needs at least one sample, got x of shape {Tensor.ShapeToString(x.Shape)}."
            );
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be ≥ 1, got {batchSize}.");
        EnsureBuilt(x);
        int n = x.Shape[0];
        CheckFixedBatch(batchSize, n, "prediction");
        Tensor? batchBuffer = null;
        return PredictBatches(n, batchSize, (start, count) => SliceRows(x, start, count, ref batchBuffer));
    }

    /// <summary>
    /// Predict's loop for tensors and batch sources: one forward pass per batch of
    /// <paramref name="batchAt"/>(start, count), with the layers' reused buffers, each copied at once into
    /// the fresh result (the last layer's output may be its reused buffer).
    /// </summary>
    private Tensor PredictBatches(int n, int batchSize, Func<int, int, Tensor> batchAt)
    {
        Tensor? result = null;
        int outStride = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var batch = batchAt(start, count);
            ReuseBatchBuffers(true);
            try
            {
                var output = Forward(batch, training: false);
                if (result is null)
                {
                    result = new Tensor([n, .. output.Shape[1..]]);
                    outStride = output.Size / count;
                }
                output.Data.AsSpan().CopyTo(result.Data.AsSpan(start * outStride, count * outStride));
            }
            finally
            {
                ReuseBatchBuffers(false);
            }
        }
        return result!;
    }

    /// <summary>
    /// Keras' predict_classes: for a single output unit, 1 where p &gt; 0.5 else 0; otherwise the
    /// argmax of each output row (first maximum on ties). One class per row: N values for an (N, K)
    /// output, N·T for (N, T, K).
    /// </summary>
    public int[] PredictClasses(Tensor x, int batchSize = 32)
    {
        var p = Predict(x, batchSize);
        int k = p.Shape[^1];
        int rows = p.Size / k;
        var classes = new int[rows];
        for (int r = 0; r < rows; r++)
            classes[r] = k == 1 ? (p.Data[r] > 0.5f ? 1 : 0) : Training.Accuracy.ArgMax(p.Data.AsSpan(r * k, k));
        return classes;
    }

    private const ulong ShuffleSalt = 0x5348_5546_464C_4531UL;

    /// <summary>Keras' split index s = int(N·(1 − v)) in double, with v taken at its decimal value.</summary>
    internal static int SplitIndex(int n, float validationSplit)
    {
        double v = double.Parse(
            validationSplit.ToString("R", CultureInfo.InvariantCulture),
            CultureInfo.InvariantCulture
        );
        return (int)(n * (1.0 - v));
    }

    private (Optimizer, Loss) RequireCompiled(string what) =>
        Optimizer is { } o && Loss is { } l
            ? (o, l)
            : throw new InvalidOperationException(
                $"Model '{Name}' is not compiled: call Compile(optimizer, loss, metrics) before {what}."
            );

    private (string Key, AccuracyKind Kind)[] ResolveMetrics(Loss loss)
    {
        int lastDim = OutputShape?[-1] ?? 1;
        return _metricNames
            .Select(m =>
                (
                    MetricKey(m),
                    m switch
                    {
                        "binary_accuracy" => AccuracyKind.Binary,
                        "categorical_accuracy" => AccuracyKind.Categorical,
                        "sparse_categorical_accuracy" => AccuracyKind.SparseCategorical,
                        _ => Training.Accuracy.Resolve(loss.Name, lastDim),
                    }
                )
            )
            .ToArray();
    }

    /// <summary>The History / log key of a metric: Keras 2.0–2.2 log 'acc' for both 'acc' and 'accuracy'.</summary>
    private static string MetricKey(string metric) =>
        metric switch
        {
            "acc" or "accuracy" => "acc",
            "binary_accuracy" or "categorical_accuracy" or "sparse_categorical_accuracy" => metric,
            _ => throw new ArgumentException(
                $"Unknown metric '{metric}'. Known: acc, accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy."
            ),
        };

    private bool HasStatefulLayer() => _layers.Any(l => l.IsStateful);

    private void EnsureBuilt(Tensor x)
    {
        if (_layers.Count == 0)
            throw new InvalidOperationException($"Model '{Name}' has no layers.");
        if (!IsBuilt)
            Build(new TensorShape([null, .. x.Shape[1..].Select(d => (int?)d)]));
    }

    /// <summary>A model built for a fixed batch size (stateful layers) can only take whole batches of that size.</summary>
    private void CheckFixedBatch(int batchSize, int samples, string what)
    {
        if (InputShape?[0] is not int fixedBatch)
            return;
        if (Math.Min(batchSize, samples) != fixedBatch && samples % fixedBatch == 0)
            throw new ArgumentException(
                $"Model '{Name}' was built for batches of exactly {fixedBatch} samples (batch_input_shape {InputShape}), "
                    + $"so its {what} needs batchSize: {fixedBatch}, got {batchSize}."
            );
        if (samples % fixedBatch != 0)
            throw new ArgumentException(
                $"Model '{Name}' takes batches of exactly {fixedBatch} samples; its {what} data has {samples}, "
                    + $"which is not a multiple of {fixedBatch}."
            );
    }

    private static void CheckPair(Tensor x, Tensor y, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        if (x.Rank < 1 || x.Shape[0] == 0)
            throw new ArgumentException($"{xName} has no samples (shape {Tensor.ShapeToString(x.Shape)}).");
        if (y.Rank < 1 || y.Shape[0] != x.Shape[0])
            throw new ArgumentException(
                $"{xName} has {x.Shape[0]} samples (shape {Tensor.ShapeToString(x.Shape)}) but {yName} has "
                    + $"{(y.Rank < 1 ? 0 : y.Shape[0])} (shape {Tensor.ShapeToString(y.Shape)}); they must match."
            );
    }

    /// <summary>
    /// Rows [start, start + count) of the first axis: <paramref name="t"/> itself when that is all of it,
    /// otherwise copied into <paramref name="buffer"/>, which is reused while the row count stays the same.
    /// </summary>
    private static Tensor SliceRows(Tensor t, int start, int count, ref Tensor? buffer)
    {
        if (start == 0 && count == t.Shape[0])
            return t;
        int stride = t.Size / t.Shape[0];
        if (buffer is null || buffer.Shape[0] != count)
            buffer = new Tensor([count, .. t.Shape[1..]]);
        t.Data.AsSpan(start * stride, count * stride).CopyTo(buffer.Data);
        return buffer;
    }

    private static void WriteLine(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
