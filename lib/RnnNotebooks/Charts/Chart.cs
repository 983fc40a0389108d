using System.Text;
using RnnNotebooks.Display;
using RnnNotebooks.Notebooks;

namespace RnnNotebooks.Charts;

/// <summary>
/// A chart rendered as one self-contained SVG (no script, no external font or stylesheet), so it shows
/// the same in VS Code, Jupyter, GitHub and a static HTML page. In a notebook a chart displays itself
/// (text/html holding the SVG; image/svg+xml on request); <see cref="ToSvg"/> and <see cref="Save"/> give
/// the markup and a file. Build one with <see cref="Charts"/>.
/// </summary>
[TypeFormatterSource(typeof(ChartFormatterSource), PreferredMimeTypes = [MimeTypes.Html, MimeTypes.PlainText])]
public abstract class Chart
{
    private protected Chart(string? title, int width, int height)
    {
        Title = title;
        Width = width;
        Height = height;
    }

    /// <summary>Shown above the plot; null for none.</summary>
    public string? Title { get; set; }

    /// <summary>Size in CSS pixels (the SVG scales down to fit narrower pages).</summary>
    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>The chart as an SVG document (UTF-8 text, valid XML).</summary>
    public string ToSvg()
    {
        if (Width < 50 || Height < 50)
            throw new InvalidOperationException($"A chart needs at least 50×50 pixels; this one is {Width}×{Height}.");
        var svg = new Svg();
        svg.Raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
            .Raw(Svg.N(Width))
            .Raw("\" height=\"")
            .Raw(Svg.N(Height))
            .Raw("\" viewBox=\"0 0 ")
            .Raw(Svg.N(Width))
            .Raw(" ")
            .Raw(Svg.N(Height))
            .Raw("\" role=\"img\" aria-label=\"")
            .Raw(Svg.Escape(Title ?? Kind))
            .Raw("\" class=\"rnn-chart-svg\" style=\"max-width:100%;height:auto\" font-family=\"")
            .Raw(Svg.Escape(Svg.FontFamily))
            .Raw("\">");
        svg.Raw("<title>").Raw(Svg.Escape(ToString())).Raw("</title>");
        svg.Rect(0, 0, Width, Height, "#ffffff", "class=\"background\"");
        RenderPanel(svg, new Area(0, 0, Width, Height));
        svg.Raw("</svg>");
        string markup = svg.ToString();
        // Ids (clip paths, gradients) must differ between charts on one page and stay the same for the
        // same chart: derive them from the content.
        return markup.Replace(Svg.IdPlaceholder, "rnn" + Hash(markup), StringComparison.Ordinal);
    }

    /// <summary>The SVG in a block element, as the notebook's text/html output shows it.</summary>
    public string ToHtml() => "<div class=\"rnn-chart\" style=\"max-width:100%;overflow-x:auto\">" + ToSvg() + "</div>";

    /// <summary>
    /// Writes the chart to a file: a standalone page for .html/.htm, else the SVG. The file is written
    /// to a temporary name and renamed, so it is never seen half-written.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string content = ext is ".html" or ".htm"
            ? "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
                + Html.Escape(Title ?? Kind)
                + "</title></head><body style=\"margin:16px;background:#fff\">"
                + ToSvg()
                + "</body></html>\n"
            : ToSvg() + "\n";
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(
            Path.GetDirectoryName(full)!,
            $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"
        );
        try
        {
            File.WriteAllText(temp, content, new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>A one-line description: kind, title and what is plotted.</summary>
    public override string ToString() => $"{Kind}{(Title is null ? "" : $" \"{Title}\"")}: {Describe()}";

    /// <summary>What kind of chart, e.g. "Line chart".</summary>
    private protected abstract string Kind { get; }

    /// <summary>What is plotted, for the plain-text view (e.g. "2 series, 10 points").</summary>
    private protected abstract string Describe();

    /// <summary>Draws the title (if any) and the body in <paramref name="area"/>.</summary>
    internal void RenderPanel(Svg svg, Area area)
    {
        if (Title is { Length: > 0 } title)
        {
            svg.Text(
                area.X + area.Width / 2,
                area.Y + 24,
                title,
                15,
                Svg.TextColor,
                "middle",
                "font-weight=\"600\" class=\"title\""
            );
            area = new Area(area.X, area.Y + 32, area.Width, area.Height - 32);
        }
        RenderBody(svg, area);
    }

    private protected abstract void RenderBody(Svg svg, Area area);

    private static string Hash(string text)
    {
        uint h = 2166136261;
        foreach (char c in text)
        {
            h ^= c;
            h *= 16777619;
        }
        return h.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A rectangle in SVG pixels.</summary>
internal readonly record struct Area(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;
}
