using System.Diagnostics;
using System.Text.Json.Nodes;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// The --profile mode: one layer-by-layer training epoch per model (<see cref="ManualEpoch"/>) with a
/// stopwatch around every phase, and the recurrent layer's forward and backward split into their
/// matrix products over blocks of timesteps (timed on the same shapes by <see cref="RecurrentGemmProxy"/>) and
/// the rest, mostly the per-timestep work (derived: measured layer time − proxy time). Before profiling,
/// a small epoch checks that the manual loop gives exactly Fit's loss and weights.
/// </summary>
public static class Profiler
{
    private const double Mb = 1048576.0;

    /// <summary>A row of the profile: a label and how to get its seconds and bytes from a model's totals.</summary>
    private sealed record Row(string Key, string Label, Func<Profile, double> Seconds, Func<Profile, long?> Bytes);

    private sealed record Profile(PhaseTotals Totals, double ProjectionSeconds, double BackwardGemmSeconds, double Wall)
    {
        public double Sum => Totals.Seconds.Sum();
    }

    private static readonly Row[] Rows =
    [
        Measured("gather", "batch gather (copy the batch's rows)", Phase.Gather),
        Measured("embedding_forward", "embedding forward", Phase.EmbeddingForward),
        Measured("recurrent_forward", "recurrent forward (measured)", Phase.RecurrentForward),
        new("input_projection", "  input projection X·W (GEMM proxy)", p => p.ProjectionSeconds, _ => null),
        new(
            "recurrent_steps_forward",
            "  recurrent steps (derived: forward − projection)",
            p => p.Totals[Phase.RecurrentForward] - p.ProjectionSeconds,
            _ => null
        ),
        Measured("dense_and_loss", "dense + loss + accuracy (forward and backward)", Phase.DenseAndLoss),
        Measured("recurrent_backward", "recurrent backward (measured)", Phase.RecurrentBackward),
        new(
            "backward_gemms",
            "  weight and input gradients Xᵀ·δ, Hᵀ·δ, δ·Wᵀ (GEMM proxy)",
            p => p.BackwardGemmSeconds,
            _ => null
        ),
        new(
            "recurrent_steps_backward",
            "  BPTT steps (derived: backward − those GEMMs)",
            p => p.Totals[Phase.RecurrentBackward] - p.BackwardGemmSeconds,
            _ => null
        ),
        Measured("embedding_backward", "embedding backward", Phase.EmbeddingBackward),
        Measured("optimizer", "optimizer (zero gradients + RMSprop step)", Phase.Optimizer),
        new("sum", "sum of the measured phases", p => p.Sum, p => p.Totals.AllocatedBytes.Sum()),
    ];

    private static Row Measured(string key, string label, Phase phase) =>
        new(key, label, p => p.Totals[phase], p => p.Totals.AllocatedBytes[(int)phase]);

    public static JsonObject Run(BenchmarkOptions options, out bool checksPassed)
    {
        var check = new ImdbShapedProblem(
            BenchmarkOptions.SelfCheckSamples,
            BenchmarkOptions.SelfCheckTimesteps,
            options.Seed
        );
        Console.WriteLine(
            $"\nprofile  self-check first: the manual loop against Fit on {check.Samples} × {check.Timesteps}; {Program.LoadLine()}"
        );
        var checks = options.Models.Select(kind => SelfChecks.ManualLoopMatchesFit(kind, check)).ToList();
        checks.ForEach(Program.PrintCheck);
        checksPassed = checks.All(c => c.Passed);

        var (samples, timesteps) = options.TrainingSize;
        var problem = new ImdbShapedProblem(samples, timesteps, options.Seed);
        int batches = (samples + problem.BatchSize - 1) / problem.BatchSize;
        Console.WriteLine(
            $"profile  one layer-by-layer epoch per model, {samples} × {timesteps}, batch {problem.BatchSize} ({batches} batches), "
                + $"{options.Threads} threads; {Program.LoadLine()}"
        );
        var profiles = new Dictionary<RecurrentKind, Profile>();
        foreach (var kind in options.Models)
        {
            var model = BenchmarkModel.Create(kind, problem);
            BenchmarkModel.Build(model, timesteps);
            var proxy = new RecurrentGemmProxy(model.Layers[1], kind, problem);
            var clock = Stopwatch.StartNew();
            var totals = ManualEpoch.Run(model, problem, SelfChecks.ShuffleSeed, countAllocations: true, proxy);
            clock.Stop();
            profiles[kind] = new Profile(
                totals,
                proxy.ProjectionSeconds,
                proxy.BackwardSeconds,
                clock.Elapsed.TotalSeconds
            );
            Console.Error.WriteLine($"  profiled {kind}: {totals.Seconds.Sum():F2} s in the phases");
        }

        var kinds = options.Models;
        var time = new List<string[]>
        {
            new[] { "phase (seconds per epoch, % of the sum)" }
                .Concat(kinds.SelectMany(k => new[] { $"{k} s", "%" }))
                .ToArray(),
        };
        var bytes = new List<string[]>
        {
            new[] { "phase (MB allocated per epoch)" }.Concat(kinds.Select(k => $"{k} MB")).ToArray(),
        };
        foreach (var row in Rows)
        {
            time.Add(
                new[] { row.Label }
                    .Concat(
                        kinds.SelectMany(k =>
                        {
                            var p = profiles[k];
                            double s = row.Seconds(p);
                            return new[] { $"{s:F2}", $"{100 * s / p.Sum:F1}" };
                        })
                    )
                    .ToArray()
            );
            if (row.Bytes(profiles[kinds[0]]) is not null)
                bytes.Add(
                    new[] { row.Label }.Concat(kinds.Select(k => $"{row.Bytes(profiles[k])!.Value / Mb:F1}")).ToArray()
                );
        }
        time.Add(
            new[] { "loop wall time (also proxies and allocation counters)" }
                .Concat(kinds.SelectMany(k => new[] { $"{profiles[k].Wall:F2}", "" }))
                .ToArray()
        );
        time.Add(
            new[] { "epoch loss" }
                .Concat(kinds.SelectMany(k => new[] { $"{profiles[k].Totals.Loss:F4}", "" }))
                .ToArray()
        );
        Console.WriteLine();
        Program.PrintTable(time);
        Console.WriteLine();
        Program.PrintTable(bytes);
        Console.WriteLine(
            "derived rows are a measured layer time minus its GEMM proxy's; the proxies time the layer's block-by-block"
                + " products on the same shapes, shards and blocks, back to back (the layer interleaves them with its steps),"
                + " so 'steps' also holds the kernel transposes (and, with input dropout, the masked copies)"
        );
        Console.WriteLine(Program.LoadLine() + " (at end)");

        return new JsonObject
        {
            ["samples"] = samples,
            ["timesteps"] = timesteps,
            ["batches"] = batches,
            ["threads"] = options.Threads,
            ["check_passed"] = checksPassed,
            ["checks"] = Program.ChecksJson(checks),
            ["results"] = new JsonArray(
                kinds
                    .Select(k =>
                    {
                        var p = profiles[k];
                        var phases = new JsonObject();
                        foreach (var row in Rows)
                        {
                            phases[row.Key + "_seconds"] = Math.Round(row.Seconds(p), 4);
                            if (row.Bytes(p) is { } b)
                                phases[row.Key + "_allocated_mb"] = Math.Round(b / Mb, 2);
                        }
                        return (JsonNode)
                            new JsonObject
                            {
                                ["model"] = k.ToString(),
                                ["loss"] = p.Totals.Loss,
                                ["loop_wall_seconds"] = Math.Round(p.Wall, 3),
                                ["phases"] = phases,
                            };
                    })
                    .ToArray()
            ),
        };
    }
}
