namespace RnnNotebooks.Data;

/// <summary>Finding and reading pretrained word-vector files for a model that needs vectors of a given length.</summary>
public static class WordVectorFiles
{
    /// <summary>The names the GoogleNews vectors go by: the file as distributed, and unpacked.</summary>
    public static IReadOnlyList<string> GoogleNewsFileNames { get; } =
    ["GoogleNews-vectors-negative300.bin.gz", "GoogleNews-vectors-negative300.bin"];

    /// <summary>The GoogleNews word2vec file if a search folder of <paramref name="cache"/> holds it (never downloads), else null.</summary>
    public static string? FindGoogleNews(DataCache? cache = null)
    {
        cache ??= DataCache.Default;
        return GoogleNewsFileNames.Select(cache.TryFindLocal).FirstOrDefault(p => p is not null && File.Exists(p));
    }

    /// <summary>
    /// Reads a word-vector file (<see cref="WordVectors.Load"/>: word2vec binary or text, GloVe text) and insists on
    /// <paramref name="dimension"/>-long vectors. A truncated or malformed file, or vectors of another length, are
    /// a <see cref="DatasetException"/> naming the file and what to do.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="dimension">The vector length the model needs.</param>
    /// <param name="limit">Read only the first N vectors (the most frequent words in the usual files).</param>
    public static WordVectors Load(string path, int dimension, int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (dimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be positive.");
        if (!File.Exists(path))
            throw new DatasetException($"Word-vector file {path} does not exist.", path);
        var vectors = WordVectors.Load(path, limit);
        if (vectors.Dimension != dimension)
            throw new DatasetException(
                $"{path}: the vectors have {vectors.Dimension} dimensions, but this model needs {dimension}. "
                    + $"Use a {dimension}-dimensional file (such as GoogleNews-vectors-negative300.bin.gz for 300), "
                    + "or change the model's input size to match.",
                path
            );
        return vectors;
    }
}
