using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;

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
    public static IReadOnlyList<string> Check(NotebookFile notebook)
    {
        var problems = new List<string>();
        var metadata = notebook.Document.Metadata;
        if (notebook.FormatMinor < 5)
            problems.Add($"nbformat 4.{notebook.FormatMinor}: expected 4.5 (cell ids)");
        if (!SameJson(NotebookFile.Lookup(metadata, "kernelspec"), KernelSpec()))
            problems.Add(
                "metadata.kernelspec: expected {\"display_name\": \".NET (C#)\", \"language\": \"C#\", \"name\": \".net-csharp\"}"
            );
        if (!SameJson(NotebookFile.Lookup(metadata, "polyglot_notebook", "kernelInfo"), KernelInfo()))
            problems.Add(
                "metadata.polyglot_notebook.kernelInfo: expected defaultKernelName \"csharp\" and items [{\"aliases\": [], \"name\": \"csharp\"}]"
            );
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < notebook.Elements.Count; i++)
        {
            var cell = notebook.Elements[i];
            string where = $"cell {i + 1}";
            if (cell.Id is not { } id)
                problems.Add($"{where}: no id");
            else if (!ValidId().IsMatch(id))
                problems.Add($"{where}: id \"{id}\" is not 1-64 letters, digits, '-' or '_'");
            else if (!seen.Add(id))
                problems.Add($"{where}: id \"{id}\" is used by an earlier cell");
            if (!NotebookFile.IsCode(cell))
                continue;
            if (NotebookFile.Lookup(cell.Metadata, "polyglot_notebook", "kernelName") as string != "csharp")
                problems.Add($"{where}: metadata.polyglot_notebook.kernelName should be \"csharp\"");
            if (NotebookFile.Lookup(cell.Metadata, "dotnet_interactive", "language") as string != "csharp")
                problems.Add($"{where}: metadata.dotnet_interactive.language should be \"csharp\"");
        }
        return problems;
    }

    /// <summary>Repairs what <see cref="Check"/> reports, keeping every other key as it is.</summary>
    public static void Fix(NotebookFile notebook)
    {
        var metadata = notebook.Document.Metadata;
        metadata["kernelspec"] = NotebookFile.Dictionary(KernelSpec());
        if (!metadata.TryGetValue("polyglot_notebook", out var p) || p is not IDictionary<string, object> polyglot)
            metadata["polyglot_notebook"] = polyglot = new Dictionary<string, object>();
        polyglot["kernelInfo"] = NotebookFile.Dictionary(KernelInfo());
        if (!metadata.ContainsKey("language_info"))
            metadata["language_info"] = new Dictionary<string, object> { ["name"] = "polyglot-notebook" };

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in notebook.Elements)
        {
            if (cell.Id is { } id && (!ValidId().IsMatch(id) || !seen.Add(id)))
                cell.Id = null;
            if (NotebookFile.IsCode(cell))
            {
                // Documents writes both kernel keys of a code cell from its kernel name.
                cell.KernelName = "csharp";
                cell.Metadata ??= new Dictionary<string, object>();
            }
        }
        notebook.EnsureIds();
    }

    /// <summary>A new workbook notebook: title, set-up cell (#r of the library) and a parameters cell.</summary>
    public static NotebookFile NewNotebook(string title, string path)
    {
        string reference = LibraryReferenceFrom(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var document = new InteractiveDocument
        {
            new InteractiveDocumentElement(
                $"# {title}\n\nWhat this notebook shows, and which chapter it follows.",
                NotebookFile.MarkdownKernel
            )
            {
                Id = "title",
            },
            new InteractiveDocumentElement(
                $"#r \"{reference}\"\n\nusing RnnNotebooks.Tensors;\nusing RnnNotebooks.Layers;\nusing RnnNotebooks.Models;\nusing RnnNotebooks.Charts;",
                NotebookFile.CSharp
            )
            {
                Id = "setup",
            },
            new InteractiveDocumentElement(
                "// quick = true: a small slice of the data and few epochs (what CI runs: rnnbook run -p quick=true)\nbool quick = false;",
                NotebookFile.CSharp
            )
            {
                Id = "parameters",
                Metadata = new Dictionary<string, object> { ["tags"] = new object[] { "parameters" } },
            },
        };
        document.Metadata["kernelspec"] = NotebookFile.Dictionary(KernelSpec());
        document.Metadata["language_info"] = new Dictionary<string, object> { ["name"] = "polyglot-notebook" };
        document.Metadata["polyglot_notebook"] = new Dictionary<string, object>
        {
            ["kernelInfo"] = NotebookFile.Dictionary(KernelInfo()),
        };
        return NotebookFile.Create(document, path);
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

    /// <summary>Does a metadata value (as Documents holds it) equal the JSON?</summary>
    private static bool SameJson(object? value, JsonNode expected) =>
        value is not null
        && NotebookJson.Serialize(JsonSerializer.SerializeToNode(value)!) == NotebookJson.Serialize(expected);

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ValidId();
}
