using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace RnnNotebooks.Data;

/// <summary>The aclImdb split a review belongs to.</summary>
public enum ImdbSplit
{
    Train,
    Test,
}

/// <summary>The aclImdb folder a review comes from: pos (rating 7–10), neg (1–4) or unsup (unrated, train only).</summary>
public enum ImdbSentiment
{
    Negative = 0,
    Positive = 1,
    Unlabelled = -1,
}

/// <summary>One review: <c>aclImdb/{split}/{pos|neg|unsup}/{Id}_{Rating}.txt</c>.</summary>
public sealed record ImdbReview(ImdbSplit Split, ImdbSentiment Sentiment, int Id, int Rating, string Text)
{
    /// <summary>1 for a positive review, 0 for a negative one (Keras' labels); −1 for an unlabelled one.</summary>
    public int Label => (int)Sentiment;
}

/// <summary>Which reviews <see cref="AclImdb"/> reads.</summary>
public sealed record ImdbReadOptions
{
    /// <summary>Read train/pos and train/neg.</summary>
    public bool Train { get; init; } = true;

    /// <summary>Read test/pos and test/neg.</summary>
    public bool Test { get; init; } = true;

    /// <summary>Also read the 50,000 unlabelled reviews of train/unsup.</summary>
    public bool Unsup { get; init; }

    /// <summary>At most this many reviews from each folder (train/pos, train/neg, …); null = all. For quick runs.</summary>
    public int? MaxPerFolder { get; init; }

    /// <summary>
    /// With <see cref="MaxPerFolder"/>: null keeps the reviews with the smallest ids; a seed keeps a pseudo-random
    /// choice that depends only on the seed and the file names, not on the order of the archive.
    /// </summary>
    public ulong? SampleSeed { get; init; }

    /// <summary>
    /// Receives a progress line about once per <see cref="LogInterval"/> while reading
    /// (<c>aclImdb: 42,000 reviews read (37%)</c>) and a last one when done
    /// (<c>aclImdb: read 100,000 reviews in 12.3 s</c>); null: quiet. Give it a
    /// <see cref="Notebooks.LiveLine"/>'s <c>Report</c> to see one line that updates in place in a notebook.
    /// </summary>
    public Action<string>? Log { get; init; }

    /// <summary>How often <see cref="Log"/> hears about progress (default 1 s).</summary>
    public TimeSpan LogInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Everything except unsup.</summary>
    public static ImdbReadOptions Labelled { get; } = new();
}

/// <summary>Reviews read from aclImdb, each folder sorted by id; pos before neg, as seed 000 and seed 004 read them.</summary>
public sealed class ImdbReviewSet
{
    internal ImdbReviewSet(string source, List<ImdbReview> train, List<ImdbReview> test, List<ImdbReview> unsup)
    {
        Source = source;
        Train = train;
        Test = test;
        Unsup = unsup;
    }

    /// <summary>The tarball or folder read.</summary>
    public string Source { get; }

    /// <summary>train/pos then train/neg.</summary>
    public IReadOnlyList<ImdbReview> Train { get; }

    /// <summary>test/pos then test/neg.</summary>
    public IReadOnlyList<ImdbReview> Test { get; }

    /// <summary>train/unsup (empty unless asked for).</summary>
    public IReadOnlyList<ImdbReview> Unsup { get; }

    /// <summary>The reviews of one split and folder.</summary>
    public IReadOnlyList<ImdbReview> Folder(ImdbSplit split, ImdbSentiment sentiment) =>
        sentiment == ImdbSentiment.Unlabelled
            ? (split == ImdbSplit.Train ? Unsup : [])
            : (split == ImdbSplit.Train ? Train : Test).Where(r => r.Sentiment == sentiment).ToList();
}

/// <summary>
/// Reads the Large Movie Review Dataset (aclImdb) straight from <c>aclImdb_v1.tar.gz</c> — streamed through a gzip
/// decoder and a tar reader, nothing extracted — or from an extracted <c>aclImdb/</c> folder. The rating comes from
/// the file name <c>{id}_{rating}.txt</c>. A damaged source is an error naming the file and the problem: a truncated
/// or corrupt gzip stream, a tar entry with an absolute path or a <c>..</c> segment, a missing split folder, a
/// file name or rating that does not fit its folder.
/// </summary>
public static partial class AclImdb
{
    private static readonly (ImdbSplit Split, ImdbSentiment Sentiment, string Folder)[] Folders =
    [
        (ImdbSplit.Train, ImdbSentiment.Positive, "train/pos"),
        (ImdbSplit.Train, ImdbSentiment.Negative, "train/neg"),
        (ImdbSplit.Test, ImdbSentiment.Positive, "test/pos"),
        (ImdbSplit.Test, ImdbSentiment.Negative, "test/neg"),
        (ImdbSplit.Train, ImdbSentiment.Unlabelled, "train/unsup"),
    ];

    /// <summary>
    /// Finds aclImdb through <paramref name="cache"/> (tarball or extracted folder, override folder first, then
    /// data/, downloading Stanford's tarball if neither has it) and reads it.
    /// </summary>
    public static ImdbReviewSet Load(ImdbReadOptions? options = null, DataCache? cache = null) =>
        Read(Locate(cache ?? DataCache.Default), options);

    /// <summary>The local aclImdb source (tarball or folder), downloading the tarball when there is none.</summary>
    public static string Locate(DataCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        foreach (var folder in cache.SearchFolders)
        {
            var tarball = Path.Combine(folder, DatasetCatalog.AclImdbTarball.RelativePath);
            if (File.Exists(tarball))
                return tarball;
            var extracted = Path.Combine(folder, DatasetCatalog.AclImdbFolder);
            if (Directory.Exists(extracted))
                return extracted;
        }
        return cache.Download(DatasetCatalog.AclImdbTarball, DatasetCatalog.AclImdb);
    }

    /// <summary>Reads a <c>.tar.gz</c> file, an extracted <c>aclImdb</c> folder, or a folder that contains one.</summary>
    public static ImdbReviewSet Read(string path, ImdbReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= ImdbReadOptions.Labelled;
        if (options.MaxPerFolder is < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxPerFolder, "MaxPerFolder must be ≥ 0.");
        var wanted = Folders.Where(f => Wanted(f, options)).ToArray();
        var selectors = wanted.ToDictionary(
            f => f.Folder,
            _ => new FolderSelection(options.MaxPerFolder, options.SampleSeed)
        );

        var progress = new ReadProgress(options.Log, options.LogInterval);
        if (Directory.Exists(path))
            ReadFolder(path, wanted, selectors, progress);
        else if (File.Exists(path))
            ReadTarball(path, wanted, selectors, progress);
        else
            throw new DatasetException($"aclImdb source {path} does not exist.", path);
        progress.Finish();

        List<ImdbReview> Gather(params string[] folders) =>
            folders.Where(selectors.ContainsKey).SelectMany(f => selectors[f].Sorted()).ToList();
        return new ImdbReviewSet(
            path,
            Gather("train/pos", "train/neg"),
            Gather("test/pos", "test/neg"),
            Gather("train/unsup")
        );
    }

    private static bool Wanted((ImdbSplit Split, ImdbSentiment Sentiment, string Folder) f, ImdbReadOptions o) =>
        f.Sentiment == ImdbSentiment.Unlabelled ? o.Unsup : (f.Split == ImdbSplit.Train ? o.Train : o.Test);

    private static void ReadFolder(
        string path,
        (ImdbSplit Split, ImdbSentiment Sentiment, string Folder)[] wanted,
        Dictionary<string, FolderSelection> selectors,
        ReadProgress progress
    )
    {
        string root =
            Directory.Exists(Path.Combine(path, "aclImdb")) && !Directory.Exists(Path.Combine(path, "train"))
                ? Path.Combine(path, "aclImdb")
                : path;
        foreach (var (split, sentiment, folder) in wanted)
        {
            var dir = Path.Combine(root, folder.Replace('/', Path.DirectorySeparatorChar));
            if (!Directory.Exists(dir))
                throw new DatasetException(
                    $"aclImdb folder {root} has no split folder {folder}/ (missing split).",
                    root
                );
            var selector = selectors[folder];
            var candidates = new List<(int Id, int Rating, string File)>();
            foreach (var file in Directory.EnumerateFiles(dir, "*.txt"))
            {
                var (id, rating) = ParseName(Path.GetFileName(file), sentiment, file);
                candidates.Add((id, rating, file));
            }
            if (candidates.Count == 0)
                throw new DatasetException($"aclImdb split folder {dir} holds no reviews.", dir);
            var chosen = selector.Choose(candidates, c => c.Id);
            var texts = new string[chosen.Length];
            const int chunk = 2_000; // progress is reported from this thread, between chunks
            for (int from = 0; from < chosen.Length; from += chunk)
            {
                int to = Math.Min(chosen.Length, from + chunk);
                Parallel.For(from, to, i => texts[i] = File.ReadAllText(chosen[i].File, Encoding.UTF8));
                for (int i = from; i < to; i++)
                    selector.Add(
                        new ImdbReview(split, sentiment, chosen[i].Id, chosen[i].Rating, texts[i]),
                        chosen[i].File
                    );
                progress.Read(to - from, null);
            }
        }
    }

    private static void ReadTarball(
        string path,
        (ImdbSplit Split, ImdbSentiment Sentiment, string Folder)[] wanted,
        Dictionary<string, FolderSelection> selectors,
        ReadProgress progress
    )
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> magic = stackalloc byte[2];
        if (file.Read(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
            throw new DatasetException(
                $"{path} is not a gzip file (it does not start with the gzip signature 1f 8b).",
                path
            );
        uint declaredSize = ReadGzipTrailerSize(file);
        file.Position = 0;

        var sentimentOf = wanted.ToDictionary(w => w.Folder, w => (w.Split, w.Sentiment));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var counted = new CountingStream(gzip);
        string? entryName = null;
        try
        {
            using var tar = new TarReader(counted);
            var buffer = new byte[1 << 16];
            TarEntry? entry;
            while ((entry = tar.GetNextEntry()) is not null)
            {
                entryName = entry.Name;
                CheckEntryName(path, entryName);
                var match = ReviewPath().Match(entryName);
                if (!match.Success)
                {
                    CheckNotMisnamedReview(path, entryName, wanted);
                    continue;
                }
                string folder = match.Groups["folder"].Value;
                if (!sentimentOf.TryGetValue(folder, out var where))
                    continue;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new DatasetException(
                        $"{path}: entry {entryName} is a {entry.EntryType}, not a regular file.",
                        path
                    );
                if (!seen.Add(match.Groups["name"].Value + "@" + folder))
                    throw new DatasetException($"{path}: entry {entryName} appears twice.", path);
                var (id, rating) = ParseName(match.Groups["name"].Value, where.Sentiment, $"{path}: {entryName}");
                var selector = selectors[folder];
                if (!selector.Accepts(id))
                    continue;
                string text = ReadEntryText(entry, ref buffer);
                selector.Add(new ImdbReview(where.Split, where.Sentiment, id, rating, text), $"{path}: {entryName}");
                progress.Read(1, declaredSize > 0 ? (double)counted.BytesRead / declaredSize : null);
            }
            entryName = null;
            // The tar end marker may come before the end of the gzip data: read to the end so the size check below
            // sees the whole stream.
            counted.CopyTo(Stream.Null);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException)
        {
            string where = entryName is null ? "" : $" (while reading entry {entryName})";
            throw new DatasetException(
                $"{path} is truncated or corrupt{where}: {e.Message} Delete it and download it again.",
                path,
                e
            );
        }
        if ((uint)counted.BytesRead != declaredSize)
        {
            throw new DatasetException(
                $"{path} is truncated or corrupt: the gzip stream ends after {counted.BytesRead:N0} bytes, but its trailer "
                    + $"declares {declaredSize:N0} (mod 2^32). Delete it and download it again.",
                path
            );
        }
        foreach (var (_, _, folder) in wanted)
        {
            if (selectors[folder].Seen == 0)
                throw new DatasetException(
                    $"{path} has no entries under aclImdb/{folder}/ (missing split folder).",
                    path
                );
        }
    }

    private static string ReadEntryText(TarEntry entry, ref byte[] buffer)
    {
        if (entry.DataStream is null || entry.Length == 0)
            return "";
        if (entry.Length > int.MaxValue)
            throw new InvalidDataException($"entry {entry.Name} is {entry.Length:N0} bytes long");
        int length = (int)entry.Length;
        if (buffer.Length < length)
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        entry.DataStream.ReadExactly(buffer, 0, length);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>gzip's last four bytes: the uncompressed size mod 2³² (of the last member).</summary>
    private static uint ReadGzipTrailerSize(FileStream file)
    {
        if (file.Length < 18)
            throw new DatasetException(
                $"{file.Name} is truncated: {file.Length} bytes is shorter than any gzip file.",
                file.Name
            );
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static void CheckEntryName(string path, string name)
    {
        if (name.StartsWith('/') || name.StartsWith('\\') || (name.Length >= 2 && name[1] == ':'))
            throw new DatasetException(
                $"{path}: tar entry '{name}' has an absolute path; refusing to read this archive.",
                path
            );
        if (name.Split('/', '\\').Any(part => part == ".."))
            throw new DatasetException(
                $"{path}: tar entry '{name}' contains a '..' segment; refusing to read this archive.",
                path
            );
    }

    private static void CheckNotMisnamedReview(
        string path,
        string name,
        (ImdbSplit Split, ImdbSentiment Sentiment, string Folder)[] wanted
    )
    {
        if (!name.EndsWith(".txt", StringComparison.Ordinal))
            return;
        var normalized = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        foreach (var (_, _, folder) in wanted)
        {
            if (
                normalized.StartsWith("aclImdb/" + folder + "/", StringComparison.Ordinal)
                && normalized.Count(c => c == '/') == 3
            )
                throw new DatasetException($"{path}: entry {name} is not named <id>_<rating>.txt.", path);
        }
    }

    private static (int Id, int Rating) ParseName(string fileName, ImdbSentiment sentiment, string where)
    {
        var m = ReviewName().Match(fileName);
        if (
            !m.Success
            || !int.TryParse(m.Groups[1].ValueSpan, out int id)
            || !int.TryParse(m.Groups[2].ValueSpan, out int rating)
        )
            throw new DatasetException($"{where}: review file name {fileName} is not <id>_<rating>.txt.", where);
        bool fits = sentiment switch
        {
            ImdbSentiment.Positive => rating is >= 7 and <= 10,
            ImdbSentiment.Negative => rating is >= 1 and <= 4,
            _ => rating == 0,
        };
        if (!fits)
            throw new DatasetException(
                $"{where}: rating {rating} does not fit a {FolderName(sentiment)} review.",
                where
            );
        return (id, rating);
    }

    private static string FolderName(ImdbSentiment s) =>
        s switch
        {
            ImdbSentiment.Positive => "pos (7–10)",
            ImdbSentiment.Negative => "neg (1–4)",
            _ => "unsup (0)",
        };

    [GeneratedRegex(@"^(?:\./)?aclImdb/(?<folder>(?:train|test)/(?:pos|neg|unsup))/(?<name>[^/]+\.txt)$")]
    private static partial Regex ReviewPath();

    [GeneratedRegex(@"^(\d+)_(\d+)\.txt$")]
    private static partial Regex ReviewName();

    /// <summary>Progress lines for <see cref="ImdbReadOptions.Log"/>, at most one per interval, and a last one.</summary>
    private sealed class ReadProgress(Action<string>? log, TimeSpan interval)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last;
        private long _reviews;

        public void Read(int reviews, double? fraction)
        {
            _reviews += reviews;
            if (log is null || _clock.Elapsed - _last < interval)
                return;
            _last = _clock.Elapsed;
            string percent = fraction is double f ? $" ({Math.Min(100, f * 100):0}%)" : "";
            log(string.Create(CultureInfo.InvariantCulture, $"aclImdb: {_reviews:N0} reviews read{percent}"));
        }

        public void Finish() =>
            log?.Invoke(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"aclImdb: read {_reviews:N0} reviews in {_clock.Elapsed.TotalSeconds:0.0} s"
                )
            );
    }

    /// <summary>
    /// Keeps at most <c>limit</c> reviews of one folder: those with the smallest ids, or with the smallest seeded hash
    /// of the id — either way independent of the order in which entries arrive.
    /// </summary>
    private sealed class FolderSelection(int? limit, ulong? seed)
    {
        private readonly PriorityQueue<ImdbReview, (ulong Key, int Id)> _kept = new(
            Comparer<(ulong Key, int Id)>.Create((a, b) => b.CompareTo(a))
        );
        private readonly List<ImdbReview> _all = new();
        private readonly HashSet<int> _ids = new();

        public int Seen { get; private set; }

        /// <summary>False when a review with this id could not enter the selection (so its text need not be read).</summary>
        public bool Accepts(int id)
        {
            Seen++;
            if (limit is null)
                return true;
            if (limit == 0)
                return false;
            if (_kept.Count < limit)
                return true;
            _kept.TryPeek(out _, out var worst);
            return Key(id).CompareTo(worst) < 0;
        }

        /// <summary>The items that the selection keeps, when all are known up front (a folder listing).</summary>
        public T[] Choose<T>(IReadOnlyCollection<T> items, Func<T, int> id)
        {
            Seen += items.Count;
            return limit is int n ? items.OrderBy(x => Key(id(x))).Take(n).ToArray() : items.ToArray();
        }

        public void Add(ImdbReview review, string where)
        {
            if (!_ids.Add(review.Id))
                throw new DatasetException($"{where}: a second review with id {review.Id} in the same folder.", where);
            if (limit is null)
            {
                _all.Add(review);
                return;
            }
            _kept.Enqueue(review, Key(review.Id));
            if (_kept.Count > limit)
                _kept.Dequeue();
        }

        public IEnumerable<ImdbReview> Sorted() =>
            (limit is null ? _all : _kept.UnorderedItems.Select(x => x.Element)).OrderBy(r => r.Id);

        private (ulong, int) Key(int id) =>
            (seed is ulong s ? Mix(s ^ (ulong)id * 0x9E3779B97F4A7C15UL) : (ulong)id, id);

        private static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
