using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace RnnNotebooks.Runner.Ipynb;

/// <summary>
/// A Jupyter notebook (nbformat 4) held as its JSON tree, so that every key the runner does not
/// understand (notebook and cell metadata, attachments, extensions) is written back exactly as it was.
/// </summary>
public sealed class NotebookDocument
{
    private NotebookDocument(JsonObject root, string sourceName, string? path)
    {
        Root = root;
        SourceName = sourceName;
        Path = path;
    }

    /// <summary>The whole notebook JSON.</summary>
    public JsonObject Root { get; }

    /// <summary>How messages name this notebook (the path as given, or a label).</summary>
    public string SourceName { get; }

    /// <summary>Full path of the file it was read from, or null.</summary>
    public string? Path { get; }

    public JsonObject Metadata => (JsonObject)Root["metadata"]!;

    public int FormatMajor => NotebookCell.ToInt(Root["nbformat"]) ?? 0;

    public int FormatMinor => NotebookCell.ToInt(Root["nbformat_minor"]) ?? 0;

    public IReadOnlyList<NotebookCell> Cells
    {
        get
        {
            var array = (JsonArray)Root["cells"]!;
            var cells = new NotebookCell[array.Count];
            for (int i = 0; i < cells.Length; i++)
                cells[i] = new NotebookCell((JsonObject)array[i]!, i + 1);
            return cells;
        }
    }

    public JsonArray CellArray => (JsonArray)Root["cells"]!;

    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="NotebookFormatException">Not JSON, or not an nbformat 4 notebook.</exception>
    public static NotebookDocument Load(string path)
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
    public static NotebookDocument Parse(string json, string sourceName, string? path = null)
    {
        var node = NotebookJson.Parse(json, sourceName);
        if (node is not JsonObject root)
            throw new NotebookFormatException(
                $"{sourceName}: not a notebook: the JSON is {Describe(node)}, not an object with \"cells\", \"metadata\" and \"nbformat\"."
            );
        Validate(root, sourceName);
        return new NotebookDocument(root, sourceName, path);
    }

    /// <summary>The notebook in Jupyter's canonical text form.</summary>
    public string ToJson() => NotebookJson.Serialize(Root);

    /// <summary>Writes the notebook atomically (temporary file, then rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>
    /// Brings the notebook to nbformat 4.5: sets the minor version and gives every cell without one an id.
    /// Generated ids are derived from the cell's position and source, so re-running an unchanged notebook
    /// produces the same bytes.
    /// </summary>
    public void UpgradeToNbformat45()
    {
        if (FormatMinor < 5)
            Root["nbformat_minor"] = 5;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in Cells)
            if (cell.Id is { } id)
                used.Add(id);
        foreach (var cell in Cells)
        {
            if (cell.Id is not null)
                continue;
            string id = StableId(cell.Index, cell.Source);
            for (int n = 1; !used.Add(id); n++)
                id = StableId(cell.Index * 1000 + n, cell.Source);
            cell.Node["id"] = id;
        }
    }

    /// <summary>Inserts a cell at a 0-based position and returns it.</summary>
    public NotebookCell InsertCell(int position, JsonObject cell)
    {
        CellArray.Insert(position, cell);
        return new NotebookCell(cell, position + 1);
    }

    public void RemoveCellAt(int position) => CellArray.RemoveAt(position);

    private static string StableId(int index, string source)
    {
        var hash = SHA256.HashData(
            Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture) + "\n" + source)
        );
        return Convert.ToHexString(hash, 0, 4).ToLowerInvariant();
    }

    private static void Validate(JsonObject root, string name)
    {
        if (NotebookCell.ToInt(root["nbformat"]) is not int major)
            throw new NotebookFormatException(
                $"{name}: not a notebook: no \"nbformat\" number (a Jupyter notebook is a JSON object with \"cells\", \"metadata\", \"nbformat\" and \"nbformat_minor\")."
            );
        if (major != 4)
            throw new NotebookFormatException(
                $"{name}: nbformat {major} is not supported; only nbformat 4 notebooks can be run (convert with: jupyter nbconvert --to notebook --nbformat 4)."
            );
        if (root["cells"] is not JsonArray cells)
            throw new NotebookFormatException($"{name}: not a notebook: no \"cells\" array.");
        if (root["metadata"] is not JsonObject)
            throw new NotebookFormatException($"{name}: not a notebook: no \"metadata\" object.");
        for (int i = 0; i < cells.Count; i++)
        {
            string where = $"{name}, cell {i + 1}";
            if (cells[i] is not JsonObject cell)
                throw new NotebookFormatException(
                    $"{where}: a cell must be a JSON object, found {Describe(cells[i])}."
                );
            if (cell["cell_type"] is not JsonValue type || !type.TryGetValue<string>(out var cellType))
                throw new NotebookFormatException($"{where}: the cell has no \"cell_type\".");
            if (cellType is not ("code" or "markdown" or "raw"))
                throw new NotebookFormatException(
                    $"{where}: unknown cell_type \"{cellType}\" (expected code, markdown or raw)."
                );
            if (!IsSource(cell["source"]))
                throw new NotebookFormatException($"{where}: \"source\" must be a string or an array of strings.");
            if (cell["metadata"] is not null and not JsonObject)
                throw new NotebookFormatException($"{where}: \"metadata\" must be an object.");
            if (cellType == "code" && cell["outputs"] is not null and not JsonArray)
                throw new NotebookFormatException($"{where}: \"outputs\" must be an array.");
        }
    }

    private static bool IsSource(JsonNode? node) =>
        node switch
        {
            JsonValue v => v.TryGetValue<string>(out _),
            JsonArray a => a.All(item => item is JsonValue v && v.TryGetValue<string>(out _)),
            _ => false,
        };

    private static string Describe(JsonNode? node) =>
        node switch
        {
            null => "null",
            JsonArray => "an array",
            JsonObject => "an object",
            JsonValue v when v.TryGetValue<string>(out _) => "a string",
            _ => "a " + node.GetValueKind().ToString().ToLowerInvariant(),
        };
}
