using RnnNotebooks.Runner.Export;

namespace RnnNotebooks.Tests.Runner;

public class MarkdownTests
{
    private static string Render(string markdown) => new Markdown().Render(markdown);

    [Fact]
    public void Headings_paragraphs_and_emphasis()
    {
        Render("# Title\n\nSome *em*, **strong**, _also em_ and ~~gone~~.\nSame paragraph.")
            .Should()
            .Be(
                "<h1 id=\"title\">Title<a class=\"anchor\" href=\"#title\" aria-hidden=\"true\">#</a></h1>\n"
                    + "<p>Some <em>em</em>, <strong>strong</strong>, <em>also em</em> and <del>gone</del>.\nSame paragraph.</p>\n"
            );
        Render("Setext\n===").Should().StartWith("<h1 id=\"setext\">Setext");
        Render("## A *b* c ##").Should().StartWith("<h2 id=\"a-b-c\">A <em>b</em> c<a");
    }

    [Fact]
    public void Code_spans_and_fences_are_escaped_and_not_interpreted()
    {
        Render("Use `a < b && *c*` here.").Should().Be("<p>Use <code>a &lt; b &amp;&amp; *c*</code> here.</p>\n");
        Render("```\n<tag> *x*\n```").Should().Be("<pre class=\"code-block\"><code>&lt;tag&gt; *x*</code></pre>\n");
        Render("```csharp\nvar x = \"s\"; // c\n```")
            .Should()
            .Contain(
                "<span class=\"keyword\">var</span> x = <span class=\"string\">&quot;s&quot;</span>; <span class=\"comment\">// c</span>"
            );
    }

    [Fact]
    public void Math_is_kept_as_text_and_never_becomes_emphasis()
    {
        string html = Render("State $h_t = \\tanh(x_t U + h_{t-1} W)$ and $a_1 * b_2$.");

        html.Should().NotContain("<em>");
        html.Should()
            .Contain(
                "<span class=\"math\" title=\"$h_t = \\tanh(x_t U + h_{t-1} W)$\">h<sub>t</sub> = <span class=\"up\">tanh</span>(x<sub>t</sub> U + h<sub>t-1</sub> W)</span>"
            );
        Render("$$\n\\frac{\\partial E_3}{\\partial W} = \\sum_{k=0}^{3} \\delta_k\n$$")
            .Should()
            .Be(
                "<div class=\"math display\" title=\"$$\n\\frac{\\partial E_3}{\\partial W} = \\sum_{k=0}^{3} \\delta_k\n$$\">(∂E<sub>3</sub>)/(∂W) = ∑<sub>k=0</sub><sup>3</sup> δ<sub>k</sub></div>\n"
            );
        Render("$a \\cdot b$").Should().Be("<p><span class=\"math\" title=\"$a \\cdot b$\">a · b</span></p>\n");
        Render("It costs $5 and $10.").Should().Be("<p>It costs $5 and $10.</p>\n");
    }

    [Fact]
    public void Lists_nest_by_indentation()
    {
        Render("1. one\n   - a\n   - b\n2. two\n\n- x\n- [x] done")
            .Should()
            .Be(
                "<ol>\n<li>one\n<ul>\n<li>a</li>\n<li>b</li>\n</ul></li>\n<li>two</li>\n</ol>\n"
                    + "<ul>\n<li>x</li>\n<li><input type=\"checkbox\" checked disabled> done</li>\n</ul>\n"
            );
    }

    [Fact]
    public void Tables_with_alignment_and_pipes_inside_code()
    {
        Render("| layer | params |\n|:--|--:|\n| Dense | `a|b` |\n| RNN | 3 |")
            .Should()
            .Be(
                "<table>\n<thead><tr><th style=\"text-align:left\">layer</th><th style=\"text-align:right\">params</th></tr></thead>\n<tbody>\n"
                    + "<tr><td style=\"text-align:left\">Dense</td><td style=\"text-align:right\"><code>a|b</code></td></tr>\n"
                    + "<tr><td style=\"text-align:left\">RNN</td><td style=\"text-align:right\">3</td></tr>\n</tbody>\n</table>\n"
            );
    }

    [Fact]
    public void Links_images_quotes_rules_and_raw_html()
    {
        Render("[Keras](https://keras.io \"docs\") ![plot](a.png) <https://x.org>")
            .Should()
            .Be(
                "<p><a href=\"https://keras.io\" title=\"docs\">Keras</a> <img src=\"a.png\" alt=\"plot\"> <a href=\"https://x.org\">https://x.org</a></p>\n"
            );
        Render("> quoted **bold**").Should().Be("<blockquote>\n<p>quoted <strong>bold</strong></p>\n</blockquote>\n");
        Render("a\n\n---\n\nb").Should().Be("<p>a</p>\n<hr>\n<p>b</p>\n");
        Render("x <sub>2</sub> & y").Should().Be("<p>x <sub>2</sub> &amp; y</p>\n");
        Render("<div align=\"center\">\n<img src=\"x.png\">\n</div>")
            .Should()
            .Be("<div align=\"center\">\n<img src=\"x.png\">\n</div>\n");
        Render("\\*not em\\*").Should().Be("<p>*not em*</p>\n");
    }

    [Fact]
    public void Duplicate_headings_get_unique_ids()
    {
        var markdown = new Markdown();
        markdown.Render("## Summary").Should().Contain("id=\"summary\"");
        markdown.Render("## Summary").Should().Contain("id=\"summary-1\"");
    }
}
