using System.Text;

namespace RnnNotebooks.Text;

/// <summary>
/// Keras' text <c>Tokenizer</c> (keras_preprocessing ≥ 1.0.5 / tf.keras behaviour, docs/keras-semantics.md#tokenizer):
/// counts words over the texts it is fitted on and numbers them by frequency.
/// <list type="bullet">
/// <item><see cref="WordIndex"/>: word → 1, 2, 3 … ordered by count, descending; equal counts keep the order in
/// which the words were first seen. 0 is never assigned (it is left for padding). With an
/// <see cref="OovToken"/> the OOV token takes index 1 and every word moves up by one.</item>
/// <item><see cref="NumWords"/> is applied only when converting: a word is kept when its index is
/// <c>&lt; numWords</c>, so at most numWords − 1 distinct indices appear (the OOV token included).</item>
/// <item>Word level: lower-case (if <see cref="Lower"/>), every character of <see cref="Filters"/> becomes
/// <see cref="Split"/>, split on <see cref="Split"/>, drop empty strings. The apostrophe is not filtered:
/// <c>didn't</c> stays one word. Character level: every character of the (lower-cased) text is a token,
/// filters are not applied.</item>
/// </list>
/// </summary>
public sealed class Tokenizer
{
    /// <summary>
    /// Keras' default filters: ASCII punctuation except the apostrophe, plus TAB and LF
    /// (<c>!"#$%&amp;()*+,-./:;&lt;=&gt;?@[\]^_`{|}~\t\n</c>).
    /// </summary>
    public const string DefaultFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

    private readonly OrderedWordCounts _wordCounts = new();
    private readonly Dictionary<string, int> _wordDocs = new(StringComparer.Ordinal);
    private Dictionary<string, int> _wordIndex = new(StringComparer.Ordinal);
    private Dictionary<int, string> _indexWord = new();

    /// <param name="numWords">Keep only words with index &lt; numWords when converting (null: keep all).</param>
    /// <param name="filters">Characters replaced by <paramref name="split"/> before splitting (word level only).</param>
    /// <param name="lower">Lower-case the texts first.</param>
    /// <param name="split">The word separator.</param>
    /// <param name="charLevel">Every character is a token.</param>
    /// <param name="oovToken">Token for out-of-vocabulary words; gets index 1.</param>
    public Tokenizer(
        int? numWords = null,
        string filters = DefaultFilters,
        bool lower = true,
        string split = " ",
        bool charLevel = false,
        string? oovToken = null
    )
    {
        if (numWords is < 0)
            throw new ArgumentOutOfRangeException(nameof(numWords), numWords, "numWords must be ≥ 0 (or null).");
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentException.ThrowIfNullOrEmpty(split);
        NumWords = numWords;
        Filters = filters;
        Lower = lower;
        Split = split;
        CharLevel = charLevel;
        OovToken = oovToken;
    }

    public int? NumWords { get; }
    public string Filters { get; }
    public bool Lower { get; }
    public string Split { get; }
    public bool CharLevel { get; }
    public string? OovToken { get; }

    /// <summary>Number of texts fitted so far.</summary>
    public int DocumentCount { get; private set; }

    /// <summary>Occurrences of each word, enumerated in first-seen order (Keras' <c>word_counts</c>).</summary>
    public IReadOnlyDictionary<string, int> WordCounts => _wordCounts;

    /// <summary>Number of fitted texts that contain each word (Keras' <c>word_docs</c>).</summary>
    public IReadOnlyDictionary<string, int> WordDocs => _wordDocs;

    /// <summary>Word → index (1-based), every word seen; enumerated in index order.</summary>
    public IReadOnlyDictionary<string, int> WordIndex => _wordIndex;

    /// <summary>Index → word, the inverse of <see cref="WordIndex"/>.</summary>
    public IReadOnlyDictionary<int, string> IndexWord => _indexWord;

    /// <summary>Keras' <c>text_to_word_sequence</c> (docs/keras-semantics.md#tokenizer).</summary>
    public static string[] TextToWordSequence(
        string text,
        string filters = DefaultFilters,
        bool lower = true,
        string split = " "
    )
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(split);
        if (lower)
            text = text.ToLowerInvariant();
        if (filters.Length > 0)
        {
            if (split.Length == 1)
            {
                char separator = split[0];
                text = string.Create(
                    text.Length,
                    (text, filters, separator),
                    static (span, state) =>
                    {
                        var source = state.text.AsSpan();
                        for (int i = 0; i < source.Length; i++)
                            span[i] = state.filters.Contains(source[i]) ? state.separator : source[i];
                    }
                );
            }
            else
            {
                var sb = new StringBuilder(text.Length);
                foreach (char c in text)
                {
                    if (filters.Contains(c))
                        sb.Append(split);
                    else
                        sb.Append(c);
                }
                text = sb.ToString();
            }
        }
        return text.Split(split, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The tokens of one text as this tokenizer sees them (words, or characters when <see cref="CharLevel"/>).</summary>
    public string[] TokensOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!CharLevel)
            return TextToWordSequence(text, Filters, Lower, Split);
        if (Lower)
            text = text.ToLowerInvariant();
        var chars = new string[text.Length];
        for (int i = 0; i < text.Length; i++)
            chars[i] = text[i].ToString();
        return chars;
    }

    /// <summary>Counts the words of <paramref name="texts"/> and rebuilds <see cref="WordIndex"/> from all counts so far.</summary>
    public void FitOnTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        foreach (var text in texts)
            CountDocument(TokensOf(text));
        RebuildIndex();
    }

    /// <summary>Fits on texts that are already split into tokens (Keras: a list item is taken as pre-tokenised; it is lower-cased if <see cref="Lower"/>).</summary>
    public void FitOnTexts(IEnumerable<IReadOnlyList<string>> tokenizedTexts)
    {
        ArgumentNullException.ThrowIfNull(tokenizedTexts);
        foreach (var tokens in tokenizedTexts)
            CountDocument(LowerIfNeeded(tokens));
        RebuildIndex();
    }

    /// <summary>Each text as a list of word indices, applying <see cref="NumWords"/> and <see cref="OovToken"/> (docs/keras-semantics.md#tokenizer).</summary>
    public int[][] TextsToSequences(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts.Select(t => TokensToSequence(TokensOf(t))).ToArray();
    }

    /// <summary>One text as a list of word indices.</summary>
    public int[] TextToSequence(string text) => TokensToSequence(TokensOf(text));

    /// <summary>Pre-tokenised texts as lists of word indices.</summary>
    public int[][] TextsToSequences(IEnumerable<IReadOnlyList<string>> tokenizedTexts)
    {
        ArgumentNullException.ThrowIfNull(tokenizedTexts);
        return tokenizedTexts.Select(t => TokensToSequence(LowerIfNeeded(t))).ToArray();
    }

    /// <summary>Maps index lists back to space-joined words; indices ≥ numWords and unknown indices become the OOV token, or are dropped without one.</summary>
    public string[] SequencesToTexts(IEnumerable<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int? oovIndex = OovIndex;
        var result = new List<string>();
        foreach (var sequence in sequences)
        {
            var words = new List<string>(sequence.Count);
            foreach (int index in sequence)
            {
                if (_indexWord.TryGetValue(index, out var word))
                {
                    if (NumWords is > 0 && index >= NumWords)
                    {
                        if (oovIndex is int oov)
                            words.Add(_indexWord[oov]);
                    }
                    else
                    {
                        words.Add(word);
                    }
                }
                else if (OovToken is not null && oovIndex is int oov)
                {
                    words.Add(_indexWord[oov]);
                }
            }
            result.Add(string.Join(" ", words));
        }
        return result.ToArray();
    }

    /// <summary>The OOV token's index (1 unless the token also occurs as a word in the texts), or null.</summary>
    public int? OovIndex => OovToken is not null && _wordIndex.TryGetValue(OovToken, out int i) ? i : null;

    private int[] TokensToSequence(IReadOnlyList<string> tokens)
    {
        int? oovIndex = OovIndex;
        var sequence = new List<int>(tokens.Count);
        foreach (var token in tokens)
        {
            if (_wordIndex.TryGetValue(token, out int index))
            {
                if (NumWords is > 0 && index >= NumWords)
                {
                    if (oovIndex is int oov)
                        sequence.Add(oov);
                }
                else
                {
                    sequence.Add(index);
                }
            }
            else if (oovIndex is int oov)
            {
                sequence.Add(oov);
            }
        }
        return sequence.ToArray();
    }

    private IReadOnlyList<string> LowerIfNeeded(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Lower ? tokens.Select(t => t.ToLowerInvariant()).ToArray() : tokens;
    }

    private void CountDocument(IReadOnlyList<string> tokens)
    {
        DocumentCount++;
        foreach (var token in tokens)
            _wordCounts.Add(token, 1);
        foreach (var token in new HashSet<string>(tokens, StringComparer.Ordinal))
            _wordDocs[token] = _wordDocs.GetValueOrDefault(token) + 1;
    }

    private void RebuildIndex()
    {
        // OrderBy is a stable sort: equal counts keep first-seen order, as Python's sort(reverse=True) does.
        var vocabulary = new List<string>();
        if (OovToken is not null)
            vocabulary.Add(OovToken);
        vocabulary.AddRange(_wordCounts.OrderByDescending(kv => kv.Value).Select(kv => kv.Key));

        // Keras builds dict(zip(vocabulary, 1..n)): a word listed twice (the OOV token also found in the
        // texts) keeps its first position but takes its last index, leaving the earlier index unused.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++)
            index[vocabulary[i]] = i + 1;
        _wordIndex = index;
        _indexWord = index.ToDictionary(kv => kv.Value, kv => kv.Key);
    }

    /// <summary>A word → count map that enumerates in first-insertion order (Python's OrderedDict).</summary>
    private sealed class OrderedWordCounts : IReadOnlyDictionary<string, int>
    {
        private readonly Dictionary<string, int> _slot = new(StringComparer.Ordinal);
        private readonly List<string> _words = new();
        private readonly List<int> _counts = new();

        public void Add(string word, int count)
        {
            if (_slot.TryGetValue(word, out int slot))
            {
                _counts[slot] += count;
                return;
            }
            _slot[word] = _words.Count;
            _words.Add(word);
            _counts.Add(count);
        }

        public int this[string key] => _counts[_slot[key]];
        public IEnumerable<string> Keys => _words;
        public IEnumerable<int> Values => _counts;
        public int Count => _words.Count;

        public bool ContainsKey(string key) => _slot.ContainsKey(key);

        public bool TryGetValue(string key, out int value)
        {
            if (_slot.TryGetValue(key, out int slot))
            {
                value = _counts[slot];
                return true;
            }
            value = 0;
            return false;
        }

        public IEnumerator<KeyValuePair<string, int>> GetEnumerator()
        {
            for (int i = 0; i < _words.Count; i++)
                yield return new KeyValuePair<string, int>(_words[i], _counts[i]);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
