using RnnNotebooks.Runner.Export;

namespace RnnNotebooks.Tests.Runner;

/// <summary>Markdig with the page's extensions, KaTeX math (Node + the book-assets npm packages) and Roslyn code.</summary>
public class PageMarkdownTests
{
    private static string Render(string markdown, PageMarkdown? page = null)
    {
        var katex = new Katex();
        var document = PageMarkdown.Parse(markdown);
        katex.RenderAll(PageMarkdown.Formulas(document), "test");
        katex.Problems.Should().BeEmpty();
        return (page ?? new PageMarkdown(katex)).Render(document);
    }

    [Fact]
    public void Headings_get_github_ids_unique_across_the_page_and_join_the_contents()
    {
        var katex = new Katex();
        var page = new PageMarkdown(katex);
        page.Render(PageMarkdown.Parse("## Summary")).Should().Be("<h2 id=\"summary\">Summary</h2>\n");
        page.Render(PageMarkdown.Parse("## Summary")).Should().Contain("id=\"summary-1\"");
        page.Render(PageMarkdown.Parse("# 02 · An *LSTM*")).Should().StartWith("<h1 id=\"02--an-lstm\">");
        page.Headings.Select(h => (h.Level, h.Id, h.Html))
            .Should()
            .Equal((2, "summary", "Summary"), (2, "summary-1", "Summary"), (1, "02--an-lstm", "02 · An <em>LSTM</em>"));
    }

    [Fact]
    public void Math_reaches_katex_untouched_inline_and_display()
    {
        string html = Render(
            "State $h_t \\in \\mathbb{R}^{1 \\times u}$, not *emphasis*: $a_1 * b_2$.\n\n"
                + "$$\n\\begin{aligned} i_t &= \\sigma(x_t W_i) \\\\ \\frac{\\partial E_3}{\\partial W} &= W_\\ast \\end{aligned}\n$$"
        );

        html.Should()
            .Contain("<span class=\"katex\">")
            .And.Contain("<div class=\"math display\"><span class=\"katex-display\">");
        // The TeX survives Markdown intact (KaTeX keeps it as the MathML annotation) …
        html.Should()
            .Contain("<annotation encoding=\"application/x-tex\">h_t \\in \\mathbb{R}^{1 \\times u}</annotation>");
        html.Should().Contain("W_\\ast \\end{aligned}</annotation>");
        // … and is typeset: blackboard R, a fraction, the aligned rows.
        html.Should().Contain("mathbb").And.Contain("mfrac").And.Contain("<mtable");
        html.Should().Contain("<em>emphasis</em>").And.Contain("a_1 * b_2</annotation>");
        Render("It costs $5 and $10.").Should().Be("<p>It costs $5 and $10.</p>\n");
        // As in Jupyter, a letter may follow the closing $ (Markdig alone would leave this as text).
        Render("three $\\tanh$s")
            .Should()
            .Contain("<annotation encoding=\"application/x-tex\">\\tanh</annotation>")
            .And.EndWith("s</p>\n");
        Render("inline $$\\sum_i x_i$$ display").Should().Contain("<span class=\"katex-display\">");
    }

    [Fact]
    public void A_formula_katex_rejects_is_reported_and_shown_as_tex()
    {
        var katex = new Katex();
        katex.RenderAll([("\\frac{1}{", false)], "nb.ipynb");
        katex.Problems.Should().ContainSingle().Which.Should().StartWith("nb.ipynb: KaTeX cannot render $\\frac{1}{$");
        katex
            .Html("\\frac{1}{", false)
            .Should()
            .StartWith("<span class=\"math-error\"")
            .And.EndWith(">\\frac{1}{</span>");
    }

    [Fact]
    public void Pipe_tables_code_and_csharp_fences()
    {
        Render("| layer | params |\n|:--|--:|\n| Dense | `10` |")
            .Should()
            .Contain("<th style=\"text-align: left;\">layer</th>")
            .And.Contain("<td style=\"text-align: right;\"><code>10</code></td>");
        Render("```\n<tag> *x*\n```").Should().Be("<pre class=\"code-block\"><code>&lt;tag&gt; *x*</code></pre>\n");
        Render("```csharp\nvar x = \"s\"; // c\n```")
            .Should()
            .Be(
                "<pre class=\"code-block\"><code class=\"language-csharp\"><span class=\"keyword\">var</span> <span class=\"member\">x</span> = "
                    + "<span class=\"string\">&quot;s&quot;</span>; <span class=\"comment\">// c</span></code></pre>\n"
            );
    }

    [Fact]
    public void Roslyn_colours_types_and_methods_across_cells()
    {
        var cells = CSharpCode.HighlightCells(
            ["record Point(int X);\nvar p = new Point(1);", "Console.WriteLine(p.X);"],
            []
        );

        cells[0].Should().Contain("<span class=\"keyword\">record</span> <span class=\"type\">Point</span>");
        cells[1]
            .Should()
            .Be(
                // p is a field of the script: Roslyn colours it as one.
                "<span class=\"type\">Console</span>.<span class=\"method\">WriteLine</span>(<span class=\"member\">p</span>."
                    + "<span class=\"member\">X</span>);"
            );
    }

    [Fact]
    public void Images_with_relative_paths_are_found_for_copying()
    {
        PageMarkdown
            .LocalImages(PageMarkdown.Parse("![a](img/lstm-cell.svg) ![b](https://x.org/b.png) ![c](/abs.png)"))
            .Should()
            .Equal("img/lstm-cell.svg");
    }
}
