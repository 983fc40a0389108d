using System.Globalization;

namespace RnnNotebooks.Charts;

/// <summary>A matrix as coloured cells (weights, confusion matrices, gate activations) with a colour bar.</summary>
public sealed class Heatmap : Chart
{
    private readonly double[,] _values;

    public Heatmap(
        double[,] values,
        IReadOnlyList<string>? rowLabels = null,
        IReadOnlyList<string>? columnLabels = null,
        string? title = null,
        ColorScale scale = ColorScale.Auto,
        int width = 640,
        int height = 400
    )
        : base(title, width, height)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
            throw new ArgumentException("A heatmap needs at least one row and one column.", nameof(values));
        if (rowLabels is not null && rowLabels.Count != values.GetLength(0))
            throw new ArgumentException(
                $"{rowLabels.Count} row labels for {values.GetLength(0)} rows.",
                nameof(rowLabels)
            );
        if (columnLabels is not null && columnLabels.Count != values.GetLength(1))
            throw new ArgumentException(
                $"{columnLabels.Count} column labels for {values.GetLength(1)} columns.",
                nameof(columnLabels)
            );
        _values = (double[,])values.Clone();
        RowLabels = rowLabels;
        ColumnLabels = columnLabels;
        Scale = scale;
    }

    public int Rows => _values.GetLength(0);

    public int Columns => _values.GetLength(1);

    public double this[int row, int column] => _values[row, column];

    public IReadOnlyList<string>? RowLabels { get; }

    public IReadOnlyList<string>? ColumnLabels { get; }

    public ColorScale Scale { get; set; }

    public string? XLabel { get; set; }

    public string? YLabel { get; set; }

    /// <summary>Write the value in each cell; null: when cells are large enough to read it.</summary>
    public bool? ShowValues { get; set; }

    /// <summary>Fixed colour range; null: the data's (symmetric around 0 for the diverging scale).</summary>
    public double? Min { get; set; }

    public double? Max { get; set; }

    private protected override string Kind => "Heatmap";

    private protected override string Describe()
    {
        var (lo, hi) = DataRange();
        return $"{Rows}×{Columns}, values {XYChart.Format(lo)} to {XYChart.Format(hi)}";
    }

    /// <summary>The smallest of 1, 2, 5, 10, 20, … cells whose span holds <paramref name="needed"/> pixels.</summary>
    private static int NiceEvery(double needed, double cell)
    {
        foreach (int every in (int[])[1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000])
            if (every * cell >= needed)
                return every;
        return 1000;
    }

    private (double Lo, double Hi) DataRange()
    {
        double lo = double.PositiveInfinity,
            hi = double.NegativeInfinity;
        foreach (double v in _values)
        {
            if (!double.IsFinite(v))
                continue;
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        return double.IsFinite(lo) ? (lo, hi) : (0, 1);
    }

    private protected override void RenderBody(Svg svg, Area area)
    {
        var (dataLo, dataHi) = DataRange();
        var scale =
            Scale == ColorScale.Auto ? (dataLo < 0 && dataHi > 0 ? ColorScale.Diverging : ColorScale.Viridis) : Scale;
        double lo = Min ?? dataLo,
            hi = Max ?? dataHi;
        if (scale == ColorScale.Diverging && Min is null && Max is null)
        {
            double m = Math.Max(Math.Abs(lo), Math.Abs(hi));
            (lo, hi) = (-m, m);
        }
        if (hi <= lo)
            (lo, hi) = (lo - 0.5, hi + 0.5);

        const double font = 11;
        double rowLabelWidth =
            RowLabels?.Max(l => Svg.TextWidth(l, font))
            ?? Svg.TextWidth((Rows - 1).ToString(CultureInfo.InvariantCulture), font);
        double colLabelWidth = ColumnLabels?.Max(l => Svg.TextWidth(l, font)) ?? 0;
        var barTicks = Ticks.Compute(lo, hi, target: 5, extend: false);
        double barLabelWidth = barTicks
            .Values.Select(v => Svg.TextWidth(barTicks.Label(v), font))
            .DefaultIfEmpty(20)
            .Max();

        double left = area.X + 10 + (YLabel is null ? 0 : 20) + rowLabelWidth + 8;
        double right = area.Right - (16 + 14 + 6 + barLabelWidth + 12);
        double cellW = (right - left) / Columns;
        bool rotate = ColumnLabels is not null && colLabelWidth > cellW - 4;
        double colLabelHeight = rotate ? Math.Min(80, colLabelWidth * 0.6 + 12) : 18;
        double top = area.Y + 8;
        double bottom = area.Bottom - (8 + colLabelHeight + (XLabel is null ? 0 : 20));
        double cellH = (bottom - top) / Rows;
        var plot = new Area(left, top, right - left, bottom - top);

        bool values = ShowValues ?? (cellW >= 34 && cellH >= 16 && Rows * Columns <= 400);
        double valueFont = Math.Clamp(Math.Min(cellH * 0.45, cellW / 5), 8, 12);
        var valueTicks = Ticks.Compute(dataLo, dataHi, target: 10, extend: false);

        svg.Open("g", "class=\"cells\"");
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                double v = _values[r, c];
                string fill = Palette.Scale(scale, (v - lo) / (hi - lo));
                double x = left + c * cellW,
                    y = top + r * cellH;
                // A hair of overlap hides anti-aliasing seams between neighbouring cells.
                svg.Rect(x, y, cellW + 0.3, cellH + 0.3, fill);
                if (values && double.IsFinite(v))
                {
                    string ink = Palette.Luminance(fill) > 0.45 ? "#1f2328" : "#ffffff";
                    string text = v.ToString(
                        valueTicks.Decimals > 0 ? "0." + new string('0', Math.Min(valueTicks.Decimals + 1, 4)) : "0.##",
                        CultureInfo.InvariantCulture
                    );
                    svg.Text(
                        x + cellW / 2,
                        y + cellH / 2 + valueFont * 0.35,
                        text,
                        valueFont,
                        ink,
                        "middle",
                        "class=\"value\""
                    );
                }
            }
        }
        svg.Close("g");

        int rowEvery = NiceEvery(15, cellH);
        svg.Open("g", "class=\"y-axis\"");
        for (int r = 0; r < Rows; r += Math.Max(1, rowEvery))
        {
            string label = RowLabels?[r] ?? r.ToString(CultureInfo.InvariantCulture);
            svg.Text(
                left - 6,
                top + (r + 0.5) * cellH + 4,
                label,
                font,
                Svg.MutedTextColor,
                "end",
                "class=\"tick-label\""
            );
        }
        svg.Close("g");
        // Index labels: every 1, 2, 5, 10, … columns, as many as fit side by side.
        int colEvery =
            ColumnLabels is null
                ? NiceEvery(Svg.TextWidth((Columns - 1).ToString(CultureInfo.InvariantCulture), font) + 10, cellW)
            : rotate ? (int)Math.Ceiling(14 / Math.Max(cellW, 0.01))
            : 1;
        svg.Open("g", "class=\"x-axis\"");
        for (int c = 0; c < Columns; c += Math.Max(1, colEvery))
        {
            string label = ColumnLabels?[c] ?? c.ToString(CultureInfo.InvariantCulture);
            double cx = left + (c + 0.5) * cellW;
            if (rotate)
                svg.Text(
                    cx,
                    bottom + 12,
                    label,
                    font,
                    Svg.MutedTextColor,
                    "end",
                    $"transform=\"rotate(-45 {Svg.N(cx)} {Svg.N(bottom + 12)})\" class=\"tick-label\""
                );
            else
                svg.Text(cx, bottom + 15, label, font, Svg.MutedTextColor, "middle", "class=\"tick-label\"");
        }
        svg.Close("g");
        Axes.XLabel(svg, plot, XLabel, colLabelHeight);
        if (YLabel is not null)
        {
            double cx = area.X + 16,
                cy = top + plot.Height / 2;
            svg.Text(
                cx,
                cy,
                YLabel,
                Axes.LabelFont,
                Svg.TextColor,
                "middle",
                $"transform=\"rotate(-90 {Svg.N(cx)} {Svg.N(cy)})\" class=\"axis-label\""
            );
        }

        // Colour bar: a vertical gradient with ticks.
        double barX = right + 16,
            barW = 14;
        string gradient = Svg.IdPlaceholder + "-scale" + svg.NextId();
        svg.Raw("<defs><linearGradient id=\"").Raw(gradient).Raw("\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int i = 0; i <= 10; i++)
            svg.Raw($"<stop offset=\"{Svg.N(i / 10.0)}\" stop-color=\"{Palette.Scale(scale, i / 10.0)}\"/>");
        svg.Raw("</linearGradient></defs>");
        svg.Open("g", "class=\"colorbar\"");
        svg.Rect(barX, top, barW, plot.Height, $"url(#{gradient})", "stroke=\"#d0d7de\" stroke-width=\"0.5\"");
        var sy = Axes.Linear(lo, hi, bottom, top);
        foreach (double v in barTicks.Values)
        {
            double py = sy(v);
            svg.Line(barX + barW, py, barX + barW + 4, py, Svg.AxisColor, 1);
            svg.Text(
                barX + barW + 7,
                py + 4,
                barTicks.Label(v),
                font,
                Svg.MutedTextColor,
                extra: "class=\"tick-label\""
            );
        }
        svg.Close("g");
    }
}
