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
    public void Whole_number_x_gets_the_svgs_whole_number_ticks_fractional_x_plotlys_own()
    {
        var epochs = RnnNotebooks.Charts.Charts.Line("loss", "epoch", "loss").AddLine("loss", [0.7, 0.5]);
        var axis = PlotlyFigure.For(epochs)!["layout"]!["xaxis"]!;
        axis["tick0"]!.GetValue<double>().Should().Be(1);
        axis["dtick"]!.GetValue<double>().Should().Be(1, "two epochs must not show a tick at 1.5");

        var long_ = RnnNotebooks
            .Charts.Charts.Line("loss", "step", "loss")
            .AddLine("loss", Enumerable.Range(0, 40).Select(i => 1.0 / (i + 1)));
        var longAxis = PlotlyFigure.For(long_)!["layout"]!["xaxis"]!;
        longAxis["tick0"]!.GetValue<double>().Should().Be(5, "x runs 1…40 and the SVG's first tick is 5");
        longAxis["dtick"]!.GetValue<double>().Should().Be(5, "40 steps get the SVG's ticks 5, 10, …, not every step");

        var fractional = RnnNotebooks.Charts.Charts.Line("f", "x", "y").AddLine("f", [0.0, 0.5, 1.0], [1.0, 2.0, 3.0]);
        PlotlyFigure.For(fractional)!["layout"]!["xaxis"]!.AsObject().ContainsKey("dtick").Should().BeFalse();
    }

    [Fact]
    public void Panels_with_different_series_list_them_under_each_panels_title_shared_names_share_an_entry()
    {
        var grid = RnnNotebooks.Charts.Charts.SideBySide(
            RnnNotebooks.Charts.Charts.Line("SimpleRNN").AddLine("γ = 1", [1.0, 2.0]).AddLine("γ = 3", [2.0, 3.0]),
            RnnNotebooks
                .Charts.Charts.Line("LSTM")
                .AddLine("forget bias 1", [1.0, 2.0])
                .AddLine("forget bias 5", [2.0, 1.0])
        );
        var traces = PlotlyFigure.For(grid)!["data"]!.AsArray();
        traces.Select(t => (string)t!["legendgroup"]!).Should().Equal("SimpleRNN", "SimpleRNN", "LSTM", "LSTM");
        traces
            .Select(t => (string)t!["legendgrouptitle"]!["text"]!)
            .Should()
            .Equal("SimpleRNN", "SimpleRNN", "LSTM", "LSTM");
        traces.Should().OnlyContain(t => (bool)t!["showlegend"]!);

        var twoMetrics = RnnNotebooks.Charts.Charts.SideBySide(
            RnnNotebooks.Charts.Charts.Line("accuracy").AddLine("train", [0.5, 0.7]).AddLine("validation", [0.6, 0.65]),
            RnnNotebooks.Charts.Charts.Line("loss").AddLine("train", [0.7, 0.5]).AddLine("validation", [0.6, 0.55])
        );
        var shared = PlotlyFigure.For(twoMetrics)!["data"]!.AsArray();
        shared.Select(t => (string)t!["legendgroup"]!).Should().Equal(shared.Select(t => (string)t!["name"]!));
        shared.Should().OnlyContain(t => !t!.AsObject().ContainsKey("legendgrouptitle"));
        shared.Select(t => (bool)t!["showlegend"]!).Should().Equal(true, true, false, false);
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
