using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RnnNotebooks.Benchmarks;

/// <summary>One model's run (a training epoch, or the timed Predict pass) as torch_peer.py reported it.</summary>
/// <param name="PeakRssMb">The peer's peak resident set during this model's run (or the whole run so far when
/// <paramref name="PeakWasReset"/> is false).</param>
/// <param name="SequencesPerSecond">Predict mode only: samples ÷ seconds.</param>
public sealed record TorchEpoch(
    double Seconds,
    double? CpuSeconds,
    double? Loss,
    double? PeakRssMb,
    string? Version,
    string? Blas,
    bool PeakWasReset = false,
    double? SequencesPerSecond = null
);

/// <summary>Runs torch_peer.py (copied beside this program) as a subprocess and reads its JSON lines.</summary>
public static class TorchPeer
{
    private const string WaitPolicy = "OMP_WAIT_POLICY";

    private const string CoreType = "OPENBLAS_CORETYPE";

    /// <summary>The OpenMP wait policy the peer runs with (ours unless the caller's environment sets one).</summary>
    public static string OmpWaitPolicy => Environment.GetEnvironmentVariable(WaitPolicy) ?? "PASSIVE";

    /// <summary>
    /// The OpenBLAS kernels the peer is told to use (the caller's OPENBLAS_CORETYPE if set, else
    /// SkylakeX on AVX-512 CPUs, Haswell on AVX2 ones, none otherwise). An OpenBLAS older than the
    /// CPU does not recognise it and falls back to its Prescott (SSE3) kernels: Debian's 0.3.21 on
    /// an Intel Xeon of family 6, model 207, made PyTorch's LSTM epoch 2.2× slower (1,280 × 500:
    /// 12.7 s against 5.9 s with SkylakeX). The peer reports the core OpenBLAS really used.
    /// </summary>
    public static string? OpenBlasCoreType =>
        Environment.GetEnvironmentVariable(CoreType)
        ?? (
            System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "SkylakeX"
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "Haswell"
            : null
        );

    /// <param name="predict">False: one training epoch per model on the training size; true: the
    /// no_grad forward pass over --predict-samples sequences in batches of --predict-batch.</param>
    public static Dictionary<RecurrentKind, TorchEpoch> Run(BenchmarkOptions options, bool predict = false)
    {
        var (samples, timesteps) = options.TrainingSize;
        if (predict)
            samples = options.PredictSamples;
        string script = Path.Combine(AppContext.BaseDirectory, "torch_peer.py");
        if (!File.Exists(script))
            throw new FileNotFoundException($"torch_peer.py is missing beside the benchmark: {script}");
        var start = new ProcessStartInfo(options.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // GNU OpenMP spin-waits by default; with more runnable threads than cores (a shared
        // machine) that spinning starves the workers and PyTorch's 2-thread epoch gets 5–10× slower.
        // Passive waiting costs PyTorch little on a quiet machine, so it is the default here.
        if (Environment.GetEnvironmentVariable(WaitPolicy) is null)
            start.Environment[WaitPolicy] = "PASSIVE";
        if (Environment.GetEnvironmentVariable(CoreType) is null && OpenBlasCoreType is { } core)
            start.Environment[CoreType] = core;
        foreach (
            var arg in new[]
            {
                script,
                "--models",
                string.Join(",", options.Models.Select(BenchmarkOptions.PeerName)),
                "--mode",
                predict ? "predict" : "train",
                "--batch",
                (predict ? options.PredictBatch : ImdbShapedProblem.TrainingBatchSize).ToString(
                    CultureInfo.InvariantCulture
                ),
                "--samples",
                samples.ToString(CultureInfo.InvariantCulture),
                "--timesteps",
                timesteps.ToString(CultureInfo.InvariantCulture),
                "--threads",
                options.Threads.ToString(CultureInfo.InvariantCulture),
                "--seed",
                options.Seed.ToString(CultureInfo.InvariantCulture),
            }
        )
            start.ArgumentList.Add(arg);

        using var process =
            Process.Start(start) ?? throw new InvalidOperationException($"could not start {options.Python}");
        var results = new Dictionary<RecurrentKind, TorchEpoch>();
        var stderr = process.StandardError.ReadToEndAsync();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (!line.TrimStart().StartsWith('{'))
                continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var kind = BenchmarkOptions.ParseModels(root.GetProperty("model").GetString()!)[0];
            results[kind] = new TorchEpoch(
                root.GetProperty("seconds").GetDouble(),
                Number(root, "cpu_seconds"),
                Number(root, "loss"),
                Number(root, "peak_rss_mb"),
                Text(root, "torch"),
                Text(root, "blas"),
                root.TryGetProperty("peak_reset", out var reset) && reset.ValueKind == JsonValueKind.True,
                Number(root, "sequences_per_second")
            );
            Console.Error.WriteLine($"  torch {kind}{(predict ? " predict" : "")}: {results[kind].Seconds:F2} s");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"torch_peer.py failed (exit {process.ExitCode}) — is torch installed for {options.Python}? "
                    + "(apt-get install python3-torch)\n"
                    + stderr.Result
            );
        return results;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
