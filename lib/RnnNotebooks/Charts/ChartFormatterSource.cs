using RnnNotebooks.Notebooks;

namespace RnnNotebooks.Charts;

/// <summary>Charts in notebooks: text/html (the inline SVG), image/svg+xml, and a one-line text/plain.</summary>
public sealed class ChartFormatterSource : FormatterSource<Chart>
{
    protected override string ToHtml(Chart value) => value.ToHtml();

    protected override IEnumerable<DisplayFormatter> ExtraFormatters() =>
        [new DisplayFormatter(typeof(Chart), MimeTypes.Svg, o => ((Chart)o).ToSvg())];
}
