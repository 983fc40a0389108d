using RnnNotebooks.Runner.Ipynb;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>The real rnnbook executable, as CI and readers run it.</summary>
[Collection("Runner")]
public class RunnerExeTests
{
    [Fact]
    public void Runs_a_folder_of_notebooks_each_in_a_fresh_state_and_writes_copies_byte_stably()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string first = CopyFixture(dir, "00-hello.ipynb", "notebooks");
        File.Copy(first, dir["notebooks/01-hello-again.ipynb"]);
        string original = File.ReadAllText(first);

        var (code, stdout, stderr) = RunExe(dir.Path, "run", "notebooks", "--out", "out1", "-p", "quick=true");
        var (again, _, _) = RunExe(dir.Path, "run", "notebooks", "--out", "out2", "-p", "quick=true");

        code.Should().Be(0, stderr);
        again.Should().Be(0);
        stdout.Should().MatchRegex(@"passed  notebooks/00-hello\.ipynb  \d+\.\d s  -> out1/00-hello\.ipynb");
        stdout
            .TrimEnd()
            .Split('\n')[^1]
            .Should()
            .MatchRegex(
                @"^rnnbook: 2 notebooks run, 2 passed, 0 failed \(00-hello\.ipynb \d+\.\d s, 01-hello-again\.ipynb \d+\.\d s\)$"
            );
        File.ReadAllText(first).Should().Be(original, "--out never touches the originals");
        foreach (var name in new[] { "00-hello.ipynb", "01-hello-again.ipynb" })
        {
            string executed = File.ReadAllText(dir[$"out1/{name}"]);
            executed.Should().Be(File.ReadAllText(dir[$"out2/{name}"]), "identical runs write identical bytes");
            // Each notebook loads its own copy of the library: layer names restart at dense_1 as in a new kernel.
            executed.Should().Contain("dense_1 (Dense)").And.Contain("quick=True, epochs=3");
        }
    }

    [Fact]
    public void A_failing_notebook_exits_non_zero_names_the_cell_and_is_written_with_its_error()
    {
        using var dir = new TempDirectory();
        string path = CopyFixture(dir, "compile-error.ipynb");
        string original = File.ReadAllText(path);

        var (code, stdout, stderr) = RunExe(dir.Path, "run", "compile-error.ipynb", "--out", "executed");

        code.Should().Be(1);
        stderr
            .Should()
            .Contain(
                "compile-error.ipynb, cell 3: (1,9): error CS0103: The name 'undefinedName' does not exist in the current context"
            );
        stdout.Should().Contain("rnnbook: 1 notebook run, 0 passed, 1 failed");
        File.ReadAllText(path).Should().Be(original);
        var executed = NotebookDocument.Load(dir["executed/compile-error.ipynb"]);
        ((string)executed.Cells[2].Outputs.Single()!["ename"]!).Should().Be("CompilationError");
        Directory.GetFiles(dir["executed"]).Should().ContainSingle("no temporary file is left behind");
    }

    [Fact]
    public void Notebooks_run_in_their_own_folder_so_relative_paths_work_as_in_vs_code()
    {
        using var dir = new TempDirectory();
        WriteNotebook(dir["notebooks/relative.ipynb"], Code("System.IO.File.Exists(\"data.txt\")"));
        File.WriteAllText(dir["notebooks/data.txt"], "rows");

        var (code, _, stderr) = RunExe(dir.Path, "run", "notebooks/relative.ipynb", "--in-place");

        code.Should().Be(0, stderr);
        PlainText(NotebookDocument.Load(dir["notebooks/relative.ipynb"]).Cells[0].Outputs.Single()).Should().Be("True");
    }

    [Fact]
    public void Malformed_json_and_non_notebooks_are_clear_errors()
    {
        using var dir = new TempDirectory();
        CopyFixture(dir, "malformed.ipynb");
        CopyFixture(dir, "not-a-notebook.ipynb");
        CopyFixture(dir, "nbformat3.ipynb");

        var (code, _, stderr) = RunExe(dir.Path, "run", "malformed.ipynb", "not-a-notebook.ipynb", "nbformat3.ipynb");

        code.Should().Be(1);
        stderr.Should().Contain("malformed.ipynb, malformed JSON at line 3, column 24:");
        stderr.Should().Contain("not-a-notebook.ipynb, not a notebook: no \"nbformat\" number");
        stderr.Should().Contain("nbformat3.ipynb, nbformat 3 is not supported");
    }
}
