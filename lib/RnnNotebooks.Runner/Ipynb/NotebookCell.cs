using System.Text;
using System.Text.Json.Nodes;

namespace RnnNotebooks.Runner.Ipynb;

/// <summary>A view on one cell of a <see cref="NotebookDocument"/>; edits go straight to the JSON.</summary>
public sealed class NotebookCell
{
    internal NotebookCell(JsonObject node, int index)
    {
        Node = node;
        Index = index;
    }

    public JsonObject Node { get; }

    /// <summary>1-based position in the notebook, counting every cell (markdown included).</summary>
    public int Index { get; }

    public string CellType => Node["cell_type"]!.GetValue<string>();

    public bool IsCode => CellType == "code";

    public string? Id => Node["id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The metadata object (created empty when the cell has none).</summary>
    public JsonObject Metadata
    {
        get
        {
            if (Node["metadata"] is JsonObject m)
                return m;
            var created = new JsonObject();
            Node["metadata"] = created;
            return created;
        }
    }

    public IReadOnlyList<string> Tags =>
        Node["metadata"]?["tags"] is JsonArray tags
            ? tags.OfType<JsonValue>().Select(t => t.TryGetValue<string>(out var s) ? s : "").ToArray()
            : [];

    /// <summary>The cell text; a list of lines is joined. Setting it stores the list-of-lines form Jupyter writes.</summary>
    public string Source
    {
        get => JoinText(Node["source"]);
        set => Node["source"] = SplitLines(value);
    }

    /// <summary>Resets a code cell to "not run": no outputs, no execution count.</summary>
    public void ClearOutputs()
    {
        Node["outputs"] = new JsonArray();
        Node["execution_count"] = null;
    }

    public int? ExecutionCount
    {
        get => ToInt(Node["execution_count"]);
        set => Node["execution_count"] = value is int n ? JsonValue.Create(n) : null;
    }

    public JsonArray Outputs
    {
        get
        {
            if (Node["outputs"] is JsonArray a)
                return a;
            var created = new JsonArray();
            Node["outputs"] = created;
            return created;
        }
    }

    /// <summary>An integral JSON number as int (whether read from text or set in code), else null.</summary>
    public static int? ToInt(JsonNode? node)
    {
        if (node is not JsonValue v)
            return null;
        if (v.TryGetValue<int>(out var i))
            return i;
        if (
            v.TryGetValue<System.Text.Json.JsonElement>(out var e)
            && e.ValueKind == System.Text.Json.JsonValueKind.Number
            && e.TryGetInt32(out var n)
        )
            return n;
        return null;
    }

    /// <summary>Text stored as a string or as a list of line strings, joined.</summary>
    public static string JoinText(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue<string>(out var s):
                return s;
            case JsonArray a:
                var sb = new StringBuilder();
                foreach (var item in a)
                    if (item is JsonValue line && line.TryGetValue<string>(out var text))
                        sb.Append(text);
                return sb.ToString();
            default:
                return "";
        }
    }

    /// <summary>Jupyter's multi-line string form: one array item per line, each keeping its "\n".</summary>
    public static JsonArray SplitLines(string text)
    {
        var array = new JsonArray();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                array.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < text.Length)
            array.Add(text[start..]);
        return array;
    }
}
