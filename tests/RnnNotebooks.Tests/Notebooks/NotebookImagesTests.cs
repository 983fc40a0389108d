using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Notebooks;

/// <summary>
/// The hand-drawn diagrams in notebooks/img: each must show wherever the notebooks are read, which on GitHub
/// means inside an &lt;img&gt; (no scripts, no external resources), and every figure a notebook names must exist.
/// </summary>
public partial class NotebookImagesTests
{
    private const string Svg = "http://www.w3.org/2000/svg";

    private static readonly string Root =
        DataCache.FindRepositoryRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("repository root (RnnNotebooks.sln) not found above the test binaries");

    private static string ImageFolder => Path.Combine(Root, "notebooks", "img");

    public static TheoryData<string> Diagrams()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(ImageFolder, "*.svg").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void The_diagrams_the_notebooks_are_written_against_exist()
    {
        string[] expected =
        [
            "architectures.svg",
            "bidirectional-rnn.svg",
            "bptt-e3.svg",
            "deep-rnn.svg",
            "gru-cell.svg",
            "lstm-cell.svg",
            "rnn-unrolled.svg",
            "stateful-batches.svg",
        ];
        foreach (var name in expected)
            File.Exists(Path.Combine(ImageFolder, name)).Should().BeTrue($"notebooks reference img/{name}");
    }

    [Theory]
    [MemberData(nameof(Diagrams))]
    public void Diagram_is_a_small_self_contained_svg_with_its_own_background(string name)
    {
        var path = Path.Combine(ImageFolder, name);
        new FileInfo(path).Length.Should().BeLessThan(30 * 1024, "diagrams are committed; keep them small");
        var svg = XDocument.Load(path).Root!;

        svg.Name.Should().Be(XName.Get("svg", Svg));
        ((string?)svg.Attribute("version")).Should().Be("1.1");
        double width = Number(svg, "width"),
            height = Number(svg, "height");
        ((string?)svg.Attribute("viewBox"))
            .Should()
            .Be(
                string.Create(CultureInfo.InvariantCulture, $"0 0 {width} {height}"),
                "width and height match the viewBox"
            );
        ((string?)svg.Element(XName.Get("title", Svg))).Should().NotBeNullOrWhiteSpace("screen readers read the title");
        ((string?)svg.Element(XName.Get("desc", Svg))).Should().NotBeNullOrWhiteSpace("and the description");

        var elements = svg.DescendantsAndSelf().ToList();
        string[] blocked = ["script", "foreignObject", "image", "a", "use"];
        elements
            .Select(e => e.Name.LocalName)
            .Where(blocked.Contains)
            .Should()
            .BeEmpty("an <img> blocks scripts and external resources");
        var attributes = elements.SelectMany(e => e.Attributes()).Where(a => !a.IsNamespaceDeclaration).ToList();
        attributes.Select(a => a.Name.LocalName).Should().NotContain(n => n.StartsWith("on") || n == "href");
        attributes.Should().NotContain(a => a.Value.Contains("://"), "nothing may be loaded from elsewhere");
        string style = string.Concat(svg.Descendants(XName.Get("style", Svg)).Select(s => s.Value));
        style.Should().NotContain("@import").And.NotContain("url(", "no external fonts or images");

        var ids = elements.Select(e => e.Attribute("id")?.Value).OfType<string>().ToHashSet();
        foreach (var a in attributes)
        foreach (Match m in LocalReference().Matches(a.Value))
            ids.Should().Contain(m.Groups[1].Value, $"{a.Name} refers to #{m.Groups[1].Value}");

        var background = svg.Elements(XName.Get("rect", Svg)).FirstOrDefault();
        background.Should().NotBeNull("a background rectangle keeps the diagram readable on dark themes");
        Number(background!, "x").Should().BeLessThanOrEqualTo(1);
        Number(background!, "y").Should().BeLessThanOrEqualTo(1);
        Number(background!, "width").Should().BeGreaterThanOrEqualTo(width - 2);
        Number(background!, "height").Should().BeGreaterThanOrEqualTo(height - 2);
    }

    [Fact]
    public void Every_image_a_notebook_shows_exists_and_every_diagram_is_described()
    {
        foreach (var notebook in Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb"))
        foreach (Match m in ImageReference().Matches(File.ReadAllText(notebook)))
            File.Exists(Path.Combine(ImageFolder, m.Groups[1].Value))
                .Should()
                .BeTrue($"{Path.GetFileName(notebook)} shows img/{m.Groups[1].Value}");

        string readme = File.ReadAllText(Path.Combine(ImageFolder, "README.md"));
        foreach (var file in Directory.GetFiles(ImageFolder, "*.svg"))
            readme.Should().Contain($"`{Path.GetFileName(file)}`", "notebooks/img/README.md lists every diagram");
    }

    private static double Number(XElement element, string attribute) =>
        double.Parse(
            element.Attribute(attribute)?.Value
                ?? throw new InvalidOperationException($"<{element.Name.LocalName}> has no {attribute}"),
            CultureInfo.InvariantCulture
        );

    [GeneratedRegex(@"url\(#([^)]+)\)")]
    private static partial Regex LocalReference();

    [GeneratedRegex(@"\(img/([\w.-]+\.svg)\)")]
    private static partial Regex ImageReference();
}
