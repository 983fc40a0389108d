namespace RnnNotebooks.Charts;

/// <summary>Vertical bars per category; several series give grouped bars with a legend.</summary>
public sealed class BarChart : Chart
{
    private readonly List<(string Name, double[] Values, string? Color)> _series = new();

    public BarChart(
        IEnumerable<string> categories,
        string? title = null,
        string? xLabel = null,
        string? yLabel = null,
        int width = 640,
        int height = 400
    )
        : base(title, width, height)
    {
        Categories = categories.ToArray();
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public IReadOnlyList<string> Categories { get; }

    public string? XLabel { get; set; }

    public string? YLabel { get; set; }

    /// <summary>
    /// Bottom of the value axis; null: zero (or the smallest negative value). Set it just below the smallest
    /// value to make small differences between large values visible (e.g. accuracies of 89 % and 91 %): the
    /// bars then grow from this value, not from zero, and the axis says so with its first tick.
    /// </summary>
    public double? YMin { get; set; }

    /// <summary>Write each bar's value above it; null: when there are at most 24 bars.</summary>
    public bool? ShowValues { get; set; }

    public IReadOnlyList<string> SeriesNames => _series.Select(s => s.Name).ToArray();

    /// <summary>Adds one value per category.</summary>
    public BarChart AddSeries(string name, IEnumerable<double> values, string? color = null)
    {
        var array = values.ToArray();
        if (array.Length != Categories.Count)
            throw new ArgumentException(
                $"Bar series '{name}' has {array.Length} values but the chart has {Categories.Count} categories."
            );
        _series.Add((name, array, color));
        return this;
    }

    private protected override string Kind => "Bar chart";

    private protected override string Describe() =>
        $"{Categories.Count} categories, {_series.Count} series ({string.Join(", ", _series.Select(s => s.Name))})";

    private protected override void RenderBody(Svg svg, Area area)
    {
        var all = _series.SelectMany(s => s.Values).Where(double.IsFinite).ToArray();
        double lo = YMin ?? Math.Min(0, all.DefaultIfEmpty(0).Min());
        double hi = Math.Max(YMin ?? 0, all.DefaultIfEmpty(1).Max());
        if (YMin is not null && hi <= lo)
            hi = lo + 1;
        var yTicks = Ticks.Compute(lo, hi, target: 5, extend: true);
        int n = Math.Max(1, Categories.Count);

        double approxSlot = (area.Width - 80) / n;
        bool rotate = Categories.Any(c => Svg.TextWidth(c, Axes.TickFont) > approxSlot - 6);
        double labelHeight = rotate
            ? Math.Min(90, Categories.Select(c => Svg.TextWidth(c, Axes.TickFont)).DefaultIfEmpty(0).Max() * 0.6 + 14)
            : 18;
        bool legend = _series.Count >= 2;
        var entries = _series
            .Select((s, i) => new LegendEntry(s.Name, s.Color ?? Palette.Series(i), false, false, false, Box: true))
            .ToArray();
        // Bars fill the plot from the axis up: the legend goes in a row above it.
        var plotArea = legend
            ? area with
            {
                Y = area.Y + Legend.RowHeight,
                Height = area.Height - Legend.RowHeight,
            }
            : area;
        var plot = Axes.PlotArea(plotArea, yTicks, XLabel, YLabel, labelHeight);
        var sy = Axes.Linear(yTicks.Min, yTicks.Max, plot.Bottom, plot.Y);
        Axes.DrawY(svg, plot, yTicks, sy, YLabel, area);

        double slot = plot.Width / n;
        double group = slot * 0.78;
        int k = Math.Max(1, _series.Count);
        double bar = group / k;
        bool values = ShowValues ?? Categories.Count * k <= 24;
        double baseline = YMin is null ? 0 : yTicks.Min;
        double zero = sy(baseline);

        for (int si = 0; si < _series.Count; si++)
        {
            var (name, data, color) = _series[si];
            string fill = color ?? Palette.Series(si);
            svg.Open("g", $"class=\"series\" data-name=\"{Svg.Escape(name)}\"");
            for (int c = 0; c < data.Length; c++)
            {
                if (!double.IsFinite(data[c]))
                    continue;
                double x = plot.X + c * slot + (slot - group) / 2 + si * bar;
                double v = Math.Max(data[c], yTicks.Min);
                double top = sy(Math.Max(baseline, v));
                double bottom = sy(Math.Min(baseline, v));
                svg.Rect(x + 1, top, bar - 2, bottom - top, fill, "rx=\"2\" class=\"bar\"");
                if (values)
                {
                    double ty = data[c] >= baseline ? top - 5 : bottom + 13;
                    svg.Text(
                        x + bar / 2,
                        ty,
                        XYChart.Format(Math.Round(data[c], 4)),
                        10.5,
                        Svg.MutedTextColor,
                        "middle",
                        "class=\"value\""
                    );
                }
            }
            svg.Close("g");
        }

        svg.Line(plot.X, zero, plot.Right, zero, Svg.AxisColor, 1, "class=\"axis-line\"");
        svg.Open("g", "class=\"x-axis\"");
        for (int c = 0; c < Categories.Count; c++)
        {
            double cx = plot.X + (c + 0.5) * slot;
            if (rotate)
                svg.Text(
                    cx,
                    plot.Bottom + 14,
                    Categories[c],
                    Axes.TickFont,
                    Svg.MutedTextColor,
                    "end",
                    $"transform=\"rotate(-35 {Svg.N(cx)} {Svg.N(plot.Bottom + 14)})\" class=\"tick-label\""
                );
            else
                svg.Text(
                    cx,
                    plot.Bottom + 17,
                    Categories[c],
                    Axes.TickFont,
                    Svg.MutedTextColor,
                    "middle",
                    "class=\"tick-label\""
                );
        }
        svg.Close("g");
        Axes.XLabel(svg, plot, XLabel, labelHeight);
        if (legend)
            Legend.DrawRow(svg, plot, entries);
    }
}
