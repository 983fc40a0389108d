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

    /// <summary>
    /// Runs a notebook file in-process (in a new kernel, with the notebook's folder as current directory) and
    /// returns it executed, as the JSON rnnbook writes.
    /// </summary>
    public static async Task<(NotebookDocument Notebook, NotebookRunResult Result)> RunAsync(
        string path,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default
    )
    {
        var notebook = NotebookFile.Load(path);
        var result = await NotebookExecutor.ExecuteAsync(
            notebook,
            new NotebookRunOptions { Parameters = parameters ?? [], CellTimeout = timeout },
            cancellationToken
        );
        return (NotebookDocument.Parse(notebook.ToJson(), path, Path.GetFullPath(path)), result);
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

    /// <summary>
    /// The text a value shows: its text/plain, or, for values the kernel formats as HTML only (numbers, bools,
    /// arrays: the kernel's default MIME type in notebooks is text/html), the text inside its dni-plaintext block.
    /// </summary>
    public static string PlainText(JsonNode? output)
    {
        if (output?["data"]?["text/plain"] is { } plain)
            return NotebookCell.JoinText(plain);
        string html = NotebookCell.JoinText(output?["data"]?["text/html"]);
        var match = System.Text.RegularExpressions.Regex.Match(
            html,
            "^<div class=\"dni-plaintext\"><pre>(.*?)</pre></div>",
            System.Text.RegularExpressions.RegexOptions.Singleline
        );
        return match.Success ? System.Net.WebUtility.HtmlDecode(match.Groups[1].Value) : "";
    }

    public static string NotebookCellText(JsonNode? node) => NotebookCell.JoinText(node);

    /// <summary>The repository's root (the folder with RnnNotebooks.sln), found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnNotebooks.sln")))
                return dir.FullName;
        throw new InvalidOperationException("RnnNotebooks.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a program and waits for it (stdout and stderr captured).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunProcess(
        string program,
        string workingDirectory,
        TimeSpan limit,
        params string[] args
    )
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {limit.TotalSeconds} s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string StreamText(JsonNode? output) => NotebookCell.JoinText(output?["text"]);
}
