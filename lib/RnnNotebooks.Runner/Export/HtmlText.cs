using System.Text;

namespace RnnNotebooks.Runner.Export;

/// <summary>Escapes text for HTML: only &amp; &lt; &gt; and quotes, so non-ASCII text stays readable in the page source.</summary>
public static class HtmlText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            sb.Append(
                c switch
                {
                    '&' => "&amp;",
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '"' => "&quot;",
                    _ => null,
                }
            );
            if (c is not ('&' or '<' or '>' or '"'))
                sb.Append(c);
        }
        return sb.ToString();
    }
}
