using System.Diagnostics;
using RnnNotebooks.Runner.Ipynb;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>What running notebooks in the real .NET Interactive kernel brings: NuGet, updatable displays, cancellation.</summary>
[Collection("Runner")]
public class KernelRunTests
{
    [Fact]
    public async Task An_updated_display_is_one_output_holding_the_last_value_even_when_updated_from_a_later_cell()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(
            dir["progress.ipynb"],
            Code(
                "using Microsoft.DotNet.Interactive;\n"
                    + "var progress = KernelInvocationContext.Current.Display(\"epoch 0 of 3\");\n"
                    + "for (int e = 1; e <= 3; e++)\n    progress.Update($\"epoch {e} of 3\");\n"
                    + "Console.WriteLine(\"trained\");"
            ),
            Code("progress.Update(\"done\");\n1 + 1")
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        var first = notebook.Cells[0].Outputs;
        first.Select(o => (string)o!["output_type"]!).Should().Equal("display_data", "stream");
        PlainText(first[0]).Should().Be("done");
        StreamText(first[1]).Should().Be("trained\n");
        notebook.Cells[1].Outputs.Select(o => (string)o!["output_type"]!).Should().Equal("execute_result");
    }

    [Fact]
    public async Task The_handle_display_returns_is_not_linked_to_its_output_in_this_kernel_release_as_in_jupyter()
    {
        // Kernel.display(x) (1.0.0-beta.26120.1) publishes one DisplayedValue and returns another with a new id,
        // so Update() goes to an id no output has: Jupyter's client ignores it, and so does rnnbook.
        using var dir = new TempDirectory();
        string path = WriteNotebook(
            dir["unlinked.ipynb"],
            Code("var shown = display(\"first\");\nshown.Update(\"second\");\nshown.GetType().FullName")
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        var outputs = notebook.Cells[0].Outputs;
        PlainText(outputs[0]).Should().Be("first");
        PlainText(outputs[1]).Should().Be("Microsoft.DotNet.Interactive.Formatting.DisplayedValue");
        outputs.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_nuget_package_reference_restores_and_runs()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(
            dir["nuget.ipynb"],
            Code("#r \"nuget: Newtonsoft.Json, 13.0.3\""),
            Code("Newtonsoft.Json.JsonConvert.SerializeObject(new { rnn = \"lstm\", units = 32 })")
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        RunnerTestFiles
            .NotebookCellText(notebook.Cells[0].Outputs.Last()!["data"]!["text/html"])
            .Should()
            .Contain("Installed Packages")
            .And.Contain("Newtonsoft.Json, 13.0.3");
        PlainText(notebook.Cells[1].Outputs.Single()).Should().Be("{\"rnn\":\"lstm\",\"units\":32}");
    }

    [Fact]
    public async Task An_infinite_loop_is_cancelled_after_its_timeout_and_the_run_ends_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        // (A kernel's first cell also compiles the kernel's own set-up: on a busy machine that takes seconds.)
        string path = WriteNotebook(
            dir["loop.ipynb"],
            Code("Console.WriteLine(\"before\");\nwhile (true) { }"),
            Code("Console.WriteLine(\"never\");")
        );
        var clock = Stopwatch.StartNew();

        var (notebook, result) = await RunAsync(path, timeout: TimeSpan.FromSeconds(5));

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60));
        result.FailedCell.Should().Be(1);
        result.Message.Should().StartWith("cell 1: cancelled after the time limit of 5 s (--timeout-per-cell)");
        var outputs = notebook.Cells[0].Outputs;
        StreamText(outputs[0]).Should().Be("before\n");
        ((string)outputs[1]!["ename"]!).Should().Be("Timeout");
        notebook.Cells[1].ExecutionCount.Should().BeNull();
    }

    [Fact]
    public void Rnnbook_never_hangs_on_an_infinite_loop_and_exits_non_zero_naming_file_and_cell()
    {
        using var dir = new TempDirectory();
        WriteNotebook(dir["loop.ipynb"], Code("while (true) { }"));

        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = RunExe(dir.Path, "run", "loop.ipynb", "--timeout-per-cell", "2", "--in-place");

        code.Should().Be(1, stdout + stderr);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(90));
        stderr.Should().Contain("loop.ipynb, cell 1: cancelled after the time limit of 2 s (--timeout-per-cell)");
        var written = NotebookDocument.Load(dir["loop.ipynb"]);
        ((string)written.Cells[0].Outputs.Single()!["ename"]!).Should().Be("Timeout");
    }

    [Fact]
    public void Killing_rnnbook_with_sigkill_during_an_in_place_run_leaves_the_old_notebook_intact()
    {
        using var dir = new TempDirectory();
        string started = dir["started"];
        string path = WriteNotebook(
            dir["victim.ipynb"],
            Code("Console.WriteLine(\"first cell\");"),
            Code($"System.IO.File.WriteAllText(@\"{started}\", \"\");\nSystem.Threading.Thread.Sleep(60_000);")
        );
        byte[] before = File.ReadAllBytes(path);

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rnnbook.dll"));
        foreach (var a in new[] { "run", "victim.ipynb", "--in-place" })
            start.ArgumentList.Add(a);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(started) && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(120))
            Thread.Sleep(50);
        File.Exists(started).Should().BeTrue("the second cell should have started");

        process.Kill(); // SIGKILL on Linux: no handler runs
        process.WaitForExit();

        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(dir.Path, "*.ipynb*").Should().Equal(path);
    }

    [Fact]
    public async Task A_notebook_for_another_language_is_refused_naming_the_cell()
    {
        using var dir = new TempDirectory();
        string path = dir["python.ipynb"];
        File.WriteAllText(
            path,
            """{"cells": [{"cell_type": "code", "execution_count": null, "id": "py", "metadata": {}, "outputs": [], "source": ["print(1)"]}], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}"""
        );

        var (_, result) = await RunAsync(path);

        result
            .Message.Should()
            .Be(
                "cell 1: this is a #!python cell; rnnbook runs C# cells only (open the notebook in VS Code with Polyglot Notebooks for other kernels)"
            );
    }

    [Fact]
    public void A_raw_cell_is_refused_naming_the_cell()
    {
        var act = () =>
            NotebookFile.Parse(
                """{"cells": [{"cell_type": "raw", "id": "r", "metadata": {}, "source": "x"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""",
                "raw.ipynb"
            );

        act.Should()
            .Throw<NotebookFormatException>()
            .Which.Message.Should()
            .StartWith("raw.ipynb, cell 1: a raw cell;");
    }

    [Fact]
    public void Malformed_json_nbformat_3_and_non_notebooks_are_refused_by_the_documents_reader_too()
    {
        foreach (
            var (name, reason) in new[]
            {
                ("malformed.ipynb", "malformed JSON at line 3, column 24:"),
                ("nbformat3.ipynb", "nbformat 3 is not supported"),
                ("not-a-notebook.ipynb", "not a notebook: no \"nbformat\" number"),
            }
        )
        {
            var act = () => NotebookFile.Load(Fixture(name));
            act.Should().Throw<NotebookFormatException>().Which.Message.Should().Contain(reason);
        }
    }

    [Fact]
    public void Notebooks_read_and_written_through_documents_keep_their_bytes()
    {
        foreach (var name in new[] { "00-hello.ipynb", "parameters.ipynb", "fsharp.ipynb", "jupyter-parity.ipynb" })
            NotebookFile.Load(Fixture(name)).ToJson().Should().Be(File.ReadAllText(Fixture(name)), name);
    }
}
