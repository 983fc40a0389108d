using System.Globalization;
using System.Text;
using RnnNotebooks.Display;

namespace RnnNotebooks.Models;

/// <summary>Which Keras prints the summary (docs/keras-semantics.md#model-summary).</summary>
public enum SummaryStyle
{
    /// <summary>Keras 2.0–2.2: no header line, the classic 65-column table.</summary>
    Keras2,

    /// <summary>Keras 2.3 / tf.keras ≤ 2.6: the same table preceded by Model: "name".</summary>
    Keras23,
}

/// <summary>The result of <see cref="Sequential.Summary"/>: Keras' text via ToString(), a table in a notebook.</summary>
[TypeFormatterSource(
    "RnnNotebooks.Notebooks.ModelSummaryFormatterSource",
    PreferredMimeTypes = [MimeTypes.Html, MimeTypes.PlainText]
)]
public sealed class ModelSummary
{
    /// <summary>One layer's line: name, Keras class, output shape as Python prints it, parameter count.</summary>
    public sealed record Row(string Name, string TypeName, string OutputShape, long Parameters);

    private static readonly int[] Positions = [29, 55, 65];
    private const int Width = 65;

    public ModelSummary(string modelName, IReadOnlyList<Row> rows, long totalParameters, long trainableParameters)
    {
        ModelName = modelName;
        Rows = rows;
        TotalParameters = totalParameters;
        TrainableParameters = trainableParameters;
    }

    public string ModelName { get; }

    public IReadOnlyList<Row> Rows { get; }

    public long TotalParameters { get; }

    public long TrainableParameters { get; }

    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    public static SummaryStyle DefaultStyle { get; set; } = SummaryStyle.Keras2;

    public override string ToString() => ToText(DefaultStyle);

    /// <summary>The summary exactly as Keras prints it (every table line 65 characters wide).</summary>
    public string ToText(SummaryStyle style)
    {
        var sb = new StringBuilder();
        if (style == SummaryStyle.Keras23)
            sb.Append("Model: \"").Append(ModelName).Append("\"\n");
        sb.Append('_', Width).Append('\n');
        sb.Append(Line("Layer (type)", "Output Shape", "Param #")).Append('\n');
        sb.Append('=', Width).Append('\n');
        for (int i = 0; i < Rows.Count; i++)
        {
            var r = Rows[i];
            sb.Append(
                    Line($"{r.Name} ({r.TypeName})", r.OutputShape, r.Parameters.ToString(CultureInfo.InvariantCulture))
                )
                .Append('\n');
            sb.Append(i == Rows.Count - 1 ? '=' : '_', Width).Append('\n');
        }
        if (Rows.Count == 0)
            sb.Append('=', Width).Append('\n');
        sb.Append("Total params: ").Append(TotalParameters.ToString("N0", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Trainable params: ")
            .Append(TrainableParameters.ToString("N0", CultureInfo.InvariantCulture))
            .Append('\n');
        sb.Append("Non-trainable params: ")
            .Append(NonTrainableParameters.ToString("N0", CultureInfo.InvariantCulture))
            .Append('\n');
        sb.Append('_', Width).Append('\n');
        return sb.ToString();
    }

    /// <summary>Keras' print_row: each field is cut and padded to its column stop.</summary>
    private static string Line(params string[] fields)
    {
        string line = "";
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                line = line[..^1] + " ";
            line += fields[i];
            if (line.Length > Positions[i])
                line = line[..Positions[i]];
            line = line.PadRight(Positions[i]);
        }
        return line;
    }
}
