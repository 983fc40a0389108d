using System.Globalization;
using System.Text;

namespace RnnNotebooks.Charts;

/// <summary>
/// Writes SVG markup: escaped text, compact invariant numbers (two decimals at most, so the same chart
/// always produces the same bytes), and ids made unique per chart content.
/// </summary>
internal sealed class Svg
{
    /// <summary>Stands for the chart's id prefix until the content is known (see <see cref="Chart.ToSvg"/>).</summary>
    public const string IdPlaceholder = "\u0001id\u0001";

    public const string FontFamily =
        "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif";

    public const string TextColor = "#24292f";
    public const string MutedTextColor = "#57606a";
    public const string GridColor = "#e5e7eb";
    public const string AxisColor = "#8c959f";

    private readonly StringBuilder _sb = new();
    private int _ids;

    /// <summary>A number for the next id within this SVG (several panels may each need a clip path).</summary>
    public int NextId() => ++_ids;

    public Svg Raw(string text)
    {
        _sb.Append(text);
        return this;
    }

    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? extra = null)
    {
        _sb.Append("<line x1=\"").Append(N(x1)).Append("\" y1=\"").Append(N(y1));
        _sb.Append("\" x2=\"").Append(N(x2)).Append("\" y2=\"").Append(N(y2));
        _sb.Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(N(width)).Append('"');
        if (extra is not null)
            _sb.Append(' ').Append(extra);
        _sb.Append("/>");
        return this;
    }

    public Svg Rect(double x, double y, double w, double h, string fill, string? extra = null)
    {
        _sb.Append("<rect x=\"").Append(N(x)).Append("\" y=\"").Append(N(y));
        _sb.Append("\" width=\"").Append(N(Math.Max(0, w))).Append("\" height=\"").Append(N(Math.Max(0, h)));
        _sb.Append("\" fill=\"").Append(fill).Append('"');
        if (extra is not null)
            _sb.Append(' ').Append(extra);
        _sb.Append("/>");
        return this;
    }

    public Svg Circle(double cx, double cy, double r, string fill, string? extra = null)
    {
        _sb.Append("<circle cx=\"").Append(N(cx)).Append("\" cy=\"").Append(N(cy)).Append("\" r=\"").Append(N(r));
        _sb.Append("\" fill=\"").Append(fill).Append('"');
        if (extra is not null)
            _sb.Append(' ').Append(extra);
        _sb.Append("/>");
        return this;
    }

    /// <summary>A text element; <paramref name="anchor"/> is start, middle or end.</summary>
    public Svg Text(
        double x,
        double y,
        string text,
        double size,
        string fill,
        string anchor = "start",
        string? extra = null
    )
    {
        _sb.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" font-size=\"").Append(N(size));
        _sb.Append("\" fill=\"").Append(fill).Append('"');
        if (anchor != "start")
            _sb.Append(" text-anchor=\"").Append(anchor).Append('"');
        if (extra is not null)
            _sb.Append(' ').Append(extra);
        _sb.Append('>').Append(Escape(text)).Append("</text>");
        return this;
    }

    public Svg Open(string element, string? attributes = null)
    {
        _sb.Append('<').Append(element);
        if (attributes is not null)
            _sb.Append(' ').Append(attributes);
        _sb.Append('>');
        return this;
    }

    public Svg Close(string element)
    {
        _sb.Append("</").Append(element).Append('>');
        return this;
    }

    /// <summary>A path through the points; NaN values break the line.</summary>
    public Svg Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double width, string? extra = null)
    {
        var d = new StringBuilder();
        bool pen = false;
        foreach (var (x, y) in points)
        {
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                pen = false;
                continue;
            }
            d.Append(pen ? 'L' : 'M').Append(N(x)).Append(' ').Append(N(y));
            pen = true;
        }
        if (d.Length == 0)
            return this;
        _sb.Append("<path d=\"").Append(d).Append("\" fill=\"none\" stroke=\"").Append(stroke);
        _sb.Append("\" stroke-width=\"")
            .Append(N(width))
            .Append("\" stroke-linejoin=\"round\" stroke-linecap=\"round\"");
        if (extra is not null)
            _sb.Append(' ').Append(extra);
        _sb.Append("/>");
        return this;
    }

    public override string ToString() => _sb.ToString();

    /// <summary>A coordinate: at most two decimals, no trailing zeros, invariant culture.</summary>
    public static string N(double v)
    {
        double r = Math.Round(v, 2);
        if (r == 0)
            r = 0; // no "-0"
        return r.ToString("0.##", CultureInfo.InvariantCulture);
    }

    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '&':
                    sb.Append("&amp;");
                    break;
                case '"':
                    sb.Append("&quot;");
                    break;
                case '\'':
                    sb.Append("&#39;");
                    break;
                default:
                    // XML 1.0 forbids most control characters even as references.
                    if (c >= 0x20 || c is '\t' or '\n' or '\r')
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Rough width of text in the chart font (for layout: legends, margins).</summary>
    public static double TextWidth(string text, double size)
    {
        double em = 0;
        foreach (char c in text)
            em += c switch
            {
                'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' => 0.28,
                'f' or 't' or 'r' or 'I' or ' ' or '(' or ')' or '[' or ']' or '-' => 0.36,
                'm' or 'w' or 'M' or 'W' => 0.86,
                >= 'A' and <= 'Z' => 0.68,
                >= '0' and <= '9' => 0.56,
                _ => c > 0x2E80 ? 1.0 : 0.55,
            };
        return em * size;
    }
}
