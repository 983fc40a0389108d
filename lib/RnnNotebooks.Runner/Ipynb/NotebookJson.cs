using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnNotebooks.Runner.Ipynb;

/// <summary>
/// Reads and writes notebook JSON byte for byte as Jupyter's nbformat writes it:
/// <c>json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": ")) + "\n"</c>.
/// Keys are sorted ordinally, non-ASCII text is written as UTF-8, only quote, backslash and control
/// characters are escaped, and numbers keep the exact text they were read with, so a notebook already in
/// that form reads and writes back unchanged.
/// </summary>
public static class NotebookJson
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    /// <summary>Parses JSON text; <paramref name="sourceName"/> names the file in the error.</summary>
    /// <exception cref="NotebookFormatException">The text is not well-formed JSON.</exception>
    public static JsonNode Parse(string text, string sourceName)
    {
        try
        {
            return JsonNode.Parse(text, nodeOptions: null, documentOptions: ReadOptions)
                ?? throw new NotebookFormatException($"{sourceName}: not a notebook: the file holds JSON null.");
        }
        catch (JsonException e)
        {
            long line = (e.LineNumber ?? 0) + 1;
            long column = (e.BytePositionInLine ?? 0) + 1;
            string reason = e.Message;
            int cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
            if (cut > 0)
                reason = reason[..cut];
            throw new NotebookFormatException(
                $"{sourceName}: malformed JSON at line {line}, column {column}: {reason}",
                e
            );
        }
    }

    /// <summary>The canonical text of <paramref name="node"/>, ending with a newline.</summary>
    public static string Serialize(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node, 0);
        sb.Append('\n');
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                WriteObject(sb, obj, depth);
                break;
            case JsonArray array:
                WriteArray(sb, array, depth);
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
            default:
                throw new InvalidOperationException($"Unexpected JSON node {node.GetType().Name}.");
        }
    }

    private static void WriteObject(StringBuilder sb, JsonObject obj, int depth)
    {
        if (obj.Count == 0)
        {
            sb.Append("{}");
            return;
        }
        var keys = new List<string>(obj.Count);
        foreach (var pair in obj)
            keys.Add(pair.Key);
        keys.Sort(StringComparer.Ordinal);
        sb.Append("{\n");
        for (int i = 0; i < keys.Count; i++)
        {
            Indent(sb, depth + 1);
            WriteString(sb, keys[i]);
            sb.Append(": ");
            Write(sb, obj[keys[i]], depth + 1);
            if (i < keys.Count - 1)
                sb.Append(',');
            sb.Append('\n');
        }
        Indent(sb, depth);
        sb.Append('}');
    }

    private static void WriteArray(StringBuilder sb, JsonArray array, int depth)
    {
        if (array.Count == 0)
        {
            sb.Append("[]");
            return;
        }
        sb.Append("[\n");
        for (int i = 0; i < array.Count; i++)
        {
            Indent(sb, depth + 1);
            Write(sb, array[i], depth + 1);
            if (i < array.Count - 1)
                sb.Append(',');
            sb.Append('\n');
        }
        Indent(sb, depth);
        sb.Append(']');
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    WriteString(sb, element.GetString()!);
                    return;
                case JsonValueKind.Number:
                    sb.Append(element.GetRawText());
                    return;
                case JsonValueKind.True:
                    sb.Append("true");
                    return;
                case JsonValueKind.False:
                    sb.Append("false");
                    return;
                case JsonValueKind.Null:
                    sb.Append("null");
                    return;
            }
        }
        if (value.TryGetValue<string>(out var s))
            WriteString(sb, s);
        else if (value.TryGetValue<bool>(out var b))
            sb.Append(b ? "true" : "false");
        else if (value.TryGetValue<int>(out var i))
            sb.Append(i.ToString(CultureInfo.InvariantCulture));
        else if (value.TryGetValue<long>(out var l))
            sb.Append(l.ToString(CultureInfo.InvariantCulture));
        else if (value.TryGetValue<double>(out var d))
            sb.Append(PythonFloat(d));
        else
            throw new InvalidOperationException($"Cannot write JSON value {value}.");
    }

    /// <summary>Python's repr of a float: shortest round trip, always with a '.' or an exponent.</summary>
    private static string PythonFloat(double d)
    {
        if (double.IsNaN(d))
            return "NaN";
        if (double.IsInfinity(d))
            return d > 0 ? "Infinity" : "-Infinity";
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E'))
        {
            // .NET: 1E-05, 1E+20; Python: 1e-05, 1e+20.
            int e = r.IndexOf('E');
            string mantissa = r[..e];
            int exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            return $"{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        return r.Contains('.') ? r : r + ".0";
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                default:
                    if (c < 0x20)
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    private static void Indent(StringBuilder sb, int depth) => sb.Append(' ', depth);
}
