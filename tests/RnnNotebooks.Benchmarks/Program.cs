using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>The speed benchmark of issues 3 and 15: ours vs PyTorch (see README.md).</summary>
public static class Program
{
    private const double Mb = 1048576.0;

    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (BenchmarkUsageException e)
        {
            Console.Error.WriteLine($"benchmarks: {e.Message}\n\n{BenchmarkOptions.Usage}");
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(BenchmarkOptions.Usage);
            return 0;
        }
        try
        {
            Engine.MaxThreads = options.Threads;
            var report = new JsonObject { ["machine_at_start"] = Machine() };
            bool checksPassed = true;
            if (options.SelfCheck)
            {
                report["self_check"] = RunSelfChecks(options, out bool passed);
                checksPassed &= passed;
            }
            if (options.RunsEpochs)
                report["epochs"] = RunEpochs(options);
            if (options.Profile)
            {
                report["profile"] = Profiler.Run(options, out bool passed);
                checksPassed &= passed;
            }
            if (options.Predict)
                report["predict"] = RunPredict(options);
            if (options.Gemm)
                report["gemm"] = RunGemm();
            if (options.Fingerprint)
                report["fingerprint"] = Fingerprint.Run();
            report["machine_at_end"] = Machine();
            if (options.OutPath is not null)
                WriteAtomically(
                    options.OutPath,
                    report.ToJsonString(new JsonSerializerOptions { WriteIndented = true })
                );
            if (!checksPassed)
                Console.Error.WriteLine("benchmarks: a self-check FAILED (see above)");
            return checksPassed ? 0 : 1;
        }
        catch (Exception e) when (e is BenchmarkUsageException or FileNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"benchmarks: {e.Message}");
            return e is BenchmarkUsageException ? 2 : 1;
        }
    }

    private static JsonObject RunGemm()
    {
        Console.WriteLine($"\nGEMM throughput, one thread ({Machine()["cpu"]}, {Gemm.BestPath} kernels; {LoadLine()})");
        var results = GemmThroughput.Run();
        return new JsonObject
        {
            ["results"] = new JsonArray(
                results
                    .Select(r =>
                        (JsonNode)
                            new JsonObject
                            {
                                ["product"] = r.Product,
                                ["m"] = r.M,
                                ["k"] = r.K,
                                ["n"] = r.N,
                                ["path"] = r.Path,
                                ["gflop_per_second"] = Math.Round(r.GflopPerSecond, 2),
                                ["microseconds_per_call"] = Math.Round(r.MicrosecondsPerCall, 2),
                            }
                    )
                    .ToArray()
            ),
        };
    }

    private static JsonObject RunSelfChecks(BenchmarkOptions options, out bool passed)
    {
        var (samples, timesteps) = options.SelfCheckSize;
        var problem = new ImdbShapedProblem(samples, timesteps, options.Seed);
        Console.WriteLine(
            $"\nself-check  {samples} samples × {timesteps} timesteps, batch {problem.BatchSize}, one epoch, shuffle seed {SelfChecks.ShuffleSeed}; {LoadLine()}"
        );
        var results = new List<CheckResult>();
        foreach (var kind in options.Models)
        {
            results.Add(SelfChecks.ManualLoopMatchesFit(kind, problem));
            PrintCheck(results[^1]);
            results.Add(SelfChecks.ThreadCountIsInvisible(kind, problem));
            PrintCheck(results[^1]);
            results.Add(SelfChecks.SteadyEpochsBarelyAllocate(kind, problem));
            PrintCheck(results[^1]);
        }
        passed = results.All(r => r.Passed);
        return new JsonObject
        {
            ["samples"] = samples,
            ["timesteps"] = timesteps,
            ["passed"] = passed,
            ["results"] = ChecksJson(results),
        };
    }

    internal static void PrintCheck(CheckResult r) =>
        Console.WriteLine($"  {(r.Passed ? "ok  " : "FAIL")}  {r.Model, -9}  {r.Check, -20}  {r.Detail}");

    internal static JsonArray ChecksJson(IEnumerable<CheckResult> results) =>
        new(
            results
                .Select(r =>
                    (JsonNode)
                        new JsonObject
                        {
                            ["check"] = r.Check,
                            ["model"] = r.Model.ToString(),
                            ["passed"] = r.Passed,
                            ["detail"] = r.Detail,
                        }
                )
                .ToArray()
        );

    private static JsonObject RunEpochs(BenchmarkOptions options)
    {
        var runner = EpochRunners.Find(options.Runner);
        var (samples, timesteps) = options.TrainingSize;
        var problem = new ImdbShapedProblem(samples, timesteps, options.Seed);
        int batches = (problem.Samples + problem.BatchSize - 1) / problem.BatchSize;
        Console.WriteLine($"\nepochs   {runner.Description}");
        Console.WriteLine(
            $"problem  {problem.Samples} samples × {problem.Timesteps} timesteps (scale {problem.Scale:0.####} of 20,000 × 500), "
                + $"batch {problem.BatchSize} ({batches} batches), {options.Threads} threads, {Gemm.BestPath} GEMM kernels; {LoadLine()}"
        );

        // With --repeat the models take turns, so each one's epochs sample the machine's slow and quiet
        // minutes alike; memory is the first epoch's (JIT and weight building included).
        var ours = new Dictionary<RecurrentKind, (EpochTiming Timing, double CpuSeconds, MemoryUse Memory)>();
        var seconds = options.Models.ToDictionary(kind => kind, _ => new List<double>());
        for (int round = 0; round < options.Repeat; round++)
            foreach (var kind in options.Models)
            {
                var probe = MemoryProbe.Start();
                var cpu = CpuTime();
                var timing = runner.RunEpoch(kind, problem);
                var cpuSeconds = (CpuTime() - cpu).TotalSeconds;
                var use = probe.Stop();
                seconds[kind].Add(timing.Seconds);
                if (!ours.TryGetValue(kind, out var best) || timing.Seconds < best.Timing.Seconds)
                    ours[kind] = (timing, cpuSeconds, best.Memory ?? use);
                Console.Error.WriteLine($"  ours {kind}: {timing.Seconds:F2} s");
            }
        var torch = options.Torch ? TorchPeer.Run(options) : null;

        bool full = problem.Scale == 1;
        double allocatedTarget = ImdbShapedProblem.TargetAllocatedMbPerEpoch * problem.Scale;
        var rows = new JsonArray();
        var speed = new List<string[]>
        {
            new[]
            {
                "model",
                options.Repeat > 1 ? $"ours best of {options.Repeat}" : "ours s/epoch",
                "ours median",
                "torch s/epoch",
                "torch/ours",
                "target s",
                "meets",
                $"torch/ours ≥ {ImdbShapedProblem.TargetTorchOverOurs:0}",
                "ours cpu s",
                "torch cpu s",
                "ours loss",
                "torch loss",
            },
        };
        var memory = new List<string[]>
        {
            new[]
            {
                "model",
                "alloc MB/epoch",
                "target MB",
                "meets",
                "alloc KB/batch",
                "gen0",
                "gen1",
                "gen2",
                "WS before MB",
                "peak WS MB",
                "target MB",
                "meets",
                "sampled max MB",
                "torch peak MB",
            },
        };
        foreach (var kind in options.Models)
        {
            var (timing, cpuSeconds, use) = ours[kind];
            double median = Median(seconds[kind]);
            var peer = torch?.GetValueOrDefault(kind);
            double target = ImdbShapedProblem.TargetSeconds(kind) * problem.Scale;
            // Against the median of our epochs, not the best: PyTorch runs one.
            double? ratio = peer is null ? null : peer.Seconds / median;
            bool meets = timing.Seconds <= target;
            double allocatedMb = use.AllocatedBytes / Mb,
                peakMb = use.PeakWorkingSetBytes / Mb;
            speed.Add([
                kind.ToString(),
                $"{timing.Seconds:F2}",
                $"{median:F2}",
                peer is null ? "-" : $"{peer.Seconds:F2}",
                ratio is null ? "-" : $"{ratio:F2}×",
                full ? $"≤ {target:0.##}" : $"≤ {target:0.###} (scaled)",
                meets ? "yes" : "NO",
                ratio is null ? "-"
                : ratio >= ImdbShapedProblem.TargetTorchOverOurs ? "yes"
                : "NO",
                $"{cpuSeconds:F2}",
                peer?.CpuSeconds is { } torchCpu ? $"{torchCpu:F2}" : "-",
                timing.Loss is { } loss ? $"{loss:F4}" : "-",
                peer?.Loss is { } torchLoss ? $"{torchLoss:F4}" : "-",
            ]);
            memory.Add([
                kind.ToString(),
                $"{allocatedMb:F0}",
                full ? $"≤ {allocatedTarget:0}" : $"≤ {allocatedTarget:0.#} (scaled)",
                allocatedMb <= allocatedTarget ? "yes" : "NO",
                $"{use.AllocatedBytes / 1024.0 / batches:F0}",
                $"{use.Collections[0]}",
                $"{use.Collections[1]}",
                $"{use.Collections[2]}",
                $"{use.WorkingSetBeforeBytes / Mb:F0}",
                $"{peakMb:F0}{(use.PeakWasReset ? "" : " *")}",
                $"≤ {ImdbShapedProblem.TargetPeakWorkingSetMb:0}",
                peakMb <= ImdbShapedProblem.TargetPeakWorkingSetMb ? "yes" : "NO",
                $"{use.SampledMaxWorkingSetBytes / Mb:F0}",
                peer?.PeakRssMb is { } rss ? $"{rss:F0}{(peer.PeakWasReset ? "" : " *")}" : "-",
            ]);
            rows.Add(
                new JsonObject
                {
                    ["model"] = kind.ToString(),
                    ["ours_seconds"] = Math.Round(timing.Seconds, 3),
                    ["ours_seconds_median"] = Math.Round(median, 3),
                    ["ours_seconds_all"] = new JsonArray(
                        seconds[kind].Select(v => (JsonNode)Math.Round(v, 3)).ToArray()
                    ),
                    ["ours_cpu_seconds"] = Math.Round(cpuSeconds, 3),
                    ["ours_loss"] = timing.Loss,
                    ["torch_seconds"] = peer?.Seconds,
                    ["torch_cpu_seconds"] = peer?.CpuSeconds,
                    ["torch_loss"] = peer?.Loss,
                    ["torch_over_ours"] = ratio is null ? null : Math.Round(ratio.Value, 3),
                    ["target_seconds_full_size"] = ImdbShapedProblem.TargetSeconds(kind),
                    ["target_seconds_this_scale"] = Math.Round(target, 4),
                    ["meets_target"] = meets,
                    ["meets_torch_ratio_target"] = ratio is null
                        ? null
                        : ratio >= ImdbShapedProblem.TargetTorchOverOurs,
                    ["ours_allocated_mb"] = Math.Round(allocatedMb, 1),
                    ["ours_allocated_kb_per_batch"] = Math.Round(use.AllocatedBytes / 1024.0 / batches, 1),
                    ["target_allocated_mb_this_scale"] = Math.Round(allocatedTarget, 1),
                    ["ours_gc_collections"] = new JsonArray(use.Collections.Select(g => (JsonNode)g).ToArray()),
                    ["ours_working_set_before_mb"] = Math.Round(use.WorkingSetBeforeBytes / Mb, 1),
                    ["ours_peak_working_set_mb"] = Math.Round(peakMb, 1),
                    ["ours_peak_working_set_is_this_epochs"] = use.PeakWasReset,
                    ["ours_sampled_max_working_set_mb"] = Math.Round(use.SampledMaxWorkingSetBytes / Mb, 1),
                    ["target_peak_working_set_mb"] = ImdbShapedProblem.TargetPeakWorkingSetMb,
                    ["torch_peak_rss_mb"] = peer?.PeakRssMb,
                    ["torch_peak_rss_is_this_epochs"] = peer?.PeakWasReset,
                    ["torch_version"] = peer?.Version,
                    ["torch_blas"] = peer?.Blas,
                    ["torch_omp_wait_policy"] = peer is null ? null : TorchPeer.OmpWaitPolicy,
                    ["torch_openblas_coretype"] = peer is null ? null : TorchPeer.OpenBlasCoreType,
                }
            );
        }
        Console.WriteLine();
        PrintTable(speed);
        Console.WriteLine();
        PrintTable(memory);
        if (!full)
            Console.WriteLine(
                "time and allocation targets are issue 15's full-size ones scaled by samples × timesteps"
            );
        Console.WriteLine(
            options.Repeat > 1
                ? $"ours: best of {options.Repeat} epochs per model (the targets are for a quiet machine; meets compares the best), "
                    + "median beside it; torch/ours divides by our median; cpu s: the best epoch's CPU time of all threads"
                : "cpu s: CPU time of all threads, less sensitive than wall time to other load on the machine"
        );
        Console.WriteLine(
            "alloc: managed bytes allocated during the epoch (all threads); gen0/1/2: collections during the epoch"
        );
        Console.WriteLine(
            "peak WS: the process's peak resident set during the epoch (data and runtime included; * = since the process"
                + " started, the reset was refused); sampled max: highest resident set read every 10 ms"
        );
        if (torch?.Values.FirstOrDefault()?.Blas is { } blas)
            Console.WriteLine(
                $"torch BLAS: {blas}; OMP_WAIT_POLICY={TorchPeer.OmpWaitPolicy}; OPENBLAS_CORETYPE={TorchPeer.OpenBlasCoreType ?? "(unset)"}"
            );
        Console.WriteLine(LoadLine() + " (at end)");

        return new JsonObject
        {
            ["runner"] = runner.Name,
            ["runner_description"] = runner.Description,
            ["samples"] = problem.Samples,
            ["timesteps"] = problem.Timesteps,
            ["batch_size"] = problem.BatchSize,
            ["batches"] = batches,
            ["scale"] = problem.Scale,
            ["threads"] = options.Threads,
            ["repeat"] = options.Repeat,
            ["results"] = rows,
        };
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static JsonObject RunPredict(BenchmarkOptions options)
    {
        int samples = options.PredictSamples,
            timesteps = options.TrainingSize.Timesteps,
            batch = options.PredictBatch;
        // Other data than the training set's (seed + 1), as a test set is.
        var data = new ImdbShapedProblem(samples, timesteps, options.Seed + 1);
        Console.WriteLine(
            $"\npredict  Sequential.Predict of the untrained model on {samples} × {timesteps} tokens, batch {batch}, "
                + $"{options.Threads} threads, after one warm-up batch; {LoadLine()}"
        );
        var ours =
            new Dictionary<RecurrentKind, (double Seconds, double CpuSeconds, double MeanOutput, MemoryUse Memory)>();
        foreach (var kind in options.Models)
        {
            var model = BenchmarkModel.Create(kind, data);
            BenchmarkModel.Build(model, timesteps);
            int warmRows = Math.Min(batch, samples);
            model.Predict(
                new Tensor(data.X.Data.AsSpan(0, warmRows * timesteps).ToArray(), warmRows, timesteps),
                batch
            );
            var probe = MemoryProbe.Start();
            var cpu = CpuTime();
            var clock = Stopwatch.StartNew();
            var output = model.Predict(data.X, batch);
            clock.Stop();
            double cpuSeconds = (CpuTime() - cpu).TotalSeconds;
            ours[kind] = (clock.Elapsed.TotalSeconds, cpuSeconds, output.Data.Average(), probe.Stop());
            Console.Error.WriteLine($"  ours {kind} predict: {clock.Elapsed.TotalSeconds:F2} s");
        }
        var torch = options.Torch ? TorchPeer.Run(options, predict: true) : null;

        var table = new List<string[]>
        {
            new[]
            {
                "model",
                "ours s",
                "ours seq/s",
                "torch s",
                "torch seq/s",
                "ours/torch seq/s",
                "ours cpu s",
                "torch cpu s",
                "ours alloc MB",
                "ours peak WS MB",
                "torch peak MB",
            },
        };
        var rows = new JsonArray();
        foreach (var kind in options.Models)
        {
            var (seconds, cpuSeconds, meanOutput, use) = ours[kind];
            var peer = torch?.GetValueOrDefault(kind);
            double throughput = samples / seconds;
            double? ratio = peer is null ? null : throughput / (samples / peer.Seconds);
            table.Add([
                kind.ToString(),
                $"{seconds:F2}",
                $"{throughput:F0}",
                peer is null ? "-" : $"{peer.Seconds:F2}",
                peer is null ? "-" : $"{samples / peer.Seconds:F0}",
                ratio is null ? "-" : $"{ratio:F2}×",
                $"{cpuSeconds:F2}",
                peer?.CpuSeconds is { } torchCpu ? $"{torchCpu:F2}" : "-",
                $"{use.AllocatedBytes / Mb:F0}",
                $"{use.PeakWorkingSetBytes / Mb:F0}{(use.PeakWasReset ? "" : " *")}",
                peer?.PeakRssMb is { } rss ? $"{rss:F0}{(peer.PeakWasReset ? "" : " *")}" : "-",
            ]);
            rows.Add(
                new JsonObject
                {
                    ["model"] = kind.ToString(),
                    ["ours_seconds"] = Math.Round(seconds, 3),
                    ["ours_sequences_per_second"] = Math.Round(throughput, 1),
                    ["ours_cpu_seconds"] = Math.Round(cpuSeconds, 3),
                    ["ours_mean_output"] = Math.Round(meanOutput, 6),
                    ["ours_allocated_mb"] = Math.Round(use.AllocatedBytes / Mb, 1),
                    ["ours_gc_collections"] = new JsonArray(use.Collections.Select(g => (JsonNode)g).ToArray()),
                    ["ours_peak_working_set_mb"] = Math.Round(use.PeakWorkingSetBytes / Mb, 1),
                    ["torch_seconds"] = peer?.Seconds,
                    ["torch_sequences_per_second"] = peer is null ? null : Math.Round(samples / peer.Seconds, 1),
                    ["torch_cpu_seconds"] = peer?.CpuSeconds,
                    ["torch_peak_rss_mb"] = peer?.PeakRssMb,
                    ["ours_over_torch_throughput"] = ratio is null ? null : Math.Round(ratio.Value, 3),
                }
            );
        }
        Console.WriteLine();
        PrintTable(table);
        Console.WriteLine(
            "seq/s: sequences per second of the timed pass; ours/torch above 1 means our Predict is faster"
        );
        Console.WriteLine(LoadLine() + " (at end)");
        return new JsonObject
        {
            ["samples"] = samples,
            ["timesteps"] = timesteps,
            ["batch_size"] = batch,
            ["threads"] = options.Threads,
            ["repeat"] = options.Repeat,
            ["results"] = rows,
        };
    }

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    internal static void PrintTable(List<string[]> table)
    {
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        foreach (var row in table)
            Console.WriteLine(
                string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])))
            );
    }

    /// <summary>"load average 1.02 0.87 0.91 (1, 5, 15 min)": the machine's other work, printed beside every result.</summary>
    internal static string LoadLine() => $"load average {LoadAverage() ?? "unknown"} (1, 5, 15 min)";

    private static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static JsonObject Machine()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu =
                    File.ReadLines("/proc/cpuinfo")
                        .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                        ?.Split(':', 2)[1]
                        .Trim()
                    ?? cpu;
        }
        catch (IOException) { }
        return new JsonObject
        {
            ["cpu"] = cpu,
            ["cores"] = Environment.ProcessorCount,
            ["avx2_fma"] = Avx2.IsSupported && Fma.IsSupported,
            ["avx512f"] = Avx512F.IsSupported,
            ["gemm_path"] = Gemm.BestPath.ToString(),
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["load_average"] = LoadAverage(),
            ["utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
    }

    private static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temp, text + "\n");
        File.Move(temp, full, overwrite: true);
        Console.WriteLine($"results written to {full}");
    }
}
