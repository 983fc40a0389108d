using System.Text.Json.Nodes;
using RnnNotebooks.Runner.Execution;
using RnnNotebooks.Runner.Ipynb;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

[Collection("Runner")]
public class NotebookExecutionTests
{
    [Fact]
    public async Task Hello_notebook_captures_stdout_display_and_trailing_value_with_execution_counts()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string path = CopyFixture(dir, "00-hello.ipynb", "notebooks");

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        result.CellsExecuted.Should().Be(4);
        notebook.Cells.Where(c => c.IsCode).Select(c => c.ExecutionCount).Should().Equal(1, 2, 3, 4);
        notebook.Cells.Where(c => !c.IsCode).Should().OnlyContain(c => !c.Node.ContainsKey("outputs"));

        var outputs = Outputs(notebook, "print");
        outputs.Select(o => (string)o!["output_type"]!).Should().Equal("stream", "display_data", "execute_result");
        ((string)outputs[0]!["name"]!).Should().Be("stdout");
        StreamText(outputs[0]).Should().Be("quick=False, epochs=3\n");
        var summary = outputs[1]!["data"]!.AsObject();
        summary.Select(p => p.Key).Should().Equal("text/html", "text/plain");
        // (Layer names depend on the library's global counters; in-process the test host shares one copy of the
        // library, so they are checked through the real executable in RunnerExeTests.)
        NotebookCellText(summary["text/html"]).Should().Contain("<table").And.Contain(" (Dense)</td>");
        NotebookCellText(summary["text/plain"]).Should().Contain("Total params: 26");
        PlainText(outputs[2]).Should().Be("26");
        ((int)outputs[2]!["execution_count"]!).Should().Be(3);

        var chart = Outputs(notebook, "plot").Single()!;
        ((string)chart["output_type"]!).Should().Be("execute_result");
        NotebookCellText(chart["data"]!["text/html"])
            .Should()
            .StartWith("<div class=\"rnn-chart\"")
            .And.Contain("<svg");
        PlainText(chart).Should().Be("Line chart \"Loss per epoch\": 1 series (loss), 3 points");
    }

    [Fact]
    public async Task Compile_error_in_cell_3_is_recorded_and_later_cells_do_not_run()
    {
        using var dir = new TempDirectory();
        string path = CopyFixture(dir, "compile-error.ipynb");

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeFalse();
        result.FailedCell.Should().Be(3);
        result
            .Message.Should()
            .Be("cell 3: (1,9): error CS0103: The name 'undefinedName' does not exist in the current context");
        var error = Outputs(notebook, "broken").Single()!;
        ((string)error["output_type"]!).Should().Be("error");
        ((string)error["ename"]!).Should().Be("CompilationError");
        ((string)error["evalue"]!).Should().Contain("CS0103");
        var after = notebook.Cells.Single(c => c.Id == "after");
        after.ExecutionCount.Should().BeNull();
        after.Outputs.Should().BeEmpty();
        StreamText(Outputs(notebook, "ok").Single()).Should().Be("cell 2 runs\n");
    }

    [Fact]
    public async Task Runtime_exception_is_an_error_output_with_type_message_and_traceback()
    {
        using var dir = new TempDirectory();
        string path = CopyFixture(dir, "runtime-error.ipynb");

        var (notebook, result) = await RunAsync(path);

        result.FailedCell.Should().Be(2);
        result.Message.Should().Be("cell 2: System.InvalidOperationException: expected 12 parameters, got 13");
        var outputs = Outputs(notebook, "throws");
        StreamText(outputs[0]).Should().Be("about to fail\n");
        var error = outputs[1]!;
        ((string)error["ename"]!).Should().Be("System.InvalidOperationException");
        ((string)error["evalue"]!).Should().Be("expected 12 parameters, got 13");
        var traceback = error["traceback"]!.AsArray().Select(t => (string)t!).ToList();
        traceback[0].Should().Be("System.InvalidOperationException: expected 12 parameters, got 13");
        traceback.Should().Contain(line => line.Contains("Submission#"));
        traceback.Should().NotContain(line => line.Contains("RnnNotebooks.Runner"));
        notebook.Cells.Single(c => c.Id == "after").ExecutionCount.Should().BeNull();
    }

    [Fact]
    public async Task Parameters_are_injected_after_the_parameters_cell_typed_like_the_declarations()
    {
        using var dir = new TempDirectory();
        string path = CopyFixture(dir, "parameters.ipynb");
        KeyValuePair<string, string>[] parameters =
        [
            new("quick", "true"),
            new("epochs", "2"),
            new("lr", "0.01"),
            new("name", "42"),
        ];

        var (notebook, result) = await RunAsync(path, parameters);

        result.Succeeded.Should().BeTrue(result.Message);
        notebook.Cells.Select(c => c.Id).Should().Equal("params", "injected-parameters", "use");
        var injected = notebook.Cells[1];
        injected.Tags.Should().Equal("injected-parameters");
        injected
            .Source.Should()
            .Be("// Parameters injected by rnnbook (-p)\nquick = true;\nepochs = 2;\nlr = 0.01f;\nname = \"42\";\n");
        injected.ExecutionCount.Should().Be(2);
        PlainText(Outputs(notebook, "use").Single()).Should().Be("True 2 0.01 42");

        // Running the executed notebook again replaces the injected cell instead of adding a second one.
        notebook.Save(path);
        var (again, _) = await RunAsync(path, [new("epochs", "7")]);
        again.Cells.Count(c => c.Tags.Contains("injected-parameters")).Should().Be(1);
        PlainText(Outputs(again, "use").Single()).Should().Be("False 7 0.1 full");
    }

    [Fact]
    public async Task A_parameter_value_that_does_not_fit_its_declared_type_fails_on_the_injected_cell()
    {
        using var dir = new TempDirectory();
        string path = CopyFixture(dir, "parameters.ipynb");

        var (notebook, result) = await RunAsync(path, [new("epochs", "many")]);

        result.FailedCell.Should().Be(2);
        result.Message.Should().Contain("parameter epochs is a int in the notebook; the value \"many\" is not a int");
        ((string)Outputs(notebook, "injected-parameters").Single()!["ename"]!).Should().Be("CompilationError");
    }

    [Fact]
    public async Task Parameters_without_a_parameters_cell_are_refused_naming_the_file()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(dir["p.ipynb"], Code("bool quick = false;"), Code("quick"));

        var act = () => RunAsync(path, [new("quick", "true")]);

        (await act.Should().ThrowAsync<NotebookFormatException>())
            .Which.Message.Should()
            .StartWith(path + ": -p quick=… was given, but no code cell is tagged \"parameters\"");
    }

    [Fact]
    public async Task An_unknown_parameter_name_fails_on_the_parameters_cell_saying_what_is_declared()
    {
        using var dir = new TempDirectory();
        string path = CopyFixture(dir, "parameters.ipynb");

        var (notebook, result) = await RunAsync(path, [new("epochs", "2"), new("epoch", "3")]);

        result.FailedCell.Should().Be(1);
        result
            .Message.Should()
            .Be(
                "cell 1: unknown parameter epoch (-p): the notebook declares epochs, lr, name, quick by its \"parameters\" cell"
            );
        notebook.Cells.Should().NotContain(c => c.Tags.Contains("injected-parameters"));
        notebook.Cells.Single(c => c.Id == "use").ExecutionCount.Should().BeNull();
    }

    [Fact]
    public async Task Other_kernels_and_unknown_magics_are_refused_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        var (notebook, result) = await RunAsync(CopyFixture(dir, "fsharp.ipynb"));

        PlainText(Outputs(notebook, "cs").Single()).Should().Be("1"); // #!csharp is accepted
        result.FailedCell.Should().Be(2);
        result
            .Message.Should()
            .Be(
                "cell 2: this is a #!fsharp cell; rnnbook runs C# cells only (open the notebook in VS Code with Polyglot Notebooks for other kernels)"
            );
        ((string)Outputs(notebook, "fs").Single()!["ename"]!).Should().Be("UnsupportedCell");

        string magic = WriteNotebook(dir["magic.ipynb"], Code("#!pwsh\nGet-Date"), Code("1"));
        (await RunAsync(magic)).Result.Message.Should().StartWith("cell 1: this is a #!pwsh cell");
    }

    [Fact]
    public async Task Hash_r_loads_a_dll_relative_to_the_notebook_with_its_dependency_beside_it()
    {
        using var dir = new TempDirectory();
        string unique = Guid.NewGuid().ToString("N")[..8];
        FixtureAssemblies.BuildLibraryWithDependency(Path.Combine(dir.Path, "libs"), unique);
        string path = WriteNotebook(
            dir["notebooks/uses-lib.ipynb"],
            Code($"#r \"../libs/FixtureLib{unique}.dll\""),
            Code($"FixtureLib{unique}.Api.Hello(\"rnn\")"),
            Code($"new FixtureLib{unique}.Thing(\"weights\")")
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        PlainText(notebook.Cells[1].Outputs.Single()).Should().Be("Hello, rnn! (from the dependency)");
        // The fixture declares its own TypeFormatterSourceAttribute: formatters are found by name, as in .NET Interactive.
        var thing = notebook.Cells[2].Outputs.Single()!["data"]!;
        // Its formatter source has text/html only, which is then the only MIME type the kernel shows.
        thing.AsObject().Select(p => p.Key).Should().Equal("text/html");
        NotebookCellText(thing["text/html"]).Should().Be("<b>thing weights</b>");
    }

    [Fact]
    public async Task A_missing_hash_r_dll_says_how_paths_resolve_and_how_to_build_the_library()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(
            dir["notebooks/n.ipynb"],
            Code("#r \"../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll\"")
        );

        var (_, result) = await RunAsync(path);

        result.Message.Should().StartWith("cell 1: (1,1): error CS0006:").And.Contain("RnnNotebooks.dll");
        result.Message.Should().EndWith("build the library with: dotnet build -c Release lib/RnnNotebooks)");
    }

    [Fact]
    public async Task Cancelling_stops_the_running_cell_and_records_the_interruption()
    {
        using var dir = new TempDirectory();
        string started = dir["started"];
        string path = WriteNotebook(
            dir["c.ipynb"],
            Code("1"),
            Code($"System.IO.File.WriteAllText(@\"{started}\", \"\");\nSystem.Threading.Thread.Sleep(3000);"),
            Code("2")
        );
        using var cancel = new CancellationTokenSource();

        var running = RunAsync(path, cancellationToken: cancel.Token);
        while (!File.Exists(started) && !running.IsCompleted)
            await Task.Delay(20);
        cancel.Cancel();
        var (notebook, result) = await running;

        result.Succeeded.Should().BeFalse();
        result.Message.Should().Be("cell 2: interrupted");
        PlainText(notebook.Cells[0].Outputs.Single()).Should().Be("1");
        ((string)notebook.Cells[1].Outputs.Single()!["ename"]!).Should().Be("Interrupted");
        notebook.Cells[2].ExecutionCount.Should().BeNull();
    }

    [Fact]
    public async Task Each_notebook_gets_a_fresh_script_state()
    {
        using var dir = new TempDirectory();
        string first = WriteNotebook(dir["a.ipynb"], Code("var shared = 1;"));
        string second = WriteNotebook(dir["b.ipynb"], Code("shared"));

        (await RunAsync(first)).Result.Succeeded.Should().BeTrue();
        var (_, result) = await RunAsync(second);

        result.Message.Should().Contain("CS0103").And.Contain("'shared'");
    }

    [Fact]
    public async Task Default_imports_unoptimised_code_console_error_and_null_results_are_the_kernels()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(
            dir["k.ipynb"],
            Code(
                "var sb = new StringBuilder(\"a\"); var list = new List<int> { 3, 1, 2 }; Task.CompletedTask.Wait(); list.OrderBy(x => x).ToArray()"
            ),
            Code("Console.Error.Write(\"warn\"); Console.Write(\"out\"); string s = null; s"),
            Code("Console.WriteLine(\"void result\")"),
            Code(
                "var debuggable = (System.Diagnostics.DebuggableAttribute?)Attribute.GetCustomAttribute(System.Reflection.Assembly.GetExecutingAssembly(), typeof(System.Diagnostics.DebuggableAttribute));\n"
                    + "debuggable?.IsJITOptimizerDisabled ?? false"
            ),
            Code("display(\"plain string\"); display(3.5); display(null);")
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        PlainText(notebook.Cells[0].Outputs.Single()).Should().Be("[ 1, 2, 3 ]");
        var second = notebook.Cells[1].Outputs;
        second
            .Select(o => (string?)o!["name"] ?? (string)o["output_type"]!)
            .Should()
            .Equal("stderr", "stdout", "execute_result");
        PlainText(second[2]).Should().Be("<null>");
        notebook.Cells[2].Outputs.Select(o => (string)o!["output_type"]!).Should().Equal("stream");
        // The kernel compiles cells as VS Code and Jupyter do: without optimisations (hot loops belong in the library).
        PlainText(notebook.Cells[3].Outputs.Single()).Should().Be("True");
        var displays = notebook.Cells[4].Outputs;
        displays[0]!["data"]!.AsObject().Select(p => p.Key).Should().Equal("text/plain");
        NotebookCellText(displays[1]!["data"]!["text/html"])
            .Should()
            .StartWith("<div class=\"dni-plaintext\"><pre>3.5</pre></div>");
        PlainText(displays[2]).Should().Be("<null>");
    }

    [Fact]
    public async Task Stdout_written_from_parallel_workers_lands_in_the_running_cell()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(
            dir["par.ipynb"],
            Code(
                "Parallel.For(0, 8, i => Console.WriteLine(\"line\"));\nawait Task.Run(() => Console.WriteLine(\"from task\"));"
            )
        );

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        var text = StreamText(notebook.Cells[0].Outputs.Single());
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(9).And.Contain("from task");
    }

    [Fact]
    public async Task A_cell_over_the_time_limit_fails_the_notebook()
    {
        using var dir = new TempDirectory();
        string path = WriteNotebook(dir["slow.ipynb"], Code("System.Threading.Thread.Sleep(3000);"), Code("1"));

        var (notebook, result) = await RunAsync(path, timeout: TimeSpan.FromMilliseconds(200));

        result.FailedCell.Should().Be(1);
        result.Message.Should().Be("cell 1: cancelled after the time limit of 0.2 s (--timeout-per-cell)");
        ((string)notebook.Cells[0].Outputs.Single()!["ename"]!).Should().Be("Timeout");
        notebook.Cells[1].ExecutionCount.Should().BeNull();
    }

    [Fact]
    public async Task Executing_twice_writes_the_same_bytes()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string path = WriteNotebook(
            dir["notebooks/stable.ipynb"],
            Markdown("# Stable"),
            Code(
                "#r \"../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll\"\nusing RnnNotebooks.Charts;\nusing RnnNotebooks.Tensors;"
            ),
            Code(
                "Console.WriteLine(\"π ≈ 3.14159\");\ndisplay(Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }));\nCharts.Bar([\"a\", \"b\"], [1.0, 2.5])"
            )
        );

        var (first, _) = await RunAsync(path);
        var (second, _) = await RunAsync(path);

        second.ToJson().Should().Be(first.ToJson());
        // Re-running an executed notebook also changes nothing.
        first.Save(path);
        var (third, _) = await RunAsync(path);
        third.ToJson().Should().Be(first.ToJson());
        File.ReadAllText(path).Should().Be(first.ToJson());
    }

    [Fact]
    public async Task Notebooks_without_ids_get_stable_ids_and_nbformat_4_5()
    {
        using var dir = new TempDirectory();
        string path = dir["old.ipynb"];
        File.WriteAllText(
            path,
            """{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["1 + 1"]}, {"cell_type": "markdown", "metadata": {}, "source": "text"}], "metadata": {"custom": {"keep": [1, 2.50]}}, "nbformat": 4, "nbformat_minor": 2}"""
        );

        var (a, _) = await RunAsync(path);
        var (b, _) = await RunAsync(path);

        a.FormatMinor.Should().Be(5);
        a.Cells.Select(c => c.Id).Should().OnlyContain(id => id != null && id.Length == 8);
        a.Cells.Select(c => c.Id).Should().Equal(b.Cells.Select(c => c.Id));
        // Documents holds metadata numbers as doubles: 2.50 is written back as 2.5.
        a.ToJson().Should().Contain("\"keep\": [\n    1,\n    2.5\n   ]");
        PlainText(a.Cells[0].Outputs.Single()).Should().Be("2");
    }
}
