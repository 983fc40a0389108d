using System.Text;
using System.Text.RegularExpressions;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// A small Markdown renderer for notebook text cells (CommonMark/GFM subset): ATX and setext headings,
/// paragraphs, emphasis and strong, strikethrough, code spans, fenced and indented code, nested lists,
/// block quotes, tables with alignment, links, images, autolinks, rules, raw HTML, hard line breaks.
/// Math (<c>$…$</c>, <c>$$…$$</c>) is kept as text in styled elements (no script), and is never touched by
/// emphasis: <c>$x_t$</c> stays as written.
/// </summary>
public sealed partial class Markdown
{
    private readonly Dictionary<string, int> _slugs = new(StringComparer.Ordinal);

    /// <summary>Renders a document; heading ids are unique within this renderer (one per page).</summary>
    public string Render(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var sb = new StringBuilder();
        RenderBlocks(sb, lines.Select(ExpandTabs).ToList());
        return sb.ToString();
    }

    private static string ExpandTabs(string line) =>
        line.Contains('\t') ? line.Replace("\t", "    ", StringComparison.Ordinal) : line;

    private void RenderBlocks(StringBuilder sb, List<string> lines, bool tight = false)
    {
        int i = 0;
        while (i < lines.Count)
        {
            string line = lines[i];
            if (string.IsNullOrWhiteSpace(line))
            {
                i++;
                continue;
            }
            string trimmed = line.TrimStart();
            int indent = line.Length - trimmed.Length;

            if (FenceOpen().Match(line) is { Success: true } fence)
            {
                string marker = fence.Groups[2].Value;
                string language = fence.Groups[3].Value.Trim().Split(' ')[0];
                var code = new List<string>();
                i++;
                while (i < lines.Count && !IsFenceClose(lines[i], marker))
                    code.Add(Deindent(lines[i++], fence.Groups[1].Value.Length));
                i++;
                sb.Append("<pre class=\"code-block\"><code");
                if (language.Length > 0)
                    sb.Append(" class=\"language-").Append(Escape(language)).Append('"');
                sb.Append('>');
                string text = string.Join("\n", code);
                sb.Append(language is "csharp" or "cs" or "c#" ? CSharpHighlighter.Highlight(text) : Escape(text));
                sb.Append("</code></pre>\n");
                continue;
            }
            if (indent >= 4 && !tight)
            {
                var code = new List<string>();
                while (
                    i < lines.Count
                    && (lines[i].StartsWith("    ", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(lines[i]))
                )
                    code.Add(lines[i].Length >= 4 ? lines[i][4..] : "");
                while (code.Count > 0 && string.IsNullOrWhiteSpace(code[^1]))
                    code.RemoveAt(code.Count - 1);
                sb.Append("<pre class=\"code-block\"><code>")
                    .Append(Escape(string.Join("\n", code)))
                    .Append("</code></pre>\n");
                continue;
            }
            if (trimmed.StartsWith("$$", StringComparison.Ordinal))
            {
                var math = new StringBuilder(trimmed);
                bool closed = trimmed.Length > 2 && trimmed.TrimEnd().EndsWith("$$", StringComparison.Ordinal);
                i++;
                while (!closed && i < lines.Count)
                {
                    math.Append('\n').Append(lines[i]);
                    closed = lines[i].TrimEnd().EndsWith("$$", StringComparison.Ordinal);
                    i++;
                }
                string tex = math.ToString().Trim();
                sb.Append(MathHtml(tex.Length >= 4 ? tex[2..^2] : "", tex, display: true)).Append('\n');
                continue;
            }
            if (Heading().Match(line) is { Success: true } heading)
            {
                AppendHeading(sb, heading.Groups[1].Value.Length, heading.Groups[2].Value);
                i++;
                continue;
            }
            if (Rule().IsMatch(line))
            {
                sb.Append("<hr>\n");
                i++;
                continue;
            }
            if (trimmed.StartsWith('>'))
            {
                var quoted = new List<string>();
                while (i < lines.Count && lines[i].TrimStart().StartsWith('>'))
                {
                    string q = lines[i].TrimStart()[1..];
                    quoted.Add(q.StartsWith(' ') ? q[1..] : q);
                    i++;
                }
                sb.Append("<blockquote>\n");
                RenderBlocks(sb, quoted);
                sb.Append("</blockquote>\n");
                continue;
            }
            if (ListItem().Match(line) is { Success: true })
            {
                i = RenderList(sb, lines, i);
                continue;
            }
            if (i + 1 < lines.Count && line.Contains('|') && TableDelimiter().IsMatch(lines[i + 1]))
            {
                i = RenderTable(sb, lines, i);
                continue;
            }
            if (HtmlBlockStart().IsMatch(trimmed))
            {
                while (i < lines.Count && !string.IsNullOrWhiteSpace(lines[i]))
                    sb.Append(lines[i++]).Append('\n');
                continue;
            }

            // Paragraph (or setext heading).
            var paragraph = new List<string>();
            while (i < lines.Count && !string.IsNullOrWhiteSpace(lines[i]))
            {
                string l = lines[i];
                if (paragraph.Count > 0 && StartsBlock(l, lines, i))
                    break;
                if (paragraph.Count > 0 && SetextUnderline().Match(l) is { Success: true } setext)
                {
                    AppendHeading(
                        sb,
                        setext.Groups[1].Value.StartsWith('=') ? 1 : 2,
                        string.Join(" ", paragraph.Select(p => p.Trim()))
                    );
                    paragraph.Clear();
                    i++;
                    break;
                }
                paragraph.Add(l);
                i++;
            }
            if (paragraph.Count == 0)
                continue;
            string inline = RenderParagraphLines(paragraph);
            if (tight)
                sb.Append(inline).Append('\n');
            else
                sb.Append("<p>").Append(inline).Append("</p>\n");
        }
    }

    private bool StartsBlock(string line, List<string> lines, int i) =>
        FenceOpen().IsMatch(line)
        || Heading().IsMatch(line)
        || Rule().IsMatch(line) && !SetextUnderline().IsMatch(line)
        || line.TrimStart().StartsWith('>')
        || line.TrimStart().StartsWith("$$", StringComparison.Ordinal)
        || ListItem().IsMatch(line)
        || i + 1 < lines.Count && line.Contains('|') && TableDelimiter().IsMatch(lines[i + 1]);

    private string RenderParagraphLines(List<string> paragraph)
    {
        var sb = new StringBuilder();
        for (int k = 0; k < paragraph.Count; k++)
        {
            string l = paragraph[k].TrimStart();
            bool hardBreak =
                k < paragraph.Count - 1 && (l.EndsWith("  ", StringComparison.Ordinal) || l.EndsWith('\\'));
            l = l.TrimEnd();
            if (hardBreak && l.EndsWith('\\'))
                l = l[..^1];
            sb.Append(l);
            if (k < paragraph.Count - 1)
                sb.Append(hardBreak ? "\u0002" : "\n");
        }
        return Inline(sb.ToString()).Replace("\u0002", "<br>\n", StringComparison.Ordinal);
    }

    private void AppendHeading(StringBuilder sb, int level, string text)
    {
        string content = text.Trim();
        string slug = Slug(content);
        sb.Append("<h").Append(level).Append(" id=\"").Append(slug).Append("\">");
        sb.Append(Inline(content));
        sb.Append("<a class=\"anchor\" href=\"#").Append(slug).Append("\" aria-hidden=\"true\">#</a>");
        sb.Append("</h").Append(level).Append(">\n");
    }

    private string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
                sb.Append(c);
            else if ((c == ' ' || c == '-' || c == '_') && sb.Length > 0 && sb[^1] != '-')
                sb.Append('-');
        }
        string slug = sb.ToString().Trim('-');
        if (slug.Length == 0)
            slug = "section";
        if (_slugs.TryGetValue(slug, out int n))
        {
            _slugs[slug] = n + 1;
            return $"{slug}-{n}";
        }
        _slugs[slug] = 1;
        return slug;
    }

    private int RenderList(StringBuilder sb, List<string> lines, int i)
    {
        var first = ListItem().Match(lines[i]);
        int baseIndent = first.Groups[1].Value.Length;
        bool ordered = char.IsDigit(first.Groups[2].Value[0]);
        var items = new List<List<string>>();
        bool loose = false;
        int start = ordered
            ? int.Parse(first.Groups[2].Value[..^1], System.Globalization.CultureInfo.InvariantCulture)
            : 1;
        while (i < lines.Count)
        {
            var m = ListItem().Match(lines[i]);
            if (!m.Success || m.Groups[1].Value.Length != baseIndent || char.IsDigit(m.Groups[2].Value[0]) != ordered)
                break;
            int contentIndent =
                m.Groups[1].Value.Length
                + m.Groups[2].Value.Length
                + Math.Max(1, Math.Min(4, m.Groups[3].Value.Length));
            var item = new List<string> { m.Groups[4].Value };
            i++;
            while (i < lines.Count)
            {
                string l = lines[i];
                if (string.IsNullOrWhiteSpace(l))
                {
                    // A blank line continues the item only if indented content follows.
                    int next = i + 1;
                    if (
                        next < lines.Count
                        && Indent(lines[next]) >= contentIndent
                        && !string.IsNullOrWhiteSpace(lines[next])
                    )
                    {
                        loose = true;
                        item.Add("");
                        i++;
                        continue;
                    }
                    if (
                        next < lines.Count
                        && ListItem().Match(lines[next]) is { Success: true } sibling
                        && sibling.Groups[1].Value.Length == baseIndent
                        && char.IsDigit(sibling.Groups[2].Value[0]) == ordered
                    )
                        loose = true;
                    break;
                }
                if (Indent(l) >= contentIndent)
                {
                    item.Add(Deindent(l, contentIndent));
                    i++;
                    continue;
                }
                if (ListItem().IsMatch(l) || StartsBlock(l, lines, i))
                    break;
                item.Add(l.TrimStart()); // lazy continuation
                i++;
            }
            items.Add(item);
            while (i < lines.Count && string.IsNullOrWhiteSpace(lines[i]))
            {
                if (
                    i + 1 < lines.Count
                    && ListItem().Match(lines[i + 1]) is { Success: true } after
                    && after.Groups[1].Value.Length == baseIndent
                )
                {
                    i++;
                    break;
                }
                break;
            }
        }
        sb.Append(ordered ? (start == 1 ? "<ol>\n" : $"<ol start=\"{start}\">\n") : "<ul>\n");
        foreach (var item in items)
        {
            sb.Append("<li>");
            if (TaskBox().Match(item[0]) is { Success: true } task)
            {
                sb.Append(
                    task.Groups[1].Value == " "
                        ? "<input type=\"checkbox\" disabled> "
                        : "<input type=\"checkbox\" checked disabled> "
                );
                item[0] = item[0][task.Length..];
            }
            RenderBlocks(sb, item, tight: !loose);
            if (sb[^1] == '\n')
                sb.Length--;
            sb.Append("</li>\n");
        }
        sb.Append(ordered ? "</ol>\n" : "</ul>\n");
        return i;
    }

    private int RenderTable(StringBuilder sb, List<string> lines, int i)
    {
        var header = SplitRow(lines[i]);
        var align = SplitRow(lines[i + 1])
            .Select(c =>
            {
                string t = c.Trim();
                bool left = t.StartsWith(':'),
                    right = t.EndsWith(':');
                return left && right ? "center"
                    : right ? "right"
                    : left ? "left"
                    : null;
            })
            .ToArray();
        i += 2;
        sb.Append("<table>\n<thead><tr>");
        for (int c = 0; c < header.Count; c++)
            sb.Append(Cell("th", header[c], c < align.Length ? align[c] : null));
        sb.Append("</tr></thead>\n<tbody>\n");
        while (i < lines.Count && !string.IsNullOrWhiteSpace(lines[i]) && lines[i].Contains('|'))
        {
            var row = SplitRow(lines[i++]);
            sb.Append("<tr>");
            for (int c = 0; c < header.Count; c++)
                sb.Append(Cell("td", c < row.Count ? row[c] : "", c < align.Length ? align[c] : null));
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        return i;
    }

    private string Cell(string tag, string content, string? align) =>
        $"<{tag}{(align is null ? "" : $" style=\"text-align:{align}\"")}>{Inline(content.Trim())}</{tag}>";

    /// <summary>Cells of a table row; pipes inside code spans, math or after a backslash do not split.</summary>
    private static List<string> SplitRow(string line)
    {
        string t = line.Trim();
        if (t.StartsWith('|'))
            t = t[1..];
        if (t.EndsWith('|') && !t.EndsWith("\\|", StringComparison.Ordinal))
            t = t[..^1];
        var cells = new List<string>();
        var current = new StringBuilder();
        bool code = false,
            math = false;
        for (int k = 0; k < t.Length; k++)
        {
            char c = t[k];
            if (c == '\\' && k + 1 < t.Length && t[k + 1] == '|')
            {
                current.Append('|');
                k++;
                continue;
            }
            if (c == '`')
                code = !code;
            else if (c == '$' && !code)
                math = !math;
            if (c == '|' && !code && !math)
            {
                cells.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        cells.Add(current.ToString());
        return cells;
    }

    /// <summary>Inline Markdown to HTML.</summary>
    public string Inline(string text)
    {
        var held = new List<string>();
        string Hold(string html)
        {
            held.Add(html);
            return "\uE000" + (held.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\uE001";
        }

        var sb = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && char.IsPunctuation(text[i + 1]) | char.IsSymbol(text[i + 1]))
            {
                sb.Append(Hold(Escape(text[i + 1].ToString())));
                i += 2;
                continue;
            }
            if (c == '`')
            {
                int run = RunLength(text, i, '`');
                int close = FindRun(text, i + run, '`', run);
                if (close >= 0)
                {
                    string code = text[(i + run)..close];
                    if (code.Length > 2 && code[0] == ' ' && code[^1] == ' ' && code.Trim().Length > 0)
                        code = code[1..^1];
                    sb.Append(Hold("<code>" + Escape(code.Replace('\n', ' ')) + "</code>"));
                    i = close + run;
                    continue;
                }
                sb.Append(Hold(new string('`', run)));
                i += run;
                continue;
            }
            if (c == '$')
            {
                bool display = i + 1 < text.Length && text[i + 1] == '$';
                string delimiter = display ? "$$" : "$";
                int from = i + delimiter.Length;
                int close = text.IndexOf(delimiter, from, StringComparison.Ordinal);
                if (
                    close > from
                    && (display || !char.IsWhiteSpace(text[from]) && !char.IsWhiteSpace(text[close - 1]))
                    && (display || close + 1 >= text.Length || !char.IsDigit(text[close + 1]))
                )
                {
                    string math = text[i..(close + delimiter.Length)];
                    sb.Append(Hold(MathHtml(text[from..close], math, display)));
                    i = close + delimiter.Length;
                    continue;
                }
            }
            if (c == '<')
            {
                var auto = AutoLink().Match(text, i);
                if (auto.Success && auto.Index == i)
                {
                    string url = auto.Groups[1].Value;
                    sb.Append(Hold($"<a href=\"{Escape(url)}\">{Escape(url)}</a>"));
                    i += auto.Length;
                    continue;
                }
                var tag = InlineTag().Match(text, i);
                if (tag.Success && tag.Index == i)
                {
                    sb.Append(Hold(tag.Value));
                    i += tag.Length;
                    continue;
                }
            }
            if (c == '&' && Entity().Match(text, i) is { Success: true } entity && entity.Index == i)
            {
                sb.Append(Hold(entity.Value));
                i += entity.Length;
                continue;
            }
            if (
                c == '!'
                && i + 1 < text.Length
                && text[i + 1] == '['
                && TryLink(text, i + 1, out var alt, out var src, out var title, out int end)
            )
            {
                sb.Append(
                    Hold(
                        $"<img src=\"{Escape(src)}\" alt=\"{Escape(alt)}\"{(title is null ? "" : $" title=\"{Escape(title)}\"")}>"
                    )
                );
                i = end;
                continue;
            }
            if (c == '[' && TryLink(text, i, out var label, out var href, out var linkTitle, out int linkEnd))
            {
                sb.Append(
                    Hold(
                        $"<a href=\"{Escape(href)}\"{(linkTitle is null ? "" : $" title=\"{Escape(linkTitle)}\"")}>{Inline(label)}</a>"
                    )
                );
                i = linkEnd;
                continue;
            }
            sb.Append(c);
            i++;
        }

        string html = Escape(sb.ToString());
        html = Strong().Replace(html, "<strong>$2</strong>");
        html = Emphasis().Replace(html, "<em>$2</em>");
        html = Strike().Replace(html, "<del>$1</del>");
        return Placeholder()
            .Replace(html, m => held[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
    }

    /// <summary>An equation as readable text (see <see cref="MathText"/>), its TeX source in the title.</summary>
    private static string MathHtml(string tex, string source, bool display) =>
        display
            ? $"<div class=\"math display\" title=\"{Escape(source)}\">{MathText.ToHtml(tex)}</div>"
            : $"<span class=\"math\" title=\"{Escape(source)}\">{MathText.ToHtml(tex)}</span>";

    private static bool TryLink(
        string text,
        int open,
        out string label,
        out string href,
        out string? title,
        out int end
    )
    {
        label = href = "";
        title = null;
        end = open;
        int depth = 0,
            close = -1;
        for (int k = open; k < text.Length; k++)
        {
            if (text[k] == '\\')
            {
                k++;
                continue;
            }
            if (text[k] == '[')
                depth++;
            else if (text[k] == ']' && --depth == 0)
            {
                close = k;
                break;
            }
        }
        if (close < 0 || close + 1 >= text.Length || text[close + 1] != '(')
            return false;
        int paren = text.IndexOf(')', close + 2);
        if (paren < 0)
            return false;
        string target = text[(close + 2)..paren].Trim();
        var m = LinkTarget().Match(target);
        if (!m.Success)
            return false;
        label = text[(open + 1)..close];
        href = m.Groups[1].Value.Trim('<', '>');
        title = m.Groups[2].Success ? m.Groups[2].Value : null;
        end = paren + 1;
        return true;
    }

    private static int RunLength(string text, int at, char c)
    {
        int n = 0;
        while (at + n < text.Length && text[at + n] == c)
            n++;
        return n;
    }

    private static int FindRun(string text, int from, char c, int length)
    {
        for (int k = from; k < text.Length; k++)
        {
            if (text[k] != c)
                continue;
            int run = RunLength(text, k, c);
            if (run == length)
                return k;
            k += run - 1;
        }
        return -1;
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static string Deindent(string line, int n)
    {
        int k = 0;
        while (k < n && k < line.Length && line[k] == ' ')
            k++;
        return line[k..];
    }

    private static bool IsFenceClose(string line, string marker)
    {
        string t = line.Trim();
        return t.Length >= marker.Length && t.All(ch => ch == marker[0]);
    }

    private static string Escape(string text) => HtmlText.Escape(text);

    [GeneratedRegex(@"^( {0,3})(`{3,}|~{3,})(.*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")]
    private static partial Regex Rule();

    [GeneratedRegex(@"^ {0,3}(=+|-+)[ \t]*$")]
    private static partial Regex SetextUnderline();

    [GeneratedRegex(@"^( *)([-*+]|\d{1,9}[.)])( +|$)(.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^\[([ xX])\] ")]
    private static partial Regex TaskBox();

    [GeneratedRegex(@"^ *\|? *:?-+:? *(\| *:?-+:? *)*\|? *$")]
    private static partial Regex TableDelimiter();

    [GeneratedRegex(
        @"^<(?:/?(?:div|table|thead|tbody|tr|td|th|p|details|summary|figure|figcaption|section|center|img|br|hr|pre|blockquote|ul|ol|li|h[1-6]|svg|style)\b|!--)",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex HtmlBlockStart();

    [GeneratedRegex(@"<((?:https?|mailto|ftp):[^\s<>]+)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(
        @"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:""[^""]*""|'[^']*'|[^\s""'=<>`]+))?)*\s*/?>"
    )]
    private static partial Regex InlineTag();

    [GeneratedRegex(@"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")]
    private static partial Regex Entity();

    [GeneratedRegex(@"^(\S+?)(?:\s+""([^""]*)"")?$")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")]
    private static partial Regex Strong();

    [GeneratedRegex(@"(?<![\w*])(\*|_)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")]
    private static partial Regex Emphasis();

    [GeneratedRegex(@"~~(?=\S)(.+?)(?<=\S)~~")]
    private static partial Regex Strike();

    [GeneratedRegex("\uE000(\\d+)\uE001")]
    private static partial Regex Placeholder();
}
