using System.Text;

namespace RnnNotebooks.Text;

/// <summary>Small text normalisations used by the chapters.</summary>
public static class TextCleaning
{
    /// <summary>
    /// Seed 002's tweet preprocessing: lower-case, every run of characters outside <c>[0-9a-zA-Z]</c> becomes one
    /// space, split on whitespace, drop the words in <paramref name="stopwords"/> (default: NLTK English,
    /// <see cref="Stopwords.English"/>), join with single spaces.
    /// <para>
    /// The stopword test comes after the split, so apostrophe forms never match: <c>"don't"</c> becomes
    /// <c>"don t"</c>, and both halves are stopwords themselves. Letters outside ASCII (é, ü) count as
    /// separators, as in the seed's regex <c>[^0-9a-zA-Z]+</c>.
    /// </para>
    /// </summary>
    public static string LowercaseAlphanumericWords(string text, IReadOnlySet<string>? stopwords = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        stopwords ??= Stopwords.English;
        var result = new StringBuilder(text.Length);
        var word = new StringBuilder();
        // Python lower-cases first; characters that lower-case into ASCII (the Kelvin sign → k) must count.
        foreach (char c in text.ToLowerInvariant())
        {
            if (c is (>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z'))
            {
                word.Append(c);
                continue;
            }
            Flush();
        }
        Flush();
        return result.ToString();

        void Flush()
        {
            if (word.Length == 0)
                return;
            var w = word.ToString();
            word.Clear();
            if (stopwords.Contains(w))
                return;
            if (result.Length > 0)
                result.Append(' ');
            result.Append(w);
        }
    }
}
