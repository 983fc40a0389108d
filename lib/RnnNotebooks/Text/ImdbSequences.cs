using System.Text;
using RnnNotebooks.Data;

namespace RnnNotebooks.Text;

/// <summary>How <see cref="ImdbSequences.LoadData"/> applies <c>maxlen</c>.</summary>
public enum ImdbMaxlenFilter
{
    /// <summary>tf.keras: filter train and test separately (the correct behaviour; default).</summary>
    PerSplit,

    /// <summary>
    /// Keras 2.0–2.3: filter the concatenated train + test list, then split it at the original number of training
    /// reviews, so "train" takes in some test reviews (reproduces that bug for old walkthroughs).
    /// </summary>
    Concatenated,
}

/// <summary>IMDB reviews as Keras-style index sequences (<see cref="ImdbSequences.LoadData"/>).</summary>
public sealed class ImdbSequenceData
{
    internal ImdbSequenceData(
        int[][] xTrain,
        int[] yTrain,
        int[][] xTest,
        int[] yTest,
        IReadOnlyDictionary<string, int> wordIndex,
        string[] words,
        int indexFrom
    )
    {
        XTrain = xTrain;
        YTrain = yTrain;
        XTest = xTest;
        YTest = yTest;
        WordIndex = wordIndex;
        _words = words;
        IndexFrom = indexFrom;
    }

    private readonly string[] _words;

    public int[][] XTrain { get; }
    public int[] YTrain { get; }
    public int[][] XTest { get; }
    public int[] YTest { get; }

    /// <summary>Word → frequency rank (1 = most frequent in the training reviews), without the index offset: Keras' <c>get_word_index()</c>.</summary>
    public IReadOnlyDictionary<string, int> WordIndex { get; }

    /// <summary>The offset added to ranks (Keras' <c>index_from</c>).</summary>
    public int IndexFrom { get; }

    /// <summary>
    /// Turns a sequence back into words with the usual convention: 0 <c>&lt;PAD&gt;</c>, 1 <c>&lt;START&gt;</c>,
    /// 2 <c>&lt;UNK&gt;</c>, 3 <c>&lt;UNUSED&gt;</c> (for the default offsets), i ≥ indexFrom + 1 → the word of rank i − indexFrom.
    /// </summary>
    public string Decode(IEnumerable<int> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        string Word(int i)
        {
            int rank = i - IndexFrom;
            if (rank >= 1 && rank <= _words.Length)
                return _words[rank - 1];
            return i switch
            {
                0 => "<PAD>",
                1 => "<START>",
                2 => "<UNK>",
                _ => "<UNUSED>",
            };
        }
        return string.Join(" ", sequence.Select(Word));
    }
}

/// <summary>
/// Keras' <c>keras.datasets.imdb.load_data</c>, built from the raw aclImdb reviews (docs/keras-semantics.md#imdb-dataset).
/// <para>
/// Keras ships ready-made index lists (imdb.npz) whose preprocessing happened at Stanford and cannot be reproduced
/// exactly; ours are built the documented way instead: each review has its HTML tags replaced by a space
/// (<see cref="Html.StripTags"/>, so <c>&lt;br /&gt;</c> disappears), then is split by Keras'
/// <see cref="Tokenizer.TextToWordSequence"/> (lower case, punctuation except the apostrophe removed). Words are
/// ranked by their count in the 25,000 training reviews (ties in ordinal order of the word), and words seen only in
/// test reviews are ranked after them by their test count, so every word has a rank, like Keras' word index. So the
/// vocabulary size and individual indices differ a little from Keras' file, while every rule below is Keras'.
/// </para>
/// <para>
/// Order before shuffling: pos reviews by id, then neg by id (25,000 each split). Then, as Keras does:
/// <list type="number">
/// <item>shuffle with <c>RandomState(seed)</c>: a permutation of the training reviews, then — same stream — one of the test reviews;</item>
/// <item>each review becomes <c>[startChar] + [rank + indexFrom …]</c> (or just the shifted ranks when startChar is null);</item>
/// <item>maxlen: keep only sequences with length &lt; maxlen (start token included), per split by default;</item>
/// <item>numWords null → the largest index present (which then itself fails the test below, as in Keras);</item>
/// <item>every index outside skipTop ≤ i &lt; numWords becomes oovChar (or is dropped when oovChar is null).</item>
/// </list>
/// Labels: 1 = positive, 0 = negative. The word ranks of the full data set are cached in <c>data/</c>
/// (<see cref="CacheFileName"/>) after the first build, so later loads skip the tokenisation.
/// </para>
/// </summary>
public static class ImdbSequences
{
    /// <summary>The cache file written into <see cref="DataCache.DataFolder"/> (its name carries the format version).</summary>
    public const string CacheFileName = "imdb_word_ranks.v1.bin";

    private const string Recipe =
        "rnnnotebooks-imdb-ranks/1: Html.StripTags(' ') + Tokenizer.TextToWordSequence; rank by train count desc, ordinal; test-only words after";

    /// <summary>Keras' <c>imdb.load_data</c>; see the class remarks for the exact rules.</summary>
    /// <param name="numWords">Keep indices below this (null: all).</param>
    /// <param name="skipTop">Indices below this become OOV (the most frequent words, when ≥ indexFrom + 1).</param>
    /// <param name="maxlen">Drop reviews whose sequence (start token included) is not shorter than this.</param>
    /// <param name="seed">numpy RandomState seed for the shuffles (Keras: 113).</param>
    /// <param name="startChar">Index put at the start of every review (null: none).</param>
    /// <param name="oovChar">Index of out-of-vocabulary words (null: drop them).</param>
    /// <param name="indexFrom">Added to every word rank.</param>
    /// <param name="maxlenFilter">tf.keras per-split filtering, or the Keras 2.x concatenation bug.</param>
    /// <param name="maxPerFolder">Quick runs: build from at most this many reviews per folder (their own word ranks; not cached).</param>
    /// <param name="cache">Where to find aclImdb and to cache the ranks (default: <see cref="DataCache.Default"/>).</param>
    public static ImdbSequenceData LoadData(
        int? numWords = null,
        int skipTop = 0,
        int? maxlen = null,
        long seed = 113,
        int? startChar = 1,
        int? oovChar = 2,
        int indexFrom = 3,
        ImdbMaxlenFilter maxlenFilter = ImdbMaxlenFilter.PerSplit,
        int? maxPerFolder = null,
        DataCache? cache = null
    )
    {
        cache ??= DataCache.Default;
        var ranks = LoadRanks(cache, maxPerFolder);
        return Apply(ranks, numWords, skipTop, maxlen, seed, startChar, oovChar, indexFrom, maxlenFilter);
    }

    /// <summary>The Keras rules applied to ranked reviews (also used by the tests on small hand-made data).</summary>
    internal static ImdbSequenceData Apply(
        RankedReviews data,
        int? numWords,
        int skipTop,
        int? maxlen,
        long seed,
        int? startChar,
        int? oovChar,
        int indexFrom,
        ImdbMaxlenFilter maxlenFilter
    )
    {
        if (numWords is < 0)
            throw new ArgumentOutOfRangeException(nameof(numWords), numWords, "numWords must be ≥ 0.");
        if (maxlen is <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxlen), maxlen, "maxlen must be positive.");

        var rng = new NumpyRandomState(seed);
        var trainOrder = rng.Permutation(data.TrainRanks.Length);
        var testOrder = rng.Permutation(data.TestRanks.Length);

        int[] Shift(int[] ranks)
        {
            if (startChar is int start)
            {
                var s = new int[ranks.Length + 1];
                s[0] = start;
                for (int i = 0; i < ranks.Length; i++)
                    s[i + 1] = ranks[i] + indexFrom;
                return s;
            }
            return ranks.Select(r => r + indexFrom).ToArray();
        }

        var xTrain = trainOrder.Select(i => Shift(data.TrainRanks[i])).ToList();
        var yTrain = trainOrder.Select(i => data.TrainLabels[i]).ToList();
        var xTest = testOrder.Select(i => Shift(data.TestRanks[i])).ToList();
        var yTest = testOrder.Select(i => data.TestLabels[i]).ToList();

        List<int[]> xs;
        List<int> ys;
        int splitAt;
        if (maxlen is int m && maxlenFilter == ImdbMaxlenFilter.PerSplit)
        {
            (xTrain, yTrain) = KeepShorter(xTrain, yTrain, m);
            (xTest, yTest) = KeepShorter(xTest, yTest, m);
            if (xTrain.Count == 0 || xTest.Count == 0)
                throw new ArgumentException(
                    $"After filtering for sequences shorter than maxlen={m}, no sequence was kept. Increase maxlen."
                );
            xs = [.. xTrain, .. xTest];
            ys = [.. yTrain, .. yTest];
            splitAt = xTrain.Count;
        }
        else
        {
            xs = [.. xTrain, .. xTest];
            ys = [.. yTrain, .. yTest];
            splitAt = xTrain.Count;
            if (maxlen is int mc)
            {
                (xs, ys) = KeepShorter(xs, ys, mc);
                if (xs.Count == 0)
                    throw new ArgumentException(
                        $"After filtering for sequences shorter than maxlen={mc}, no sequence was kept. Increase maxlen."
                    );
                splitAt = Math.Min(splitAt, xs.Count);
            }
        }

        int limit =
            numWords is int nw && nw > 0 ? nw : xs.Select(x => x.Length == 0 ? 0 : x.Max()).DefaultIfEmpty(0).Max();
        for (int k = 0; k < xs.Count; k++)
        {
            var x = xs[k];
            if (oovChar is int oov)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    if (x[i] < skipTop || x[i] >= limit)
                        x[i] = oov;
                }
            }
            else
            {
                xs[k] = x.Where(w => w >= skipTop && w < limit).ToArray();
            }
        }

        var wordIndex = new Dictionary<string, int>(data.Words.Length, StringComparer.Ordinal);
        for (int i = 0; i < data.Words.Length; i++)
            wordIndex[data.Words[i]] = i + 1;
        return new ImdbSequenceData(
            xs.Take(splitAt).ToArray(),
            ys.Take(splitAt).ToArray(),
            xs.Skip(splitAt).ToArray(),
            ys.Skip(splitAt).ToArray(),
            wordIndex,
            data.Words,
            indexFrom
        );
    }

    private static (List<int[]>, List<int>) KeepShorter(List<int[]> xs, List<int> ys, int maxlen)
    {
        var x = new List<int[]>();
        var y = new List<int>();
        for (int i = 0; i < xs.Count; i++)
        {
            if (xs[i].Length < maxlen)
            {
                x.Add(xs[i]);
                y.Add(ys[i]);
            }
        }
        return (x, y);
    }

    /// <summary>The tokens a review contributes to the word index.</summary>
    public static string[] Tokenize(string review) => Tokenizer.TextToWordSequence(Html.StripTags(review, " "));

    internal static RankedReviews LoadRanks(DataCache cache, int? maxPerFolder)
    {
        string source = AclImdb.Locate(cache);
        if (maxPerFolder is not null)
            return Build(AclImdb.Read(source, new ImdbReadOptions { MaxPerFolder = maxPerFolder }));

        string identity = SourceIdentity(source);
        string cachePath = Path.Combine(cache.DataFolder, CacheFileName);
        if (RankedReviews.TryRead(cachePath, identity) is RankedReviews cached)
            return cached;
        var built = Build(AclImdb.Read(source, ImdbReadOptions.Labelled));
        built.TryWrite(cachePath, identity);
        return built;
    }

    internal static RankedReviews Build(ImdbReviewSet reviews)
    {
        var trainTokens = TokenizeAll(reviews.Train);
        var testTokens = TokenizeAll(reviews.Test);
        var trainCounts = Count(trainTokens);
        var testCounts = Count(testTokens);

        var words = trainCounts
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key)
            .Concat(
                testCounts
                    .Where(kv => !trainCounts.ContainsKey(kv.Key))
                    .OrderByDescending(kv => kv.Value)
                    .ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => kv.Key)
            )
            .ToArray();
        var rank = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
            rank[words[i]] = i + 1;

        int[][] ToRanks(string[][] tokens) => tokens.Select(t => t.Select(w => rank[w]).ToArray()).ToArray();
        return new RankedReviews(
            words,
            ToRanks(trainTokens),
            reviews.Train.Select(r => r.Label).ToArray(),
            ToRanks(testTokens),
            reviews.Test.Select(r => r.Label).ToArray()
        );
    }

    private static string[][] TokenizeAll(IReadOnlyList<ImdbReview> reviews)
    {
        var tokens = new string[reviews.Count][];
        Parallel.For(0, reviews.Count, i => tokens[i] = Tokenize(reviews[i].Text));
        // One string instance per distinct word keeps the token arrays small.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            for (int j = 0; j < t.Length; j++)
            {
                if (pool.TryGetValue(t[j], out var same))
                    t[j] = same;
                else
                    pool[t[j]] = t[j];
            }
        }
        return tokens;
    }

    private static Dictionary<string, int> Count(string[][] tokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tokens)
        foreach (var w in t)
            counts[w] = counts.GetValueOrDefault(w) + 1;
        return counts;
    }

    private static string SourceIdentity(string source)
    {
        if (File.Exists(source))
        {
            var info = new FileInfo(source);
            return $"{Recipe}|file|{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        }
        var dir = new DirectoryInfo(source);
        return $"{Recipe}|folder|{dir.FullName}|{dir.LastWriteTimeUtc.Ticks}";
    }

    /// <summary>Word ranks of every labelled review, before shuffling (pos by id, then neg by id, per split).</summary>
    internal sealed record RankedReviews(
        string[] Words,
        int[][] TrainRanks,
        int[] TrainLabels,
        int[][] TestRanks,
        int[] TestLabels
    )
    {
        private const string Magic = "RNNNOTEBOOKS-IMDB-RANKS";

        public static RankedReviews? TryRead(string path, string identity)
        {
            if (!File.Exists(path))
                return null;
            try
            {
                using var reader = new BinaryReader(new BufferedStream(File.OpenRead(path), 1 << 20), Encoding.UTF8);
                if (reader.ReadString() != Magic || reader.ReadString() != identity)
                    return null;
                var words = new string[reader.ReadInt32()];
                for (int i = 0; i < words.Length; i++)
                    words[i] = reader.ReadString();
                var (trainRanks, trainLabels) = ReadSplit(reader);
                var (testRanks, testLabels) = ReadSplit(reader);
                if (reader.ReadString() != Magic)
                    return null;
                return new RankedReviews(words, trainRanks, trainLabels, testRanks, testLabels);
            }
            catch (Exception e) when (e is IOException or FormatException or EndOfStreamException or OverflowException)
            {
                return null; // a damaged cache is rebuilt
            }
        }

        /// <summary>Writes atomically (temp file, then rename); a read-only data folder just means no cache.</summary>
        public void TryWrite(string path, string identity)
        {
            string temp = $"{path}.{Guid.NewGuid():N}.part";
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using (var writer = new BinaryWriter(new BufferedStream(File.Create(temp), 1 << 20), Encoding.UTF8))
                {
                    writer.Write(Magic);
                    writer.Write(identity);
                    writer.Write(Words.Length);
                    foreach (var w in Words)
                        writer.Write(w);
                    WriteSplit(writer, TrainRanks, TrainLabels);
                    WriteSplit(writer, TestRanks, TestLabels);
                    writer.Write(Magic);
                }
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        private static void WriteSplit(BinaryWriter writer, int[][] ranks, int[] labels)
        {
            writer.Write(ranks.Length);
            for (int i = 0; i < ranks.Length; i++)
            {
                writer.Write((byte)labels[i]);
                writer.Write7BitEncodedInt(ranks[i].Length);
                foreach (int r in ranks[i])
                    writer.Write7BitEncodedInt(r);
            }
        }

        private static (int[][], int[]) ReadSplit(BinaryReader reader)
        {
            int n = reader.ReadInt32();
            var ranks = new int[n][];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = reader.ReadByte();
                var r = new int[reader.Read7BitEncodedInt()];
                for (int j = 0; j < r.Length; j++)
                    r[j] = reader.Read7BitEncodedInt();
                ranks[i] = r;
            }
            return (ranks, labels);
        }
    }
}
