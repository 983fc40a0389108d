using System.Xml.Linq;
using RnnNotebooks.Charts;
using ChartsApi = RnnNotebooks.Charts.Charts;

namespace RnnNotebooks.Tests.Charts;

public class BoxPlotReferenceTests
{
    private static IEnumerable<XElement> WithClass(XElement root, string cls) =>
        root.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cls) == true);

    [Fact]
    public void Reference_lines_are_dashed_labelled_and_inside_the_axis_range()
    {
        var chart = ChartsApi
            .Box("Runs", yLabel: "accuracy")
            .Add("stateless", [0.66, 0.67, 0.68])
            .AddReference("chance", 0.5)
            .AddReference("limit", 0.9);

        var svg = XDocument.Parse(chart.ToSvg()).Root!;
        var lines = WithClass(svg, "reference").ToList();

        lines.Select(g => (string)g.Attribute("data-name")!).Should().Equal("chance", "limit");
        lines
            .Select(g => g.Descendants().Single(e => e.Name.LocalName == "line"))
            .Should()
            .OnlyContain(l => ((string)l.Attribute("stroke-dasharray")!) == "6 4");
        WithClass(svg, "reference-label").Select(t => t.Value).Should().Equal("chance", "limit");
        // The y axis stretches to show both lines although every box lies between them.
        var ticks = WithClass(svg, "tick-label").Select(t => t.Value).ToList();
        ticks.Should().Contain("0.5").And.Contain("0.9");
        chart.References.Should().Equal(("chance", 0.5), ("limit", 0.9));
        chart.ToString().Should().Contain("chance = 0.5").And.Contain("limit = 0.9");
    }

    [Fact]
    public void A_reference_needs_a_finite_value()
    {
        var add = () => ChartsApi.Box().AddReference("bad", double.NaN);
        add.Should().Throw<ArgumentException>().WithMessage("*\"bad\"*finite*");
    }
}
