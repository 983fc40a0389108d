using System.Globalization;

namespace RnnNotebooks.Charts;

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>A line through the points.</summary>
    Line,

    /// <summary>Dots only (matplotlib's 'bo').</summary>
    Markers,

    /// <summary>A line with a dot at each point.</summary>
    LineWithMarkers,
}

/// <summary>A named set of (x, y) points. NaN values leave a gap.</summary>
public sealed class Series
{
    public Series(string name, IEnumerable<double> x, IEnumerable<double> y, SeriesStyle style = SeriesStyle.Line)
    {
        ArgumentNullException.ThrowIfNull(name);
        X = x.ToArray();
        Y = y.ToArray();
        if (X.Count != Y.Count)
            throw new ArgumentException($"Series '{name}' has {X.Count} x values but {Y.Count} y values.");
        Name = name;
        Style = style;
    }

    public string Name { get; }

    public IReadOnlyList<double> X { get; }

    public IReadOnlyList<double> Y { get; }

    public SeriesStyle Style { get; }

    /// <summary>#rrggbb or any SVG colour; null takes the next palette colour.</summary>
    public string? Color { get; init; }

    public bool Dashed { get; init; }
}

/// <summary>Line and scatter plots: any number of series on shared numeric axes, with a legend.</summary>
public sealed class XYChart : Chart
{
    private readonly List<Series> _series = new();

    public XYChart(
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

    /// <summary>Fixed axis limits; null: from the data (y widened to whole tick steps).</summary>
    public double? XMin { get; set; }

    public double? XMax { get; set; }

    public double? YMin { get; set; }

    public double? YMax { get; set; }

    /// <summary>Logarithmic y axis (decades); values ≤ 0 are left out. For quantities that vanish or explode.</summary>
    public bool LogY { get; set; }

    /// <summary>Show the legend; null: when there are two or more series.</summary>
    public bool? ShowLegend { get; set; }

    public IReadOnlyList<Series> Series => _series;

    public XYChart Add(Series series)
    {
        ArgumentNullException.ThrowIfNull(series);
        _series.Add(series);
        return this;
    }

    /// <summary>A line over x = 1, 2, … (epochs, steps).</summary>
    public XYChart AddLine(
        string name,
        IEnumerable<double> y,
        string? color = null,
        bool markers = false,
        bool dashed = false
    )
    {
        var values = y.ToArray();
        return AddLine(name, Enumerable.Range(1, values.Length).Select(i => (double)i), values, color, markers, dashed);
    }

    /// <summary>A line over x = 1, 2, … (epochs, steps).</summary>
    public XYChart AddLine(
        string name,
        IEnumerable<float> y,
        string? color = null,
        bool markers = false,
        bool dashed = false
    ) => AddLine(name, y.Select(v => (double)v), color, markers, dashed);

    public XYChart AddLine(
        string name,
        IEnumerable<double> x,
        IEnumerable<double> y,
        string? color = null,
        bool markers = false,
        bool dashed = false
    ) =>
        Add(
            new Series(name, x, y, markers ? SeriesStyle.LineWithMarkers : SeriesStyle.Line)
            {
                Color = color,
                Dashed = dashed,
            }
        );

    public XYChart AddScatter(string name, IEnumerable<double> x, IEnumerable<double> y, string? color = null) =>
        Add(new Series(name, x, y, SeriesStyle.Markers) { Color = color });

    public XYChart AddScatter(string name, IEnumerable<float> x, IEnumerable<float> y, string? color = null) =>
        AddScatter(name, x.Select(v => (double)v), y.Select(v => (double)v), color);

    private protected override string Kind =>
        _series.Count > 0 && _series.All(s => s.Style == SeriesStyle.Markers) ? "Scatter plot" : "Line chart";

    private protected override string Describe()
    {
        if (_series.Count == 0)
            return "no data";
        string names = string.Join(", ", _series.Select(s => s.Name));
        int points = _series.Sum(s => s.X.Count);
        return $"{_series.Count} series ({names}), {points} points";
    }

    private protected override void RenderBody(Svg svg, Area area)
    {
        // Axis ranges come from the points that are drawn: both coordinates finite (and y > 0 on a log axis).
        var drawn = _series
            .SelectMany(s => s.X.Zip(s.Y))
            .Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!LogY || p.Second > 0))
            .ToArray();
        var xs = drawn.Select(p => p.First).ToArray();
        var ys = drawn.Select(p => p.Second).ToArray();
        bool markers = _series.Any(s => s.Style != SeriesStyle.Line);
        double x0 = XMin ?? (xs.Length > 0 ? xs.Min() : 0);
        double x1 = XMax ?? (xs.Length > 0 ? xs.Max() : 1);
        bool integerX = xs.Length > 0 && xs.All(v => v == Math.Floor(v)) && XMin is null && XMax is null;
        var xTicks = Ticks.Compute(x0, x1, target: 8, extend: false, integer: integerX);
        if (x1 <= x0)
            (x0, x1) = (xTicks.Min, xTicks.Max);
        if (markers && XMin is null && XMax is null)
        {
            // Room for the dots at both ends (a dot on the frame is half hidden).
            double pad = (x1 - x0) * 0.03;
            (x0, x1) = (x0 - pad, x1 + pad);
        }

        double y0 = YMin ?? (ys.Length > 0 ? ys.Min() : 0);
        double y1 = YMax ?? (ys.Length > 0 ? ys.Max() : 1);
        Ticks yTicks;
        if (LogY)
        {
            yTicks = Ticks.Logarithmic(y0, y1);
            if (YMin is null && YMax is null)
                (y0, y1) = (yTicks.Min, yTicks.Max);
        }
        else if (YMin is null && YMax is null)
        {
            // Dots need room at the extremes (half a dot on the frame reads as clipped); lines do not.
            double pad = markers ? (y1 - y0) * 0.04 : 0;
            double lo = y0 >= 0 ? Math.Max(0, y0 - pad) : y0 - pad;
            double hi = y1 <= 0 ? Math.Min(0, y1 + pad) : y1 + pad;
            yTicks = Ticks.Compute(lo, hi, target: 5, extend: true);
            (y0, y1) = (yTicks.Min, yTicks.Max);
        }
        else
        {
            yTicks = Ticks.Compute(y0, y1, target: 5, extend: false);
        }
        Func<double, double> yValue = LogY ? v => v > 0 ? Math.Log10(v) : double.NaN : v => v;

        var entries = _series
            .Select(
                (s, i) =>
                    new LegendEntry(
                        s.Name,
                        s.Color ?? Palette.Series(i),
                        s.Style != SeriesStyle.Markers,
                        s.Style != SeriesStyle.Line,
                        s.Dashed,
                        Box: false
                    )
            )
            .ToArray();
        bool legend = entries.Length > 0 && (ShowLegend ?? _series.Count >= 2);

        var plot = Axes.PlotArea(area, yTicks, XLabel, YLabel);
        var projected = Project(plot, x0, x1, yValue(y0), yValue(y1), yValue);
        (double X, double Y)? corner = legend ? Legend.FreeCorner(plot, entries, Occupied(projected)) : null;
        if (legend && corner is null)
        {
            plot = Axes.PlotArea(
                area with
                {
                    Y = area.Y + Legend.RowHeight,
                    Height = area.Height - Legend.RowHeight,
                },
                yTicks,
                XLabel,
                YLabel
            );
            projected = Project(plot, x0, x1, yValue(y0), yValue(y1), yValue);
        }

        var sx = Axes.Linear(x0, x1, plot.X, plot.Right);
        var syLinear = Axes.Linear(yValue(y0), yValue(y1), plot.Bottom, plot.Y);
        Axes.DrawY(svg, plot, yTicks, v => syLinear(yValue(v)), YLabel, area);
        Axes.DrawX(svg, plot, xTicks, sx, XLabel);

        string clip = Svg.IdPlaceholder + "-clip" + svg.NextId();
        svg.Raw("<defs><clipPath id=\"").Raw(clip).Raw("\">");
        svg.Rect(plot.X - 5, plot.Y - 5, plot.Width + 10, plot.Height + 10, "#000");
        svg.Raw("</clipPath></defs>");

        svg.Open("g", $"class=\"plot\" clip-path=\"url(#{clip})\"");
        for (int i = 0; i < _series.Count; i++)
        {
            var s = _series[i];
            var e = entries[i];
            svg.Open("g", $"class=\"series\" data-name=\"{Svg.Escape(s.Name)}\"");
            if (e.Line)
                svg.Polyline(projected[i], e.Color, 2.25, s.Dashed ? "stroke-dasharray=\"6 4\"" : null);
            if (e.Marker)
                foreach (var (px, py) in projected[i])
                    if (!double.IsNaN(px) && !double.IsNaN(py))
                        svg.Circle(px, py, e.Line ? 3 : 3.6, e.Color, "stroke=\"#ffffff\" stroke-width=\"0.8\"");
            svg.Close("g");
        }
        svg.Close("g");
        if (legend)
        {
            if (corner is { } c)
                Legend.DrawBox(svg, c.X, c.Y, entries);
            else
                Legend.DrawRow(svg, plot, entries);
        }
    }

    private (double X, double Y)[][] Project(
        Area plot,
        double x0,
        double x1,
        double y0,
        double y1,
        Func<double, double> yValue
    )
    {
        var sx = Axes.Linear(x0, x1, plot.X, plot.Right);
        var sy = Axes.Linear(y0, y1, plot.Bottom, plot.Y);
        return _series
            .Select(s =>
                s.X.Select(
                        (x, p) =>
                        {
                            double y = yValue(s.Y[p]);
                            return double.IsFinite(x) && double.IsFinite(y) ? (sx(x), sy(y)) : (double.NaN, double.NaN);
                        }
                    )
                    .ToArray()
            )
            .ToArray();
    }

    private IEnumerable<(double X, double Y)> Occupied((double X, double Y)[][] projected) =>
        projected.SelectMany((points, i) => _series[i].Style == SeriesStyle.Markers ? points : Legend.Densify(points));

    internal static string Format(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
