using System.Text.Json.Nodes;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>
/// Runs when Jupyter (Debian's python3-nbclient) is installed; .ci/run installs it and sets
/// RNN_REQUIRE_JUPYTER=1, which turns a missing Jupyter into a failure instead of a skip.
/// </summary>
public sealed class JupyterFactAttribute : FactAttribute
{
    public JupyterFactAttribute()
    {
        if (!Jupyter.Installed && Environment.GetEnvironmentVariable("RNN_REQUIRE_JUPYTER") != "1")
            Skip =
                "Jupyter is not installed (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel); CI requires it";
    }
}

internal static class Jupyter
{
    public static bool Installed =>
        File.Exists("/usr/bin/python3")
        && RunProcess("/usr/bin/python3", "/", TimeSpan.FromSeconds(60), "-c", "import nbclient, ipykernel").ExitCode
            == 0;
}

[Collection("Runner")]
public class JupyterParityTests
{
    [JupyterFact]
    public void Rnnbook_and_jupyters_dotnet_kernel_record_the_same_outputs_for_a_notebook()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string notebook = CopyFixture(dir, "jupyter-parity.ipynb", "notebooks");

        var (code, stdout, stderr) = RunExe(dir.Path, "run", "notebooks", "--out", "rnnbook", "-p", "epochs=4");
        code.Should().Be(0, stdout + stderr);
        var jupyter = RunProcess(
            "bash",
            dir.Path,
            TimeSpan.FromMinutes(5),
            Path.Combine(RepositoryRoot(), ".ci", "jupyter-run"),
            "-p",
            "epochs=4",
            "--check-loopback",
            "--out",
            "jupyter",
            "notebooks"
        );
        jupyter.ExitCode.Should().Be(0, jupyter.Stdout + jupyter.Stderr);
        jupyter.Stdout.Should().Contain("kernel listens on 127.0.0.1:");

        var ours = Cells(dir["rnnbook/jupyter-parity.ipynb"]);
        var theirs = Cells(dir["jupyter/jupyter-parity.ipynb"]);
        // Jupyter's kernel adds a bootstrap display (a script for the browser front end) to the first cell it runs.
        var bootstrap = theirs["setup"].AsArray();
        bootstrap.Should().ContainSingle();
        NotebookCellText(bootstrap[0]!["data"]!["text/html"]).Should().Contain("<script");
        bootstrap.Clear();
        // rnnbook sets -p in an injected cell after the parameters cell; jupyter-run in the parameters cell itself.
        ours.Remove("injected-parameters").Should().BeTrue();

        ours.Keys.Should().Equal(theirs.Keys);
        foreach (var (id, outputs) in ours)
            Normalise(outputs).Should().Be(Normalise(theirs[id]), $"cell {id} should have the same outputs");
        PlainText(ours["progress"][0]).Should().Be("done");
        PlainText(ours["later"][0]).Should().Be("shown first");
        StreamText(ours["print"][0]).Should().Be("quick=False, epochs=4\nπ ≈ 3.14159\n");
        File.ReadAllText(notebook).Should().Be(File.ReadAllText(Fixture("jupyter-parity.ipynb")));
    }

    private static Dictionary<string, JsonArray> Cells(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        return root["cells"]!
            .AsArray()
            .Where(c => (string)c!["cell_type"]! == "code")
            .ToDictionary(c => (string)c!["id"]!, c => c!["outputs"]!.AsArray());
    }

    /// <summary>The outputs without execution counts (rnnbook's injected cell shifts them by one) as canonical JSON.</summary>
    private static string Normalise(JsonArray outputs)
    {
        var copy = JsonNode.Parse(outputs.ToJsonString())!.AsArray();
        foreach (var o in copy)
        {
            o!.AsObject().Remove("execution_count");
            if (o["data"] is JsonObject data)
                foreach (var key in data.Select(p => p.Key).ToList())
                    data[key] = NotebookCellText(data[key]);
            if (o["text"] is { } text)
                o["text"] = NotebookCellText(text);
        }
        return RnnNotebooks.Runner.Ipynb.NotebookJson.Serialize(copy);
    }
}
