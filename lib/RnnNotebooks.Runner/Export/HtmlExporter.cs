using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig.Syntax;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Export;

/// <summary>Links from a page to the book around it: the index, the previous and the next chapter.</summary>
public sealed record PageNavigation(
    string IndexHref,
    string BookTitle,
    (string Href, string Title)? Previous,
    (string Href, string Title)? Next
);

/// <summary>A rendered page and what the book needs to know about it.</summary>
public sealed record RenderedPage(
    string Html,
    string Title,
    IReadOnlyList<TocEntry> Toc,
    IReadOnlyList<string> Images,
    IReadOnlyList<string> Problems
);

/// <summary>
/// A notebook as one static HTML page: Markdown by Markdig, math typeset by KaTeX at export time, code highlighted
/// by Roslyn, outputs inline (HTML and SVG as they are, images as data URIs, text in preformatted blocks, errors
/// marked), a table of contents from the headings. The page links only files of its own assets folder
/// (katex.min.css and fonts; plotly.min.js where a chart can be interactive), so it reads from file:// offline.
/// </summary>
public static partial class HtmlExporter
{
    /// <summary>Output MIME types in the order a page prefers them (richest first), as Jupyter does.</summary>
    public static readonly IReadOnlyList<string> MimePreference =
    [
        "text/html",
        "image/svg+xml",
        "image/png",
        "image/jpeg",
        "image/gif",
        "text/markdown",
        "text/latex",
        "application/json",
        "text/plain",
    ];

    /// <summary>The page alone (assets under assets/), for tests and callers that place the assets themselves.</summary>
    public static string Export(NotebookDocument notebook) => Render(notebook, "assets/", null, new Katex()).Html;

    /// <summary>
    /// Writes the page to <paramref name="outFile"/>, its assets to an assets/ folder beside it and the images its
    /// Markdown shows (img/…) next to it. Returns the problems found (formulas KaTeX cannot typeset).
    /// </summary>
    public static IReadOnlyList<string> ExportFile(NotebookDocument notebook, string outFile)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(outFile))!;
        var page = Render(notebook, "assets/", null, new Katex());
        Directory.CreateDirectory(dir);
        BookAssets.CopyTo(
            Path.Combine(dir, "assets"),
            plotly: page.Html.Contains(PlotlyScriptTag, StringComparison.Ordinal)
        );
        CopyImages(notebook, page.Images, dir);
        AtomicFile.WriteAllText(outFile, page.Html);
        return page.Problems;
    }

    internal static void CopyImages(NotebookDocument notebook, IEnumerable<string> images, string outDir)
    {
        string from = Path.GetDirectoryName(Path.GetFullPath(notebook.SourceName))!;
        foreach (var image in images.Distinct())
        {
            string source = Path.GetFullPath(Path.Combine(from, image));
            string target = Path.GetFullPath(Path.Combine(outDir, image));
            if (File.Exists(source) && source != target)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target, overwrite: true);
            }
        }
    }

    private const string PlotlyScriptTag = "<script src=\"";

    public static RenderedPage Render(
        NotebookDocument notebook,
        string assetsHref,
        PageNavigation? navigation,
        Katex katex
    )
    {
        string title = Title(notebook);
        string where = Path.GetFileName(notebook.SourceName);
        var cells = notebook.Cells; // built on each access: keyed by identity below, so read once
        // Parse every piece of Markdown first, so all the page's math is typeset in one Node run.
        var documents = new Dictionary<object, MarkdownDocument>(ReferenceEqualityComparer.Instance);
        foreach (var cell in cells)
        {
            if (cell.CellType == "markdown")
                documents[cell] = PageMarkdown.Parse(cell.Source);
            else if (cell.CellType == "code")
                foreach (var data in Bundles(cell))
                    if (PreferredMime(data) == "text/markdown")
                        documents[data] = PageMarkdown.Parse(NotebookCell.JoinText(data["text/markdown"]));
        }
        int known = katex.Problems.Count;
        katex.RenderAll(documents.Values.SelectMany(PageMarkdown.Formulas), where);
        var markdown = new PageMarkdown(katex);
        var codeCells = cells.Where(c => c.CellType == "code").ToList();
        var highlighted = CSharpCode.HighlightCells(
            codeCells.Select(c => c.Source.TrimEnd('\n')).ToList(),
            References(notebook, codeCells)
        );
        var code = codeCells
            .Select((c, i) => (c, i))
            .ToDictionary(p => (object)p.c, p => highlighted[p.i], ReferenceEqualityComparer.Instance);

        var body = new StringBuilder();
        foreach (var cell in cells)
        {
            string id = cell.Id is { } cellId ? $" id=\"cell-{Escape(cellId)}\"" : "";
            switch (cell.CellType)
            {
                case "markdown":
                    body.Append("<section class=\"cell markdown\"").Append(id).Append(">\n");
                    body.Append(markdown.Render(documents[cell]));
                    body.Append("</section>\n");
                    break;
                case "code":
                    AppendCodeCell(body, cell, id, code[cell], markdown, documents);
                    break;
                default:
                    body.Append("<section class=\"cell raw\"")
                        .Append(id)
                        .Append("><pre>")
                        .Append(Escape(cell.Source))
                        .Append("</pre></section>\n");
                    break;
            }
        }
        string content = body.ToString();
        bool interactive = content.Contains(ChartMarker, StringComparison.Ordinal);
        var toc = markdown.Headings.Where(h => h.Level is 2 or 3).ToList();

        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\" data-rnnbook>\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"generator\" content=\"rnnbook\">\n");
        sb.Append("<title>").Append(Escape(title));
        if (navigation is not null)
            sb.Append(" · ").Append(Escape(navigation.BookTitle));
        sb.Append("</title>\n");
        sb.Append("<link rel=\"stylesheet\" href=\"").Append(Escape(assetsHref)).Append("katex/katex.min.css\">\n");
        // plotly.js before the outputs: each chart's own script finds it and draws (see ChartFormatterSource).
        if (interactive)
            sb.Append(PlotlyScriptTag).Append(Escape(assetsHref)).Append("plotly.min.js\"></script>\n");
        sb.Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        if (navigation is not null)
            AppendNavigation(sb, navigation, "top");
        sb.Append("<div class=\"layout\">\n");
        if (toc.Count > 0)
        {
            sb.Append("<nav class=\"toc\" aria-label=\"Contents\"><div class=\"toc-title\">Contents</div>\n<ul>\n");
            foreach (var entry in toc)
                sb.Append("<li class=\"toc-h")
                    .Append(entry.Level)
                    .Append("\"><a href=\"#")
                    .Append(Escape(entry.Id))
                    .Append("\">")
                    .Append(entry.Html)
                    .Append("</a></li>\n");
            sb.Append("</ul></nav>\n");
        }
        sb.Append("<main class=\"notebook\">\n").Append(content);
        sb.Append("<footer>Rendered by rnnbook from ").Append(Escape(where)).Append(".</footer>\n</main>\n</div>\n");
        if (navigation is not null)
            AppendNavigation(sb, navigation, "bottom");
        sb.Append("</body>\n</html>\n");
        return new RenderedPage(
            sb.ToString(),
            title,
            toc,
            documents.Values.SelectMany(PageMarkdown.LocalImages).Distinct().ToList(),
            katex.Problems.Skip(known).ToList()
        );
    }

    /// <summary>A page of the book that is not a notebook (the index): the same head, styles and layout.</summary>
    internal static string Shell(string title, string assetsHref, string body) =>
        "<!DOCTYPE html>\n<html lang=\"en\" data-rnnbook>\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<meta name=\"generator\" content=\"rnnbook\">\n"
        + $"<title>{Escape(title)}</title>\n"
        + $"<link rel=\"stylesheet\" href=\"{Escape(assetsHref)}katex/katex.min.css\">\n"
        + $"<style>\n{Css}</style>\n</head>\n<body>\n<div class=\"layout\">\n<main class=\"notebook\">\n"
        + body
        + "</main>\n</div>\n</body>\n</html>\n";

    /// <summary>Marks a chart output that carries plotly data (see RnnNotebooks.Charts.ChartFormatterSource).</summary>
    internal const string ChartMarker = "class=\"rnn-chart-data\"";

    private static void AppendNavigation(StringBuilder sb, PageNavigation navigation, string where)
    {
        sb.Append("<nav class=\"pager ").Append(where).Append("\">");
        sb.Append("<span class=\"prev\">");
        if (navigation.Previous is { } previous)
            sb.Append("<a rel=\"prev\" href=\"")
                .Append(Escape(previous.Href))
                .Append("\">← ")
                .Append(Escape(previous.Title))
                .Append("</a>");
        sb.Append("</span><a class=\"home\" href=\"")
            .Append(Escape(navigation.IndexHref))
            .Append("\">")
            .Append(Escape(navigation.BookTitle))
            .Append("</a><span class=\"next\">");
        if (navigation.Next is { } next)
            sb.Append("<a rel=\"next\" href=\"")
                .Append(Escape(next.Href))
                .Append("\">")
                .Append(Escape(next.Title))
                .Append(" →</a>");
        sb.Append("</span></nav>\n");
    }

    /// <summary>The libraries the cells load with #r "path" (relative to the notebook), for semantic colouring.</summary>
    private static IEnumerable<string> References(NotebookDocument notebook, IEnumerable<NotebookCell> cells)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(notebook.SourceName))!;
        foreach (var cell in cells)
        foreach (Match m in ReferenceDirective().Matches(cell.Source))
            yield return Path.GetFullPath(Path.Combine(dir, m.Groups[1].Value));
    }

    [GeneratedRegex(@"^\s*#r\s+""([^""]+\.dll)""", RegexOptions.Multiline)]
    private static partial Regex ReferenceDirective();

    private static IEnumerable<JsonObject> Bundles(NotebookCell cell) =>
        (cell.Node["outputs"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(o => o["data"] as JsonObject)
            .OfType<JsonObject>();

    private static string? PreferredMime(JsonObject data) => MimePreference.FirstOrDefault(data.ContainsKey);

    private static void AppendCodeCell(
        StringBuilder sb,
        NotebookCell cell,
        string id,
        string highlighted,
        PageMarkdown markdown,
        Dictionary<object, MarkdownDocument> documents
    )
    {
        string count = cell.ExecutionCount?.ToString(CultureInfo.InvariantCulture) ?? " ";
        sb.Append("<section class=\"cell code\"").Append(id).Append(">\n");
        sb.Append("<div class=\"input\"><div class=\"prompt\">[").Append(count).Append("]</div>");
        sb.Append("<pre class=\"source\"><code class=\"language-csharp\">");
        sb.Append(highlighted);
        sb.Append("</code></pre></div>\n");
        var outputs = cell.Node["outputs"] as JsonArray ?? [];
        if (outputs.Count > 0)
        {
            sb.Append("<div class=\"outputs\">\n");
            foreach (var output in outputs.OfType<JsonObject>())
                AppendOutput(sb, output, markdown, documents);
            sb.Append("</div>\n");
        }
        sb.Append("</section>\n");
    }

    private static void AppendOutput(
        StringBuilder sb,
        JsonObject output,
        PageMarkdown markdown,
        Dictionary<object, MarkdownDocument> documents
    )
    {
        string type = Text(output["output_type"]);
        switch (type)
        {
            case "stream":
                string name = Text(output["name"]);
                sb.Append("<div class=\"output stream ")
                    .Append(name == "stderr" ? "stderr" : "stdout")
                    .Append("\"><pre>");
                sb.Append(Escape(StripAnsi(NotebookCell.JoinText(output["text"])))).Append("</pre></div>\n");
                break;
            case "display_data":
            case "execute_result":
                if (output["data"] is JsonObject data)
                    AppendBundle(sb, data, markdown, documents);
                break;
            case "error":
                string ename = Text(output["ename"]);
                string evalue = Text(output["evalue"]);
                var traceback = (output["traceback"] as JsonArray ?? []).Select(t => StripAnsi(Text(t))).ToList();
                sb.Append("<div class=\"output error\"><div class=\"error-title\">").Append(Escape(ename));
                if (evalue.Length > 0)
                    sb.Append(": ").Append(Escape(evalue.Split('\n')[0]));
                sb.Append("</div>");
                string detail = string.Join("\n", traceback);
                if (detail.Trim().Length > 0 && detail.Trim() != evalue.Trim())
                    sb.Append("<pre>").Append(Escape(detail)).Append("</pre>");
                sb.Append("</div>\n");
                break;
        }
    }

    private static void AppendBundle(
        StringBuilder sb,
        JsonObject data,
        PageMarkdown markdown,
        Dictionary<object, MarkdownDocument> documents
    )
    {
        string? mime = PreferredMime(data);
        if (mime is null)
            return;
        string content = NotebookCell.JoinText(data[mime]);
        switch (mime)
        {
            case "text/html":
            case "image/svg+xml":
                sb.Append("<div class=\"output rich\">").Append(content).Append("</div>\n");
                break;
            case "image/png":
            case "image/jpeg":
            case "image/gif":
                sb.Append("<div class=\"output image\"><img alt=\"output\" src=\"data:")
                    .Append(mime)
                    .Append(";base64,")
                    .Append(content.Replace("\n", "", StringComparison.Ordinal))
                    .Append("\"></div>\n");
                break;
            case "text/markdown":
                sb.Append("<div class=\"output markdown\">")
                    .Append(markdown.Render(documents[data]))
                    .Append("</div>\n");
                break;
            default:
                sb.Append("<div class=\"output text\"><pre>")
                    .Append(Escape(StripAnsi(content)))
                    .Append("</pre></div>\n");
                break;
        }
    }

    /// <summary>The notebook's title: metadata.title, else its first heading, else the file name.</summary>
    public static string Title(NotebookDocument notebook)
    {
        if (notebook.Metadata["title"] is JsonValue t && t.TryGetValue<string>(out var title) && title.Length > 0)
            return title;
        foreach (var cell in notebook.Cells.Where(c => c.CellType == "markdown"))
        foreach (var line in cell.Source.Split('\n'))
            if (HeadingText().Match(line) is { Success: true } m)
                return Regex.Replace(m.Groups[1].Value, @"[*_`$]", "").Trim();
        return Path.GetFileNameWithoutExtension(notebook.SourceName);
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static string Escape(string text) => HtmlText.Escape(text);

    private static string StripAnsi(string text) => Ansi().Replace(text, "");

    [GeneratedRegex(@"\x1B\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"^ {0,3}#{1,2}\s+(.+?)\s*#*\s*$")]
    private static partial Regex HeadingText();

    private const string Css = """
        :root { --text: #1f2328; --muted: #59636e; --border: #d1d9e0; --code-bg: #f6f8fa; --accent: #0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #ffffff; color: var(--text); font: 16px/1.6 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
        .layout { display: flex; gap: 32px; max-width: 1320px; margin: 0 auto; padding: 0 24px; }
        main.notebook { flex: 1 1 auto; min-width: 0; max-width: 1000px; margin: 0 auto; padding: 32px 0 64px; }
        nav.toc { flex: 0 0 250px; position: sticky; top: 0; align-self: flex-start; max-height: 100vh; overflow-y: auto; padding: 32px 0 24px; font-size: 14px; line-height: 1.4; }
        nav.toc .toc-title { font-weight: 600; margin-bottom: 8px; color: var(--muted); text-transform: uppercase; font-size: 12px; letter-spacing: .05em; }
        nav.toc ul { list-style: none; margin: 0; padding: 0; }
        nav.toc li { margin: 0 0 6px; }
        nav.toc li.toc-h3 { padding-left: 14px; font-size: 13px; }
        nav.toc a { color: var(--text); }
        nav.toc .katex { font-size: 1em; }
        nav.pager { display: flex; justify-content: space-between; align-items: center; gap: 16px; max-width: 1320px; margin: 0 auto; padding: 10px 24px; font-size: 14px; }
        nav.pager.top { border-bottom: 1px solid var(--border); }
        nav.pager.bottom { border-top: 1px solid var(--border); margin-bottom: 24px; }
        nav.pager .prev, nav.pager .next { flex: 1 1 0; }
        nav.pager .next { text-align: right; }
        nav.pager .home { font-weight: 600; color: var(--text); }
        @media (max-width: 1100px) { nav.toc { display: none; } }
        .cell { margin: 0 0 18px; }
        .cell.markdown { padding: 0 4px; }
        h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 28px 0 12px; font-weight: 600; }
        h1 { font-size: 2em; padding-bottom: .3em; border-bottom: 1px solid var(--border); }
        h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid var(--border); }
        h3 { font-size: 1.25em; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        a.anchor { margin-left: .4em; color: var(--border); font-weight: 400; visibility: hidden; }
        h1:hover a.anchor, h2:hover a.anchor, h3:hover a.anchor, h4:hover a.anchor { visibility: visible; }
        p, ul, ol, blockquote, table { margin: 0 0 14px; }
        ul, ol { padding-left: 2em; }
        li + li { margin-top: .25em; }
        blockquote { padding: 0 1em; color: var(--muted); border-left: .25em solid var(--border); }
        hr { height: 2px; border: 0; background: var(--border); margin: 24px 0; }
        code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 13.5px; }
        :not(pre) > code { padding: .15em .35em; background: rgba(175, 184, 193, .2); border-radius: 6px; }
        pre { margin: 0; overflow-x: auto; line-height: 1.45; }
        pre.code-block { white-space: pre-wrap; overflow-wrap: anywhere; padding: 12px 16px; background: var(--code-bg); border-radius: 6px; margin-bottom: 14px; }
        .markdown table { border-collapse: collapse; display: block; overflow-x: auto; }
        .markdown th, .markdown td { padding: 6px 13px; border: 1px solid var(--border); }
        .markdown th { font-weight: 600; background: var(--code-bg); }
        .markdown img { max-width: 100%; }
        .katex-display { margin: 12px 0 16px; overflow-x: auto; overflow-y: hidden; padding: 2px 0; }
        .math-error { color: #cf222e; font-family: ui-monospace, monospace; white-space: pre-wrap; }
        .input { display: flex; gap: 8px; align-items: flex-start; }
        .prompt { flex: 0 0 42px; padding-top: 10px; color: var(--muted); font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-align: right; }
        pre.source { flex: 1 1 auto; min-width: 0; white-space: pre-wrap; overflow-wrap: anywhere; padding: 10px 14px; background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; }
        .outputs { margin: 6px 0 0 50px; padding-left: 12px; border-left: 3px solid #e6eaef; overflow-x: auto; }
        .output { margin: 6px 0; }
        .output pre { padding: 4px 0; white-space: pre-wrap; word-break: break-word; }
        .output.stderr pre { background: #fff8f0; color: #7d4e00; padding: 4px 8px; border-radius: 4px; }
        .output.error { background: #ffebe9; border: 1px solid #ffcecb; border-radius: 6px; padding: 8px 12px; color: #82071e; }
        .output.error .error-title { font-weight: 600; }
        .output.error pre { color: #82071e; }
        .output.rich svg { max-width: 100%; height: auto; }
        .output.image img { max-width: 100%; }
        code .keyword { color: #cf222e; }
        code .type { color: #953800; }
        code .method { color: #8250df; }
        code .member { color: #0550ae; }
        code .string { color: #0a3069; }
        code .number { color: #0550ae; }
        code .comment { color: #6e7781; font-style: italic; }
        code .directive { color: #8250df; }
        .rnn-chart .js-plotly-plot, .rnn-chart .plotly-chart { width: 100%; }
        ul.chapters { list-style: none; padding: 0; }
        ul.chapters > li { margin: 0 0 22px; padding: 14px 18px; border: 1px solid var(--border); border-radius: 8px; }
        ul.chapters > li + li { margin-top: 0; }
        ul.chapters h2 { margin: 0 0 6px; font-size: 1.25em; border: 0; padding: 0; }
        ul.chapters .follows { color: var(--muted); margin-bottom: 6px; }
        ul.chapters details summary { cursor: pointer; color: var(--accent); }
        footer { margin-top: 48px; padding-top: 12px; border-top: 1px solid var(--border); color: var(--muted); font-size: 13px; }
        @media print { .prompt, nav.toc, nav.pager { display: none; } .outputs { margin-left: 0; } main.notebook { max-width: none; } }

        """;
}
