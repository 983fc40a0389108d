using System.Globalization;
using System.Text;
using RnnNotebooks.Training;

namespace RnnNotebooks.Notebooks;

/// <summary>A training history as a table (one row per epoch) in a notebook; plain text falls back to History.ToString().</summary>
public sealed class HistoryFormatterSource : FormatterSource<History>
{
    protected override string ToHtml(History history)
    {
        var sb = new StringBuilder();
        sb.Append("<table class=\"rnn-history\" style=\"").Append(Html.TableStyle).Append("\"><thead><tr>");
        sb.Append("<th style=\"").Append(Html.HeaderStyle).Append("\">epoch</th>");
        foreach (var key in history.Keys)
            sb.Append("<th style=\"").Append(Html.HeaderStyle).Append("\">").Append(Html.Escape(key)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int i = 0; i < history.Count; i++)
        {
            sb.Append("<tr><td style=\"").Append(Html.NumberCellStyle).Append("\">");
            sb.Append((history.Epochs[i] + 1).ToString(CultureInfo.InvariantCulture)).Append("</td>");
            foreach (var key in history.Keys)
                sb.Append("<td style=\"")
                    .Append(Html.NumberCellStyle)
                    .Append("\">")
                    .Append(TrainingLog.FormatValue(history[key][i]))
                    .Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }
}
