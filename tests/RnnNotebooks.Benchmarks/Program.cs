using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>The speed benchmark of issue 3: ours vs PyTorch, one epoch per model (see README.md).</summary>
public static class Program
{
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
            var report = options.Gemm ? RunGemm() : RunEpochs(options);
            if (options.OutPath is not null)
                WriteAtomically(
                    options.OutPath,
                    report.ToJsonString(new JsonSerializerOptions { WriteIndented = true })
                );
            return 0;
        }
        catch (Exception e) when (e is BenchmarkUsageException or FileNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"benchmarks: {e.Message}");
            return e is BenchmarkUsageException ? 2 : 1;
        }
    }

    private static JsonObject RunGemm()
    {
        Console.WriteLine($"GEMM throughput, one thread ({Machine()["cpu"]})");
        var results = GemmThroughput.Run();
        return new JsonObject
        {
            ["kind"] = "gemm",
            ["machine"] = Machine(),
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
                                ["gflop_per_second"] = Math.Round(r.GflopPerSecond, 2),
                                ["microseconds_per_call"] = Math.Round(r.MicrosecondsPerCall, 2),
                            }
                    )
                    .ToArray()
            ),
        };
    }

    private static JsonObject RunEpochs(BenchmarkOptions options)
    {
        Engine.MaxThreads = options.Threads;
        var runner = EpochRunners.Find(options.Runner);
        var problem = new ImdbShapedProblem(options.Samples, options.Timesteps, options.Seed);
        Console.WriteLine($"runner   {runner.Description}");
        Console.WriteLine(
            $"problem  {problem.Samples} samples × {problem.Timesteps} timesteps (scale {problem.Scale:0.####} of 20,000 × 500), "
                + $"batch {problem.BatchSize}, {options.Threads} threads"
        );

        var ours =
            new Dictionary<
                RecurrentKind,
                (EpochTiming Timing, double CpuSeconds, long PeakBytes, long AllocatedBytes, int[] Collections)
            >();
        foreach (var kind in options.Models)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var cpu = CpuTime();
            var timing = runner.RunEpoch(kind, problem);
            using var self = Process.GetCurrentProcess();
            ours[kind] = (
                timing,
                (self.TotalProcessorTime - cpu).TotalSeconds,
                self.PeakWorkingSet64,
                GC.GetTotalAllocatedBytes(precise: true) - allocated,
                [
                    GC.CollectionCount(0) - collections[0],
                    GC.CollectionCount(1) - collections[1],
                    GC.CollectionCount(2) - collections[2],
                ]
            );
            Console.Error.WriteLine($"  ours {kind}: {timing.Seconds:F2} s");
        }
        var torch = options.Torch ? TorchPeer.Run(options) : null;

        var rows = new JsonArray();
        var table = new List<string[]>
        {
            new[]
            {
                "model",
                "ours s/epoch",
                "torch s/epoch",
                "torch/ours",
                "target s",
                "meets",
                "ours cpu s",
                "torch cpu s",
                "ours peak MB",
                "ours alloc MB",
                "torch peak MB",
            },
        };
        foreach (var kind in options.Models)
        {
            var (timing, cpuSeconds, peak, allocatedBytes, gcs) = ours[kind];
            var peer = torch?.GetValueOrDefault(kind);
            double target = ImdbShapedProblem.TargetSeconds(kind) * problem.Scale;
            double? ratio = peer is null ? null : peer.Seconds / timing.Seconds;
            bool meets = timing.Seconds <= target;
            table.Add([
                kind.ToString(),
                $"{timing.Seconds:F2}",
                peer is null ? "-" : $"{peer.Seconds:F2}",
                ratio is null ? "-" : $"{ratio:F2}×",
                problem.Scale == 1 ? $"≤ {target:0.##}" : $"≤ {target:0.###} (scaled)",
                meets ? "yes" : "NO",
                $"{cpuSeconds:F2}",
                peer?.CpuSeconds is { } torchCpu ? $"{torchCpu:F2}" : "-",
                $"{peak / 1048576.0:F0}",
                $"{allocatedBytes / 1048576.0:F0}",
                peer?.PeakRssMb is { } rss ? $"{rss:F0}" : "-",
            ]);
            rows.Add(
                new JsonObject
                {
                    ["model"] = kind.ToString(),
                    ["ours_seconds"] = Math.Round(timing.Seconds, 3),
                    ["ours_cpu_seconds"] = Math.Round(cpuSeconds, 3),
                    ["ours_loss"] = timing.Loss,
                    ["torch_seconds"] = peer?.Seconds,
                    ["torch_cpu_seconds"] = peer?.CpuSeconds,
                    ["torch_loss"] = peer?.Loss,
                    ["torch_over_ours"] = ratio is null ? null : Math.Round(ratio.Value, 3),
                    ["target_seconds_full_size"] = ImdbShapedProblem.TargetSeconds(kind),
                    ["target_seconds_this_scale"] = Math.Round(target, 4),
                    ["meets_target"] = meets,
                    ["ours_peak_working_set_mb"] = Math.Round(peak / 1048576.0, 1),
                    ["ours_allocated_mb"] = Math.Round(allocatedBytes / 1048576.0, 1),
                    ["ours_gc_collections"] = new JsonArray(gcs.Select(g => (JsonNode)g).ToArray()),
                    ["torch_peak_rss_mb"] = peer?.PeakRssMb,
                    ["torch_version"] = peer?.Version,
                    ["torch_blas"] = peer?.Blas,
                    ["torch_omp_wait_policy"] = peer is null ? null : TorchPeer.OmpWaitPolicy,
                }
            );
        }
        Console.WriteLine();
        PrintTable(table);
        if (problem.Scale != 1)
            Console.WriteLine("targets are issue 3's full-size seconds scaled by samples × timesteps");
        Console.WriteLine("cpu s: CPU time of all threads, less sensitive than wall time to other load on the machine");
        Console.WriteLine("peak MB is the whole process's (data included), cumulative over the models run so far");
        if (torch?.Values.FirstOrDefault()?.Blas is { } blas)
            Console.WriteLine($"torch BLAS: {blas}; OMP_WAIT_POLICY={TorchPeer.OmpWaitPolicy}");

        return new JsonObject
        {
            ["kind"] = "epochs",
            ["runner"] = runner.Name,
            ["runner_description"] = runner.Description,
            ["samples"] = problem.Samples,
            ["timesteps"] = problem.Timesteps,
            ["batch_size"] = problem.BatchSize,
            ["scale"] = problem.Scale,
            ["threads"] = options.Threads,
            ["machine"] = Machine(),
            ["results"] = rows,
        };
    }

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static void PrintTable(List<string[]> table)
    {
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        foreach (var row in table)
            Console.WriteLine(
                string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])))
            );
    }

    private static JsonObject Machine()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        string? load = null;
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu =
                    File.ReadLines("/proc/cpuinfo")
                        .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                        ?.Split(':', 2)[1]
                        .Trim()
                    ?? cpu;
            if (File.Exists("/proc/loadavg"))
                load = string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException) { }
        return new JsonObject
        {
            ["cpu"] = cpu,
            ["cores"] = Environment.ProcessorCount,
            ["avx2_fma"] = Avx2.IsSupported && Fma.IsSupported,
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["load_average"] = load,
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
