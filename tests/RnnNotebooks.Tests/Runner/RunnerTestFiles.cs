using System.Diagnostics;
using System.Text.Json.Nodes;
using RnnNotebooks.Runner.Execution;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Tests.Runner;

/// <summary>A temporary folder, deleted with everything in it at the end of the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(),
            "rnnbook-tests",
            Guid.NewGuid().ToString("N")[..12]
        );
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}

/// <summary>Fixture notebooks, notebooks written by tests, and running them in-process or through the real exe.</summary>
internal static class RunnerTestFiles
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Notebooks", name);

    /// <summary>Copies a fixture into <paramref name="directory"/> (under <paramref name="subfolder"/>) and returns its path.</summary>
    public static string CopyFixture(TempDirectory directory, string name, string subfolder = "")
    {
        string folder = Path.Combine(directory.Path, subfolder);
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, name);
        File.Copy(Fixture(name), target);
        return target;
    }

    /// <summary>
    /// The workbook's layout in a temp folder: the library DLL (and its dependencies) at
    /// lib/RnnNotebooks/bin/Release/net8.0/, where notebooks/ finds it as ../lib/…
    /// </summary>
    public static void LayOutLibrary(TempDirectory directory)
    {
        string bin = Path.Combine(directory.Path, "lib", "RnnNotebooks", "bin", "Release", "net8.0");
        Directory.CreateDirectory(bin);
        foreach (var dll in new[] { "RnnNotebooks.dll", "System.Numerics.Tensors.dll" })
            File.Copy(Path.Combine(AppContext.BaseDirectory, dll), Path.Combine(bin, dll));
    }

    /// <summary>Writes a C# notebook with the workbook's metadata; cells are (type, source[, tags]).</summary>
    public static string WriteNotebook(string path, params (string Type, string Source, string[]? Tags)[] cells)
    {
        var array = new JsonArray();
        int n = 0;
        foreach (var (type, source, tags) in cells)
        {
            var metadata = new JsonObject();
            if (type == "code")
            {
                metadata["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" };
                metadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" };
            }
            if (tags is not null)
                metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray());
            var cell = new JsonObject
            {
                ["cell_type"] = type,
                ["id"] = $"c{++n}",
                ["metadata"] = metadata,
                ["source"] = NotebookCell.SplitLines(source),
            };
            if (type == "code")
            {
                cell["execution_count"] = null;
                cell["outputs"] = new JsonArray();
            }
            array.Add(cell);
        }
        var root = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = NotebookLinter.KernelSpec(),
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = NotebookLinter.KernelInfo() },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, NotebookJson.Serialize(root));
        return path;
    }

    public static (string, string, string[]?) Code(string source, params string[] tags) =>
        ("code", source, tags.Length == 0 ? null : tags);

    public static (string, string, string[]?) Markdown(string source) => ("markdown", source, null);

    /// <summary>Runs a notebook file in-process (without changing the current directory) and returns it executed.</summary>
    public static async Task<(NotebookDocument Notebook, NotebookRunResult Result)> RunAsync(
        string path,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null,
        TimeSpan? timeout = null
    )
    {
        var notebook = NotebookDocument.Load(path);
        var result = await NotebookExecutor.ExecuteAsync(
            notebook,
            new NotebookRunOptions
            {
                Parameters = parameters ?? [],
                CellTimeout = timeout,
                UseNotebookDirectory = false,
            }
        );
        return (notebook, result);
    }

    /// <summary>Outputs of the cell with the given id.</summary>
    public static JsonArray Outputs(NotebookDocument notebook, string id) =>
        notebook.Cells.Single(c => c.Id == id).Outputs;

    /// <summary>Runs the real rnnbook executable (the runner's build next to the tests) and waits for it.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunExe(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rnnbook.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rnnbook {string.Join(' ', args)} did not finish in 120 s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string PlainText(JsonNode? output) => NotebookCell.JoinText(output?["data"]?["text/plain"]);

    public static string StreamText(JsonNode? output) => NotebookCell.JoinText(output?["text"]);
}
