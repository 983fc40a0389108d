using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RnnNotebooks.Runner.Ipynb;

/// <summary>
/// The metadata every workbook notebook carries so that VS Code (Polyglot Notebooks), Jupyter's .NET
/// kernel and the runner all treat it as C#: kernelspec <c>.net-csharp</c>, <c>polyglot_notebook.kernelInfo</c>
/// with csharp as the default kernel, nbformat 4.5 cell ids, and on every code cell
/// <c>polyglot_notebook.kernelName: csharp</c> and <c>dotnet_interactive.language: csharp</c>.
/// </summary>
public static partial class NotebookLinter
{
    /// <summary>Where notebooks in notebooks/ find the library (built by the runner's build, or dotnet build -c Release).</summary>
    public const string LibraryReference = "../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll";

    public static JsonObject KernelSpec() =>
        new()
        {
            ["display_name"] = ".NET (C#)",
            ["language"] = "C#",
            ["name"] = ".net-csharp",
        };

    public static JsonObject KernelInfo() =>
        new()
        {
            ["defaultKernelName"] = "csharp",
            ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
        };

    /// <summary>Every problem found, each naming where it is; empty when the notebook is fine.</summary>
    public static IReadOnlyList<string> Check(NotebookDocument notebook)
    {
        var problems = new List<string>();
        if (notebook.FormatMinor < 5)
            problems.Add($"nbformat 4.{notebook.FormatMinor}: expected 4.5 (cell ids)");
        if (!JsonNode.DeepEquals(notebook.Metadata["kernelspec"], KernelSpec()))
            problems.Add(
                "metadata.kernelspec: expected {\"display_name\": \".NET (C#)\", \"language\": \"C#\", \"name\": \".net-csharp\"}"
            );
        if (!JsonNode.DeepEquals(notebook.Metadata["polyglot_notebook"]?["kernelInfo"], KernelInfo()))
            problems.Add(
                "metadata.polyglot_notebook.kernelInfo: expected defaultKernelName \"csharp\" and items [{\"aliases\": [], \"name\": \"csharp\"}]"
            );
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in notebook.Cells)
        {
            string where = $"cell {cell.Index}";
            if (cell.Id is not { } id)
                problems.Add($"{where}: no id");
            else if (!ValidId().IsMatch(id))
                problems.Add($"{where}: id \"{id}\" is not 1-64 letters, digits, '-' or '_'");
            else if (!seen.Add(id))
                problems.Add($"{where}: id \"{id}\" is used by an earlier cell");
            if (!cell.IsCode)
                continue;
            if (Text(cell.Node["metadata"]?["polyglot_notebook"]?["kernelName"]) != "csharp")
                problems.Add($"{where}: metadata.polyglot_notebook.kernelName should be \"csharp\"");
            if (Text(cell.Node["metadata"]?["dotnet_interactive"]?["language"]) != "csharp")
                problems.Add($"{where}: metadata.dotnet_interactive.language should be \"csharp\"");
        }
        return problems;
    }

    /// <summary>Repairs what <see cref="Check"/> reports, keeping every other key as it is.</summary>
    public static void Fix(NotebookDocument notebook)
    {
        var metadata = notebook.Metadata;
        metadata["kernelspec"] = KernelSpec();
        if (metadata["polyglot_notebook"] is not JsonObject polyglot)
            metadata["polyglot_notebook"] = polyglot = new JsonObject();
        polyglot["kernelInfo"] = KernelInfo();
        if (metadata["language_info"] is null)
            metadata["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" };

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in notebook.Cells)
        {
            if (cell.Id is { } id && (!ValidId().IsMatch(id) || !seen.Add(id)))
                cell.Node.Remove("id");
            if (cell.IsCode)
            {
                Object(cell.Metadata, "polyglot_notebook")["kernelName"] = "csharp";
                Object(cell.Metadata, "dotnet_interactive")["language"] = "csharp";
            }
        }
        notebook.UpgradeToNbformat45();
    }

    /// <summary>A new workbook notebook: title, set-up cell (#r of the library) and a parameters cell.</summary>
    public static NotebookDocument NewNotebook(string title, string path)
    {
        string reference = LibraryReferenceFrom(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(
                Cell("markdown", $"# {title}\n\nWhat this notebook shows, and which chapter it follows.", id: "title"),
                Cell(
                    "code",
                    $"#r \"{reference}\"\n\nusing RnnNotebooks.Tensors;\nusing RnnNotebooks.Layers;\nusing RnnNotebooks.Models;\nusing RnnNotebooks.Charts;",
                    id: "setup"
                ),
                Cell(
                    "code",
                    "// quick = true: a small slice of the data and few epochs (what CI runs: rnnbook run -p quick=true)\nbool quick = false;",
                    id: "parameters",
                    tags: ["parameters"]
                )
            ),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = KernelSpec(),
                ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = KernelInfo() },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return NotebookDocument.Parse(NotebookJson.Serialize(root), path, Path.GetFullPath(path));
    }

    /// <summary>The library DLL's path relative to a notebook folder (looked up from the repository root).</summary>
    public static string LibraryReferenceFrom(string notebookDirectory)
    {
        for (var dir = new DirectoryInfo(notebookDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "lib", "RnnNotebooks", "RnnNotebooks.csproj")))
            {
                string dll = Path.Combine(
                    dir.FullName,
                    "lib",
                    "RnnNotebooks",
                    "bin",
                    "Release",
                    "net8.0",
                    "RnnNotebooks.dll"
                );
                return Path.GetRelativePath(notebookDirectory, dll).Replace('\\', '/');
            }
        }
        return LibraryReference;
    }

    private static JsonObject Cell(string type, string source, string id, string[]? tags = null)
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
            ["id"] = id,
            ["metadata"] = metadata,
            ["source"] = NotebookCell.SplitLines(source),
        };
        if (type == "code")
        {
            cell["execution_count"] = null;
            cell["outputs"] = new JsonArray();
        }
        return cell;
    }

    private static JsonObject Object(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
            return existing;
        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ValidId();
}
