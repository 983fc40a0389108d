using System.Globalization;
using System.Xml.Linq;
using RnnNotebooks.Charts;
using RnnNotebooks.Tensors;
using ChartsApi = RnnNotebooks.Charts.Charts;

namespace RnnNotebooks.Tests.Charts;

public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XElement Parse(Chart chart) => XDocument.Parse(chart.ToSvg()).Root!;

    private static IEnumerable<XElement> WithClass(XElement root, string cls) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cls) == true);

    private static List<string> Texts(XElement group) => group.Descendants(Svg + "text").Select(t => t.Value).ToList();

    [Fact]
    public void Line_chart_has_its_series_ticks_labels_and_legend()
    {
        var chart = ChartsApi
            .Line("Loss", "epoch", "loss")
            .AddLine("train", [0.9, 0.5, 0.3, 0.2])
            .AddLine("validation", [1.0, 0.7, 0.6, 0.65], dashed: true);

        var svg = Parse(chart);

        svg.Name.Should().Be(Svg + "svg");
        ((string)svg.Attribute("width")!).Should().Be("640");
        ((string)svg.Attribute("viewBox")!).Should().Be("0 0 640 400");
        WithClass(svg, "series").Select(g => (string)g.Attribute("data-name")!).Should().Equal("train", "validation");
        WithClass(svg, "series").Select(g => g.Elements(Svg + "path").Count()).Should().Equal(1, 1);
        // Data 0.2..1.0 on steps of 0.2 (lines get no padding; dots do, see the scatter test).
        Texts(WithClass(svg, "y-axis").Single()).Should().Equal("0.2", "0.4", "0.6", "0.8", "1.0");
        Texts(WithClass(svg, "x-axis").Single()).Should().Equal("1", "2", "3", "4");
        Texts(WithClass(svg, "legend").Single()).Should().Equal("train", "validation");
        WithClass(svg, "axis-label").Select(e => e.Value).Should().Equal("loss", "epoch");
        WithClass(svg, "title").Single().Value.Should().Be("Loss");
        svg.Element(Svg + "title")!.Value.Should().Be("Line chart \"Loss\": 2 series (train, validation), 8 points");
    }

    [Fact]
    public void Line_points_map_linearly_onto_the_plot()
    {
        var chart = new XYChart
        {
            YMin = 0,
            YMax = 10,
            XMin = 0,
            XMax = 10,
        }.AddLine("y", [0.0, 5, 10], [0.0, 5, 10]);

        var path = (string)Parse(chart).Descendants(Svg + "path").Single().Attribute("d")!;

        // M x0 y0 L x1 y1 L x2 y2: the middle point is exactly halfway between the ends.
        var numbers = path.Split('M', 'L', ' ')
            .Where(s => s.Length > 0)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture))
            .ToArray();
        numbers.Should().HaveCount(6);
        numbers[2].Should().BeApproximately((numbers[0] + numbers[4]) / 2, 0.01);
        numbers[3].Should().BeApproximately((numbers[1] + numbers[5]) / 2, 0.01);
        numbers[1].Should().BeGreaterThan(numbers[5], "larger y is drawn higher");
    }

    [Fact]
    public void Scatter_draws_one_marker_per_finite_point()
    {
        var chart = ChartsApi.Scatter([1.0, 2, 3, double.NaN], [4.0, 5, 6, 7], "a").AddScatter("b", [1.0, 2], [1.0, 2]);

        var svg = Parse(chart);

        WithClass(svg, "series").Select(g => g.Elements(Svg + "circle").Count()).Should().Equal(3, 2);
        // y data 1..6 padded by 4% before widening to whole steps: 0..7, not 1..6 with dots on the frame.
        Texts(WithClass(svg, "y-axis").Single()).Should().Equal("0", "1", "2", "3", "4", "5", "6", "7");
        Texts(WithClass(svg, "legend").Single()).Should().Equal("a", "b");
        chart.ToString().Should().StartWith("Scatter plot: 2 series (a, b)");
    }

    [Fact]
    public void Legend_sits_in_a_corner_without_data_else_above_the_plot()
    {
        // A line near the top takes both top corners: the legend must go to a bottom one.
        var chart = ChartsApi.Line().AddLine("a", [9.5, 9.5, 9.5, 9.5, 9.5]).AddLine("b", [5.0, 5, 5, 5, 5]);
        chart.YMin = 0;
        chart.YMax = 10;
        var svg = Parse(chart);
        var box = WithClass(svg, "legend").Single().Element(Svg + "rect")!;
        double Attr(XElement e, string name) => double.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);
        double left = Attr(box, "x"),
            top = Attr(box, "y"),
            right = left + Attr(box, "width"),
            bottom = top + Attr(box, "height");
        var points = WithClass(svg, "series")
            .SelectMany(g => g.Elements(Svg + "path"))
            .SelectMany(p => ((string)p.Attribute("d")!).Split('M', 'L').Where(s => s.Length > 0))
            .Select(xy => xy.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        points.Should().HaveCount(10);
        points.Should().NotContain(p => p[0] >= left && p[0] <= right && p[1] >= top && p[1] <= bottom);
        top.Should().BeGreaterThan(200, "the top corners are taken by the data");

        // Data everywhere: the legend goes above the plot, outside the data.
        var rnd = new Random(3);
        var busy = ChartsApi.Scatter(
            Enumerable.Range(0, 400).Select(_ => rnd.NextDouble()),
            Enumerable.Range(0, 400).Select(_ => rnd.NextDouble()),
            "a"
        );
        busy.AddScatter("b", [0.5], [0.5]);
        busy.YMin = 0;
        busy.YMax = 1;
        var busySvg = Parse(busy);
        var entry = WithClass(busySvg, "legend").Single().Descendants(Svg + "text").First();
        double plotTop = WithClass(busySvg, "y-axis").Single().Elements(Svg + "line").Min(l => Attr(l, "y1"));
        Attr(entry, "y").Should().BeLessThan(plotTop);
    }

    [Fact]
    public void Logarithmic_axis_has_decade_ticks()
    {
        var chart = ChartsApi.Line([1e-5, 1e-3, 0.2]);
        chart.LogY = true;

        Texts(WithClass(Parse(chart), "y-axis").Single()).Should().Equal("1e-5", "1e-4", "0.001", "0.01", "0.1", "1");
    }

    [Fact]
    public void Bar_chart_has_a_bar_per_value_category_labels_and_a_legend_for_groups()
    {
        var chart = ChartsApi
            .Bar(["RNN", "LSTM", "GRU"], [0.89, 0.91, 0.9], "test", "Accuracy")
            .AddSeries("validation", [0.87, 0.9, 0.88]);

        var svg = Parse(chart);

        WithClass(svg, "series").Select(g => WithClass(g, "bar").Count()).Should().Equal(3, 3);
        Texts(WithClass(svg, "x-axis").Single()).Should().Equal("RNN", "LSTM", "GRU");
        Texts(WithClass(svg, "y-axis").Single()).Should().Equal("0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
        Texts(WithClass(svg, "legend").Single()).Should().Equal("test", "validation");
        WithClass(svg, "value").Select(v => v.Value).Should().Contain(["0.89", "0.91"]);
        var act = () => chart.AddSeries("bad", [1.0]);
        act.Should().Throw<ArgumentException>().WithMessage("*1 values but the chart has 3 categories*");
    }

    [Fact]
    public void Bar_chart_with_y_min_starts_the_axis_and_the_bars_there()
    {
        var chart = ChartsApi.Bar(["RNN", "LSTM"], [89.5, 91.2], "test accuracy (%)");
        chart.YMin = 85;

        var svg = Parse(chart);

        Texts(WithClass(svg, "y-axis").Single()).First().Should().Be("85");
        var heights = WithClass(svg, "bar")
            .Select(b => double.Parse((string)b.Attribute("height")!, CultureInfo.InvariantCulture))
            .ToArray();
        // Measured from 85, the LSTM's bar is (91.2 - 85) / (89.5 - 85) ≈ 1.38 times as tall as the RNN's.
        (heights[1] / heights[0])
            .Should()
            .BeApproximately((91.2 - 85) / (89.5 - 85), 0.01);
        WithClass(svg, "value").Select(v => v.Value).Should().Equal("89.5", "91.2");
    }

    [Fact]
    public void Box_statistics_match_numpy_and_tukey_whiskers()
    {
        var stats = BoxStatistics.Compute([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100]);

        stats.FirstQuartile.Should().Be(3.25);
        stats.Median.Should().Be(5.5);
        stats.ThirdQuartile.Should().Be(7.75);
        stats.LowerWhisker.Should().Be(1);
        stats.UpperWhisker.Should().Be(9);
        stats.Outliers.Should().Equal(100.0);
        stats.Mean.Should().Be(14.5);
        var empty = () => BoxStatistics.Compute([double.NaN]);
        empty.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Box_plot_draws_box_median_whiskers_and_outliers_per_sample()
    {
        var chart = ChartsApi
            .Box("Runs", yLabel: "accuracy")
            .Add("stateless", [0.80, 0.81, 0.82, 0.83, 0.60])
            .Add("stateful", [0.85, 0.86, 0.87]);

        var svg = Parse(chart);

        WithClass(svg, "box").Select(g => (string)g.Attribute("data-name")!).Should().Equal("stateless", "stateful");
        WithClass(svg, "box").Select(g => WithClass(g, "outlier").Count()).Should().Equal(1, 0);
        WithClass(svg, "median").Should().HaveCount(2);
        WithClass(svg, "whisker").Should().HaveCount(4);
        Texts(WithClass(svg, "x-axis").Single()).Should().Equal("stateless", "stateful");
    }

    [Fact]
    public void Heatmap_has_a_cell_per_value_labels_and_a_colour_bar()
    {
        var values = new double[,]
        {
            { -1, 0, 1 },
            { 0.5, 0.25, -0.5 },
        };
        var chart = ChartsApi.Heatmap(values, ["r0", "r1"], ["a", "b", "c"], "W");

        var svg = Parse(chart);

        WithClass(svg, "cells").Single().Elements(Svg + "rect").Should().HaveCount(6);
        Texts(WithClass(svg, "y-axis").Single()).Should().Equal("r0", "r1");
        Texts(WithClass(svg, "x-axis").Single()).Should().Equal("a", "b", "c");
        Texts(WithClass(svg, "colorbar").Single()).Should().Equal("-1.0", "-0.5", "0.0", "0.5", "1.0");
        // Diverging scale: -1 is the darkest blue, +1 the darkest red, 0 white.
        var fills = WithClass(svg, "cells")
            .Single()
            .Elements(Svg + "rect")
            .Select(r => (string)r.Attribute("fill")!)
            .ToList();
        fills[0].Should().Be("#053061");
        fills[1].Should().Be("#f7f7f7");
        fills[2].Should().Be("#67001f");
        WithClass(svg, "value").Select(v => v.Value).Should().Equal("-1.00", "0.00", "1.00", "0.50", "0.25", "-0.50");
    }

    [Fact]
    public void Heatmap_of_a_tensor_and_bad_input()
    {
        var t = new Tensor([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);

        var chart = ChartsApi.Heatmap(t);

        chart.Rows.Should().Be(2);
        chart[1, 2].Should().Be(6);
        chart.ToString().Should().Be("Heatmap: 2×3, values 1 to 6");
        var rank3 = () => ChartsApi.Heatmap(new Tensor(2, 2, 2));
        rank3.Should().Throw<ArgumentException>().WithMessage("*shape (2, 2, 2)*");
        var labels = () => ChartsApi.Heatmap(new double[2, 2], ["only one"]);
        labels.Should().Throw<ArgumentException>().WithMessage("1 row labels for 2 rows*");
    }

    [Fact]
    public void Training_history_puts_accuracy_and_loss_side_by_side()
    {
        var history = new Dictionary<string, IReadOnlyList<double>>
        {
            ["loss"] = [0.7, 0.5, 0.4],
            ["acc"] = [0.5, 0.7, 0.8],
            ["val_loss"] = [0.6, 0.55, 0.6],
            ["val_acc"] = [0.6, 0.65, 0.66],
        };

        var chart = ChartsApi.TrainingHistory(history);
        var svg = Parse(chart);

        chart.Width.Should().Be(960);
        chart.Height.Should().Be(340);
        var panels = WithClass(svg, "panel").ToList();
        panels.Should().HaveCount(2);
        WithClass(panels[0], "title").Single().Value.Should().Be("Training and validation accuracy");
        WithClass(panels[1], "title").Single().Value.Should().Be("Training and validation loss");
        Texts(WithClass(panels[0], "legend").Single()).Should().Equal("Training acc", "Validation acc");
        Texts(WithClass(panels[1], "legend").Single()).Should().Equal("Training loss", "Validation loss");
        var training = WithClass(panels[0], "series").First();
        training.Elements(Svg + "circle").Should().HaveCount(3, "training values are dots, as in the book");
        WithClass(panels[0], "series").Last().Elements(Svg + "path").Should().ContainSingle("validation is a line");
        Texts(WithClass(panels[1], "x-axis").Single()).Should().Equal("1", "2", "3");
        // Two panels, two distinct clip paths.
        svg.Descendants(Svg + "clipPath").Select(c => (string)c.Attribute("id")!).Distinct().Should().HaveCount(2);
    }

    [Fact]
    public void Svg_is_byte_stable_escapes_text_and_ids_differ_between_charts()
    {
        var a = ChartsApi.Line([1.0, 2.0], "a <&> \"b\"", "T & U");
        var b = ChartsApi.Line([1.0, 3.0], "a", "T");

        a.ToSvg().Should().Be(ChartsApi.Line([1.0, 2.0], "a <&> \"b\"", "T & U").ToSvg());
        Parse(a).Descendants(Svg + "text").Select(t => t.Value).Should().Contain("T & U");
        string ClipId(Chart c) => (string)Parse(c).Descendants(Svg + "clipPath").Single().Attribute("id")!;
        ClipId(a).Should().NotBe(ClipId(b));
        a.ToSvg().Should().NotContain("<script").And.NotContain("href=\"http");
    }

    [Fact]
    public void Save_writes_svg_or_a_page_by_extension()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rnnbook-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var chart = ChartsApi.Line([1.0, 2.0], title: "Saved");
            chart.Save(Path.Combine(dir, "c.svg"));
            chart.Save(Path.Combine(dir, "c.html"));

            File.ReadAllText(Path.Combine(dir, "c.svg")).Should().Be(chart.ToSvg() + "\n");
            File.ReadAllText(Path.Combine(dir, "c.html"))
                .Should()
                .StartWith("<!DOCTYPE html>")
                .And.Contain(chart.ToSvg());
            Directory.GetFiles(dir).Should().HaveCount(2);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Empty_and_degenerate_charts_still_render_valid_svg()
    {
        Chart[] charts =
        [
            new XYChart(),
            ChartsApi.Line([5.0, 5.0, 5.0]),
            ChartsApi.Line([double.NaN, 1.0, double.NaN, 2.0]),
            new BarChart([]),
            ChartsApi.Box(),
            ChartsApi.Heatmap(
                new double[,]
                {
                    { 3 },
                }
            ),
        ];

        foreach (var chart in charts)
            Parse(chart).Name.Should().Be(Svg + "svg", chart.ToString());
        var tooSmall = () => new XYChart(width: 10).ToSvg();
        tooSmall.Should().Throw<InvalidOperationException>().WithMessage("*at least 50×50*");
    }

    [Theory]
    [InlineData(0, 1, 5, "0.0 0.2 0.4 0.6 0.8 1.0")]
    [InlineData(0.13, 0.87, 5, "0.0 0.2 0.4 0.6 0.8 1.0")]
    [InlineData(0, 9300, 5, "0 2,000 4,000 6,000 8,000 10,000")]
    [InlineData(-3, 7, 5, "-4 -2 0 2 4 6 8")]
    [InlineData(0.001, 0.0042, 4, "0.001 0.002 0.003 0.004 0.005")]
    [InlineData(5, 5, 5, "4.4 4.6 4.8 5.0 5.2 5.4 5.6")]
    public void Nice_ticks(double lo, double hi, int target, string expected)
    {
        var ticks = Ticks.Compute(lo, hi, target);

        string.Join(" ", ticks.Values.Select(ticks.Label)).Should().Be(expected);
        ticks.Min.Should().BeLessThanOrEqualTo(lo);
        ticks.Max.Should().BeGreaterThanOrEqualTo(hi);
    }
}
