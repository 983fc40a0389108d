using System.Globalization;
using System.Text.RegularExpressions;
using RnnNotebooks.Runner.Export;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>
/// The book built from the committed notebooks, plus one notebook executed now, whose chart carries the plotly data
/// of the current chart formatter (the committed notebooks keep the outputs they were executed with).
/// </summary>
internal static class BookSite
{
    private static readonly Lazy<Task<(TempDirectory Dir, string Out, BookResult Result)>> Built = new(BuildAsync);

    public static Task<(TempDirectory Dir, string Out, BookResult Result)> GetAsync() => Built.Value;

    public const string CurvesPage = "99-training-curves.html";

    private static async Task<(TempDirectory, string, BookResult)> BuildAsync()
    {
        var dir = new TempDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => dir.Dispose();
        LayOutLibrary(dir);
        string notebooks = dir["notebooks"];
        string source = Path.Combine(RepositoryRoot(), "notebooks");
        Directory.CreateDirectory(Path.Combine(notebooks, "img"));
        foreach (var file in Directory.GetFiles(source, "*.ipynb"))
            File.Copy(file, Path.Combine(notebooks, Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(Path.Combine(source, "img")))
            File.Copy(file, Path.Combine(notebooks, "img", Path.GetFileName(file)));
        string curves = WriteNotebook(
            Path.Combine(notebooks, "99-training-curves.ipynb"),
            Markdown(
                "# 99 · Training curves\n\n*Follows nothing (seed none); a test page.*\n\nLoss $L = -\\frac{1}{n}\\sum_i y_i \\log p_i$."
            ),
            Code("#r \"../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll\"\nusing RnnNotebooks.Charts;"),
            Code(
                """
                var history = new Dictionary<string, IReadOnlyList<double>>
                {
                    ["acc"] = [0.55, 0.74, 0.82, 0.86, 0.89, 0.91, 0.93, 0.94],
                    ["val_acc"] = [0.68, 0.79, 0.82, 0.84, 0.845, 0.85, 0.848, 0.846],
                    ["loss"] = [0.69, 0.52, 0.41, 0.33, 0.27, 0.22, 0.18, 0.15],
                    ["val_loss"] = [0.60, 0.47, 0.42, 0.40, 0.41, 0.43, 0.47, 0.52],
                };
                Charts.TrainingHistory(history)
                """
            )
        );
        var (executed, run) = await RunAsync(curves);
        run.Succeeded.Should().BeTrue(run.Message);
        File.WriteAllText(curves, executed.ToJson());
        string output = dir["book"];
        var paths = Directory.GetFiles(notebooks, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        return (dir, output, BookBuilder.Build(paths, output));
    }
}

[Collection("Runner")]
public class BookTests
{
    [Fact]
    public async Task The_book_has_an_index_one_page_per_notebook_contents_links_and_its_assets()
    {
        var (_, output, result) = await BookSite.GetAsync();

        result.Problems.Should().BeEmpty("every formula of every notebook typesets with KaTeX");
        var committed = Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb");
        result.Pages.Should().HaveCount(committed.Length + 1);
        string index = File.ReadAllText(result.IndexPath);
        foreach (var notebook in committed)
        {
            string page = Path.GetFileNameWithoutExtension(notebook) + ".html";
            index.Should().Contain($"<a href=\"{page}\">");
            string html = File.ReadAllText(Path.Combine(output, page));
            html.Should().Contain("<nav class=\"toc\"").And.Contain("<nav class=\"pager top\">");
            html.Should().Contain("href=\"index.html\"");
            Regex
                .Matches(html, "(?:src=|<link[^>]*href=)\"(https?:)?//")
                .Should()
                .BeEmpty("the book loads nothing from the network");
        }
        Regex.Matches(index, "<div class=\"follows\">(?:(?!</div>).)*?seed 00\\d").Count.Should().Be(committed.Length);
        index.Should().Contain("<details><summary>What you will do</summary>");
        string first = File.ReadAllText(Path.Combine(output, "01-rnn-from-scratch.html"));
        first.Should().Contain("rel=\"next\" href=\"02-lstm-from-scratch.html\"").And.NotContain("rel=\"prev\"");
        File.ReadAllText(Path.Combine(output, "02-lstm-from-scratch.html"))
            .Should()
            .Contain("rel=\"prev\" href=\"01-rnn-from-scratch.html\"")
            .And.Contain("<img src=\"img/lstm-cell.svg\"");
        File.Exists(Path.Combine(output, "img", "lstm-cell.svg")).Should().BeTrue();
        File.Exists(Path.Combine(output, "assets", "katex", "katex.min.css")).Should().BeTrue();
        File.Exists(Path.Combine(output, "assets", "plotly.min.js")).Should().BeTrue();
        File.ReadAllText(Path.Combine(output, BookSite.CurvesPage))
            .Should()
            .Contain("<script src=\"assets/plotly.min.js\"></script>")
            .And.Contain("class=\"rnn-chart-data\"");
    }

    private const string Probe = """
        <script nonce="rnnprobe">
        window.addEventListener('load', function () { setTimeout(function () {
          var text = document.body.cloneNode(true);
          text.querySelectorAll('annotation, script, pre.source, pre.code-block, .outputs pre').forEach(function (e) { e.remove(); });
          var charts = Array.from(document.querySelectorAll('.rnn-chart')).filter(function (c) { return !c.closest('.rnn-chart-data'); });
          var hidden = 0;
          document.querySelectorAll('svg.rnn-chart-svg').forEach(function (svg) {
            var r = svg.getBoundingClientRect();
            var plot = svg.closest('.output') && svg.closest('.output').querySelector('.js-plotly-plot');
            var pr = plot && plot.getBoundingClientRect();
            if (!(r.width > 100 && r.height > 50) && !(pr && pr.width > 100 && pr.height > 50)) hidden++;
          });
          var probe = document.createElement('div');
          probe.id = 'probe';
          probe.setAttribute('data-katex', document.querySelectorAll('.katex').length);
          probe.setAttribute('data-code', document.querySelectorAll('pre.source span.keyword, pre.source span.type').length);
          probe.setAttribute('data-charts', document.querySelectorAll('svg.rnn-chart-svg').length);
          probe.setAttribute('data-hidden', hidden);
          probe.setAttribute('data-plotly', document.querySelectorAll('.js-plotly-plot').length);
          probe.setAttribute('data-raw', (text.textContent.match(/\\(begin|mathbb|frac|sigma|odot|tanh)\b/g) || []).join(' '));
          document.body.appendChild(probe);
        }, 1500); });
        </script></body>
        """;

    /// <summary>
    /// Scripts off as on GitHub: a Content-Security-Policy that lets no script of the page run (headless Chromium's
    /// own switch for it, scriptEnabled=false, also stops --dump-dom and --screenshot). Only the probe may run.
    /// </summary>
    private const string ScriptsOff =
        "<head>\n<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'nonce-rnnprobe'\">";

    private static string Variant(string page, string name, bool javascript, bool probe)
    {
        string html = File.ReadAllText(page);
        if (!javascript)
            html = html.Replace("<head>", ScriptsOff, StringComparison.Ordinal);
        if (probe)
            html = html.Replace("</body>", Probe, StringComparison.Ordinal);
        string path = Path.Combine(Path.GetDirectoryName(page)!, name + "-" + Path.GetFileName(page));
        File.WriteAllText(path, html);
        return path;
    }

    private static Dictionary<string, string> Measure(string page, bool javascript)
    {
        string probed = Variant(page, javascript ? "js" : "nojs", javascript, probe: true);
        string dom = Chromium.Run(
            "--window-size=1300,1000",
            "--virtual-time-budget=15000",
            "--dump-dom",
            new Uri(probed).AbsoluteUri
        );
        File.Delete(probed);
        var probe = Regex.Match(dom, "<div id=\"probe\"([^>]*)>");
        if (!probe.Success)
            return new() { ["dom"] = dom };
        return Regex
            .Matches(probe.Groups[1].Value, "data-(\\w+)=\"([^\"]*)\"")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    [ChromiumFact]
    public async Task Every_page_renders_math_code_and_charts_in_chromium_with_and_without_javascript()
    {
        var (_, output, result) = await BookSite.GetAsync();

        foreach (var page in result.Pages.Append(result.IndexPath))
        {
            string name = Path.GetFileName(page);
            string html = File.ReadAllText(page);
            var on = Measure(page, javascript: true);
            on.Should().ContainKey("katex", $"{name} loaded and the probe ran");
            on["raw"].Should().BeEmpty($"{name} shows no raw TeX (KaTeX typeset every formula)");
            on["hidden"].Should().Be("0", $"every chart of {name} is visible, as SVG or as a plotly chart");
            if (html.Contains("class=\"katex\"", StringComparison.Ordinal))
                int.Parse(on["katex"], CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
            if (name != "index.html")
                int.Parse(on["code"], CultureInfo.InvariantCulture)
                    .Should()
                    .BeGreaterThan(0, $"{name} has highlighted code");
            int charts = Regex.Matches(html, "<svg[^>]*class=\"rnn-chart-svg\"").Count;
            on["charts"].Should().Be(charts.ToString(CultureInfo.InvariantCulture));
            if (name == BookSite.CurvesPage)
                int.Parse(on["plotly"], CultureInfo.InvariantCulture)
                    .Should()
                    .Be(1, "where scripts run, the chart becomes an interactive plotly.js chart, offline");

            var off = Measure(page, javascript: false);
            off.Should().ContainKey("charts", $"{name} loaded with scripts off and the probe ran");
            off["charts"].Should().Be(on["charts"]);
            off["plotly"].Should().Be("0", "no script of the page ran");
            off["hidden"].Should().Be("0", $"with scripts off every chart of {name} shows as its SVG");
            off["katex"].Should().Be(on["katex"], "the math is typeset at export time, no script needed");
            off["raw"].Should().BeEmpty();
        }

        // A picture of the curves page with scripts off: the SVG's training dots are drawn.
        string curves = Variant(Path.Combine(output, BookSite.CurvesPage), "nojs", javascript: false, probe: false);
        string screenshot = Path.Combine(output, "curves-no-js.png");
        Chromium.Run("--window-size=1300,1400", $"--screenshot={screenshot}", new Uri(curves).AbsoluteUri);
        var image = Png.Decode(File.ReadAllBytes(screenshot));
        int blue = 0;
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        {
            var (r, g, b) = image.Pixel(x, y);
            if (Math.Abs(r - 0x4e) < 24 && Math.Abs(g - 0x79) < 24 && Math.Abs(b - 0xa7) < 24)
                blue++;
        }
        blue.Should().BeGreaterThan(100, "the SVG's training dots are drawn with scripts off");
    }
}
