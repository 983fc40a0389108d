using System.Text.Json.Nodes;

namespace RnnNotebooks.Charts;

/// <summary>
/// The data of a chart as a plotly.js figure (<c>{"data": [...], "layout": {...}}</c>), same series, colours,
/// labels and axis limits as the SVG, so a page where scripts run can swap the picture for an interactive chart
/// (hover values, zoom). Line/scatter charts, heatmaps, box plots and grids of them; null for anything else (bar
/// charts), which then stays a picture.
/// </summary>
public static class PlotlyFigure
{
    public static JsonObject? For(Chart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var data = new JsonArray();
        var layout = new JsonObject
        {
            ["height"] = chart.Height,
            ["margin"] = new JsonObject
            {
                ["l"] = 64,
                ["r"] = 24,
                ["t"] = chart.Title is null ? 24 : 56,
                ["b"] = 56,
            },
            ["font"] = new JsonObject { ["family"] = "Helvetica, Arial, sans-serif", ["size"] = 13 },
            ["paper_bgcolor"] = "#ffffff",
            ["plot_bgcolor"] = "#ffffff",
            ["hovermode"] = "closest",
        };
        if (chart.Title is { } title)
            layout["title"] = new JsonObject { ["text"] = title };
        if (chart is ChartGrid grid)
        {
            int columns = grid.Columns,
                rows = (grid.Panels.Count + columns - 1) / columns;
            layout["grid"] = new JsonObject
            {
                ["rows"] = rows,
                ["columns"] = columns,
                ["pattern"] = "independent",
            };
            var annotations = new JsonArray();
            // Series that recur across panels (training and validation in each metric's panel) share one
            // legend entry; otherwise each panel's series sit under the panel's title, since the
            // palette starts over in every panel and equal colours would name different curves.
            bool byPanel = !RepeatsNames(grid.Panels);
            if (byPanel)
                layout["legend"] = new JsonObject { ["groupclick"] = "toggleitem" };
            for (int i = 0; i < grid.Panels.Count; i++)
            {
                string? group = byPanel ? grid.Panels[i].Title ?? $"panel {i + 1}" : null;
                if (!AddPanel(grid.Panels[i], i + 1, data, layout, group))
                    return null;
                if (grid.Panels[i].Title is { } panelTitle)
                    annotations.Add(
                        new JsonObject
                        {
                            ["text"] = panelTitle,
                            ["xref"] = $"x{Suffix(i + 1)} domain",
                            ["yref"] = $"y{Suffix(i + 1)} domain",
                            ["x"] = 0.5,
                            ["y"] = 1.02,
                            ["xanchor"] = "center",
                            ["yanchor"] = "bottom",
                            ["showarrow"] = false,
                            ["font"] = new JsonObject { ["size"] = 14 },
                        }
                    );
            }
            layout["annotations"] = annotations;
            ((JsonObject)layout["margin"]!)["t"] = chart.Title is null ? 40 : 72;
            layout["showlegend"] = true;
        }
        else if (!AddPanel(chart, 1, data, layout))
            return null;
        return new JsonObject { ["data"] = data, ["layout"] = layout };
    }

    private static string Suffix(int panel) =>
        panel == 1 ? "" : panel.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether a series name appears in more than one line-chart panel.</summary>
    private static bool RepeatsNames(IReadOnlyList<Chart> panels)
    {
        var seen = new HashSet<string>();
        foreach (var panel in panels.OfType<XYChart>())
        foreach (var name in panel.Series.Select(series => series.Name).Distinct())
            if (!seen.Add(name))
                return true;
        return false;
    }

    private static bool AddPanel(Chart chart, int panel, JsonArray data, JsonObject layout, string? legendGroup = null)
    {
        string s = Suffix(panel);
        var xAxis = new JsonObject { ["zeroline"] = false, ["gridcolor"] = "#e5e7eb" };
        var yAxis = new JsonObject { ["zeroline"] = false, ["gridcolor"] = "#e5e7eb" };
        switch (chart)
        {
            case XYChart xy:
                for (int i = 0; i < xy.Series.Count; i++)
                {
                    var series = xy.Series[i];
                    string color = series.Color ?? Palette.Series(i);
                    var trace = new JsonObject
                    {
                        ["type"] = "scatter",
                        ["name"] = series.Name,
                        ["legendgroup"] = legendGroup ?? series.Name,
                        ["showlegend"] = legendGroup is not null || panel == 1 || !SeenBefore(data, series.Name),
                        ["mode"] = series.Style switch
                        {
                            SeriesStyle.Markers => "markers",
                            SeriesStyle.LineWithMarkers => "lines+markers",
                            _ => "lines",
                        },
                        ["x"] = Numbers(series.X),
                        ["y"] = Numbers(series.Y),
                        ["line"] = new JsonObject { ["color"] = color, ["dash"] = series.Dashed ? "dash" : "solid" },
                        ["marker"] = new JsonObject { ["color"] = color, ["size"] = 7 },
                        ["xaxis"] = "x" + s,
                        ["yaxis"] = "y" + s,
                    };
                    if (legendGroup is not null)
                        trace["legendgrouptitle"] = new JsonObject { ["text"] = legendGroup };
                    data.Add(trace);
                }
                Title(xAxis, xy.XLabel);
                Title(yAxis, xy.YLabel);
                // Whole-number x (epochs, timesteps) gets whole-number ticks, the SVG's, not plotly's 1.5.
                if (IntegerTicks(xy) is { Values.Count: > 0 } ticks)
                {
                    xAxis["tick0"] = ticks.Values[0];
                    xAxis["dtick"] = ticks.Step;
                }
                if (xy.XMin is { } x0 && xy.XMax is { } x1)
                    xAxis["range"] = new JsonArray(x0, x1);
                if (xy.LogY)
                    yAxis["type"] = "log";
                else if (xy.YMin is { } y0 && xy.YMax is { } y1)
                    yAxis["range"] = new JsonArray(y0, y1);
                break;
            case Heatmap heatmap:
                var z = new JsonArray();
                bool negative = false,
                    positive = false;
                for (int r = 0; r < heatmap.Rows; r++)
                {
                    var row = new double[heatmap.Columns];
                    for (int c = 0; c < heatmap.Columns; c++)
                    {
                        row[c] = heatmap[r, c];
                        negative |= row[c] < 0;
                        positive |= row[c] > 0;
                    }
                    z.Add(Numbers(row));
                }
                var scale =
                    heatmap.Scale != ColorScale.Auto ? heatmap.Scale
                    : negative && positive ? ColorScale.Diverging
                    : ColorScale.Viridis;
                var trace2 = new JsonObject
                {
                    ["type"] = "heatmap",
                    ["z"] = z,
                    ["colorscale"] = new JsonArray(
                        Enumerable
                            .Range(0, 11)
                            .Select(i => (JsonNode)new JsonArray(i / 10.0, Palette.Scale(scale, i / 10.0)))
                            .ToArray()
                    ),
                    ["xaxis"] = "x" + s,
                    ["yaxis"] = "y" + s,
                    ["showscale"] = true,
                };
                if (heatmap.ColumnLabels is { } columns)
                    trace2["x"] = new JsonArray(columns.Select(l => (JsonNode)l).ToArray());
                if (heatmap.RowLabels is { } rows)
                    trace2["y"] = new JsonArray(rows.Select(l => (JsonNode)l).ToArray());
                if (scale == ColorScale.Diverging && heatmap.Min is null && heatmap.Max is null)
                    trace2["zmid"] = 0;
                if (heatmap.Min is { } min)
                    trace2["zmin"] = min;
                if (heatmap.Max is { } max)
                    trace2["zmax"] = max;
                data.Add(trace2);
                yAxis["autorange"] = "reversed";
                Title(xAxis, heatmap.XLabel);
                Title(yAxis, heatmap.YLabel);
                break;
            case BoxPlot box:
                for (int i = 0; i < box.Boxes.Count; i++)
                {
                    var (label, st) = box.Boxes[i];
                    var trace3 = new JsonObject
                    {
                        ["type"] = "box",
                        ["name"] = label,
                        ["x"] = new JsonArray(label),
                        ["q1"] = new JsonArray(st.FirstQuartile),
                        ["median"] = new JsonArray(st.Median),
                        ["q3"] = new JsonArray(st.ThirdQuartile),
                        ["lowerfence"] = new JsonArray(st.LowerWhisker),
                        ["upperfence"] = new JsonArray(st.UpperWhisker),
                        ["marker"] = new JsonObject { ["color"] = Palette.Series(i) },
                        ["showlegend"] = false,
                        ["xaxis"] = "x" + s,
                        ["yaxis"] = "y" + s,
                    };
                    if (box.ShowMean)
                        trace3["mean"] = new JsonArray(st.Mean);
                    data.Add(trace3);
                }
                Title(xAxis, box.XLabel);
                Title(yAxis, box.YLabel);
                break;
            default:
                return false;
        }
        layout["xaxis" + s] = xAxis;
        layout["yaxis" + s] = yAxis;
        return true;
    }

    /// <summary>The SVG's x ticks when every drawn x is a whole number and the chart sets no x range, else null.</summary>
    private static Ticks? IntegerTicks(XYChart xy)
    {
        if (xy.XMin is not null || xy.XMax is not null)
            return null;
        var xs = xy
            .Series.SelectMany(series => series.X.Zip(series.Y))
            .Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!xy.LogY || p.Second > 0))
            .Select(p => p.First)
            .ToArray();
        if (xs.Length == 0 || xs.Any(v => v != Math.Floor(v)))
            return null;
        return Ticks.Compute(xs.Min(), xs.Max(), target: 8, extend: false, integer: true);
    }

    private static bool SeenBefore(JsonArray data, string name) =>
        data.OfType<JsonObject>().Any(t => t["name"]?.GetValue<string>() == name);

    private static void Title(JsonObject axis, string? text)
    {
        if (text is not null)
            axis["title"] = new JsonObject { ["text"] = text };
    }

    /// <summary>Numbers as JSON; NaN and infinities (gaps in the SVG) become null, gaps in plotly.</summary>
    private static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).ToArray<JsonNode?>());
}
