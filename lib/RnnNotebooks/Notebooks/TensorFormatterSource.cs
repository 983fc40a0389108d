using System.Globalization;
using System.Text;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Notebooks;

/// <summary>
/// A tensor as its shape and a truncated view: an HTML table for vectors and matrices (first and last
/// rows/columns around an ellipsis), numpy-style text for higher ranks and in plain-text views.
/// </summary>
public sealed class TensorFormatterSource : FormatterSource<Tensor>
{
    /// <summary>Rows or columns shown at each end before the rest is elided.</summary>
    public const int EdgeItems = 5;

    protected override string ToPlainText(Tensor value) => TensorFormatter.Format(value);

    protected override string ToHtml(Tensor t)
    {
        var sb = new StringBuilder("<div class=\"rnn-tensor\">");
        sb.Append(
            "<div style=\"font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;opacity:0.75;margin-bottom:4px\">"
        );
        sb.Append("Tensor ").Append(Html.Escape(Tensor.ShapeToString(t.Shape))).Append(" float32</div>");
        if (t.Rank is 1 or 2)
            AppendTable(sb, t);
        else
            sb.Append("<pre style=\"margin:0\">").Append(Html.Escape(TensorFormatter.Format(t))).Append("</pre>");
        return sb.Append("</div>").ToString();
    }

    private static void AppendTable(StringBuilder sb, Tensor t)
    {
        int rows = t.Rank == 1 ? 1 : t.Shape[0];
        int cols = t.Shape[^1];
        sb.Append("<table style=\"").Append(Html.TableStyle).Append("\">");
        sb.Append("<thead><tr><th style=\"").Append(Html.HeaderStyle).Append("\"></th>");
        foreach (int c in Shown(cols))
            sb.Append("<th style=\"")
                .Append(Html.HeaderStyle)
                .Append("text-align:right\">")
                .Append(c < 0 ? "…" : c.ToString(CultureInfo.InvariantCulture))
                .Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (int r in Shown(rows))
        {
            sb.Append("<tr><th style=\"").Append(Html.HeaderStyle).Append("border-bottom:none;opacity:0.7\">");
            sb.Append(r < 0 ? "⋮" : r.ToString(CultureInfo.InvariantCulture)).Append("</th>");
            foreach (int c in Shown(cols))
            {
                sb.Append("<td style=\"").Append(Html.NumberCellStyle).Append("\">");
                if (r < 0)
                    sb.Append(c < 0 ? "⋱" : "⋮");
                else if (c < 0)
                    sb.Append('…');
                else
                    sb.Append(Number(t.Data[r * cols + c]));
                sb.Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }

    /// <summary>Indices to show along an axis; -1 marks the elided middle.</summary>
    private static IEnumerable<int> Shown(int n)
    {
        if (n <= 2 * EdgeItems + 1)
        {
            for (int i = 0; i < n; i++)
                yield return i;
            yield break;
        }
        for (int i = 0; i < EdgeItems; i++)
            yield return i;
        yield return -1;
        for (int i = n - EdgeItems; i < n; i++)
            yield return i;
    }

    private static string Number(float v) => v.ToString("0.#####", CultureInfo.InvariantCulture);
}
