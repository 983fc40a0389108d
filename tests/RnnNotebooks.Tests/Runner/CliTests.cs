using RnnNotebooks.Runner;
using RnnNotebooks.Runner.Ipynb;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

[Collection("Runner")]
public class CliTests
{
    private static (int Code, string Out, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RnnNotebooks.Runner.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(new string[0], "Usage:")]
    [InlineData(new[] { "run" }, "run needs at least one notebook or folder")]
    [InlineData(new[] { "run", "x.ipynb", "-p", "quick" }, "-p needs NAME=VALUE, got 'quick'")]
    [InlineData(new[] { "run", "x.ipynb", "-p", "2x=1" }, "'2x' is not a valid C# variable name")]
    [InlineData(new[] { "run", "x.ipynb", "--in-place", "--out", "d" }, "--in-place and --out cannot be used together")]
    [InlineData(new[] { "run", "x.ipynb", "--timeout-per-cell", "-1" }, "--timeout-per-cell needs a positive number")]
    [InlineData(new[] { "run", "x.ipynb", "--verbose" }, "unknown option '--verbose' for run")]
    [InlineData(new[] { "export", "x.ipynb" }, "export needs a format: --html")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    public void Bad_usage_exits_with_2_and_says_what_is_wrong(string[] args, string message)
    {
        var (code, output, error) = Cli(args);

        code.Should().Be(2);
        (output + error).Should().Contain(message);
    }

    [Fact]
    public void Help_lists_every_command_and_each_command_has_its_own_help()
    {
        var (code, output, _) = Cli("--help");

        code.Should().Be(0);
        output
            .Should()
            .Contain("Usage:")
            .And.Contain("run")
            .And.Contain("export")
            .And.Contain("book")
            .And.Contain("lint")
            .And.Contain("new");
        foreach (
            var (verb, options) in new[]
            {
                ("run", new[] { "--in-place", "--out", "-p, --parameter", "--timeout-per-cell" }),
                ("export", new[] { "--html", "--out" }),
                ("book", new[] { "--out <DIR>", "--title" }),
                ("lint", new[] { "--fix" }),
                ("new", new[] { "--title" }),
            }
        )
        {
            var (verbCode, help, error) = Cli(verb, "--help");
            verbCode.Should().Be(0, error);
            help.Should().Contain($"rnnbook {verb}");
            foreach (var option in options)
                help.Should().Contain(option, $"'rnnbook {verb} --help' should list {option}");
        }
    }

    [Theory]
    [InlineData("run", "--verbose", "valid options: --in-place, --out, -p/--parameter, --timeout-per-cell")]
    [InlineData("export", "--pdf", "valid options: --html, --out")]
    [InlineData("book", "--pdf", "valid options: --out, --title")]
    [InlineData("lint", "--strict", "valid options: --fix")]
    [InlineData("new", "--force", "valid options: --title")]
    public void Unknown_options_are_refused_with_the_valid_ones(string verb, string option, string valid)
    {
        var (code, _, error) = Cli(verb, "x.ipynb", option);

        code.Should().Be(2);
        error.Should().Contain($"unknown option '{option}' for {verb}").And.Contain(valid);
        error.Should().Contain($"Run 'rnnbook {verb} --help' for usage.");
    }

    [Fact]
    public void Missing_notebook_is_a_usage_error_naming_it()
    {
        var (code, _, error) = Cli("run", "/no/such/notebook.ipynb");

        code.Should().Be(2);
        error.Should().Contain("/no/such/notebook.ipynb: no such notebook or folder");
    }

    [Fact]
    public void Run_in_place_rewrites_the_notebook_atomically_with_outputs()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(dir["n.ipynb"], Code("Console.WriteLine(\"hi\");\n6 * 7"));

        var (code, output, _) = Cli("run", path, "--in-place");

        code.Should().Be(0);
        output.Should().Contain("rnnbook: 1 notebook run, 1 passed, 0 failed");
        var notebook = NotebookDocument.Load(path);
        notebook.Cells[0].ExecutionCount.Should().Be(1);
        PlainText(notebook.Cells[0].Outputs[1]).Should().Be("42");
        Directory.GetFiles(dir.Path).Should().ContainSingle();
    }

    [Fact]
    public void Export_writes_a_static_html_page()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(dir["page.ipynb"], Markdown("# Title *here*"), Code("1"));

        var (code, output, _) = Cli("export", "--html", path);

        code.Should().Be(0);
        output.Should().Contain("wrote " + dir["page.html"]);
        File.ReadAllText(dir["page.html"])
            .Should()
            .StartWith("<!DOCTYPE html>")
            .And.Contain("<title>Title here</title>");
    }

    [Fact]
    public void Lint_reports_missing_metadata_and_fix_repairs_it()
    {
        using var dir = new TempDirectory();
        string path = dir["bare.ipynb"];
        File.WriteAllText(
            path,
            """{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {"tags": ["x"]}, "outputs": [], "source": "1"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}"""
        );

        var (code, output, error) = Cli("lint", path);

        code.Should().Be(1);
        error.Should().Contain("nbformat 4.4: expected 4.5 (cell ids)");
        error.Should().Contain("metadata.kernelspec: expected");
        error.Should().Contain("metadata.polyglot_notebook.kernelInfo: expected");
        error.Should().Contain("cell 1: no id");
        error.Should().Contain("cell 1: metadata.polyglot_notebook.kernelName should be \"csharp\"");
        error.Should().Contain("cell 1: metadata.dotnet_interactive.language should be \"csharp\"");
        output.Should().Contain("rnnbook lint: 1 notebook checked, 6 problems");

        Cli("lint", path, "--fix").Code.Should().Be(0);
        NotebookLinter.Check(NotebookFile.Load(path)).Should().BeEmpty();
        NotebookDocument.Load(path).Cells[0].Tags.Should().Equal("x");
        Cli("lint", path).Code.Should().Be(0);
    }

    [Fact]
    public void New_creates_a_lint_clean_notebook_that_references_the_library_relative_to_it()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["lib/RnnNotebooks"]);
        File.WriteAllText(dir["lib/RnnNotebooks/RnnNotebooks.csproj"], "<Project />");
        string path = dir["notebooks/09-new.ipynb"];
        Directory.CreateDirectory(dir["notebooks"]);

        var (code, _, _) = Cli("new", path, "--title", "09 · Something new");

        code.Should().Be(0);
        NotebookLinter.Check(NotebookFile.Load(path)).Should().BeEmpty();
        var notebook = NotebookDocument.Load(path);
        notebook.Cells[0].Source.Should().StartWith("# 09 · Something new");
        notebook.Cells[1].Source.Should().StartWith("#r \"../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll\"");
        notebook.Cells[2].Tags.Should().Equal("parameters");
        Cli("new", path).Code.Should().Be(2, "an existing notebook is never overwritten");
    }
}
