using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Data;

/// <summary>Settings of <see cref="Word2VecTrainer"/>; defaults are gensim's (except <see cref="Shards"/> and <see cref="SyncWords"/>, which are ours).</summary>
public sealed record Word2VecOptions
{
    /// <summary>Vector length.</summary>
    public int Dimension { get; init; } = 100;

    /// <summary>Maximum distance between a word and a context word; each position uses a random window 1…Window.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Words seen fewer times are dropped before training.</summary>
    public int MinCount { get; init; } = 5;

    /// <summary>Negative samples per (word, context) pair, drawn from the unigram distribution raised to 0.75.</summary>
    public int Negative { get; init; } = 5;

    /// <summary>Subsampling threshold t: a word of frequency f is kept with probability (√(f/t) + 1)·t/f (word2vec's formula); 0 turns it off.</summary>
    public double Sample { get; init; } = 1e-3;

    /// <summary>Learning rate at the start; it falls linearly to <see cref="MinAlpha"/> over the whole run.</summary>
    public float Alpha { get; init; } = 0.025f;

    public float MinAlpha { get; init; } = 0.0001f;

    /// <summary>Passes over the corpus.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Seeds the initial vectors and every shard's random stream.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// The corpus is cut into this many contiguous shards of about equal word count, trained side by side. The result
    /// depends on Shards and Seed, never on the number of threads (<see cref="Engine.MaxThreads"/>).
    /// </summary>
    public int Shards { get; init; } = 4;

    /// <summary>Words each shard trains on between two merges of the shards' updates.</summary>
    public int SyncWords { get; init; } = 1_000;
}

/// <summary>
/// word2vec skip-gram with negative sampling (Mikolov et al. 2013; the update rules of the original C tool), trained
/// deterministically on all cores.
/// <para>
/// For a word w with context word c (inside a window of random size 1…Window), with input vectors v (the result)
/// and output vectors u (initialised to zero), and learning rate α:
/// for the target t = w with label 1 and Negative targets drawn from count^0.75 with label 0,
/// g = α · (label − σ(v_c · u_t)); e += g · u_t; u_t += g · v_c; then v_c += e.
/// Frequent words are subsampled; α falls linearly from Alpha to MinAlpha.
/// </para>
/// <para>
/// Determinism: word2vec and gensim let threads update shared vectors without locks ("Hogwild"), so results depend
/// on timing. Here the corpus is cut into <see cref="Word2VecOptions.Shards"/> fixed shards, each with its own random
/// stream. Training runs in rounds: in a round every shard trains on its next <see cref="Word2VecOptions.SyncWords"/>
/// words against the vectors as they were at the start of the round plus its own updates (copy-on-write rows);
/// after the round each shard's changes are added to the shared vectors, shard by shard in order. Same seed, same
/// shards → bit-identical vectors with 1 thread or 16. Rows that several shards change in one round receive the sum
/// of their changes, as Hogwild threads would; keeping rounds short (SyncWords = 1,000) keeps that close to sequential
/// training (with a vocabulary of only a dozen words, where every row collides every round, use Shards = 1).
/// </para>
/// <para>
/// Cost, measured on the 2-core development machine (lightly loaded): all 100,000 aclImdb reviews (train, test and
/// unsup; TreebankWordTokenizer after <see cref="Text.Html.StripTags"/> with a space, 25.3 M tokens, 83,615 words with
/// MinCount 5), Dimension 300, Window 5, Negative 5, Sample 1e-3, 1 epoch, Shards 4: 256 s wall (406 CPU-s,
/// about 100,000 tokens per second), peak memory 1.5 GB including the reviews. The neighbours are sensible
/// (awful → terrible, horrible, dreadful; Paris → London, California, England).
/// </para>
/// </summary>
public sealed class Word2VecTrainer
{
    private const float MaxExp = 6f;

    public Word2VecTrainer(Word2VecOptions? options = null)
    {
        Options = options ?? new Word2VecOptions();
        if (Options.Dimension <= 0 || Options.Window <= 0 || Options.MinCount < 1 || Options.Negative < 1)
            throw new ArgumentException(
                "Dimension, Window, Negative must be positive and MinCount ≥ 1.",
                nameof(options)
            );
        if (Options.Epochs <= 0 || Options.Shards <= 0 || Options.SyncWords <= 0)
            throw new ArgumentException("Epochs, Shards and SyncWords must be positive.", nameof(options));
    }

    public Word2VecOptions Options { get; }

    /// <summary>
    /// Receives a progress line about once per <see cref="LogInterval"/> and a last line when training ends (null:
    /// quiet). Give it a <see cref="Notebooks.LiveLine"/>'s <c>Report</c> (and a short LogInterval, e.g. 0.5 s) to see
    /// one line that updates in place in a notebook and keeps the last line.
    /// </summary>
    public Action<string>? Log { get; set; }

    /// <summary>How often <see cref="Log"/> hears about progress (default 5 s).</summary>
    public TimeSpan LogInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Trains on tokenised sentences (enumerated once).</summary>
    public WordVectors Train(IEnumerable<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var corpus = new CorpusBuilder();
        foreach (var sentence in sentences)
            corpus.Add(sentence);
        return Train(corpus);
    }

    /// <summary>Tokenises <paramref name="texts"/> with <paramref name="tokenize"/> in parallel (order kept), then trains.</summary>
    public WordVectors Train(IEnumerable<string> texts, Func<string, IReadOnlyList<string>> tokenize)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenize);
        var corpus = new CorpusBuilder();
        foreach (var chunk in texts.Chunk(2048))
        {
            var tokens = new IReadOnlyList<string>[chunk.Length];
            Parallel.For(
                0,
                chunk.Length,
                new ParallelOptions { MaxDegreeOfParallelism = Engine.MaxThreads },
                i => tokens[i] = tokenize(chunk[i])
            );
            foreach (var t in tokens)
                corpus.Add(t);
        }
        return Train(corpus);
    }

    private WordVectors Train(CorpusBuilder builder)
    {
        var o = Options;
        var corpus = builder.Finish(o.MinCount);
        int vocab = corpus.Words.Length;
        if (vocab == 0)
            throw new InvalidOperationException($"No word occurs at least MinCount = {o.MinCount} times.");
        int dim = o.Dimension;
        long totalWords = corpus.Tokens.Length;

        var input = new float[
            (long)vocab * dim <= int.MaxValue
                ? vocab * dim
                : throw new InvalidOperationException("Vocabulary × dimension too large.")
        ];
        var init = new SeededRandom(o.Seed);
        for (int i = 0; i < input.Length; i++)
            input[i] = (init.NextFloat() - 0.5f) / dim;
        var output = new float[input.Length];

        var keep = SubsampleThresholds(corpus.Counts, totalWords, o.Sample);
        var noise = new AliasTable(corpus.Counts.Select(c => Math.Pow(c, 0.75)).ToArray());
        var shards = MakeShards(corpus, o.Shards);
        var workers = shards
            .Select((s, i) => new ShardWorker(this, s, corpus, keep, noise, vocab, dim, Mix(o.Seed + (ulong)i + 1)))
            .ToArray();

        var clock = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            foreach (var w in workers)
                w.StartEpoch(epoch);
            while (workers.Any(w => !w.EpochDone))
            {
                Engine.ForEachShard(workers.Length, s => workers[s].TrainRound(input, output));
                Engine.ForEachShard(workers.Length, s => workers[s].ComputeDeltas(input, output));
                foreach (var w in workers)
                    w.ApplyDeltas(input, output);
                if (Log is not null && clock.Elapsed - lastLog >= LogInterval)
                {
                    lastLog = clock.Elapsed;
                    long done = workers.Sum(w => w.WordsDone);
                    double fraction = (double)done / (totalWords * o.Epochs);
                    Log(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"word2vec: {fraction:P0} ({done:N0} words, {done / clock.Elapsed.TotalSeconds:N0} words/s, alpha {workers[0].Alpha:0.00000})"
                        )
                    );
                }
            }
        }
        Log?.Invoke(
            string.Create(
                CultureInfo.InvariantCulture,
                $"word2vec: trained {vocab:N0} words × {dim} on {totalWords:N0} tokens × {o.Epochs} epochs in {clock.Elapsed.TotalSeconds:0.0} s"
            )
        );
        return new WordVectors(corpus.Words, input, dim);
    }

    /// <summary>Per word, the 32-bit threshold below which a random draw keeps an occurrence (all ones: always keep).</summary>
    private static uint[] SubsampleThresholds(long[] counts, long totalWords, double sample)
    {
        var keep = new uint[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            double p = 1.0;
            if (sample > 0)
            {
                double threshold = sample * totalWords;
                p = (Math.Sqrt(counts[i] / threshold) + 1) * threshold / counts[i];
            }
            keep[i] = p >= 1.0 ? uint.MaxValue : (uint)(p * uint.MaxValue);
        }
        return keep;
    }

    private static (int FirstSentence, int EndSentence, long Words)[] MakeShards(Corpus corpus, int shards)
    {
        var result = new (int, int, long)[shards];
        int sentence = 0;
        long total = corpus.Tokens.Length;
        for (int s = 0; s < shards; s++)
        {
            int first = sentence;
            long goal = total * (s + 1) / shards;
            while (sentence < corpus.SentenceCount && (s == shards - 1 || corpus.SentenceStart[sentence + 1] <= goal))
                sentence++;
            result[s] = (first, sentence, corpus.SentenceStart[sentence] - corpus.SentenceStart[first]);
        }
        return result;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>One shard: its sentences, its random stream, and its copy-on-write rows for the current round.</summary>
    private sealed class ShardWorker
    {
        private readonly Word2VecTrainer _owner;
        private readonly (int First, int End, long Words) _range;
        private readonly Corpus _corpus;
        private readonly uint[] _keep;
        private readonly AliasTable _noise;
        private readonly int _dim;
        private readonly RowOverlay _in;
        private readonly RowOverlay _out;
        private readonly float[] _error;
        private int[] _kept = new int[1 << 12];
        private ulong _random;
        private int _epoch;
        private int _cursor;
        private long _doneInEpoch;

        public ShardWorker(
            Word2VecTrainer owner,
            (int, int, long) range,
            Corpus corpus,
            uint[] keep,
            AliasTable noise,
            int vocab,
            int dim,
            ulong seed
        )
        {
            _owner = owner;
            _range = range;
            _corpus = corpus;
            _keep = keep;
            _noise = noise;
            _dim = dim;
            _in = new RowOverlay(vocab, dim);
            _out = new RowOverlay(vocab, dim);
            _error = new float[dim];
            _random = seed;
        }

        public bool EpochDone => _cursor >= _range.End;

        public long WordsDone => _epoch * _range.Words + _doneInEpoch;

        public float Alpha { get; private set; }

        public void StartEpoch(int epoch)
        {
            _epoch = epoch;
            _cursor = _range.First;
            _doneInEpoch = 0;
        }

        /// <summary>Trains on whole sentences until about SyncWords words are done.</summary>
        public void TrainRound(float[] input, float[] output)
        {
            var o = _owner.Options;
            long budget = o.SyncWords;
            long totalForShard = Math.Max(1, _range.Words * o.Epochs);
            while (budget > 0 && _cursor < _range.End)
            {
                int start = _corpus.SentenceStart[_cursor],
                    end = _corpus.SentenceStart[_cursor + 1];
                _cursor++;
                budget -= end - start;
                double progress = (double)(_epoch * _range.Words + _doneInEpoch) / totalForShard;
                Alpha = Math.Max(o.MinAlpha, (float)(o.Alpha - (o.Alpha - o.MinAlpha) * progress));
                _doneInEpoch += end - start;

                int n = 0;
                var buffer = _kept;
                for (int p = start; p < end; p++)
                {
                    int word = _corpus.Tokens[p];
                    if (_keep[word] != uint.MaxValue && NextUInt32() > _keep[word])
                        continue;
                    if (n == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                        _kept = buffer;
                    }
                    buffer[n++] = word;
                }
                for (int i = 0; i < n; i++)
                {
                    int reduced = (int)(NextUInt32() % (uint)o.Window);
                    int span = o.Window - reduced;
                    int from = Math.Max(0, i - span),
                        to = Math.Min(n - 1, i + span);
                    for (int j = from; j <= to; j++)
                    {
                        if (j != i)
                            TrainPair(buffer[i], buffer[j], input, output, o.Negative);
                    }
                }
            }
        }

        private void TrainPair(int word, int context, float[] input, float[] output, int negative)
        {
            var v = _in.Row(context, input);
            var e = _error.AsSpan();
            e.Clear();
            float alpha = Alpha;
            for (int d = 0; d <= negative; d++)
            {
                int target;
                float label;
                if (d == 0)
                {
                    target = word;
                    label = 1f;
                }
                else
                {
                    target = DrawNoise();
                    if (target == word)
                        continue;
                    label = 0f;
                }
                var u = _out.Row(target, output);
                float f = TensorPrimitives.Dot(v, u);
                float g;
                if (f > MaxExp)
                    g = (label - 1f) * alpha;
                else if (f < -MaxExp)
                    g = label * alpha;
                else
                    g = (label - 1f / (1f + MathF.Exp(-f))) * alpha;
                UpdateErrorAndOutput(e, u, v, g);
            }
            TensorPrimitives.Add(v, e, v);
        }

        /// <summary>e += g·u and u += g·v in one pass (u's old value feeds e, as in word2vec).</summary>
        private static void UpdateErrorAndOutput(Span<float> e, Span<float> u, ReadOnlySpan<float> v, float g)
        {
            int n = e.Length,
                i = 0;
            ref float er = ref MemoryMarshal.GetReference(e);
            ref float ur = ref MemoryMarshal.GetReference(u);
            ref float vr = ref MemoryMarshal.GetReference(v);
            if (Vector256.IsHardwareAccelerated)
            {
                var gv = Vector256.Create(g);
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var uo = Vector256.LoadUnsafe(ref ur, (nuint)i);
                    (Vector256.LoadUnsafe(ref er, (nuint)i) + gv * uo).StoreUnsafe(ref er, (nuint)i);
                    (uo + gv * Vector256.LoadUnsafe(ref vr, (nuint)i)).StoreUnsafe(ref ur, (nuint)i);
                }
            }
            for (; i < n; i++)
            {
                float uo = Unsafe.Add(ref ur, i);
                Unsafe.Add(ref er, i) += g * uo;
                Unsafe.Add(ref ur, i) = uo + g * Unsafe.Add(ref vr, i);
            }
        }

        private int DrawNoise() => _noise.Draw(NextUInt32(), NextUInt32());

        private uint NextUInt32()
        {
            // word2vec's own linear congruential generator (48-bit constants), top bits taken.
            _random = unchecked(_random * 25214903917UL + 11UL);
            return (uint)(_random >> 16);
        }

        public void ComputeDeltas(float[] input, float[] output)
        {
            _in.ToDeltas(input);
            _out.ToDeltas(output);
        }

        public void ApplyDeltas(float[] input, float[] output)
        {
            _in.AddDeltasAndReset(input);
            _out.AddDeltasAndReset(output);
        }
    }

    /// <summary>
    /// Walker's alias method (Vose's construction): draws index i with probability weight[i] / Σ weight in O(1) from
    /// two 32-bit random numbers — exact, unlike word2vec's 10⁸-entry table, and small.
    /// </summary>
    private sealed class AliasTable
    {
        private readonly uint[] _threshold;
        private readonly int[] _alias;

        public AliasTable(double[] weights)
        {
            int n = weights.Length;
            _threshold = new uint[n];
            _alias = new int[n];
            double total = weights.Sum();
            var scaled = weights.Select(w => w * n / total).ToArray();
            var small = new Stack<int>();
            var large = new Stack<int>();
            for (int i = n - 1; i >= 0; i--)
                (scaled[i] < 1.0 ? small : large).Push(i);
            while (small.Count > 0 && large.Count > 0)
            {
                int s = small.Pop(),
                    l = large.Pop();
                _threshold[s] = ToThreshold(scaled[s]);
                _alias[s] = l;
                scaled[l] = scaled[l] + scaled[s] - 1.0;
                (scaled[l] < 1.0 ? small : large).Push(l);
            }
            foreach (int i in small.Concat(large))
            {
                _threshold[i] = uint.MaxValue;
                _alias[i] = i;
            }
        }

        public int Draw(uint first, uint second)
        {
            int i = (int)(((ulong)first * (ulong)_threshold.Length) >> 32);
            return second < _threshold[i] || _threshold[i] == uint.MaxValue ? i : _alias[i];
        }

        private static uint ToThreshold(double p) => p >= 1.0 ? uint.MaxValue : (uint)(p * 4294967296.0);
    }

    /// <summary>Copy-on-write rows of a shared matrix for one shard and one round.</summary>
    private sealed class RowOverlay
    {
        private readonly int[] _slotOfRow;
        private readonly int _dim;
        private readonly List<int> _rows = new();
        private float[] _buffer;

        public RowOverlay(int rows, int dim)
        {
            _slotOfRow = new int[rows];
            Array.Fill(_slotOfRow, -1);
            _dim = dim;
            _buffer = new float[dim * 1024];
        }

        public Span<float> Row(int row, float[] shared)
        {
            int slot = _slotOfRow[row];
            if (slot < 0)
            {
                slot = _rows.Count;
                _rows.Add(row);
                _slotOfRow[row] = slot;
                if ((slot + 1) * _dim > _buffer.Length)
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                shared.AsSpan(row * _dim, _dim).CopyTo(_buffer.AsSpan(slot * _dim, _dim));
            }
            return _buffer.AsSpan(slot * _dim, _dim);
        }

        /// <summary>Local row − shared row, for every touched row (the shared matrix is not changed yet).</summary>
        public void ToDeltas(float[] shared)
        {
            for (int s = 0; s < _rows.Count; s++)
            {
                var local = _buffer.AsSpan(s * _dim, _dim);
                TensorPrimitives.Subtract(local, shared.AsSpan(_rows[s] * _dim, _dim), local);
            }
        }

        /// <summary>Adds this shard's change of each touched row to the shared matrix and forgets the rows.</summary>
        public void AddDeltasAndReset(float[] shared)
        {
            for (int s = 0; s < _rows.Count; s++)
            {
                int row = _rows[s];
                var target = shared.AsSpan(row * _dim, _dim);
                TensorPrimitives.Add(target, _buffer.AsSpan(s * _dim, _dim), target);
                _slotOfRow[row] = -1;
            }
            _rows.Clear();
        }
    }

    /// <summary>The corpus as word ids (vocabulary order: count descending, then ordinal), sentences delimited by <see cref="SentenceStart"/>.</summary>
    private sealed record Corpus(string[] Words, long[] Counts, int[] Tokens, int[] SentenceStart)
    {
        public int SentenceCount => SentenceStart.Length - 1;
    }

    /// <summary>Collects sentences as provisional ids in one pass; <see cref="Finish"/> drops rare words and renumbers.</summary>
    private sealed class CorpusBuilder
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly List<string> _words = new();
        private readonly List<long> _counts = new();
        private readonly List<int[]> _sentences = new();

        public void Add(IReadOnlyList<string> sentence)
        {
            ArgumentNullException.ThrowIfNull(sentence);
            var ids = new int[sentence.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                var w = sentence[i];
                if (!_ids.TryGetValue(w, out int id))
                {
                    id = _words.Count;
                    _ids[w] = id;
                    _words.Add(w);
                    _counts.Add(0);
                }
                _counts[id]++;
                ids[i] = id;
            }
            _sentences.Add(ids);
        }

        public Corpus Finish(int minCount)
        {
            var order = Enumerable
                .Range(0, _words.Count)
                .Where(i => _counts[i] >= minCount)
                .OrderByDescending(i => _counts[i])
                .ThenBy(i => _words[i], StringComparer.Ordinal)
                .ToArray();
            var newId = new int[_words.Count];
            Array.Fill(newId, -1);
            for (int i = 0; i < order.Length; i++)
                newId[order[i]] = i;

            long kept = 0;
            foreach (var s in _sentences)
            foreach (int id in s)
                if (newId[id] >= 0)
                    kept++;
            var tokens = new int[
                kept <= int.MaxValue ? (int)kept : throw new InvalidOperationException("Corpus too large.")
            ];
            var starts = new List<int>(_sentences.Count + 1) { 0 };
            int p = 0;
            foreach (var s in _sentences)
            {
                foreach (int id in s)
                {
                    if (newId[id] >= 0)
                        tokens[p++] = newId[id];
                }
                if (p > starts[^1])
                    starts.Add(p); // sentences left empty are skipped
            }
            _sentences.Clear();
            return new Corpus(
                order.Select(i => _words[i]).ToArray(),
                order.Select(i => _counts[i]).ToArray(),
                tokens,
                starts.ToArray()
            );
        }
    }
}
