using RnnNotebooks.Tensors;

namespace RnnNotebooks.Charts;

/// <summary>
/// One-call charts for notebooks. Every method returns a <see cref="Chart"/> that displays itself as
/// inline SVG when it is a cell's result or passed to <c>display</c>, and has <c>ToSvg()</c> and <c>Save(path)</c>.
/// </summary>
public static class Charts
{
    /// <summary>An empty line chart to add series to: <c>Charts.Line("Loss").AddLine("train", loss)</c>.</summary>
    public static XYChart Line(string? title = null, string? xLabel = null, string? yLabel = null) =>
        new(title, xLabel, yLabel);

    /// <summary>A line over x = 1, 2, …</summary>
    public static XYChart Line(
        IEnumerable<double> y,
        string name = "y",
        string? title = null,
        string? xLabel = null,
        string? yLabel = null
    ) => new XYChart(title, xLabel, yLabel).AddLine(name, y);

    /// <summary>A line through (x, y) points.</summary>
    public static XYChart Line(
        IEnumerable<double> x,
        IEnumerable<double> y,
        string name = "y",
        string? title = null,
        string? xLabel = null,
        string? yLabel = null
    ) => new XYChart(title, xLabel, yLabel).AddLine(name, x, y);

    /// <summary>A scatter plot; add more groups with <see cref="XYChart.AddScatter(string, IEnumerable{double}, IEnumerable{double}, string?)"/>.</summary>
    public static XYChart Scatter(
        IEnumerable<double> x,
        IEnumerable<double> y,
        string name = "y",
        string? title = null,
        string? xLabel = null,
        string? yLabel = null
    ) => new XYChart(title, xLabel, yLabel).AddScatter(name, x, y);

    /// <summary>Bars, one per category; add groups with <see cref="BarChart.AddSeries"/>.</summary>
    public static BarChart Bar(
        IEnumerable<string> categories,
        IEnumerable<double> values,
        string name = "value",
        string? title = null,
        string? xLabel = null,
        string? yLabel = null
    ) => new BarChart(categories, title, xLabel, yLabel).AddSeries(name, values);

    /// <summary>An empty box plot to add samples to: <c>Charts.Box("Accuracy").Add("stateless", runs)</c>.</summary>
    public static BoxPlot Box(string? title = null, string? xLabel = null, string? yLabel = null) =>
        new(title, xLabel, yLabel);

    public static Heatmap Heatmap(
        double[,] values,
        IReadOnlyList<string>? rowLabels = null,
        IReadOnlyList<string>? columnLabels = null,
        string? title = null,
        ColorScale scale = ColorScale.Auto
    ) => new(values, rowLabels, columnLabels, title, scale);

    public static Heatmap Heatmap(
        float[,] values,
        IReadOnlyList<string>? rowLabels = null,
        IReadOnlyList<string>? columnLabels = null,
        string? title = null,
        ColorScale scale = ColorScale.Auto
    ) => new(ToDouble(values), rowLabels, columnLabels, title, scale);

    /// <summary>A heatmap of a matrix (rank 2), or of a vector as one row.</summary>
    public static Heatmap Heatmap(
        Tensor matrix,
        IReadOnlyList<string>? rowLabels = null,
        IReadOnlyList<string>? columnLabels = null,
        string? title = null,
        ColorScale scale = ColorScale.Auto
    )
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Rank is not (1 or 2))
            throw new ArgumentException(
                $"A heatmap shows a matrix (rank 2) or a vector; this tensor has shape {Tensor.ShapeToString(matrix.Shape)}.",
                nameof(matrix)
            );
        int rows = matrix.Rank == 1 ? 1 : matrix.Shape[0];
        int cols = matrix.Shape[^1];
        var values = new double[rows, cols];
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            values[r, c] = matrix.Data[r * cols + c];
        return new(values, rowLabels, columnLabels, title, scale);
    }

    /// <summary>Charts next to each other in one figure.</summary>
    public static ChartGrid SideBySide(params Chart[] charts) => new(charts);

    /// <summary>Charts in rows of <paramref name="columns"/>.</summary>
    public static ChartGrid Grid(int columns, params Chart[] charts) => new(charts, columns);

    /// <summary>The training curves of a <see cref="Training.History"/> returned by <c>Fit</c>.</summary>
    public static ChartGrid TrainingHistory(
        Training.History history,
        string? title = null,
        int panelWidth = 480,
        int panelHeight = 340
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        return TrainingHistory(history.ToDictionary(), title, panelWidth, panelHeight);
    }

    /// <summary>
    /// Training curves as in the book: one panel per metric (accuracy first, loss last), the training values
    /// as dots and the validation values (the <c>val_</c> key) as a line, over epochs 1, 2, ….
    /// </summary>
    /// <param name="history">Keras' history.history: metric name → value per epoch ("acc", "val_acc", "loss", "val_loss").</param>
    /// <param name="title">Above both panels; null for none (each panel has its own title).</param>
    /// <param name="panelWidth">Width of each panel in pixels.</param>
    /// <param name="panelHeight">Height of each panel in pixels.</param>
    public static ChartGrid TrainingHistory(
        IReadOnlyDictionary<string, IReadOnlyList<double>> history,
        string? title = null,
        int panelWidth = 480,
        int panelHeight = 340
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        var metrics = history.Keys.Where(k => !k.StartsWith("val_", StringComparison.Ordinal)).ToList();
        // Orphan validation metrics (no training counterpart) still get a panel.
        metrics.AddRange(
            history
                .Keys.Where(k => k.StartsWith("val_", StringComparison.Ordinal) && !history.ContainsKey(k[4..]))
                .Select(k => k[4..])
        );
        if (metrics.Count == 0)
            throw new ArgumentException("The history has no metrics.", nameof(history));
        var ordered = metrics.Where(m => m != "loss").Concat(metrics.Where(m => m == "loss")).Distinct().ToList();
        var panels = new List<Chart>();
        foreach (var metric in ordered)
        {
            string label = metric is "acc" or "accuracy" ? "accuracy" : metric;
            var chart = new XYChart(
                $"Training and validation {label}",
                "Epochs",
                char.ToUpperInvariant(label[0]) + label[1..],
                panelWidth,
                panelHeight
            )
            {
                ShowLegend = true,
            };
            if (history.TryGetValue(metric, out var train))
                chart.Add(
                    new Series($"Training {metric}", Epochs(train.Count), train, SeriesStyle.Markers)
                    {
                        Color = Palette.Series(0),
                    }
                );
            if (history.TryGetValue("val_" + metric, out var validation))
                chart.Add(
                    new Series($"Validation {metric}", Epochs(validation.Count), validation, SeriesStyle.Line)
                    {
                        Color = Palette.Series(1),
                    }
                );
            panels.Add(chart);
        }
        return new ChartGrid(panels, 0, title);
    }

    private static IEnumerable<double> Epochs(int count) => Enumerable.Range(1, count).Select(i => (double)i);

    private static double[,] ToDouble(float[,] values)
    {
        var result = new double[values.GetLength(0), values.GetLength(1)];
        for (int r = 0; r < values.GetLength(0); r++)
        for (int c = 0; c < values.GetLength(1); c++)
            result[r, c] = values[r, c];
        return result;
    }
}
