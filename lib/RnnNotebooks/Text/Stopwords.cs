using RnnNotebooks.Data;

namespace RnnNotebooks.Text;

/// <summary>
/// NLTK's English stopword list (<c>nltk.corpus.stopwords.words('english')</c>): the classic
/// 179 words, lower case, ASCII apostrophes, matched exactly and case-sensitively (docs/keras-semantics.md#stopwords).
/// <para>
/// Read from the data cache's <c>nltk_stopwords/english</c> when that file is present (override folder or the
/// repo's <c>data/</c>), so a reader who keeps NLTK's data there gets exactly that list; otherwise the copy
/// compiled into this library is used, so notebooks work offline. Nothing is downloaded.
/// </para>
/// </summary>
public static class Stopwords
{
    private static readonly Lazy<(string[] Words, string Source)> Loaded = new(LoadEnglish);
    private static readonly Lazy<HashSet<string>> EnglishSetLazy = new(() =>
        new HashSet<string>(Loaded.Value.Words, StringComparer.Ordinal)
    );

    /// <summary>The English stopwords as a set (ordinal comparison).</summary>
    public static IReadOnlySet<string> English => EnglishSetLazy.Value;

    /// <summary>The English stopwords in file order.</summary>
    public static IReadOnlyList<string> EnglishList => Loaded.Value.Words;

    /// <summary>Where <see cref="English"/> came from: the file's path, or "embedded".</summary>
    public static string EnglishSource => Loaded.Value.Source;

    /// <summary>The 179-word list compiled into the library (nltk_data stopwords.zip, member stopwords/english, 2017–2025).</summary>
    public static IReadOnlyList<string> EmbeddedEnglish { get; } =
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "you're",
        "you've",
        "you'll",
        "you'd",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "she's",
        "her",
        "hers",
        "herself",
        "it",
        "it's",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "that'll",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "don't",
        "should",
        "should've",
        "now",
        "d",
        "ll",
        "m",
        "o",
        "re",
        "ve",
        "y",
        "ain",
        "aren",
        "aren't",
        "couldn",
        "couldn't",
        "didn",
        "didn't",
        "doesn",
        "doesn't",
        "hadn",
        "hadn't",
        "hasn",
        "hasn't",
        "haven",
        "haven't",
        "isn",
        "isn't",
        "ma",
        "mightn",
        "mightn't",
        "mustn",
        "mustn't",
        "needn",
        "needn't",
        "shan",
        "shan't",
        "shouldn",
        "shouldn't",
        "wasn",
        "wasn't",
        "weren",
        "weren't",
        "won",
        "won't",
        "wouldn",
        "wouldn't",
    ];

    /// <summary>Reads a stopword file the way NLTK does: one word per line, empty lines skipped.</summary>
    public static string[] ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return File.ReadAllLines(path).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
    }

    private static (string[] Words, string Source) LoadEnglish()
    {
        var path = DataCache.Default.TryFindLocal(DatasetCatalog.NltkStopwordsEnglish);
        if (path is not null)
        {
            var words = ReadFile(path);
            if (words.Length > 0)
                return (words, path);
        }
        return (EmbeddedEnglish.ToArray(), "embedded");
    }
}
