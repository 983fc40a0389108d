using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnNotebooks.Data;

/// <summary>Where a <see cref="Word2VecCache"/> got its vectors.</summary>
public enum Word2VecCacheOutcome
{
    /// <summary>Read from a cache file that matched the options, the corpus and its checksum.</summary>
    Loaded,

    /// <summary>Trained, because there was no usable cache file (see <see cref="Word2VecCache.LastProblem"/>).</summary>
    Trained,
}

/// <summary>
/// Trained word vectors kept on disk so that training happens once: the vectors in word2vec's binary format
/// (<see cref="FilePath"/>, readable by gensim and the original tool) and beside it a small JSON file
/// (<see cref="MetaPath"/>) that records what they were trained from — every <see cref="Word2VecOptions"/> value, a
/// description of the corpus, the number of words, the dimension, and the file's size and SHA-256.
/// <para>
/// <see cref="LoadOrTrain"/> reads the vectors only when all of that still matches; a cache left by other settings
/// (stale) or damaged (a different checksum, a truncated file, unreadable JSON) is reported through
/// <see cref="Log"/>, trained again and replaced. Both files are written atomically (a temporary file renamed into
/// place), the vectors first, so a crash in between leaves a record that no longer matches and the next run
/// retrains. A folder that cannot be written just means no cache.
/// </para>
/// </summary>
public sealed class Word2VecCache
{
    /// <summary>Identifies the JSON record.</summary>
    public const string FormatName = "RnnNotebooks.Word2VecCache";

    public const int FormatVersion = 1;

    /// <param name="filePath">The vectors file (word2vec binary); the record goes beside it as <c>{filePath}.json</c>.</param>
    public Word2VecCache(string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        FilePath = Path.GetFullPath(filePath);
    }

    /// <summary>A cache named <paramref name="fileName"/> in the writable data folder of <paramref name="cache"/> (default <see cref="DataCache.Default"/>).</summary>
    public static Word2VecCache InDataFolder(string fileName, DataCache? cache = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        return new Word2VecCache(Path.Combine((cache ?? DataCache.Default).DataFolder, fileName));
    }

    public string FilePath { get; }

    public string MetaPath => FilePath + ".json";

    /// <summary>Receives one line when the cache is used, rejected or written (null: quiet).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>What the last <see cref="LoadOrTrain"/> did.</summary>
    public Word2VecCacheOutcome? LastOutcome { get; private set; }

    /// <summary>Why the last <see cref="LoadOrTrain"/> could not use the cache (null when it did).</summary>
    public string? LastProblem { get; private set; }

    /// <summary>
    /// Why the cache cannot serve vectors trained with <paramref name="options"/> on <paramref name="corpus"/>, or null
    /// when it can. Checks the record, the options, the corpus, the file size and the SHA-256 of the vectors file.
    /// </summary>
    public string? Problem(Word2VecOptions options, string corpus)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        if (!File.Exists(MetaPath))
            return File.Exists(FilePath)
                ? $"{FileName(MetaPath)} is missing, so nothing says how {FileName(FilePath)} was made"
                : "no cached vectors yet";
        JsonObject record;
        try
        {
            record =
                JsonNode.Parse(File.ReadAllText(MetaPath, Encoding.UTF8)) as JsonObject
                ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return $"{FileName(MetaPath)} is damaged ({e.Message})";
        }
        try
        {
            if ((string?)record["format"] != FormatName || (int?)record["format_version"] != FormatVersion)
                return $"{FileName(MetaPath)} is not a version-{FormatVersion} {FormatName} record";
            if ((string?)record["corpus"] != corpus)
                return $"stale: trained on \"{(string?)record["corpus"]}\", now \"{corpus}\"";
            var changed = DiffOptions(record["options"] as JsonObject, OptionsJson(options));
            if (changed is not null)
                return $"stale: options changed ({changed})";
            if (!File.Exists(FilePath))
                return $"{FileName(FilePath)} is missing";
            long size = new FileInfo(FilePath).Length;
            if ((long?)record["bytes"] != size)
                return $"corrupt: {FileName(FilePath)} has {size:N0} bytes, the record says {(long?)record["bytes"]:N0}";
            if ((string?)record["sha256"] != DataCache.Sha256Of(FilePath))
                return $"corrupt: the SHA-256 of {FileName(FilePath)} does not match the record";
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            return $"{FileName(MetaPath)} is damaged ({e.Message})";
        }
        return null;
    }

    /// <summary>
    /// The cached vectors when <see cref="Problem"/> finds none; otherwise <paramref name="train"/>'s, which are then
    /// written to the cache (replacing whatever was there). The trained vectors must have
    /// <see cref="Word2VecOptions.Dimension"/> dimensions.
    /// </summary>
    public WordVectors LoadOrTrain(Word2VecOptions options, string corpus, Func<WordVectors> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var problem = Problem(options, corpus);
        if (problem is null)
        {
            try
            {
                var cached = WordVectors.LoadWord2VecBinary(FilePath);
                var record = JsonNode.Parse(File.ReadAllText(MetaPath, Encoding.UTF8))!;
                if (cached.Count == (int?)record["count"] && cached.Dimension == options.Dimension)
                {
                    string took = record["train_seconds"] is JsonValue recorded
                        ? string.Create(CultureInfo.InvariantCulture, $" (training them took {(double)recorded:0} s)")
                        : "";
                    Log?.Invoke(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"word2vec cache: loaded {cached.Count:N0} words × {cached.Dimension} from {FileName(FilePath)}{took}"
                        )
                    );
                    (LastOutcome, LastProblem) = (Word2VecCacheOutcome.Loaded, null);
                    return cached;
                }
                problem =
                    $"corrupt: {FileName(FilePath)} does not hold the {(int?)record["count"]:N0} words the record says";
            }
            catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
            {
                problem = $"corrupt: {e.Message}";
            }
        }
        Log?.Invoke($"word2vec cache: {problem}; training");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var vectors = train() ?? throw new InvalidOperationException("The training function returned no vectors.");
        double seconds = clock.Elapsed.TotalSeconds;
        if (vectors.Dimension != options.Dimension)
            throw new InvalidOperationException(
                $"The training function returned {vectors.Dimension}-dimensional vectors, but the options say {options.Dimension}."
            );
        Save(vectors, options, corpus, seconds);
        (LastOutcome, LastProblem) = (Word2VecCacheOutcome.Trained, problem);
        return vectors;
    }

    /// <summary>
    /// Writes <paramref name="vectors"/> and their record (atomically; a folder that cannot be written is logged and
    /// skipped). <paramref name="trainSeconds"/>, when known, is kept in the record and reported on loading.
    /// </summary>
    public void Save(WordVectors vectors, Word2VecOptions options, string corpus, double? trainSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corpus);
        try
        {
            vectors.SaveWord2VecBinary(FilePath);
            var record = new JsonObject
            {
                ["format"] = FormatName,
                ["format_version"] = FormatVersion,
                ["corpus"] = corpus,
                ["options"] = OptionsJson(options),
                ["count"] = vectors.Count,
                ["dimension"] = vectors.Dimension,
                ["bytes"] = new FileInfo(FilePath).Length,
                ["sha256"] = DataCache.Sha256Of(FilePath),
            };
            if (trainSeconds is double t)
                record["train_seconds"] = Math.Round(t, 1);
            string temp = $"{MetaPath}.{Guid.NewGuid():N}.part";
            try
            {
                File.WriteAllText(
                    temp,
                    record.ToJsonString(
                        new JsonSerializerOptions
                        {
                            WriteIndented = true,
                            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a readable record: "pos+neg"
                        }
                    ),
                    new UTF8Encoding(false)
                );
                File.Move(temp, MetaPath, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp))
                    File.Delete(temp);
            }
            Log?.Invoke(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"word2vec cache: wrote {vectors.Count:N0} words × {vectors.Dimension} to {FileName(FilePath)}"
                )
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log?.Invoke($"word2vec cache: could not write {FilePath} ({e.Message}); the vectors are not cached");
        }
    }

    /// <summary>Every option as a JSON object (names as in <see cref="Word2VecOptions"/>, numbers invariant).</summary>
    private static JsonObject OptionsJson(Word2VecOptions o) =>
        new()
        {
            [nameof(o.Dimension)] = o.Dimension,
            [nameof(o.Window)] = o.Window,
            [nameof(o.MinCount)] = o.MinCount,
            [nameof(o.Negative)] = o.Negative,
            [nameof(o.Sample)] = o.Sample,
            [nameof(o.Alpha)] = o.Alpha,
            [nameof(o.MinAlpha)] = o.MinAlpha,
            [nameof(o.Epochs)] = o.Epochs,
            [nameof(o.Seed)] = o.Seed,
            [nameof(o.Shards)] = o.Shards,
            [nameof(o.SyncWords)] = o.SyncWords,
        };

    private static string? DiffOptions(JsonObject? saved, JsonObject now)
    {
        if (saved is null)
            return "the record has none";
        var changes = new List<string>();
        foreach (var (name, value) in now)
        {
            string was = saved[name]?.ToJsonString() ?? "missing";
            string isNow = value!.ToJsonString();
            if (was != isNow)
                changes.Add($"{name} {was} → {isNow}");
        }
        return changes.Count == 0 ? null : string.Join(", ", changes);
    }

    private static string FileName(string path) => Path.GetFileName(path);
}
