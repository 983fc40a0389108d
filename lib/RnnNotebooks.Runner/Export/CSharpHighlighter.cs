using System.Text;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// Light C# highlighting for static pages: comments, strings (regular, verbatim, interpolated, raw),
/// characters, numbers, keywords and directives (<c>#r</c>, <c>#!csharp</c>) wrapped in classed spans.
/// </summary>
public static class CSharpHighlighter
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract",
        "as",
        "async",
        "await",
        "base",
        "bool",
        "break",
        "byte",
        "case",
        "catch",
        "char",
        "checked",
        "class",
        "const",
        "continue",
        "decimal",
        "default",
        "delegate",
        "do",
        "double",
        "else",
        "enum",
        "event",
        "explicit",
        "extern",
        "false",
        "finally",
        "fixed",
        "float",
        "for",
        "foreach",
        "goto",
        "if",
        "implicit",
        "in",
        "init",
        "int",
        "interface",
        "internal",
        "is",
        "lock",
        "long",
        "namespace",
        "new",
        "null",
        "object",
        "operator",
        "out",
        "override",
        "params",
        "private",
        "protected",
        "public",
        "readonly",
        "record",
        "ref",
        "required",
        "return",
        "sbyte",
        "sealed",
        "short",
        "sizeof",
        "stackalloc",
        "static",
        "string",
        "struct",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "uint",
        "ulong",
        "unchecked",
        "unsafe",
        "ushort",
        "using",
        "var",
        "virtual",
        "void",
        "volatile",
        "when",
        "where",
        "while",
        "with",
        "yield",
        "and",
        "or",
        "not",
        "nameof",
        "dynamic",
        "get",
        "set",
        "value",
        "let",
        "from",
        "select",
        "orderby",
        "group",
        "by",
        "into",
        "join",
        "on",
        "equals",
        "ascending",
        "descending",
    };

    public static string Highlight(string code)
    {
        var sb = new StringBuilder(code.Length * 2);
        int i = 0;
        bool lineStart = true;
        while (i < code.Length)
        {
            char c = code[i];
            if (lineStart && (c == '#'))
            {
                int end = LineEnd(code, i);
                Span(sb, "directive", code[i..end]);
                i = end;
                continue;
            }
            if (c == '\n')
            {
                sb.Append('\n');
                lineStart = true;
                i++;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                sb.Append(c);
                i++;
                continue;
            }
            lineStart = false;
            if (c == '/' && i + 1 < code.Length && code[i + 1] == '/')
            {
                int end = LineEnd(code, i);
                Span(sb, "comment", code[i..end]);
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < code.Length && code[i + 1] == '*')
            {
                int end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? code.Length : end + 2;
                Span(sb, "comment", code[i..end]);
                i = end;
                continue;
            }
            if (StringStart(code, i) is int quote)
            {
                int end = StringEnd(code, i, quote);
                Span(sb, "string", code[i..end]);
                i = end;
                continue;
            }
            if (c == '\'')
            {
                int end = i + 1;
                while (end < code.Length && code[end] != '\'' && code[end] != '\n')
                    end += code[end] == '\\' ? 2 : 1;
                end = Math.Min(code.Length, end + 1);
                Span(sb, "string", code[i..end]);
                i = end;
                continue;
            }
            if (char.IsDigit(c) || c == '.' && i + 1 < code.Length && char.IsDigit(code[i + 1]))
            {
                int end = i;
                while (end < code.Length && (char.IsLetterOrDigit(code[end]) || code[end] is '.' or '_'))
                {
                    if (code[end] == '.' && (end + 1 >= code.Length || !char.IsDigit(code[end + 1])))
                        break;
                    end++;
                }
                Span(sb, "number", code[i..end]);
                i = end;
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c == '@')
            {
                int end = i + 1;
                while (end < code.Length && (char.IsLetterOrDigit(code[end]) || code[end] == '_'))
                    end++;
                string word = code[i..end];
                if (Keywords.Contains(word))
                    Span(sb, "keyword", word);
                else if (char.IsUpper(word[0]))
                    Span(sb, "type", word);
                else
                    sb.Append(HtmlText.Escape(word));
                i = end;
                continue;
            }
            sb.Append(HtmlText.Escape(c.ToString()));
            i++;
        }
        return sb.ToString();
    }

    /// <summary>Index of the opening quote if a string literal starts at i (after $, @, $@, @$ prefixes).</summary>
    private static int? StringStart(string code, int i)
    {
        int k = i;
        while (k < code.Length && code[k] is '$' or '@' && k - i < 3)
            k++;
        return k < code.Length && code[k] == '"' ? k : null;
    }

    private static int StringEnd(string code, int start, int quote)
    {
        bool verbatim = code[start..quote].Contains('@');
        int quotes = 0;
        while (quote + quotes < code.Length && code[quote + quotes] == '"')
            quotes++;
        if (quotes >= 3)
        {
            string fence = new('"', quotes);
            int close = code.IndexOf(fence, quote + quotes, StringComparison.Ordinal);
            return close < 0 ? code.Length : close + quotes;
        }
        int k = quote + 1;
        while (k < code.Length)
        {
            char ch = code[k];
            if (!verbatim && ch == '\\')
            {
                k += 2;
                continue;
            }
            if (ch == '"')
            {
                if (verbatim && k + 1 < code.Length && code[k + 1] == '"')
                {
                    k += 2;
                    continue;
                }
                return k + 1;
            }
            if (ch == '\n' && !verbatim)
                return k;
            k++;
        }
        return code.Length;
    }

    private static int LineEnd(string code, int i)
    {
        int end = code.IndexOf('\n', i);
        return end < 0 ? code.Length : end;
    }

    private static void Span(StringBuilder sb, string kind, string text) =>
        sb.Append("<span class=\"").Append(kind).Append("\">").Append(HtmlText.Escape(text)).Append("</span>");
}
