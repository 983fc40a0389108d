using System.Xml.Linq;
using RnnNotebooks.Runner.Export;
using RnnNotebooks.Runner.Ipynb;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

[Collection("Runner")]
public class HtmlExportTests
{
    [Fact]
    public async Task Executed_notebook_exports_to_a_static_page_with_markdown_code_and_outputs()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string path = CopyFixture(dir, "00-hello.ipynb", "notebooks");
        var (notebook, result) = await RunAsync(path);
        result.Succeeded.Should().BeTrue(result.Message);

        string html = HtmlExporter.Export(notebook);

        html.Should().StartWith("<!DOCTYPE html>");
        html.Should().Contain("<title>00 · Hello, runner</title>");
        html.Should().Contain("<h1 id=\"00--hello-runner\">00 · Hello, runner");
        html.Should()
            .Contain("<pre class=\"source\"><code class=\"language-csharp\"><span class=\"directive\">#r</span>");
        html.Should().Contain("<div class=\"output stream stdout\"><pre>quick=False, epochs=3\n</pre></div>");
        html.Should().Contain("<table class=\"rnn-model-summary\"");
        html.Should()
            .Contain("<div class=\"output rich\"><div class=\"rnn-chart\"")
            .And.Contain("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        // The chart carries its plotly data; the page loads plotly.js from its own assets folder.
        html.Should()
            .Contain("<script src=\"assets/plotly.min.js\"></script>")
            .And.Contain("class=\"rnn-chart-data\"");
        html.Should().NotContain("src=\"http", "nothing is loaded from the network").And.NotContain("href=\"http");
        html.Should().Contain("<link rel=\"stylesheet\" href=\"assets/katex/katex.min.css\">");
        // The chart inside the page is well-formed XML.
        int start = html.IndexOf("<svg", StringComparison.Ordinal);
        int end = html.IndexOf("</svg>", start, StringComparison.Ordinal) + 6;
        XDocument.Parse(html[start..end]).Root!.Name.LocalName.Should().Be("svg");
    }

    [Fact]
    public async Task Errors_stderr_and_unrun_cells_are_shown_as_such()
    {
        using var dir = new TempDirectory();
        var (notebook, _) = await RunAsync(CopyFixture(dir, "runtime-error.ipynb"));

        string html = HtmlExporter.Export(notebook);

        html.Should()
            .Contain(
                "<div class=\"output error\"><div class=\"error-title\">System.InvalidOperationException: expected 12 parameters, got 13</div>"
            );
        html.Should().Contain("<div class=\"prompt\">[ ]</div>");
    }

    [Fact]
    public void Export_file_writes_the_page_its_assets_and_its_images()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["nb/img"]);
        File.WriteAllText(dir["nb/img/cell.svg"], "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        string path = dir["nb/page.ipynb"];
        File.WriteAllText(
            path,
            """
            {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# P\n\n![cell](img/cell.svg) $\\mathbb{R}^n$"}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """
        );

        var problems = HtmlExporter.ExportFile(NotebookDocument.Load(path), dir["out/page.html"]);

        problems.Should().BeEmpty();
        File.ReadAllText(dir["out/page.html"])
            .Should()
            .Contain("<img src=\"img/cell.svg\" alt=\"cell\"")
            .And.Contain("class=\"katex\"");
        File.Exists(dir["out/img/cell.svg"]).Should().BeTrue("the images the Markdown shows travel with the page");
        File.Exists(dir["out/assets/katex/katex.min.css"]).Should().BeTrue();
        Directory.GetFiles(dir["out/assets/katex/fonts"], "KaTeX_Main-Regular.woff2").Should().ContainSingle();
    }

    [Fact]
    public void Output_bundles_use_the_richest_mime_type()
    {
        var notebook = NotebookDocument.Parse(
            """
            {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x",
              "outputs": [
                {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "plain", "image/png": "iVBORw0KGgo="}},
                {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": ["<not html>"]}},
                {"output_type": "stream", "name": "stderr", "text": "\u001b[31mred\u001b[0m"}
              ]}],
             "metadata": {"title": "T"}, "nbformat": 4, "nbformat_minor": 5}
            """,
            "t.ipynb"
        );

        string html = HtmlExporter.Export(notebook);

        html.Should().Contain("<img alt=\"output\" src=\"data:image/png;base64,iVBORw0KGgo=\">");
        html.Should().Contain("<div class=\"output text\"><pre>&lt;not html&gt;</pre></div>");
        html.Should().Contain("<div class=\"output stream stderr\"><pre>red</pre></div>");
        html.Should().Contain("<title>T</title>");
    }
}
