using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Text;
using Tensor = RnnNotebooks.Tensors.Tensor;

namespace RnnNotebooks.Data;

/// <summary>
/// A table of word vectors (word2vec, GloVe, or trained with <see cref="Word2VecTrainer"/>): word i's vector is row i
/// of <see cref="Data"/>, a (Count, Dimension) row-major float array.
/// <para>
/// Reads word2vec's binary format (<c>"count dim\n"</c>, then per word its UTF-8 bytes, a space and dim little-endian
/// float32s, optionally followed by a newline; gzip-compressed files are read directly), word2vec's text format
/// (the same header, then <c>word v1 … vdim</c> per line) and GloVe's text format (no header; the first line fixes
/// the dimension). A line with the wrong number of values is an error naming the file and the line.
/// </para>
/// </summary>
public sealed class WordVectors
{
    private readonly string[] _words;
    private readonly Dictionary<string, int> _index;
    private float[]? _unitRows;

    /// <summary>Wraps <paramref name="data"/> (not copied): row i is the vector of <paramref name="words"/>[i].</summary>
    public WordVectors(IReadOnlyList<string> words, float[] data, int dimension)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(data);
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be positive.");
        if ((long)words.Count * dimension != data.Length)
            throw new ArgumentException(
                $"{words.Count} words × {dimension} dimensions need {(long)words.Count * dimension} values; got {data.Length}."
            );
        _words = words.ToArray();
        _index = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
        {
            if (!_index.TryAdd(_words[i], i))
                throw new ArgumentException(
                    $"The word '{_words[i]}' appears twice (rows {_index[_words[i]]} and {i}).",
                    nameof(words)
                );
        }
        Data = data;
        Dimension = dimension;
    }

    public int Count => _words.Length;

    public int Dimension { get; }

    /// <summary>The words, in row order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The vectors, row-major (Count × Dimension).</summary>
    public float[] Data { get; }

    /// <summary>Row of <paramref name="word"/>, or −1 when it has no vector.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    public bool Contains(string word) => _index.ContainsKey(word);

    /// <summary>The vector of row <paramref name="index"/> (a view, not a copy).</summary>
    public ReadOnlySpan<float> Vector(int index) => Data.AsSpan(index * Dimension, Dimension);

    /// <summary>The vector of <paramref name="word"/>; throws <see cref="KeyNotFoundException"/> for an unknown word.</summary>
    public ReadOnlySpan<float> this[string word] =>
        _index.TryGetValue(word, out int i) ? Vector(i) : throw new KeyNotFoundException($"No vector for '{word}'.");

    /// <summary>Rows of the tokens that have a vector, in order; unknown tokens are dropped (seed 000's <c>try … except KeyError: pass</c>).</summary>
    public int[] Lookup(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var rows = new List<int>();
        foreach (var t in tokens)
        {
            if (_index.TryGetValue(t, out int i))
                rows.Add(i);
        }
        return rows.ToArray();
    }

    /// <summary>
    /// Seed 000's <c>pad_trunc</c> straight from rows: sample i gets the vectors of its first <paramref name="maxlen"/>
    /// rows, then zero vectors. Shape (samples, maxlen, Dimension). Build one batch at a time — 25,000 reviews × 400 ×
    /// 300 floats would be 12 GB.
    /// </summary>
    public Tensor PadTrunc(IReadOnlyList<int[]> rowSequences, int maxlen)
    {
        ArgumentNullException.ThrowIfNull(rowSequences);
        if (maxlen <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxlen), maxlen, "maxlen must be positive.");
        var result = new Tensor(rowSequences.Count, maxlen, Dimension);
        for (int i = 0; i < rowSequences.Count; i++)
        {
            var rows = rowSequences[i];
            int kept = Math.Min(rows.Length, maxlen);
            for (int t = 0; t < kept; t++)
                Vector(rows[t]).CopyTo(result.Data.AsSpan((i * maxlen + t) * Dimension, Dimension));
        }
        return result;
    }

    /// <summary>Cosine similarity of two words' vectors.</summary>
    public float Similarity(string a, string b) => TensorPrimitives.CosineSimilarity(this[a], this[b]);

    /// <summary>The <paramref name="topN"/> words closest to <paramref name="word"/> by cosine similarity, the word itself excluded (gensim's <c>most_similar</c>).</summary>
    public IReadOnlyList<(string Word, float Similarity)> MostSimilar(string word, int topN = 10)
    {
        int i = IndexOf(word);
        if (i < 0)
            throw new KeyNotFoundException($"No vector for '{word}'.");
        return MostSimilar(Vector(i).ToArray(), topN, [word]);
    }

    /// <summary>The <paramref name="topN"/> words closest to <paramref name="vector"/> by cosine similarity, except <paramref name="exclude"/>; ties in row order.</summary>
    public IReadOnlyList<(string Word, float Similarity)> MostSimilar(
        float[] vector,
        int topN = 10,
        IEnumerable<string>? exclude = null
    )
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Length != Dimension)
            throw new ArgumentException($"Vector of length {vector.Length}, expected {Dimension}.", nameof(vector));
        var skip = new HashSet<string>(exclude ?? [], StringComparer.Ordinal);
        var unit = UnitRows();
        var query = vector.ToArray();
        float norm = TensorPrimitives.Norm(query);
        if (norm > 0)
            TensorPrimitives.Divide(query, norm, query);
        var best = new PriorityQueue<int, (float Score, int Row)>(
            Comparer<(float Score, int Row)>.Create(
                (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Row.CompareTo(a.Row)
            )
        );
        for (int r = 0; r < Count; r++)
        {
            if (skip.Contains(_words[r]))
                continue;
            float score = TensorPrimitives.Dot(query, unit.AsSpan(r * Dimension, Dimension));
            best.Enqueue(r, (score, r));
            if (best.Count > topN)
                best.Dequeue();
        }
        var result = new List<(string, float)>(best.Count);
        while (best.TryDequeue(out int row, out var key))
            result.Add((_words[row], key.Score));
        result.Reverse();
        return result;
    }

    private float[] UnitRows()
    {
        if (_unitRows is not null)
            return _unitRows;
        var unit = new float[Data.Length];
        for (int r = 0; r < Count; r++)
        {
            var source = Data.AsSpan(r * Dimension, Dimension);
            var target = unit.AsSpan(r * Dimension, Dimension);
            float norm = TensorPrimitives.Norm(source);
            if (norm > 0)
                TensorPrimitives.Divide(source, norm, target);
        }
        return _unitRows = unit;
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads a file by its form: <c>.bin</c> / <c>.bin.gz</c> → word2vec binary; a first line of two integers → word2vec text; otherwise GloVe text.</summary>
    public static WordVectors Load(string path, int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (
            path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".bin.gz", StringComparison.OrdinalIgnoreCase)
        )
            return LoadWord2VecBinary(path, limit);
        using (var reader = new StreamReader(OpenMaybeGzip(path), Encoding.UTF8))
        {
            var first = reader.ReadLine() ?? "";
            var parts = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], out _) && int.TryParse(parts[1], out _))
                return LoadWord2VecText(path, limit);
        }
        return LoadGloVe(path, limit);
    }

    /// <summary>word2vec's binary format (also gzip-compressed). <paramref name="limit"/> reads only the first N vectors (the most frequent words in the usual files).</summary>
    public static WordVectors LoadWord2VecBinary(string path, int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new BufferedStream(OpenMaybeGzip(path), 1 << 20);
        var (count, dim) = ParseHeader(ReadHeaderLine(stream, path), path);
        int n = Math.Min(count, limit ?? count);
        var words = new string[n];
        var data = new float[
            checked((long)n * dim) <= int.MaxValue
                ? n * dim
                : throw new DatasetException(
                    $"{path}: {n} × {dim} values do not fit in one array; pass a smaller limit.",
                    path
                )
        ];
        var wordBytes = new List<byte>(64);
        var vectorBytes = new byte[dim * sizeof(float)];
        for (int i = 0; i < n; i++)
        {
            wordBytes.Clear();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0)
                    throw new DatasetException(
                        $"{path}: the file ends inside vector {i + 1} of {count} (truncated).",
                        path
                    );
                if (b == ' ')
                    break;
                if (b != '\n' && b != '\r')
                    wordBytes.Add((byte)b);
            }
            if (wordBytes.Count == 0)
                throw new DatasetException($"{path}: vector {i + 1} has an empty word.", path);
            words[i] = Encoding.UTF8.GetString(wordBytes.ToArray());
            try
            {
                stream.ReadExactly(vectorBytes);
            }
            catch (EndOfStreamException e)
            {
                throw new DatasetException(
                    $"{path}: the file ends inside the vector of '{words[i]}' ({i + 1} of {count}; truncated).",
                    path,
                    e
                );
            }
            for (int d = 0; d < dim; d++)
                data[i * dim + d] = BinaryPrimitives.ReadSingleLittleEndian(vectorBytes.AsSpan(d * sizeof(float)));
        }
        return Build(words, data, dim, path);
    }

    /// <summary>word2vec's text format: header <c>count dim</c>, then one <c>word v1 … vdim</c> line per word.</summary>
    public static WordVectors LoadWord2VecText(string path, int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(OpenMaybeGzip(path), Encoding.UTF8);
        var (count, dim) = ParseHeader(reader.ReadLine() ?? "", path);
        int n = Math.Min(count, limit ?? count);
        var words = new List<string>(n);
        var data = new List<float>(n * dim);
        int line = 1;
        while (words.Count < n)
        {
            var text = reader.ReadLine();
            line++;
            if (text is null)
                throw new DatasetException(
                    $"{path}: the header promises {count} vectors, but the file ends after {words.Count}.",
                    path
                );
            ParseTextLine(text, dim, path, line, words, data);
        }
        return Build(words.ToArray(), data.ToArray(), dim, path);
    }

    /// <summary>GloVe's text format: no header, <c>word v1 … vdim</c> per line; dim is taken from the first line. A zip archive is read from its <paramref name="zipMember"/> (default: its only .txt member).</summary>
    public static WordVectors LoadGloVe(string path, int? limit = null, string? zipMember = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ZipArchive? zip = null;
        Stream input;
        string source = path;
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            zip = ZipFile.OpenRead(path);
            var entry =
                zipMember is not null
                    ? zip.GetEntry(zipMember) ?? throw new DatasetException($"{path} has no member {zipMember}.", path)
                : zip.Entries.Count(e => e.Name.EndsWith(".txt", StringComparison.Ordinal)) == 1
                    ? zip.Entries.Single(e => e.Name.EndsWith(".txt", StringComparison.Ordinal))
                : throw new DatasetException($"{path} holds several .txt files; say which with zipMember.", path);
            input = entry.Open();
            source = $"{path}!{entry.FullName}";
        }
        else
        {
            input = OpenMaybeGzip(path);
        }
        try
        {
            using var reader = new StreamReader(input, Encoding.UTF8);
            var words = new List<string>();
            var data = new List<float>();
            int dim = -1;
            int line = 0;
            string? text;
            while ((limit is null || words.Count < limit) && (text = reader.ReadLine()) is not null)
            {
                line++;
                if (text.Length == 0)
                    continue;
                if (dim < 0)
                {
                    dim = text.TrimEnd().Split(' ').Length - 1;
                    if (dim <= 0)
                        throw new DatasetException($"{source}, line {line}: a word with no values.", source);
                }
                ParseTextLine(text, dim, source, line, words, data);
            }
            if (dim < 0)
                throw new DatasetException($"{source} holds no vectors.", source);
            return Build(words.ToArray(), data.ToArray(), dim, source);
        }
        finally
        {
            zip?.Dispose();
        }
    }

    // ---------------------------------------------------------------- writing

    /// <summary>Writes word2vec's binary format (each vector followed by a newline, as the original tool writes it), atomically.</summary>
    public void SaveWord2VecBinary(string path)
    {
        CheckWordsWritable();
        WriteAtomically(
            path,
            stream =>
            {
                stream.Write(Encoding.UTF8.GetBytes($"{Count} {Dimension}\n"));
                var bytes = new byte[Dimension * sizeof(float)];
                for (int i = 0; i < Count; i++)
                {
                    stream.Write(Encoding.UTF8.GetBytes(_words[i] + " "));
                    var v = Vector(i);
                    for (int d = 0; d < Dimension; d++)
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(d * sizeof(float)), v[d]);
                    stream.Write(bytes);
                    stream.WriteByte((byte)'\n');
                }
            }
        );
    }

    /// <summary>Writes word2vec's text format with round-trip float text (reads back bit-identical), atomically.</summary>
    public void SaveWord2VecText(string path)
    {
        CheckWordsWritable();
        WriteAtomically(
            path,
            stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                writer.NewLine = "\n";
                writer.WriteLine($"{Count} {Dimension}");
                var sb = new StringBuilder();
                for (int i = 0; i < Count; i++)
                {
                    sb.Clear().Append(_words[i]);
                    foreach (float x in Vector(i))
                        sb.Append(' ').Append(x.ToString("R", CultureInfo.InvariantCulture));
                    writer.WriteLine(sb);
                }
            }
        );
    }

    private void CheckWordsWritable()
    {
        foreach (var w in _words)
        {
            if (w.Length == 0 || w.Any(char.IsWhiteSpace))
                throw new InvalidOperationException(
                    $"The word '{w}' is empty or contains whitespace; word2vec files cannot hold it."
                );
        }
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Guid.NewGuid():N}.part";
        try
        {
            using (var stream = new BufferedStream(new FileStream(temp, FileMode.CreateNew, FileAccess.Write), 1 << 20))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int b0 = file.ReadByte(),
            b1 = file.ReadByte();
        file.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static string ReadHeaderLine(Stream stream, string path)
    {
        var bytes = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
        {
            bytes.Add((byte)b);
            if (bytes.Count > 100)
                throw new DatasetException(
                    $"{path}: no 'count dimension' header line (is this a word2vec file?).",
                    path
                );
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    private static (int Count, int Dimension) ParseHeader(string header, string path)
    {
        var parts = header.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (
            parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dim)
            || dim <= 0
        )
        {
            throw new DatasetException(
                $"{path}, line 1: expected the header 'count dimension', found '{Shorten(header)}'.",
                path
            );
        }
        return (count, dim);
    }

    private static void ParseTextLine(string text, int dim, string path, int line, List<string> words, List<float> data)
    {
        var parts = text.TrimEnd().Split(' ');
        if (parts.Length != dim + 1)
        {
            throw new DatasetException(
                $"{path}, line {line}: '{Shorten(parts[0])}' has {parts.Length - 1} values, but the vectors have {dim} dimensions.",
                path
            );
        }
        words.Add(parts[0]);
        for (int d = 1; d <= dim; d++)
        {
            if (!float.TryParse(parts[d], NumberStyles.Float, CultureInfo.InvariantCulture, out float x))
                throw new DatasetException(
                    $"{path}, line {line}: value {d} of '{Shorten(parts[0])}' is '{Shorten(parts[d])}', not a number.",
                    path
                );
            data.Add(x);
        }
    }

    /// <summary>Keeps the first vector of a word that occurs twice (as gensim does) and builds the table.</summary>
    private static WordVectors Build(string[] words, float[] data, int dim, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (words.All(seen.Add))
            return new WordVectors(words, data, dim);
        seen.Clear();
        var keptWords = new List<string>();
        var keptData = new List<float>();
        for (int i = 0; i < words.Length; i++)
        {
            if (!seen.Add(words[i]))
                continue;
            keptWords.Add(words[i]);
            keptData.AddRange(data.AsSpan(i * dim, dim).ToArray());
        }
        return new WordVectors(keptWords, keptData.ToArray(), dim);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
