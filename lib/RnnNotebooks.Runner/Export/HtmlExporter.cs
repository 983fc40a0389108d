using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// A notebook as one static HTML page: markdown rendered, code highlighted, outputs inline (HTML and SVG
/// as they are, images as data URIs, text in preformatted blocks, errors marked). The page needs no
/// script and no network: it reads the same in any browser, printed, or offline.
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

    public static string Export(NotebookDocument notebook)
    {
        var markdown = new Markdown();
        string title = Title(notebook);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"generator\" content=\"rnnbook\">\n");
        sb.Append("<title>")
            .Append(Escape(title))
            .Append("</title>\n<style>\n")
            .Append(Css)
            .Append("</style>\n</head>\n");
        sb.Append("<body>\n<main class=\"notebook\">\n");
        foreach (var cell in notebook.Cells)
        {
            string id = cell.Id is { } cellId ? $" id=\"cell-{Escape(cellId)}\"" : "";
            switch (cell.CellType)
            {
                case "markdown":
                    sb.Append("<section class=\"cell markdown\"").Append(id).Append(">\n");
                    sb.Append(markdown.Render(cell.Source));
                    sb.Append("</section>\n");
                    break;
                case "code":
                    AppendCodeCell(sb, cell, id, markdown);
                    break;
                default:
                    sb.Append("<section class=\"cell raw\"")
                        .Append(id)
                        .Append("><pre>")
                        .Append(Escape(cell.Source))
                        .Append("</pre></section>\n");
                    break;
            }
        }
        sb.Append("<footer>Rendered by rnnbook from ")
            .Append(Escape(Path.GetFileName(notebook.SourceName)))
            .Append(".</footer>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void AppendCodeCell(StringBuilder sb, NotebookCell cell, string id, Markdown markdown)
    {
        string count = cell.ExecutionCount?.ToString(CultureInfo.InvariantCulture) ?? " ";
        sb.Append("<section class=\"cell code\"").Append(id).Append(">\n");
        sb.Append("<div class=\"input\"><div class=\"prompt\">[").Append(count).Append("]</div>");
        sb.Append("<pre class=\"source\"><code class=\"language-csharp\">");
        sb.Append(CSharpHighlighter.Highlight(cell.Source.TrimEnd('\n')));
        sb.Append("</code></pre></div>\n");
        var outputs = cell.Node["outputs"] as JsonArray ?? [];
        if (outputs.Count > 0)
        {
            sb.Append("<div class=\"outputs\">\n");
            foreach (var output in outputs.OfType<JsonObject>())
                AppendOutput(sb, output, markdown);
            sb.Append("</div>\n");
        }
        sb.Append("</section>\n");
    }

    private static void AppendOutput(StringBuilder sb, JsonObject output, Markdown markdown)
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
                    AppendBundle(sb, data, markdown);
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

    private static void AppendBundle(StringBuilder sb, JsonObject data, Markdown markdown)
    {
        string? mime = MimePreference.FirstOrDefault(m => data.ContainsKey(m));
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
                sb.Append("<div class=\"output markdown\">").Append(markdown.Render(content)).Append("</div>\n");
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
        main.notebook { max-width: 1000px; margin: 0 auto; padding: 32px 24px 64px; }
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
        pre.code-block { padding: 12px 16px; background: var(--code-bg); border-radius: 6px; margin-bottom: 14px; }
        .markdown table { border-collapse: collapse; display: block; overflow-x: auto; }
        .markdown th, .markdown td { padding: 6px 13px; border: 1px solid var(--border); }
        .markdown th { font-weight: 600; background: var(--code-bg); }
        .markdown img { max-width: 100%; }
        .math { font-family: "Latin Modern Roman", "STIX Two Text", "Cambria Math", "Times New Roman", "DejaVu Serif", serif; font-style: italic; white-space: nowrap; }
        .math .up, .math sub .up { font-style: normal; }
        .math sub, .math sup { font-size: 75%; }
        div.math.display { margin: 12px 0 16px; text-align: center; font-size: 1.1em; white-space: normal; }
        .input { display: flex; gap: 8px; align-items: flex-start; }
        .prompt { flex: 0 0 42px; padding-top: 10px; color: var(--muted); font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-align: right; }
        pre.source { flex: 1 1 auto; min-width: 0; padding: 10px 14px; background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; }
        .outputs { margin: 6px 0 0 50px; padding-left: 12px; border-left: 3px solid #e6eaef; overflow-x: auto; }
        .output { margin: 6px 0; }
        .output pre { padding: 4px 0; white-space: pre-wrap; word-break: break-word; }
        .output.stderr pre { background: #fff8f0; color: #7d4e00; padding: 4px 8px; border-radius: 4px; }
        .output.error { background: #ffebe9; border: 1px solid #ffcecb; border-radius: 6px; padding: 8px 12px; color: #82071e; }
        .output.error .error-title { font-weight: 600; }
        .output.error pre { color: #82071e; }
        .output.rich svg { max-width: 100%; height: auto; }
        .output.image img { max-width: 100%; }
        .source .keyword { color: #cf222e; }
        .source .type { color: #953800; }
        .source .string { color: #0a3069; }
        .source .number { color: #0550ae; }
        .source .comment { color: #6e7781; font-style: italic; }
        .source .directive { color: #8250df; }
        .code-block .keyword { color: #cf222e; }
        .code-block .string { color: #0a3069; }
        .code-block .comment { color: #6e7781; font-style: italic; }
        footer { margin-top: 48px; padding-top: 12px; border-top: 1px solid var(--border); color: var(--muted); font-size: 13px; }
        @media print { .prompt { display: none; } .outputs { margin-left: 0; } main.notebook { max-width: none; } }

        """;
}
