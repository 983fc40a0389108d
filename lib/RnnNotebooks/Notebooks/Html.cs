using System.Net;

namespace RnnNotebooks.Notebooks;

/// <summary>Small helpers for the HTML the formatters write.</summary>
public static class Html
{
    /// <summary>Escapes text for HTML content and attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

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
