using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>One self-check's outcome.</summary>
public sealed record CheckResult(string Check, RecurrentKind Model, bool Passed, string Detail);

/// <summary>
/// Checks that keep the benchmark honest; they fail loudly (exit code 1) rather than print wrong numbers.
/// <list type="bullet">
/// <item><see cref="ManualLoopMatchesFit"/>: the profile's layer-by-layer epoch (<see cref="ManualEpoch"/>,
/// with its GEMM stand-ins running) ends with the same loss and bit-identical weights as
/// <c>Sequential.Fit</c> for the same seeds, so the profile times the work Fit really does.</item>
/// <item><see cref="ThreadCountIsInvisible"/>: one Fit epoch with Engine.MaxThreads = 1 and = 2 gives
/// byte-identical weights and the same loss (issue 15: results bit-identical at any thread count).</item>
/// <item><see cref="SteadyEpochsBarelyAllocate"/>: a model's third Fit epoch allocates at most
/// <see cref="SteadyKbPerBatch"/> KB per batch (issue 15: batch-level buffers pooled; what is left is the
/// thread pool's bookkeeping for the shard loops and the epoch's own records).</item>
/// </list>
/// </summary>
public static class SelfChecks
{
    /// <summary>The shuffling seed the checks give Fit and the manual loop.</summary>
    public const ulong ShuffleSeed = 5;

    public static CheckResult ManualLoopMatchesFit(RecurrentKind kind, ImdbShapedProblem problem)
    {
        var fitted = BenchmarkModel.Create(kind, problem);
        var history = fitted.Fit(
            problem.X,
            problem.Y,
            batchSize: problem.BatchSize,
            epochs: 1,
            verbose: 0,
            seed: ShuffleSeed
        );
        var manual = BenchmarkModel.Create(kind, problem);
        BenchmarkModel.Build(manual, problem.Timesteps);
        var proxy = new RecurrentGemmProxy(manual.Layers[1], kind, problem);
        var totals = ManualEpoch.Run(manual, problem, ShuffleSeed, countAllocations: true, proxy);
        double fitLoss = history["loss"][0];
        bool sameWeights = BenchmarkModel
            .WeightBytes(fitted)
            .AsSpan()
            .SequenceEqual(BenchmarkModel.WeightBytes(manual));
        bool sameLoss = totals.Loss.Equals(fitLoss);
        return new CheckResult(
            "manual loop = Fit",
            kind,
            sameWeights && sameLoss,
            $"loss Fit {fitLoss:R}, manual {totals.Loss:R}; weights {(sameWeights ? "bit-identical" : "DIFFER")}"
        );
    }

    /// <summary>
    /// The most a steady epoch may allocate per batch: one (128, 32) state tensor is 16 KB, an unpooled
    /// (128, 500, 32) activation 8 MB. Measured about 10 KB for each model on 30 Nov 2026.
    /// </summary>
    public const double SteadyKbPerBatch = 16;

    public static CheckResult SteadyEpochsBarelyAllocate(RecurrentKind kind, ImdbShapedProblem problem)
    {
        // Three epochs in one Fit, the bytes allocated by all threads counted at each epoch's end: the
        // third epoch is a steady one (the first builds weights, shards and buffers).
        var model = BenchmarkModel.Create(kind, problem);
        var marks = new List<long> { GC.GetTotalAllocatedBytes(precise: true) };
        model.Fit(
            problem.X,
            problem.Y,
            batchSize: problem.BatchSize,
            epochs: 3,
            verbose: 0,
            seed: ShuffleSeed,
            onEpochEnd: _ => marks.Add(GC.GetTotalAllocatedBytes(precise: true))
        );
        long bytes = marks[3] - marks[2];
        int batches = (problem.Samples + problem.BatchSize - 1) / problem.BatchSize;
        double kbPerBatch = bytes / 1024.0 / batches;
        return new CheckResult(
            "steady epoch allocates little",
            kind,
            kbPerBatch <= SteadyKbPerBatch,
            $"third epoch: {bytes / 1024.0:N0} KB over {batches} batches, {kbPerBatch:F1} KB per batch (at most {SteadyKbPerBatch:0}; "
                + $"the first: {(marks[1] - marks[0]) / 1024.0 / 1024.0:F1} MB)"
        );
    }

    public static CheckResult ThreadCountIsInvisible(RecurrentKind kind, ImdbShapedProblem problem)
    {
        int saved = Engine.MaxThreads;
        try
        {
            var (oneLoss, oneWeights) = Train(1);
            var (twoLoss, twoWeights) = Train(2);
            bool sameWeights = oneWeights.AsSpan().SequenceEqual(twoWeights);
            bool sameLoss = oneLoss.Equals(twoLoss);
            return new CheckResult(
                "1 thread = 2 threads",
                kind,
                sameWeights && sameLoss,
                $"loss {oneLoss:R} vs {twoLoss:R}; {oneWeights.Length:N0} weight bytes {(sameWeights ? "identical" : "DIFFER")}"
            );
        }
        finally
        {
            Engine.MaxThreads = saved;
        }

        (double Loss, byte[] Weights) Train(int threads)
        {
            Engine.MaxThreads = threads;
            var model = BenchmarkModel.Create(kind, problem);
            var history = model.Fit(
                problem.X,
                problem.Y,
                batchSize: problem.BatchSize,
                epochs: 1,
                verbose: 0,
                seed: ShuffleSeed
            );
            return (history["loss"][0], BenchmarkModel.WeightBytes(model));
        }
    }
}
