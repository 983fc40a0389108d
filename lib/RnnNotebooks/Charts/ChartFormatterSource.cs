using System.Text.Json;
using RnnNotebooks.Display;
using RnnNotebooks.Notebooks;

namespace RnnNotebooks.Charts;

/// <summary>
/// Charts in notebooks: text/html, image/svg+xml, and a one-line text/plain.
/// <para>
/// Which of them a reader sees: nbconvert (and nbviewer) pick the first of their display_data_priority, text/html,
/// application/pdf, text/latex, image/svg+xml, image/png, image/jpeg, text/markdown, text/plain, so text/html;
/// GitHub renders notebooks the same way and then sanitises the HTML (scripts removed, the inline SVG kept);
/// VS Code and Jupyter also prefer text/html and run its scripts. So the picture has to live in text/html itself:
/// it is the SVG, exactly <see cref="Chart.ToHtml"/>. After it come the same data as a plotly.js figure
/// (<c>script type="application/json" class="rnn-chart-data"</c>) and a small script that, where scripts run and
/// plotly.js is at hand (already loaded, as in rnnbook's pages and book, or from plotly's CDN in a notebook
/// front end, as Plotly.NET.Interactive does), draws the interactive chart and hides the SVG. With scripts off,
/// offline, or for charts with no plotly form (<see cref="PlotlyFigure.For"/> is null) the SVG is what shows.
/// image/svg+xml stays for front ends that skip HTML.
/// </para>
/// </summary>
public sealed class ChartFormatterSource : FormatterSource<Chart>
{
    protected override string ToHtml(Chart value) => Html(value);

    /// <summary>The chart's text/html output: the SVG (<see cref="Chart.ToHtml"/>), then its plotly data and loader.</summary>
    public static string Html(Chart value)
    {
        string picture = value.ToHtml();
        if (PlotlyFigure.For(value) is not { } figure)
            return picture;
        // "</" never appears inside the JSON, so the script element cannot be closed early.
        string json = figure.ToJsonString(JsonOptions).Replace("</", "<\\/", StringComparison.Ordinal);
        return picture + "<script type=\"application/json\" class=\"rnn-chart-data\">" + json + "</script>" + Loader;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The plotly.js a notebook front end loads when none is on the page (rnnbook's pages ship their own).</summary>
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.35.2.min";

    private const string Loader =
        """
            <script>(function () {
            function draw(P) {
              document.querySelectorAll('script.rnn-chart-data:not([data-drawn])').forEach(function (data) {
                data.setAttribute('data-drawn', '1');
                var picture = data.previousElementSibling, host = document.createElement('div');
                if (!picture) return;
                var figure = JSON.parse(data.textContent);
                host.className = 'rnn-chart plotly-chart';
                picture.parentNode.insertBefore(host, data);
                P.newPlot(host, figure.data, figure.layout, { responsive: true, displaylogo: false }).then(
                  function () { picture.style.display = 'none'; },
                  function () { host.remove(); });
              });
            }
            if (window.Plotly) return draw(window.Plotly);
            if (document.documentElement.hasAttribute('data-rnnbook')) return;
            if (typeof require === 'function' && require.config) {
              require.config({ paths: { plotly: '
            """
        + PlotlyCdn
        + """
            ' } });
              require(['plotly'], draw, function () {});
            } else {
              var s = document.createElement('script');
              s.src = '
            """
        + PlotlyCdn
        + """
            .js';
              s.onload = function () { if (window.Plotly) draw(window.Plotly); };
              document.head.appendChild(s);
            }
            })();</script>
            """;

    protected override IEnumerable<DisplayFormatter> ExtraFormatters() =>
        [new DisplayFormatter(typeof(Chart), MimeTypes.Svg, o => ((Chart)o).ToSvg())];
}
