namespace RnnNotebooks.Notebooks;

/// <summary>Small helpers for the HTML the formatters write.</summary>
public static class Html
{
    /// <summary>Escapes text for HTML content and attribute values (non-ASCII text is kept as it is).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var sb = new System.Text.StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&':
                    sb.Append("&amp;");
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '"':
                    sb.Append("&quot;");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Styles for tables that read well on light and dark notebook themes (colours follow the text colour).
    /// </summary>
    internal const string TableStyle =
        "border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;";

    internal const string CellStyle =
        "padding:3px 10px;border-bottom:1px solid rgba(127,127,127,0.25);text-align:left;white-space:pre;";

    internal const string NumberCellStyle =
        "padding:3px 10px;border-bottom:1px solid rgba(127,127,127,0.25);text-align:right;white-space:pre;";

    internal const string HeaderStyle =
        "padding:4px 10px;border-bottom:2px solid rgba(127,127,127,0.6);text-align:left;font-weight:600;";

    internal const string CaptionStyle = "caption-side:top;text-align:left;font-weight:600;padding:2px 0 6px 0;";
}
