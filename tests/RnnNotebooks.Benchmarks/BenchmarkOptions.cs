using System.Globalization;

namespace RnnNotebooks.Benchmarks;

/// <summary>Bad command-line input: printed with the usage, exit code 2.</summary>
public sealed class BenchmarkUsageException(string message) : Exception(message);

/// <summary>The command line of the benchmark (see README.md).</summary>
public sealed record BenchmarkOptions
{
    public IReadOnlyList<RecurrentKind> Models { get; init; } = Enum.GetValues<RecurrentKind>();

    /// <summary>--samples; null: the mode's default (training 20,000, self-check 1,000).</summary>
    public int? Samples { get; init; }

    /// <summary>--timesteps; null: the mode's default (500, self-check 100).</summary>
    public int? Timesteps { get; init; }
    public bool Torch { get; init; }
    public string? Runner { get; init; }
    public string? OutPath { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    public ulong Seed { get; init; } = 1;
    public bool Gemm { get; init; }
    public bool Epochs { get; init; }
    public bool Profile { get; init; }
    public bool Predict { get; init; }
    public bool SelfCheck { get; init; }
    public bool Fingerprint { get; init; }
    public int PredictSamples { get; init; } = 25_000;
    public int PredictBatch { get; init; } = 128;

    /// <summary>--repeat: epochs per model in --epochs, the models taking turns; the best is reported against the targets.</summary>
    public int Repeat { get; init; } = 1;
    public bool Help { get; init; }
    public string Python { get; init; } = "/usr/bin/python3";

    /// <summary>Sizes of the self-check when --samples / --timesteps are not given: 7 full batches and one of 104 rows.</summary>
    public const int SelfCheckSamples = 1_000,
        SelfCheckTimesteps = 100;

    /// <summary>The training problem's size: --samples × --timesteps, default 20,000 × 500.</summary>
    public (int Samples, int Timesteps) TrainingSize =>
        (Samples ?? ImdbShapedProblem.FullSamples, Timesteps ?? ImdbShapedProblem.FullTimesteps);

    /// <summary>The self-check's size: --samples × --timesteps, default 1,000 × 100.</summary>
    public (int Samples, int Timesteps) SelfCheckSize => (Samples ?? SelfCheckSamples, Timesteps ?? SelfCheckTimesteps);

    /// <summary>The epoch table runs when asked (--epochs) or when no other mode is.</summary>
    public bool RunsEpochs => Epochs || !(Profile || Predict || SelfCheck || Gemm || Fingerprint);

    public const string Usage = """
        RnnNotebooks speed benchmark (issues 3 and 15): one training epoch of Embedding(10000, 32) →
        SimpleRNN/LSTM/GRU(32) → Dense(1, sigmoid) on 20,000 random IMDB-shaped sequences of 500 tokens,
        ours vs PyTorch: time, allocations and memory; a per-phase profile; Predict throughput; self-checks.

        dotnet run -c Release --project tests/RnnNotebooks.Benchmarks -- [modes] [options]
        modes (any combination, run in this order; none given: --epochs):
          --self-check                  manual loop = Fit, and 1 thread = 2 threads, per model (default 1000 × 100)
          --epochs                      one Fit epoch per model: time, allocations, GCs, peak working set
          --profile                     one layer-by-layer epoch per model, timed per phase (after a small self-check)
          --predict                     Predict throughput (sequences/s) on --predict-samples × --timesteps
          --gemm                        GFLOP/s of the engine's GEMM shapes, single thread
          --fingerprint                 hashes of weights and predictions after training 15 small recurrent
                                        configurations: compare two builds to prove a change bit-identical
        options:
          --models simplernn,lstm,gru   models to run (default: all three)
          --samples N                   training sequences (default 20000; self-check 1000)
          --timesteps T                 tokens per sequence (default 500; self-check 100)
          --predict-samples N           sequences for --predict (default 25000)
          --predict-batch B             Predict's batch size (default 128)
          --repeat N                    --epochs: N epochs per model, the models taking turns; the table shows
                                        the best (the quiet-machine time the targets mean) and the median
          --torch                       also run the PyTorch peer (torch_peer.py) for --epochs and --predict
          --python PATH                 interpreter with torch (default /usr/bin/python3)
          --threads N                   threads for both sides (default: all cores)
          --runner NAME                 which C# epoch runner (default: the real engine when present)
          --seed S                      data seed (default 1)
          --out FILE                    also write the results as JSON
          --help
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() =>
                i + 1 < args.Count ? args[++i] : throw new BenchmarkUsageException($"{arg} needs a value");
            int Positive() =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
                    ? v
                    : throw new BenchmarkUsageException($"{arg} needs a positive integer, got '{args[i]}'");
            options = arg switch
            {
                "--models" => options with { Models = ParseModels(Value()) },
                "--samples" => options with { Samples = Positive() },
                "--timesteps" => options with { Timesteps = Positive() },
                "--threads" => options with { Threads = Positive() },
                "--torch" => options with { Torch = true },
                "--python" => options with { Python = Value() },
                "--runner" => options with { Runner = Value() },
                "--out" => options with { OutPath = Value() },
                "--seed" => options with { Seed = (ulong)Positive() },
                "--gemm" => options with { Gemm = true },
                "--epochs" => options with { Epochs = true },
                "--profile" => options with { Profile = true },
                "--predict" => options with { Predict = true },
                "--self-check" => options with { SelfCheck = true },
                "--fingerprint" => options with { Fingerprint = true },
                "--predict-samples" => options with { PredictSamples = Positive() },
                "--predict-batch" => options with { PredictBatch = Positive() },
                "--repeat" => options with { Repeat = Positive() },
                "--help" or "-h" => options with { Help = true },
                _ => throw new BenchmarkUsageException($"unknown option '{arg}'"),
            };
        }
        return options;
    }

    public static IReadOnlyList<RecurrentKind> ParseModels(string list)
    {
        var kinds = new List<RecurrentKind>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            kinds.Add(
                name.ToLowerInvariant() switch
                {
                    "simplernn" or "rnn" => RecurrentKind.SimpleRNN,
                    "lstm" => RecurrentKind.LSTM,
                    "gru" => RecurrentKind.GRU,
                    _ => throw new BenchmarkUsageException($"unknown model '{name}'; use simplernn, lstm, gru"),
                }
            );
        return kinds.Count > 0 ? kinds.Distinct().ToList() : throw new BenchmarkUsageException("--models is empty");
    }

    /// <summary>The peer script's name for a model.</summary>
    public static string PeerName(RecurrentKind kind) => kind.ToString().ToLowerInvariant();
}
