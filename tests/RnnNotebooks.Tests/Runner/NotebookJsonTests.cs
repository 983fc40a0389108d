using System.Text.Json.Nodes;
using RnnNotebooks.Runner.Ipynb;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

public class NotebookJsonTests
{
    [Fact]
    public void A_notebook_written_by_jupyter_reads_and_writes_back_byte_for_byte()
    {
        // canonical.ipynb was written with nbformat's settings (sort_keys, indent=1, ensure_ascii=False):
        // non-ASCII text, escapes, control characters, big and tiny numbers, null, empty containers.
        byte[] original = File.ReadAllBytes(Fixture("canonical.ipynb"));

        var notebook = NotebookDocument.Load(Fixture("canonical.ipynb"));

        System.Text.Encoding.UTF8.GetBytes(notebook.ToJson()).Should().Equal(original);
    }

    [Theory]
    [InlineData("00-hello.ipynb")]
    [InlineData("parameters.ipynb")]
    [InlineData("fsharp.ipynb")]
    public void Every_fixture_round_trips_unchanged(string name)
    {
        string text = File.ReadAllText(Fixture(name));

        NotebookDocument.Parse(text, name).ToJson().Should().Be(text);
    }

    [Fact]
    public void Strings_are_escaped_as_python_json_does_with_ensure_ascii_false()
    {
        var node = new JsonObject { ["s"] = "é\u001b\t\"\\</\u007f\u2028😀\b\f\r" };

        NotebookJson.Serialize(node).Should().Be("{\n \"s\": \"é\\u001b\\t\\\"\\\\</\u007f\u2028😀\\b\\f\\r\"\n}\n");
    }

    [Fact]
    public void Keys_are_sorted_ordinally_and_empty_containers_stay_on_one_line()
    {
        var node = new JsonObject
        {
            ["b"] = new JsonArray(),
            ["B"] = new JsonObject(),
            ["a"] = new JsonArray(1, new JsonObject { ["z"] = null, ["y"] = true }),
        };

        NotebookJson
            .Serialize(node)
            .Should()
            .Be("{\n \"B\": {},\n \"a\": [\n  1,\n  {\n   \"y\": true,\n   \"z\": null\n  }\n ],\n \"b\": []\n}\n");
    }

    [Fact]
    public void Malformed_json_names_the_file_line_and_column()
    {
        var act = () => NotebookDocument.Load(Fixture("malformed.ipynb"));

        act.Should()
            .Throw<NotebookFormatException>()
            .Which.Message.Should()
            .StartWith(Fixture("malformed.ipynb") + ": malformed JSON at line 3, column 24:");
    }

    [Theory]
    [InlineData("[1, 2]", "not a notebook: the JSON is an array")]
    [InlineData("{\"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}", "not a notebook: no \"cells\" array")]
    [InlineData("{\"cells\": [], \"nbformat\": 4}", "not a notebook: no \"metadata\" object")]
    [InlineData(
        "{\"cells\": [{\"source\": \"x\"}], \"metadata\": {}, \"nbformat\": 4}",
        "cell 1: the cell has no \"cell_type\""
    )]
    [InlineData(
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": 3}], \"metadata\": {}, \"nbformat\": 4}",
        "cell 1: \"source\" must be a string or an array of strings"
    )]
    [InlineData(
        "{\"cells\": [{\"cell_type\": \"widget\", \"source\": \"\"}], \"metadata\": {}, \"nbformat\": 4}",
        "cell 1: unknown cell_type \"widget\""
    )]
    public void Non_notebooks_are_refused_with_the_reason(string json, string reason)
    {
        var act = () => NotebookDocument.Parse(json, "x.ipynb");

        act.Should().Throw<NotebookFormatException>().Which.Message.Should().Contain(reason);
    }

    [Fact]
    public void Source_is_split_into_lines_each_keeping_its_newline()
    {
        NotebookCell.SplitLines("a\nb\n\nc").Select(n => (string)n!).Should().Equal("a\n", "b\n", "\n", "c");
        NotebookCell.SplitLines("").Should().BeEmpty();
        NotebookCell.JoinText(NotebookCell.SplitLines("x\ny\n")).Should().Be("x\ny\n");
    }

    [Fact]
    public void Atomic_write_leaves_the_original_intact_when_writing_fails_midway()
    {
        using var dir = new TempDirectory();
        string path = dir["n.ipynb"];
        File.WriteAllText(path, "original");

        var act = () =>
            AtomicFile.Write(
                path,
                stream =>
                {
                    stream.Write("half a notebo"u8);
                    throw new IOException("disk full");
                }
            );

        act.Should().Throw<IOException>();
        File.ReadAllText(path).Should().Be("original");
        Directory.GetFiles(dir.Path).Should().Equal(path);

        AtomicFile.WriteAllText(path, "new ✓");
        File.ReadAllText(path).Should().Be("new ✓");
        File.ReadAllBytes(path).Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF }, "no byte-order mark");
    }
}
