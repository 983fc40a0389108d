namespace RnnNotebooks.Charts;

/// <summary>Several charts in one figure, left to right and then in rows (e.g. accuracy and loss side by side).</summary>
public sealed class ChartGrid : Chart
{
    public ChartGrid(IEnumerable<Chart> panels, int columns = 0, string? title = null)
        : base(title, 0, 0)
    {
        Panels = panels.ToArray();
        if (Panels.Count == 0)
            throw new ArgumentException("A chart grid needs at least one chart.", nameof(panels));
        if (Panels.Any(p => p is null))
            throw new ArgumentException("A chart grid cannot hold null.", nameof(panels));
        Columns = columns > 0 ? Math.Min(columns, Panels.Count) : Panels.Count;
        int rows = (Panels.Count + Columns - 1) / Columns;
        Width = Columns * Panels.Max(p => p.Width);
        Height = rows * Panels.Max(p => p.Height) + (title is null ? 0 : 32);
    }

    public IReadOnlyList<Chart> Panels { get; }

    public int Columns { get; }

    private protected override string Kind => "Charts";

    private protected override string Describe() => string.Join("; ", Panels.Select(p => p.ToString()));

    private protected override void RenderBody(Svg svg, Area area)
    {
        int rows = (Panels.Count + Columns - 1) / Columns;
        double w = area.Width / Columns,
            h = area.Height / rows;
        for (int i = 0; i < Panels.Count; i++)
        {
            var cell = new Area(area.X + i % Columns * w, area.Y + i / Columns * h, w, h);
            svg.Open("g", "class=\"panel\"");
            Panels[i].RenderPanel(svg, cell);
            svg.Close("g");
        }
    }
}
