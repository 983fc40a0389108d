namespace RnnNotebooks.Tensors;

/// <summary>
/// How the engine uses the machine's cores. Work on a batch is cut into a fixed number of
/// shards that depends only on the batch size (never on the thread count); each shard has its
/// own scratch and gradient buffers and the shards' gradients are added in shard order. So the
/// same seed gives bit-identical results with 1 thread or 16.
/// </summary>
public static class Engine
{
    private static int _maxThreads = Environment.ProcessorCount;
    private static ParallelOptions _parallelOptions = new() { MaxDegreeOfParallelism = _maxThreads };

    /// <summary>Rows of a batch per shard (a batch of 128 is 4 shards of 32).</summary>
    public const int ShardRows = 32;

    /// <summary>Threads used to run shards in parallel (default: all cores). 1 = sequential.</summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), "must be ≥ 1");
            _parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = value };
            _maxThreads = value;
        }
    }

    /// <summary>Number of shards for a batch of <paramref name="batch"/> rows.</summary>
    public static int ShardCount(int batch) => Math.Max(1, (batch + ShardRows - 1) / ShardRows);

    /// <summary>Rows [start, end) of shard <paramref name="shard"/>.</summary>
    public static (int Start, int End) ShardRange(int batch, int shard)
    {
        int count = ShardCount(batch);
        int baseRows = batch / count,
            extra = batch % count;
        int start = shard * baseRows + Math.Min(shard, extra);
        return (start, start + baseRows + (shard < extra ? 1 : 0));
    }

    /// <summary>Runs <paramref name="body"/> for every shard index, in parallel up to <see cref="MaxThreads"/>.</summary>
    public static void ForEachShard(int shards, Action<int> body)
    {
        if (shards == 1 || _maxThreads == 1)
        {
            for (int s = 0; s < shards; s++)
                body(s);
            return;
        }
        Parallel.For(0, shards, _parallelOptions, body);
    }
}
