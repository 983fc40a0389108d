using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RnnNotebooks.Charts;

namespace RnnNotebooks.Tests.Charts;

public class PlotlyFigureTests
{
    private static ChartGrid Curves() =>
        RnnNotebooks.Charts.Charts.TrainingHistory(
            new Dictionary<string, IReadOnlyList<double>>
            {
                ["acc"] = [0.5, 0.7, 0.8],
                ["val_acc"] = [0.6, double.NaN, 0.75],
                ["loss"] = [0.7, 0.5, 0.4],
                ["val_loss"] = [0.6, 0.55, 0.5],
            }
        );

    [Fact]
    public void The_html_output_is_the_svg_unchanged_then_the_plotly_data_then_the_loader()
    {
        var chart = Curves();
        string html = ChartFormatterSource.Html(chart);

        html.Should().StartWith(chart.ToHtml(), "the picture GitHub shows is byte for byte the SVG output");
        string rest = html[chart.ToHtml().Length..];
        var data = Regex.Match(
            rest,
            "^<script type=\"application/json\" class=\"rnn-chart-data\">(.*?)</script><script>"
        );
        data.Success.Should().BeTrue();
        var figure = JsonNode.Parse(data.Groups[1].Value)!.AsObject();
        var traces = figure["data"]!.AsArray();
        traces
            .Select(t => (string)t!["name"]!)
            .Should()
            .Equal("Training acc", "Validation acc", "Training loss", "Validation loss");
        traces[0]!["mode"]!.GetValue<string>().Should().Be("markers", "training values are dots, as in the SVG");
        traces[1]!["mode"]!.GetValue<string>().Should().Be("lines");
        traces[1]!["y"]!.AsArray()[1].Should().BeNull("a NaN is a gap, as in the SVG");
        traces[2]!["xaxis"]!.GetValue<string>().Should().Be("x2", "loss is the second panel");
        traces[0]!["x"]!.AsArray().Select(v => v!.GetValue<double>()).Should().Equal(1, 2, 3);
        figure["layout"]!["grid"]!["columns"]!.GetValue<int>().Should().Be(2);
        rest.Should().Contain("window.Plotly").And.Contain(ChartFormatterSource.PlotlyCdn);
        rest.Should().EndWith("</script>");
    }

    [Fact]
    public void Heatmaps_and_box_plots_have_a_figure_bar_charts_stay_pictures()
    {
        var heatmap = RnnNotebooks.Charts.Charts.Heatmap(
            new double[,]
            {
                { -1, 2 },
                { 3, -4 },
            },
            title: "W"
        );
        var figure = PlotlyFigure.For(heatmap)!;
        figure["data"]![0]!["type"]!.GetValue<string>().Should().Be("heatmap");
        figure["data"]![0]!["zmid"]!.GetValue<int>().Should().Be(0, "signed weights use the diverging scale around 0");
        figure["layout"]!["yaxis"]!["autorange"]!.GetValue<string>().Should().Be("reversed", "row 0 on top");

        var box = RnnNotebooks.Charts.Charts.Box().Add("a", [1.0, 2, 3, 4, 100]);
        var boxTrace = PlotlyFigure.For(box)!["data"]![0]!;
        boxTrace["median"]![0]!.GetValue<double>().Should().Be(3);

        var bars = RnnNotebooks.Charts.Charts.Bar(["x", "y"], [1.0, 2.0]);
        PlotlyFigure.For(bars).Should().BeNull();
        ChartFormatterSource.Html(bars).Should().Be(bars.ToHtml());
    }
}
