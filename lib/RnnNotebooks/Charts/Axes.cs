namespace RnnNotebooks.Charts;

/// <summary>Layout and drawing shared by the charts with a value axis: margins, gridlines, ticks, labels.</summary>
internal static class Axes
{
    public const double TickFont = 11;
    public const double LabelFont = 12;

    /// <summary>The plot rectangle inside <paramref name="area"/>, leaving room for ticks and axis labels.</summary>
    public static Area PlotArea(Area area, Ticks y, string? xLabel, string? yLabel, double xTickHeight = 18)
    {
        double yTickWidth = y.Values.Select(v => Svg.TextWidth(y.Label(v), TickFont)).DefaultIfEmpty(0).Max();
        double left = 12 + (yLabel is null ? 0 : 20) + yTickWidth + 8;
        double right = 18;
        double top = 10;
        double bottom = 8 + xTickHeight + 6 + (xLabel is null ? 0 : 20);
        return new Area(area.X + left, area.Y + top, area.Width - left - right, area.Height - top - bottom);
    }

    /// <summary>Horizontal gridlines with labels at each y tick, and the rotated y-axis label.</summary>
    public static void DrawY(Svg svg, Area plot, Ticks y, Func<double, double> sy, string? yLabel, Area outer)
    {
        svg.Open("g", "class=\"y-axis\"");
        foreach (double v in y.Values)
        {
            double py = sy(v);
            svg.Line(plot.X, py, plot.Right, py, Svg.GridColor, 1, "class=\"grid\"");
            svg.Text(plot.X - 8, py + 4, y.Label(v), TickFont, Svg.MutedTextColor, "end", "class=\"tick-label\"");
        }
        svg.Close("g");
        if (yLabel is not null)
        {
            double cx = outer.X + 16;
            double cy = plot.Y + plot.Height / 2;
            svg.Text(
                cx,
                cy,
                yLabel,
                LabelFont,
                Svg.TextColor,
                "middle",
                $"transform=\"rotate(-90 {Svg.N(cx)} {Svg.N(cy)})\" class=\"axis-label\""
            );
        }
    }

    /// <summary>Vertical gridlines with labels at each x tick, the x-axis line and label.</summary>
    public static void DrawX(Svg svg, Area plot, Ticks x, Func<double, double> sx, string? xLabel)
    {
        svg.Open("g", "class=\"x-axis\"");
        foreach (double v in x.Values)
        {
            double px = sx(v);
            if (px < plot.X - 0.5 || px > plot.Right + 0.5)
                continue;
            svg.Line(px, plot.Y, px, plot.Bottom, Svg.GridColor, 1, "class=\"grid\"");
            svg.Line(px, plot.Bottom, px, plot.Bottom + 4, Svg.AxisColor, 1);
            svg.Text(px, plot.Bottom + 17, x.Label(v), TickFont, Svg.MutedTextColor, "middle", "class=\"tick-label\"");
        }
        svg.Close("g");
        BaseLine(svg, plot);
        XLabel(svg, plot, xLabel, 18);
    }

    public static void BaseLine(Svg svg, Area plot) =>
        svg.Line(plot.X, plot.Bottom, plot.Right, plot.Bottom, Svg.AxisColor, 1, "class=\"axis-line\"");

    public static void XLabel(Svg svg, Area plot, string? xLabel, double tickHeight)
    {
        if (xLabel is not null)
            svg.Text(
                plot.X + plot.Width / 2,
                plot.Bottom + tickHeight + 22,
                xLabel,
                LabelFont,
                Svg.TextColor,
                "middle",
                "class=\"axis-label\""
            );
    }

    /// <summary>Maps [d0, d1] onto [r0, r1].</summary>
    public static Func<double, double> Linear(double d0, double d1, double r0, double r1)
    {
        double span = d1 - d0;
        if (span == 0)
            span = 1;
        return v => r0 + (v - d0) / span * (r1 - r0);
    }
}
