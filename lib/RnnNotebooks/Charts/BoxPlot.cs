namespace RnnNotebooks.Charts;

/// <summary>
/// Five-number summary of a sample as a box plot draws it: quartiles by linear interpolation (numpy's
/// default), whiskers at the most extreme values within 1.5 IQR of the box (Tukey), the rest outliers.
/// </summary>
public sealed record BoxStatistics(
    int Count,
    double Minimum,
    double LowerWhisker,
    double FirstQuartile,
    double Median,
    double ThirdQuartile,
    double UpperWhisker,
    double Maximum,
    double Mean,
    IReadOnlyList<double> Outliers
)
{
    public static BoxStatistics Compute(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            throw new ArgumentException("A box plot needs at least one finite value.", nameof(values));
        double q1 = Quantile(sorted, 0.25);
        double median = Quantile(sorted, 0.5);
        double q3 = Quantile(sorted, 0.75);
        double iqr = q3 - q1;
        double lowFence = q1 - 1.5 * iqr;
        double highFence = q3 + 1.5 * iqr;
        double lower = sorted.First(v => v >= lowFence);
        double upper = sorted.Last(v => v <= highFence);
        var outliers = sorted.Where(v => v < lowFence || v > highFence).ToArray();
        return new BoxStatistics(
            sorted.Length,
            sorted[0],
            lower,
            q1,
            median,
            q3,
            upper,
            sorted[^1],
            sorted.Average(),
            outliers
        );
    }

    /// <summary>numpy.percentile(..., interpolation='linear') on sorted data.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}

/// <summary>Box plots of several samples side by side (e.g. accuracy over repeated runs per setting).</summary>
public sealed class BoxPlot : Chart
{
    private readonly List<(string Label, BoxStatistics Stats, string? Color)> _boxes = new();
    private readonly List<(string Label, double Value, string? Color)> _references = new();

    public BoxPlot(
        string? title = null,
        string? xLabel = null,
        string? yLabel = null,
        int width = 640,
        int height = 400
    )
        : base(title, width, height)
    {
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public string? XLabel { get; set; }

    public string? YLabel { get; set; }

    /// <summary>Mark each sample's mean with a small diamond.</summary>
    public bool ShowMean { get; set; } = true;

    public IReadOnlyList<(string Label, BoxStatistics Statistics)> Boxes =>
        _boxes.Select(b => (b.Label, b.Stats)).ToArray();

    public BoxPlot Add(string label, IEnumerable<double> values, string? color = null)
    {
        _boxes.Add((label, BoxStatistics.Compute(values), color));
        return this;
    }

    public BoxPlot Add(string label, IEnumerable<float> values, string? color = null) =>
        Add(label, values.Select(v => (double)v), color);

    /// <summary>Horizontal reference lines (a baseline, a theoretical limit), drawn dashed across the plot.</summary>
    public IReadOnlyList<(string Label, double Value)> References =>
        _references.Select(r => (r.Label, r.Value)).ToArray();

    /// <summary>Adds a dashed horizontal line at <paramref name="value"/>, labelled at its right end.</summary>
    public BoxPlot AddReference(string label, double value, string? color = null)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!double.IsFinite(value))
            throw new ArgumentException(
                $"Reference line \"{label}\" needs a finite value, got {value}.",
                nameof(value)
            );
        _references.Add((label, value, color));
        return this;
    }

    private protected override string Kind => "Box plot";

    private protected override string Describe() =>
        _boxes.Count == 0
            ? "no data"
            : string.Join(
                "; ",
                _boxes.Select(b => $"{b.Label}: median {XYChart.Format(b.Stats.Median)} (n={b.Stats.Count})")
            ) + string.Concat(_references.Select(r => $"; {r.Label} = {XYChart.Format(r.Value)}"));

    private protected override void RenderBody(Svg svg, Area area)
    {
        var extremes = _boxes
            .SelectMany(b => new[] { b.Stats.Minimum, b.Stats.Maximum })
            .Concat(_references.Select(r => r.Value))
            .ToArray();
        double lo = extremes.DefaultIfEmpty(0).Min();
        double hi = extremes.DefaultIfEmpty(1).Max();
        double pad = (hi - lo) * 0.04;
        var yTicks = Ticks.Compute(lo >= 0 ? Math.Max(0, lo - pad) : lo - pad, hi + pad, target: 5, extend: true);
        var plot = Axes.PlotArea(area, yTicks, XLabel, YLabel);
        var sy = Axes.Linear(yTicks.Min, yTicks.Max, plot.Bottom, plot.Y);
        Axes.DrawY(svg, plot, yTicks, sy, YLabel, area);
        Axes.BaseLine(svg, plot);

        int n = Math.Max(1, _boxes.Count);
        double slot = plot.Width / n;
        double boxWidth = Math.Min(64, slot * 0.5);
        svg.Open("g", "class=\"x-axis\"");
        for (int i = 0; i < _boxes.Count; i++)
            svg.Text(
                plot.X + (i + 0.5) * slot,
                plot.Bottom + 17,
                _boxes[i].Label,
                Axes.TickFont,
                Svg.MutedTextColor,
                "middle",
                "class=\"tick-label\""
            );
        svg.Close("g");
        Axes.XLabel(svg, plot, XLabel, 18);

        foreach (var (label, value, color) in _references)
        {
            string c = color ?? Svg.MutedTextColor;
            double y = sy(value);
            svg.Open("g", $"class=\"reference\" data-name=\"{Svg.Escape(label)}\"");
            svg.Line(plot.X, y, plot.Right, y, c, 1.2, "stroke-dasharray=\"6 4\"");
            svg.Text(plot.Right - 4, y - 4, label, Axes.TickFont, c, "end", "class=\"reference-label\"");
            svg.Close("g");
        }

        for (int i = 0; i < _boxes.Count; i++)
        {
            var (label, s, color) = _boxes[i];
            string c = color ?? Palette.Series(i);
            double cx = plot.X + (i + 0.5) * slot;
            double left = cx - boxWidth / 2;
            svg.Open("g", $"class=\"series box\" data-name=\"{Svg.Escape(label)}\"");
            svg.Line(cx, sy(s.UpperWhisker), cx, sy(s.ThirdQuartile), c, 1.5, "class=\"whisker\"");
            svg.Line(cx, sy(s.FirstQuartile), cx, sy(s.LowerWhisker), c, 1.5, "class=\"whisker\"");
            svg.Line(cx - boxWidth / 4, sy(s.UpperWhisker), cx + boxWidth / 4, sy(s.UpperWhisker), c, 1.5);
            svg.Line(cx - boxWidth / 4, sy(s.LowerWhisker), cx + boxWidth / 4, sy(s.LowerWhisker), c, 1.5);
            double top = sy(s.ThirdQuartile);
            svg.Rect(
                left,
                top,
                boxWidth,
                sy(s.FirstQuartile) - top,
                c,
                $"fill-opacity=\"0.22\" stroke=\"{c}\" stroke-width=\"1.5\" rx=\"2\" class=\"iqr\""
            );
            svg.Line(left, sy(s.Median), left + boxWidth, sy(s.Median), c, 2.5, "class=\"median\"");
            if (ShowMean)
            {
                double my = sy(s.Mean);
                svg.Raw(
                    $"<path d=\"M{Svg.N(cx)} {Svg.N(my - 4)}L{Svg.N(cx + 4)} {Svg.N(my)}L{Svg.N(cx)} {Svg.N(my + 4)}L{Svg.N(cx - 4)} {Svg.N(my)}Z\" fill=\"#ffffff\" stroke=\"{c}\" stroke-width=\"1.2\" class=\"mean\"/>"
                );
            }
            foreach (var o in s.Outliers)
                svg.Circle(cx, sy(o), 3, "none", $"stroke=\"{c}\" stroke-width=\"1.2\" class=\"outlier\"");
            svg.Close("g");
        }
    }
}
