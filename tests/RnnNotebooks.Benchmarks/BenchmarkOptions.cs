using System.Globalization;

namespace RnnNotebooks.Benchmarks;

/// <summary>Bad command-line input: printed with the usage, exit code 2.</summary>
public sealed class BenchmarkUsageException(string message) : Exception(message);

/// <summary>The command line of the benchmark (see README.md).</summary>
public sealed record BenchmarkOptions
{
    public IReadOnlyList<RecurrentKind> Models { get; init; } = Enum.GetValues<RecurrentKind>();
    public int Samples { get; init; } = ImdbShapedProblem.FullSamples;
    public int Timesteps { get; init; } = ImdbShapedProblem.FullTimesteps;
    public bool Torch { get; init; }
    public string? Runner { get; init; }
    public string? OutPath { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    public ulong Seed { get; init; } = 1;
    public bool Gemm { get; init; }
    public bool Help { get; init; }
    public string Python { get; init; } = "/usr/bin/python3";

    public const string Usage = """
        RnnNotebooks speed benchmark (issue 3): one training epoch of Embedding(10000, 32) → SimpleRNN/LSTM/GRU(32)
        → Dense(1, sigmoid) on 20,000 random IMDB-shaped sequences of 500 tokens, ours vs PyTorch.

        dotnet run -c Release --project tests/RnnNotebooks.Benchmarks -- [options]
          --models simplernn,lstm,gru   models to time (default: all three)
          --samples N                   sequences (default 20000)
          --timesteps T                 tokens per sequence (default 500)
          --torch                       also run the PyTorch peer (torch_peer.py) with the same sizes
          --python PATH                 interpreter with torch (default /usr/bin/python3)
          --threads N                   threads for both sides (default: all cores)
          --runner NAME                 which C# epoch runner (default: the real engine when present)
          --seed S                      data seed (default 1)
          --out FILE                    also write the results as JSON
          --gemm                        instead: GFLOP/s of the engine's GEMM shapes, single thread
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
