using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Helpers;
using Markdig.Parsers;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace RnnNotebooks.Runner.Export;

/// <summary>A heading of a page, for its table of contents: level, anchor id and the heading as HTML.</summary>
public sealed record TocEntry(int Level, string Id, string Html);

/// <summary>
/// The Markdown of one page, rendered by Markdig (CommonMark, pipe tables, strikethrough, task lists, autolinks,
/// and <c>$…$</c> / <c>$$…$$</c> math kept verbatim). Math is typeset by <see cref="Katex"/>, fenced C# is
/// highlighted by Roslyn. Heading ids are unique across the whole page (every cell is its own document).
/// </summary>
public sealed partial class PageMarkdown(Katex katex)
{
    public static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseMathematics()
        .Use<DollarMathExtension>()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseTaskLists()
        .UseAutoLinks()
        .Build();

    private readonly HashSet<string> _ids = [];

    public List<TocEntry> Headings { get; } = [];

    public static MarkdownDocument Parse(string markdown) => Markdown.Parse(markdown, Pipeline);

    /// <summary>Every formula of a document, and whether it is display math.</summary>
    public static IEnumerable<(string Tex, bool Display)> Formulas(MarkdownDocument document) =>
        document
            .Descendants<MathInline>()
            .Select(m => (m.Content.ToString(), m.DelimiterCount > 1))
            .Concat(document.Descendants<MathBlock>().Select(b => (b.Lines.ToString(), true)));

    /// <summary>Relative image paths (img/x.svg) the document shows, to copy next to the page.</summary>
    public static IEnumerable<string> LocalImages(MarkdownDocument document) =>
        document
            .Descendants<LinkInline>()
            .Where(l => l.IsImage && l.Url is { Length: > 0 } url && !url.Contains(':') && !url.StartsWith('/'))
            .Select(l => Uri.UnescapeDataString(l.Url!.Split('#', '?')[0]));

    /// <summary>Renders a parsed document; its headings get page-unique ids and join <see cref="Headings"/>.</summary>
    public string Render(MarkdownDocument document)
    {
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            string id = UniqueId(Slug(PlainText(heading.Inline)));
            heading.GetAttributes().Id = id;
            Headings.Add(new TocEntry(heading.Level, id, RenderInline(heading.Inline)));
        }
        return RenderBlock(document);
    }

    /// <summary>Renders one block (or a whole document) as it would appear on the page.</summary>
    public string RenderBlock(MarkdownObject block)
    {
        var writer = new StringWriter();
        var renderer = Renderer(writer);
        renderer.Render(block);
        writer.Flush();
        return writer.ToString();
    }

    private string RenderInline(ContainerInline? inline)
    {
        if (inline is null)
            return "";
        var writer = new StringWriter();
        var renderer = Renderer(writer);
        renderer.WriteChildren(inline);
        writer.Flush();
        return writer.ToString();
    }

    private HtmlRenderer Renderer(TextWriter writer)
    {
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.ObjectRenderers.RemoveAll(r => r is HtmlMathInlineRenderer or HtmlMathBlockRenderer);
        renderer.ObjectRenderers.Insert(0, new MathBlockRenderer(katex));
        renderer.ObjectRenderers.Insert(1, new MathInlineRenderer(katex));
        renderer.ObjectRenderers.Insert(2, new HighlightedCodeBlockRenderer());
        return renderer;
    }

    /// <summary>The text of inlines as a reader sees it (math as its TeX), for ids and summaries.</summary>
    public static string PlainText(ContainerInline? inline)
    {
        var sb = new StringBuilder();
        void Walk(Inline? node)
        {
            for (; node is not null; node = node.NextSibling)
            {
                switch (node)
                {
                    case LiteralInline literal:
                        sb.Append(literal.Content.ToString());
                        break;
                    case CodeInline code:
                        sb.Append(code.Content);
                        break;
                    case MathInline math:
                        sb.Append(math.Content.ToString());
                        break;
                    case LineBreakInline:
                        sb.Append(' ');
                        break;
                    case ContainerInline container:
                        Walk(container.FirstChild);
                        break;
                }
            }
        }
        Walk(inline?.FirstChild);
        return sb.ToString().Trim();
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.</summary>
    public static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
                sb.Append(c);
            else if (c == ' ')
                sb.Append('-');
        }
        return sb.Length == 0 ? "section" : sb.ToString();
    }

    private string UniqueId(string id)
    {
        string unique = id;
        for (int i = 1; !_ids.Add(unique); i++)
            unique = $"{id}-{i}";
        return unique;
    }

    private sealed class MathInlineRenderer(Katex katex) : HtmlObjectRenderer<MathInline>
    {
        protected override void Write(HtmlRenderer renderer, MathInline math) =>
            renderer.Write(katex.Html(math.Content.ToString(), math.DelimiterCount > 1));
    }

    private sealed class MathBlockRenderer(Katex katex) : HtmlObjectRenderer<MathBlock>
    {
        protected override void Write(HtmlRenderer renderer, MathBlock math)
        {
            renderer.EnsureLine();
            renderer.Write("<div class=\"math display\">").Write(katex.Html(math.Lines.ToString(), true));
            renderer.WriteLine("</div>");
        }
    }

    /// <summary>Fenced code: C# (csharp, cs, c#) highlighted by Roslyn, anything else escaped as it is.</summary>
    private sealed class HighlightedCodeBlockRenderer : HtmlObjectRenderer<CodeBlock>
    {
        protected override void Write(HtmlRenderer renderer, CodeBlock block)
        {
            string code = block.Lines.ToString();
            string info = (block as FencedCodeBlock)?.Info?.Trim().ToLowerInvariant() ?? "";
            renderer.EnsureLine();
            if (info is "csharp" or "cs" or "c#")
            {
                renderer.Write("<pre class=\"code-block\"><code class=\"language-csharp\">");
                renderer.Write(CSharpCode.Highlight(code));
            }
            else
            {
                renderer.Write("<pre class=\"code-block\"><code>");
                renderer.Write(HtmlText.Escape(code));
            }
            renderer.WriteLine("</code></pre>");
        }
    }

    /// <summary>Swaps Markdig's inline math for <see cref="DollarMath"/> (Jupyter's and Pandoc's rules).</summary>
    private sealed class DollarMathExtension : IMarkdownExtension
    {
        public void Setup(MarkdownPipelineBuilder pipeline)
        {
            if (!pipeline.InlineParsers.Replace<MathInlineParser>(new DollarMath()))
                pipeline.InlineParsers.Insert(0, new DollarMath());
        }

        public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer) { }
    }

    /// <summary>
    /// Inline <c>$…$</c> and <c>$$…$$</c> as Jupyter and Pandoc read them: the opening <c>$</c> is followed by a
    /// non-space, the closing one follows a non-space and is not followed by a digit ("It costs $5 and $10" stays
    /// text). Unlike Markdig's own rule, a letter may follow the closing <c>$</c>, so "three $\tanh$s" is math, as
    /// in Jupyter. A backslash escapes the next character inside the formula.
    /// </summary>
    private sealed class DollarMath : InlineParser
    {
        public DollarMath() => OpeningCharacters = ['$'];

        public override bool Match(InlineProcessor processor, ref StringSlice slice)
        {
            string text = slice.Text;
            int start = slice.Start,
                end = slice.End;
            int count = start + 1 <= end && text[start + 1] == '$' ? 2 : 1;
            int content = start + count;
            if (content > end || char.IsWhiteSpace(text[content]) && count == 1)
                return false;
            for (int i = content; i <= end; i++)
            {
                char c = text[i];
                if (c == '\\')
                {
                    i++;
                    continue;
                }
                if (c != '$')
                    continue;
                if (count == 2)
                {
                    if (i + 1 > end || text[i + 1] != '$')
                        return false;
                }
                else if (char.IsWhiteSpace(text[i - 1]) || i + 1 <= end && char.IsDigit(text[i + 1]))
                    continue;
                if (i == content)
                    return false;
                int line = 0,
                    column = 0;
                var math = new MathInline
                {
                    Delimiter = '$',
                    DelimiterCount = count,
                    Content = new StringSlice(text, content, i - 1),
                    Span = new Markdig.Syntax.SourceSpan(
                        processor.GetSourcePosition(start, out line, out column),
                        processor.GetSourcePosition(i + count - 1)
                    ),
                    Line = line,
                    Column = column,
                };
                processor.Inline = math;
                slice.Start = i + count;
                return true;
            }
            return false;
        }
    }
}
