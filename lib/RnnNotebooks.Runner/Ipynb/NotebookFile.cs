using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace RnnNotebooks.Runner.Ipynb;

/// <summary>
/// A notebook file read and written through .NET Interactive's own notebook model
/// (<see cref="InteractiveDocument"/>, Microsoft.DotNet.Interactive.Documents), the one VS Code's Polyglot
/// Notebooks uses. Reading first checks the file's structure so that bad input gets a message naming the
/// file and cell; writing passes Documents' Jupyter JSON through <see cref="NotebookJson"/>, so the bytes
/// are Jupyter's canonical layout (sorted keys, one-space indent, UTF-8, final newline) as nbformat writes
/// them, and an executed notebook is byte-stable.
/// </summary>
public sealed class NotebookFile
{
    public const string CSharp = "csharp";
    public const string MarkdownKernel = "markdown";

    /// <summary>The kernels rnnbook knows by name: C# runs; the others are refused with a clear message.</summary>
    public static KernelInfoCollection KernelInfos() =>
        new()
        {
            new KernelInfo(CSharp, "C#", ["c#", "C#", "cs"]),
            new KernelInfo("fsharp", "F#", ["f#", "F#", "fs"]),
            new KernelInfo("pwsh", "PowerShell", ["powershell"]),
        };

    private NotebookFile(InteractiveDocument document, string sourceName, string? path, int formatMinor)
    {
        Document = document;
        SourceName = sourceName;
        Path = path;
        FormatMinor = formatMinor;
    }

    public InteractiveDocument Document { get; }

    public IList<InteractiveDocumentElement> Elements => Document.Elements;

    /// <summary>How messages name this notebook (the path as given, or a label).</summary>
    public string SourceName { get; }

    /// <summary>Full path of the file it was read from, or null.</summary>
    public string? Path { get; }

    /// <summary>nbformat_minor as read (the notebook is always written as 4.5).</summary>
    public int FormatMinor { get; private set; }

    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="NotebookFormatException">Not JSON, not an nbformat 4 notebook, or a cell rnnbook cannot keep.</exception>
    public static NotebookFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NotebookFormatException($"{path}: cannot read the file: {e.Message}", e);
        }
        return Parse(text, path, System.IO.Path.GetFullPath(path));
    }

    /// <summary>Parses notebook JSON; <paramref name="sourceName"/> names it in errors.</summary>
    public static NotebookFile Parse(string json, string sourceName, string? path = null)
    {
        // The structure is checked on the JSON first: Documents' reader accepts almost anything silently.
        var checkedJson = NotebookDocument.Parse(json, sourceName, path);
        foreach (var cell in checkedJson.Cells)
            if (cell.CellType == "raw")
                throw new NotebookFormatException(
                    $"{sourceName}, cell {cell.Index}: a raw cell; .NET Interactive notebooks have code and markdown cells only (make it a markdown cell)."
                );
        InteractiveDocument document;
        try
        {
            document = Notebook.Parse(json, KernelInfos());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new NotebookFormatException(
                $"{sourceName}: not a notebook .NET Interactive can read: {e.Message}",
                e
            );
        }
        return new NotebookFile(document, sourceName, path, checkedJson.FormatMinor);
    }

    /// <summary>A new notebook around <paramref name="document"/> (ids are given where missing).</summary>
    public static NotebookFile Create(InteractiveDocument document, string path)
    {
        var notebook = new NotebookFile(document, path, System.IO.Path.GetFullPath(path), 5);
        notebook.EnsureIds();
        return notebook;
    }

    /// <summary>
    /// Gives every cell without an id one (nbformat 4.5). Generated ids are derived from the cell's position and
    /// source, so re-running an unchanged notebook produces the same bytes.
    /// </summary>
    public void EnsureIds()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in Elements)
            if (element.Id is { } id)
                used.Add(id);
        for (int i = 0; i < Elements.Count; i++)
        {
            var element = Elements[i];
            if (element.Id is not null)
                continue;
            string id = StableId(i + 1, element.Contents);
            for (int n = 1; !used.Add(id); n++)
                id = StableId((i + 1) * 1000 + n, element.Contents);
            element.Id = id;
        }
        FormatMinor = 5;
    }

    /// <summary>The notebook in Jupyter's canonical text form (nbformat 4.5).</summary>
    public string ToJson()
    {
        EnsureIds();
        string json = Document.ToJupyterJson();
        return NotebookJson.Serialize(NotebookJson.Parse(json, SourceName));
    }

    /// <summary>Writes the notebook atomically (temporary file, then rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>The notebook's default kernel: metadata.polyglot_notebook.kernelInfo, else the kernelspec's language.</summary>
    public string DefaultKernel
    {
        get
        {
            if (
                Lookup(Document.Metadata, "polyglot_notebook", "kernelInfo", "defaultKernelName") is string name
                && name.Length > 0
            )
                return name;
            if (Lookup(Document.Metadata, "kernelspec", "language") is string language)
                return language switch
                {
                    "C#" => CSharp,
                    "F#" => "fsharp",
                    "PowerShell" => "pwsh",
                    _ => language,
                };
            return CSharp;
        }
    }

    public static bool IsCode(InteractiveDocumentElement element) => element.KernelName != MarkdownKernel;

    public static IReadOnlyList<string> Tags(InteractiveDocumentElement element) =>
        element.Metadata?.TryGetValue("tags", out var tags) == true && tags is IEnumerable<object> list
            ? list.OfType<string>().ToArray()
            : [];

    /// <summary>A value inside nested metadata dictionaries, or null.</summary>
    public static object? Lookup(IDictionary<string, object>? metadata, params string[] keys)
    {
        object? current = metadata;
        foreach (var key in keys)
        {
            if (current is not IDictionary<string, object> dictionary || !dictionary.TryGetValue(key, out current))
                return null;
        }
        return current;
    }

    private static string StableId(int index, string source)
    {
        var hash = SHA256.HashData(
            Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture) + "\n" + source)
        );
        return Convert.ToHexString(hash, 0, 4).ToLowerInvariant();
    }

    /// <summary>Metadata dictionaries as Documents holds them, from JSON.</summary>
    public static IDictionary<string, object> Dictionary(JsonObject json) =>
        (IDictionary<string, object>)FromJson(json)!;

    private static object? FromJson(JsonNode? node) =>
        node switch
        {
            null => null,
            JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value)!),
            JsonArray a => a.Select(FromJson).ToArray(),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            JsonValue v => v.GetValue<double>(),
            _ => throw new ArgumentException($"Unexpected JSON node {node}."),
        };
}
