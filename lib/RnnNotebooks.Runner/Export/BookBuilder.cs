using System.Text;
using Markdig.Syntax;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Export;

/// <summary>What <see cref="BookBuilder.Build"/> wrote, and the formulas it could not typeset.</summary>
public sealed record BookResult(string IndexPath, IReadOnlyList<string> Pages, IReadOnlyList<string> Problems);

/// <summary>
/// The workbook as a static site, like d2l.ai: index.html lists the chapters (title, the source each follows, what
/// it teaches, all taken from each notebook's first Markdown cell), then one page per notebook (the same page as
/// <c>export --html</c>, with previous/next links), assets/ (KaTeX's CSS and fonts, plotly.js) and the images the
/// pages show (img/). Every link is relative: the folder reads from file:// with no network.
/// </summary>
public static class BookBuilder
{
    public const string DefaultTitle = "RnnNotebooks";

    public static BookResult Build(IReadOnlyList<string> notebookPaths, string outDir, string title = DefaultTitle)
    {
        var notebooks = notebookPaths.Select(NotebookDocument.Load).ToList();
        var hrefs = notebooks.Select(n => Path.GetFileNameWithoutExtension(n.SourceName) + ".html").ToList();
        var titles = notebooks.Select(HtmlExporter.Title).ToList();
        Directory.CreateDirectory(outDir);
        var katex = new Katex();
        var pages = new List<string>();
        bool interactive = false;
        for (int i = 0; i < notebooks.Count; i++)
        {
            var navigation = new PageNavigation(
                "index.html",
                title,
                i > 0 ? (hrefs[i - 1], titles[i - 1]) : null,
                i + 1 < notebooks.Count ? (hrefs[i + 1], titles[i + 1]) : null
            );
            var page = HtmlExporter.Render(notebooks[i], "assets/", navigation, katex);
            interactive |= page.Html.Contains(HtmlExporter.ChartMarker, StringComparison.Ordinal);
            HtmlExporter.CopyImages(notebooks[i], page.Images, outDir);
            string path = Path.Combine(outDir, hrefs[i]);
            AtomicFile.WriteAllText(path, page.Html);
            pages.Add(path);
        }
        string index = Path.Combine(outDir, "index.html");
        AtomicFile.WriteAllText(index, Index(notebooks, hrefs, titles, title, katex));
        BookAssets.CopyTo(Path.Combine(outDir, "assets"), plotly: interactive);
        return new BookResult(index, pages, katex.Problems.ToList());
    }

    private static string Index(
        List<NotebookDocument> notebooks,
        List<string> hrefs,
        List<string> titles,
        string title,
        Katex katex
    )
    {
        var parts = notebooks.Select(Summary).ToList();
        var summaries = parts.Select(p => p.Document).ToList();
        katex.RenderAll(summaries.OfType<MarkdownDocument>().SelectMany(PageMarkdown.Formulas), "index.html");
        var markdown = new PageMarkdown(katex);
        var body = new StringBuilder();
        body.Append("<section class=\"cell markdown\">\n<h1>").Append(HtmlText.Escape(title)).Append("</h1>\n");
        body.Append(
            "<p>Recurrent neural networks, number for number, in C#: executable notebooks that reproduce textbook "
                + "chapters. Each chapter below is a notebook, executed, with its outputs.</p>\n"
        );
        body.Append("<ul class=\"chapters\">\n");
        for (int i = 0; i < notebooks.Count; i++)
        {
            body.Append("<li><h2><a href=\"")
                .Append(HtmlText.Escape(hrefs[i]))
                .Append("\">")
                .Append(HtmlText.Escape(titles[i]))
                .Append("</a></h2>\n");
            var (follows, teaches, _) = parts[i];
            if (follows is not null)
                body.Append("<div class=\"follows\">").Append(markdown.RenderBlock(follows)).Append("</div>\n");
            if (teaches is not null)
                body.Append("<details><summary>What you will do</summary>\n")
                    .Append(markdown.RenderBlock(teaches))
                    .Append("</details>\n");
            body.Append("</li>\n");
        }
        body.Append("</ul>\n</section>\n");
        return HtmlExporter.Shell(title, "assets/", body.ToString());
    }

    /// <summary>From the first Markdown cell: the paragraph saying what the notebook follows, and its first list.</summary>
    private static (Block? Follows, Block? Teaches, MarkdownDocument? Document) Summary(NotebookDocument notebook)
    {
        var first = notebook.Cells.FirstOrDefault(c => c.CellType == "markdown");
        if (first is null)
            return (null, null, null);
        var document = PageMarkdown.Parse(first.Source);
        var follows = document
            .OfType<ParagraphBlock>()
            .FirstOrDefault(p =>
                PageMarkdown.PlainText(p.Inline).StartsWith("Follows", StringComparison.OrdinalIgnoreCase)
            );
        var teaches = document.OfType<ListBlock>().FirstOrDefault();
        return (follows, teaches, document);
    }
}
