using Microsoft.DotNet.Interactive.Formatting;
using RnnNotebooks.Charts;
using RnnNotebooks.Display;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Notebooks;
using RnnNotebooks.Runner.Execution;
using RnnNotebooks.Tensors;
using ChartsApi = RnnNotebooks.Charts.Charts;

namespace RnnNotebooks.Tests.Runner;

/// <summary>
/// The library's values as the .NET Interactive kernel formats them (Microsoft.DotNet.Interactive.Formatting,
/// set up as rnnbook and the notebook front ends set it up): the library's formatters are found by convention.
/// </summary>
[Collection("LayerNames")]
public class DisplayFormattingTests
{
    private static Dictionary<string, string> Format(object? value, params string[] mimeTypes)
    {
        NotebookExecutor.UseNotebookFormatting();
        return FormattedValue.CreateManyFromObject(value!, mimeTypes).ToDictionary(v => v.MimeType, v => v.Value);
    }

    [Fact]
    public void Model_summary_is_an_html_table_and_keras_text()
    {
        LayerNames.ClearSession();
        var summary = new Sequential(new Dense(64, "relu", inputShape: [100]), new Dense(100, "softmax")).Summary();

        var bundle = Format(summary);

        bundle.Keys.Should().Equal("text/html", "text/plain");
        bundle["text/plain"].Should().Be(summary.ToString());
        bundle["text/html"].Should().StartWith("<table class=\"rnn-model-summary\"");
        bundle["text/html"].Should().Contain(">dense_1 (Dense)</td>").And.Contain(">(None, 64)</td>");
        bundle["text/html"]
            .Should()
            .Contain(">6,464</td>")
            .And.Contain(">12,964</td>")
            .And.Contain("Model: sequential_1");
    }

    [Fact]
    public void History_is_a_table_per_epoch_and_charts_as_two_panels()
    {
        var history = new RnnNotebooks.Training.History();
        history.Append(0, [new("loss", 0.75), new("acc", 0.5), new("val_loss", 0.8), new("val_acc", 0.25)]);
        history.Append(1, [new("loss", 0.5), new("acc", 0.875), new("val_loss", 0.6), new("val_acc", 0.625)]);

        var bundle = Format(history);

        bundle.Keys.Should().Equal("text/html", "text/plain");
        bundle["text/plain"].Should().Be(history.ToString());
        bundle["text/html"].Should().StartWith("<table class=\"rnn-history\"").And.Contain(">val_acc</th>");
        bundle["text/html"].Should().Contain(">0.8750</td>").And.Contain(">2</td>");
        history.ToDictionary()["val_acc"].Should().Equal(0.25, 0.625);
        ChartsApi
            .TrainingHistory(history)
            .ToSvg()
            .Should()
            .Be(ChartsApi.TrainingHistory(history.ToDictionary()).ToSvg());
    }

    [Fact]
    public void Tensor_shows_its_shape_and_a_truncated_table()
    {
        var t = new Tensor(20, 30);
        for (int i = 0; i < t.Size; i++)
            t.Data[i] = i;

        var bundle = Format(t);

        bundle["text/plain"].Should().StartWith("Tensor (20, 30)\n");
        string html = bundle["text/html"];
        html.Should().Contain("Tensor (20, 30) float32");
        html.Should().Contain(">4</td>").And.Contain(">599</td>").And.Contain("…").And.Contain("⋮");
        html.Should().NotContain(">15</td>", "middle columns are elided");
        // One header row, then rows 0-4, the elision row, rows 15-19.
        System.Text.RegularExpressions.Regex.Matches(html, "<tr>").Count.Should().Be(1 + 11);
    }

    [Fact]
    public void Chart_renders_as_html_with_inline_svg_and_as_svg_on_request()
    {
        var chart = ChartsApi.Line([1.0, 2.0], title: "T");

        var bundle = Format(chart);
        var svg = Format(chart, [MimeTypes.Svg]);

        bundle.Keys.Should().Equal("text/html", "text/plain");
        // The SVG, unchanged, then the same data for plotly.js (drawn where scripts run).
        bundle["text/html"]
            .Should()
            .StartWith(chart.ToHtml())
            .And.Be(RnnNotebooks.Charts.ChartFormatterSource.Html(chart));
        bundle["text/plain"].Should().Be("Line chart \"T\": 1 series (y), 2 points");
        svg.Keys.Should().Equal("image/svg+xml");
        svg["image/svg+xml"].Should().Be(chart.ToSvg());
    }

    [Fact]
    public void Library_formatter_sources_follow_the_dotnet_interactive_convention()
    {
        // .NET Interactive reads these by name through reflection: check the exact shapes it needs.
        var attribute = typeof(Tensor)
            .GetCustomAttributes(true)
            .Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = (
            (System.Collections.IEnumerable)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!
        )
            .Cast<object>()
            .ToList();

        formatters
            .Select(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)!)
            .Should()
            .Equal("text/html", "text/plain");
        var format = formatters[0].GetType().GetMethod("Format")!;
        format.ReturnType.Should().Be(typeof(bool));
        format.GetParameters().Select(p => p.ParameterType).Should().Equal(typeof(object), typeof(TextWriter));
        var writer = new StringWriter();
        ((bool)format.Invoke(formatters[1], [Tensor.Zeros(2), writer])!).Should().BeTrue();
        writer.ToString().Should().Be("Tensor (2,)\n[0, 0]");
        ((bool)format.Invoke(formatters[1], ["not a tensor", new StringWriter()])!).Should().BeFalse();
    }

    [Fact]
    public void Plain_values_are_formatted_as_the_kernel_formats_them_in_a_notebook()
    {
        // In a notebook front end the kernel's default MIME type is text/html (strings stay plain text);
        // these are the kernel's own formatters, recorded here so that a change of kernel shows up.
        Format("text").Should().Equal(new Dictionary<string, string> { ["text/plain"] = "text" });
        Format("<b>")["text/plain"].Should().Be("<b>");
        Format(42).Keys.Should().Equal("text/html");
        Format(42)["text/html"].Should().StartWith("<div class=\"dni-plaintext\"><pre>42</pre></div><style>");
        Format(0.1)["text/html"].Should().StartWith("<div class=\"dni-plaintext\"><pre>0.1</pre></div>");
        Format(null)["text/html"].Should().StartWith("<div class=\"dni-plaintext\"><pre>&lt;null&gt;</pre></div>");
        Format(new[] { 1, 2, 3 })["text/html"]
            .Should()
            .StartWith("<div class=\"dni-plaintext\"><pre>[ 1, 2, 3 ]</pre>");
        Format(new { A = 1 })["text/html"].Should().StartWith("<details open=\"open\" class=\"dni-treeview\">");
        Format(new[] { 1, 2, 3 }, "text/plain")["text/plain"].Should().Be("[ 1, 2, 3 ]");
    }
}
