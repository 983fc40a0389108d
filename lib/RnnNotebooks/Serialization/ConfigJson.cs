using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace RnnNotebooks.Serialization;

/// <summary>
/// Converts layer and optimizer configs (<c>GetConfig()</c> dictionaries) to and from JSON.
/// Written: null, bool, string, integers, float (shortest round-trip form), double, dictionaries with
/// string keys, and any other sequence as an array. Read back: JSON objects as
/// <c>Dictionary&lt;string, object?&gt;</c>, arrays as <c>object?[]</c>, integral numbers as int
/// (long / ulong when larger), other numbers as double, true/false as bool.
/// So a float config value such as a dropout rate of 0.2 comes back as the double 0.2 and an integer
/// valued float (0.0) as the int 0: factories should read numbers with Convert.ToSingle / ToInt32.
/// </summary>
public static class ConfigJson
{
    public static void WriteValue(Utf8JsonWriter writer, object? value, string where)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case ulong ul:
                writer.WriteNumberValue(ul);
                break;
            case short or ushort or byte or sbyte or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case float f:
                if (!float.IsFinite(f))
                    throw new ArgumentException($"{where}: cannot save the non-finite number {f} as JSON.");
                writer.WriteNumberValue(f);
                break;
            case double d:
                if (!double.IsFinite(d))
                    throw new ArgumentException($"{where}: cannot save the non-finite number {d} as JSON.");
                writer.WriteNumberValue(d);
                break;
            case Enum e:
                writer.WriteStringValue(e.ToString());
                break;
            case IReadOnlyDictionary<string, object?> dict:
                writer.WriteStartObject();
                foreach (var (key, item) in dict)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item, $"{where}.{key}");
                }
                writer.WriteEndObject();
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                int index = 0;
                foreach (var item in sequence)
                    WriteValue(writer, item, $"{where}[{index++}]");
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException(
                    $"{where}: cannot save a config value of type {value.GetType().Name} as JSON "
                        + "(configs hold numbers, strings, booleans, null, arrays and dictionaries)."
                );
        }
    }

    public static object? ReadValue(JsonElement element) =>
        element.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => element.GetString(),
            // Each branch boxed on its own: a bare ?: chain would widen every number to double.
            JsonValueKind.Number => element.TryGetInt32(out int i) ? (object)i
            : element.TryGetInt64(out long l) ? (object)l
            : element.TryGetUInt64(out ulong ul) ? (object)ul
            : element.GetDouble(),
            JsonValueKind.Array => element.EnumerateArray().Select(ReadValue).ToArray(),
            JsonValueKind.Object => ReadObject(element),
            _ => throw new JsonException($"Unexpected JSON value kind {element.ValueKind}."),
        };

    public static Dictionary<string, object?> ReadObject(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new JsonException($"Expected a JSON object, got {element.ValueKind}.");
        var dict = new Dictionary<string, object?>();
        foreach (var property in element.EnumerateObject())
            dict[property.Name] = ReadValue(property.Value);
        return dict;
    }
}
