using System.Globalization;
using System.Text;
using RnnNotebooks.Models;

namespace RnnNotebooks.Notebooks;

/// <summary>A model summary as an HTML table in a notebook, and as Keras' text in plain-text views.</summary>
public sealed class ModelSummaryFormatterSource : FormatterSource<ModelSummary>
{
    protected override string ToHtml(ModelSummary summary)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("<table class=\"rnn-model-summary\" style=\"").Append(Html.TableStyle).Append("\">");
        sb.Append("<caption style=\"")
            .Append(Html.CaptionStyle)
            .Append("\">Model: ")
            .Append(Html.Escape(summary.ModelName))
            .Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var header in new[] { "Layer (type)", "Output Shape", "Param #" })
            sb.Append("<th style=\"").Append(Html.HeaderStyle).Append("\">").Append(header).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in summary.Rows)
        {
            sb.Append("<tr><td style=\"").Append(Html.CellStyle).Append("\">");
            sb.Append(Html.Escape(row.Name)).Append(" (").Append(Html.Escape(row.TypeName)).Append(")</td>");
            sb.Append("<td style=\"").Append(Html.CellStyle).Append("\">").Append(Html.Escape(row.OutputShape));
            sb.Append("</td><td style=\"").Append(Html.NumberCellStyle).Append("\">");
            sb.Append(row.Parameters.ToString("N0", inv)).Append("</td></tr>");
        }
        sb.Append("</tbody><tfoot>");
        Footer(sb, "Total params", summary.TotalParameters, first: true);
        Footer(sb, "Trainable params", summary.TrainableParameters, first: false);
        Footer(sb, "Non-trainable params", summary.NonTrainableParameters, first: false);
        sb.Append("</tfoot></table>");
        return sb.ToString();
    }

    private static void Footer(StringBuilder sb, string label, long value, bool first)
    {
        string border = first ? "border-top:2px solid rgba(127,127,127,0.6);" : "";
        sb.Append("<tr><td colspan=\"2\" style=\"padding:2px 10px;").Append(border).Append("\">");
        sb.Append(label).Append("</td><td style=\"padding:2px 10px;text-align:right;").Append(border).Append("\">");
        sb.Append(value.ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>");
    }
}
