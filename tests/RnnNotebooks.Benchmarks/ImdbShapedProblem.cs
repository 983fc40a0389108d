using RnnNotebooks.Tensors;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// The IMDB-shaped training problem of issue 3: <see cref="Samples"/> random sequences of
/// <see cref="Timesteps"/> token ids from a vocabulary of 10,000 (id 0, padding, never drawn) with
/// random 0/1 labels; Embedding(10000, 32) → recurrent(32) → Dense(1, sigmoid), batch 128.
/// </summary>
public sealed class ImdbShapedProblem
{
    public const int FullSamples = 20_000;
    public const int FullTimesteps = 500;

    public ImdbShapedProblem(int samples, int timesteps, ulong seed)
    {
        if (samples <= 0 || timesteps <= 0)
            throw new BenchmarkUsageException($"samples and timesteps must be positive, got {samples} and {timesteps}");
        Samples = samples;
        Timesteps = timesteps;
        Seed = seed;
        var rng = new SeededRandom(seed);
        X = new Tensor(samples, timesteps);
        var ids = X.Data;
        for (int i = 0; i < ids.Length; i++)
            ids[i] = 1 + rng.NextInt(Vocabulary - 1);
        Y = new Tensor(samples, 1);
        for (int i = 0; i < samples; i++)
            Y.Data[i] = rng.NextInt(2);
    }

    public int Samples { get; }

    public int Timesteps { get; }

    public ulong Seed { get; }

    public int Vocabulary => 10_000;

    public int EmbeddingDim => 32;

    public int Units => 32;

    /// <summary>The training batch size (Keras' batch_size=128 of the chapter).</summary>
    public const int TrainingBatchSize = 128;

    public int BatchSize => TrainingBatchSize;

    /// <summary>Token ids as floats, shape (samples, timesteps), as Keras feeds them.</summary>
    public Tensor X { get; }

    /// <summary>Labels 0/1, shape (samples, 1).</summary>
    public Tensor Y { get; }

    /// <summary>Fraction of the full problem (20,000 × 500) this one is; targets scale by it.</summary>
    public double Scale => (double)Samples * Timesteps / ((double)FullSamples * FullTimesteps);

    /// <summary>Gates per unit: the recurrent kernel is (units, gates·units).</summary>
    public static int Gates(RecurrentKind kind) =>
        kind switch
        {
            RecurrentKind.SimpleRNN => 1,
            RecurrentKind.LSTM => 4,
            _ => 3,
        };

    /// <summary>Issue 15's targets, seconds per full-size epoch on the quiet 2-core reference machine
    /// (issue 3's were 6, 20 and 15 s).</summary>
    public static double TargetSeconds(RecurrentKind kind) =>
        kind switch
        {
            RecurrentKind.SimpleRNN => 2.5,
            RecurrentKind.LSTM => 5,
            _ => 4,
        };

    /// <summary>Issue 15: PyTorch's epoch ÷ ours, in the same run, at least this.</summary>
    public const double TargetTorchOverOurs = 5;

    /// <summary>Issue 15: managed bytes allocated per full-size epoch, at most this (MB, 2^20 bytes).</summary>
    public const double TargetAllocatedMbPerEpoch = 200;

    /// <summary>Issue 15: the process's peak working set during an epoch, at most this (MB).</summary>
    public const double TargetPeakWorkingSetMb = 400;
}
