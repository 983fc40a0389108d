using System.Text.RegularExpressions;

namespace RnnNotebooks.Text;

/// <summary>
/// NLTK's <c>TreebankWordTokenizer</c> (rules of NLTK ≥ 3.6.6): a fixed list of regex substitutions
/// applied in order — starting quotes, punctuation, brackets, double dashes, ending quotes and
/// clitics, then the fixed contractions — followed by a split on whitespace.
/// <para>
/// It does not split sentences, so only the text-final period becomes its own token
/// (<c>"York.  Please"</c> keeps <c>York.</c>), unlike <c>nltk.word_tokenize</c>.
/// Clitics are split off: <c>can't</c> → <c>ca</c> <c>n't</c>, <c>it's</c> → <c>it</c> <c>'s</c>,
/// <c>they'll</c> → <c>they</c> <c>'ll</c>; opening and closing double quotes become <c>``</c> and <c>''</c>.
/// </para>
/// Thread-safe: the rules are immutable, compiled regexes.
/// </summary>
public sealed partial class TreebankWordTokenizer
{
    /// <summary>A shared instance (the tokenizer has no state).</summary>
    public static TreebankWordTokenizer Default { get; } = new();

    /// <summary>Splits <paramref name="text"/> into Treebank tokens.</summary>
    /// <param name="text">Any text; newlines and tabs count as spaces.</param>
    /// <param name="convertParentheses">Replace ( ) [ ] { } by -LRB- -RRB- -LSB- -RSB- -LCB- -RCB- (Penn Treebank style).</param>
    public string[] Tokenize(string text, bool convertParentheses = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SplitOnPythonWhitespace(Rewrite(text, convertParentheses));
    }

    /// <summary>The rewritten text before the final split (NLTK's <c>return_str=True</c>).</summary>
    public string Rewrite(string text, bool convertParentheses = false)
    {
        ArgumentNullException.ThrowIfNull(text);

        // A: starting quotes.
        text = StartQuote().Replace(text, "``");
        text = Backticks().Replace(text, " $1 ");
        text = QuoteAfterOpening().Replace(text, "$1 `` ");

        // B: punctuation.
        text = CommaColonNotBeforeDigit().Replace(text, " $1 $2");
        text = CommaColonAtEnd().Replace(text, " $1 ");
        text = Ellipsis().Replace(text, " ... ");
        text = Symbols().Replace(text, " $0 ");
        text = FinalPeriod().Replace(text, "$1 $2$3 ");
        text = QuestionExclamation().Replace(text, " $0 ");
        text = ApostropheBeforeSpace().Replace(text, "$1 ' ");

        // C: brackets, optionally converted to Penn Treebank names.
        text = Brackets().Replace(text, " $0 ");
        if (convertParentheses)
        {
            text = text.Replace("(", "-LRB-", StringComparison.Ordinal)
                .Replace(")", "-RRB-", StringComparison.Ordinal)
                .Replace("[", "-LSB-", StringComparison.Ordinal)
                .Replace("]", "-RSB-", StringComparison.Ordinal)
                .Replace("{", "-LCB-", StringComparison.Ordinal)
                .Replace("}", "-RCB-", StringComparison.Ordinal);
        }

        // D: double dashes.
        text = DoubleDash().Replace(text, " -- ");

        // E: the ending-quote and clitic rules look for a space on both sides.
        text = " " + text + " ";

        // F: ending quotes and clitics.
        text = TwoSingleQuotes().Replace(text, " '' ");
        text = DoubleQuote().Replace(text, " '' ");
        text = CliticSMD().Replace(text, "$1 $2 ");
        text = CliticLlReVeNt().Replace(text, "$1 $2 ");

        // G, H: fixed contractions (cannot, gimme, gonna, 'tis, …).
        foreach (var contraction in Contractions)
            text = contraction.Replace(text, " $1 $2 ");
        return text;
    }

    private static readonly Regex[] Contractions =
    [
        Cannot(),
        DYe(),
        Gimme(),
        Gonna(),
        Gotta(),
        Lemme(),
        MoreN(),
        Wanna(),
        TIs(),
        TWas(),
    ];

    /// <summary>Python's <c>str.split()</c>: splits on runs of Unicode whitespace, which for Python also includes U+001C–U+001F.</summary>
    internal static string[] SplitOnPythonWhitespace(string text)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsPythonWhitespace(text[i]))
                i++;
            int start = i;
            while (i < text.Length && !IsPythonWhitespace(text[i]))
                i++;
            if (i > start)
                tokens.Add(text.Substring(start, i - start));
        }
        return tokens.ToArray();
    }

    internal static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    // The patterns are NLTK's, verbatim, in NLTK's order (docs/keras-semantics.md#treebank-tokenizer).
    [GeneratedRegex("^\"")]
    private static partial Regex StartQuote();

    [GeneratedRegex("(``)")]
    private static partial Regex Backticks();

    [GeneratedRegex("([ \\(\\[{<])(\"|\\'{2})")]
    private static partial Regex QuoteAfterOpening();

    [GeneratedRegex("([:,])([^\\d])")]
    private static partial Regex CommaColonNotBeforeDigit();

    [GeneratedRegex("([:,])$")]
    private static partial Regex CommaColonAtEnd();

    [GeneratedRegex("\\.\\.\\.")]
    private static partial Regex Ellipsis();

    [GeneratedRegex("[;@#$%&]")]
    private static partial Regex Symbols();

    [GeneratedRegex("([^\\.])(\\.)([\\]\\)}>\"\\']*)\\s*$")]
    private static partial Regex FinalPeriod();

    [GeneratedRegex("[?!]")]
    private static partial Regex QuestionExclamation();

    [GeneratedRegex("([^'])' ")]
    private static partial Regex ApostropheBeforeSpace();

    [GeneratedRegex("[\\]\\[\\(\\)\\{\\}\\<\\>]")]
    private static partial Regex Brackets();

    [GeneratedRegex("--")]
    private static partial Regex DoubleDash();

    [GeneratedRegex("''")]
    private static partial Regex TwoSingleQuotes();

    [GeneratedRegex("\"")]
    private static partial Regex DoubleQuote();

    [GeneratedRegex("([^' ])('[sS]|'[mM]|'[dD]|') ")]
    private static partial Regex CliticSMD();

    [GeneratedRegex("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ")]
    private static partial Regex CliticLlReVeNt();

    [GeneratedRegex("(?i)\\b(can)(?#X)(not)\\b")]
    private static partial Regex Cannot();

    [GeneratedRegex("(?i)\\b(d)(?#X)('ye)\\b")]
    private static partial Regex DYe();

    [GeneratedRegex("(?i)\\b(gim)(?#X)(me)\\b")]
    private static partial Regex Gimme();

    [GeneratedRegex("(?i)\\b(gon)(?#X)(na)\\b")]
    private static partial Regex Gonna();

    [GeneratedRegex("(?i)\\b(got)(?#X)(ta)\\b")]
    private static partial Regex Gotta();

    [GeneratedRegex("(?i)\\b(lem)(?#X)(me)\\b")]
    private static partial Regex Lemme();

    [GeneratedRegex("(?i)\\b(more)(?#X)('n)\\b")]
    private static partial Regex MoreN();

    [GeneratedRegex("(?i)\\b(wan)(?#X)(na)(?=\\s)")]
    private static partial Regex Wanna();

    [GeneratedRegex("(?i) ('t)(?#X)(is)\\b")]
    private static partial Regex TIs();

    [GeneratedRegex("(?i) ('t)(?#X)(was)\\b")]
    private static partial Regex TWas();
}
