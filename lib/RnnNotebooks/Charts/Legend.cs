namespace RnnNotebooks.Charts;

/// <summary>One legend row: the name and how its swatch is drawn.</summary>
internal readonly record struct LegendEntry(string Name, string Color, bool Line, bool Marker, bool Dashed, bool Box);

/// <summary>
/// The legend: a box inside the plot in the corner that hides no data (matplotlib's "best"), or, when
/// every corner has data under it, a row above the plot, so a legend never covers what it explains.
/// </summary>
internal static class Legend
{
    private const double Font = 12;
    private const double Row = 18;
    private const double Pad = 8;
    private const double Swatch = 22;
    private const double Inset = 8;

    /// <summary>Height the row form takes above the plot.</summary>
    public const double RowHeight = 22;

    public static (double Width, double Height) BoxSize(IReadOnlyList<LegendEntry> entries) =>
        (Pad + Swatch + 6 + entries.Max(e => Svg.TextWidth(e.Name, Font)) + Pad, Pad + entries.Count * Row + Pad - 4);

    /// <summary>The top-left of a free corner for the box, or null when data lies under every corner.</summary>
    public static (double X, double Y)? FreeCorner(
        Area plot,
        IReadOnlyList<LegendEntry> entries,
        IEnumerable<(double X, double Y)> points
    )
    {
        var (width, height) = BoxSize(entries);
        if (width > plot.Width - 2 * Inset || height > plot.Height - 2 * Inset)
            return null;
        var corners = new (double X, double Y)[]
        {
            (plot.Right - Inset - width, plot.Y + Inset),
            (plot.X + Inset, plot.Y + Inset),
            (plot.Right - Inset - width, plot.Bottom - Inset - height),
            (plot.X + Inset, plot.Bottom - Inset - height),
        };
        var list = points as IReadOnlyCollection<(double X, double Y)> ?? points.ToList();
        foreach (var c in corners)
            if (!list.Any(p => p.X >= c.X - 5 && p.X <= c.X + width + 5 && p.Y >= c.Y - 5 && p.Y <= c.Y + height + 5))
                return c;
        return null;
    }

    public static void DrawBox(Svg svg, double x, double y, IReadOnlyList<LegendEntry> entries)
    {
        var (width, height) = BoxSize(entries);
        svg.Open("g", "class=\"legend\"");
        svg.Rect(x, y, width, height, "#ffffff", "fill-opacity=\"0.9\" stroke=\"#d0d7de\" stroke-width=\"1\" rx=\"4\"");
        for (int i = 0; i < entries.Count; i++)
            Entry(svg, x + Pad, y + Pad + i * Row + Row / 2 - 2, entries[i]);
        svg.Close("g");
    }

    /// <summary>The entries in one row, right-aligned above the plot (in the band <see cref="RowHeight"/> high).</summary>
    public static void DrawRow(Svg svg, Area plot, IReadOnlyList<LegendEntry> entries)
    {
        var widths = entries.Select(e => Swatch + 6 + Svg.TextWidth(e.Name, Font) + 16).ToArray();
        double x = Math.Max(plot.X, plot.Right - widths.Sum() + 16);
        double cy = plot.Y - RowHeight / 2 - 2;
        svg.Open("g", "class=\"legend\"");
        for (int i = 0; i < entries.Count; i++)
        {
            Entry(svg, x, cy, entries[i]);
            x += widths[i];
        }
        svg.Close("g");
    }

    private static void Entry(Svg svg, double sx, double cy, LegendEntry e)
    {
        svg.Open("g", "class=\"legend-entry\"");
        if (e.Box)
            svg.Rect(sx + 4, cy - 6, Swatch - 8, 12, e.Color, "rx=\"2\"");
        if (e.Line)
            svg.Line(sx, cy, sx + Swatch, cy, e.Color, 2.5, e.Dashed ? "stroke-dasharray=\"6 4\"" : null);
        if (e.Marker)
            svg.Circle(sx + Swatch / 2, cy, 3.5, e.Color, "stroke=\"#ffffff\" stroke-width=\"1\"");
        svg.Text(sx + Swatch + 6, cy + 4, e.Name, Font, Svg.TextColor);
        svg.Close("g");
    }

    /// <summary>Points along a polyline, densified so a legend is not placed across a sparse line.</summary>
    public static IEnumerable<(double X, double Y)> Densify(IReadOnlyList<(double X, double Y)> points, int steps = 8)
    {
        for (int i = 0; i < points.Count; i++)
        {
            yield return points[i];
            if (i + 1 == points.Count)
                break;
            var (x0, y0) = points[i];
            var (x1, y1) = points[i + 1];
            if (double.IsNaN(x0 + y0 + x1 + y1))
                continue;
            for (int s = 1; s < steps; s++)
                yield return (x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps);
        }
    }
}
