using System.Buffers.Binary;
using System.Text.Json;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Serialization;

/// <summary>A safetensors file that cannot be read or written; the message names the file and, where it applies, the tensor.</summary>
public sealed class SafeTensorsException : IOException
{
    public SafeTensorsException(string path, string problem, Exception? inner = null)
        : base($"Safetensors file '{path}': {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>The message without the file name.</summary>
    public string Problem { get; }
}

/// <summary>
/// The safetensors format (Hugging Face), read and written without any package:
/// <list type="number">
/// <item>8 bytes: N, the header length, unsigned little-endian;</item>
/// <item>N bytes: a UTF-8 JSON object <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …}</c>
/// with an optional <c>"__metadata__"</c> object of string values (padded with spaces to a multiple of 8);</item>
/// <item>the data: each tensor's values row-major, little-endian, at [begin, end) counted from the end of the header.</item>
/// </list>
/// Reading checks what the reference implementation checks: the header is a JSON object, each
/// tensor's byte range matches its dtype and shape, ranges do not overlap, leave no gap and cover
/// the data exactly. F32 is written; F32, F64, F16 and BF16 are read (converted to float32).
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>The metadata key the format reserves.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The reference implementation refuses larger headers; so do we (a corrupt length is caught early).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, Tensor> _tensors;

    private SafeTensorsFile(
        string path,
        Dictionary<string, Tensor> tensors,
        IReadOnlyList<string> names,
        IReadOnlyDictionary<string, string> metadata
    )
    {
        FilePath = path;
        _tensors = tensors;
        Names = names;
        Metadata = metadata;
    }

    public string FilePath { get; }

    /// <summary>The tensor names in the order their data lies in the file.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The named tensor (a fresh copy).</summary>
    public Tensor this[string name] =>
        _tensors.TryGetValue(name, out var tensor)
            ? tensor.Clone()
            : throw new SafeTensorsException(
                FilePath,
                $"has no tensor '{name}' (it has {(Names.Count == 0 ? "none" : string.Join(", ", Names))})"
            );

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order) as F32, with optional string metadata,
    /// to a temporary file beside <paramref name="path"/> that then replaces it, so a failed write
    /// never leaves half a file.
    /// </summary>
    public static void Write(
        string path,
        IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey)
                throw new SafeTensorsException(path, $"cannot name a tensor '{name}'");
            if (!seen.Add(name))
                throw new SafeTensorsException(path, $"has two tensors named '{name}'");
            ArgumentNullException.ThrowIfNull(tensor, name);
        }
        ModelFile.WriteAtomically(path, Encode(tensors, metadata));
    }

    /// <summary>The file's bytes, for <see cref="Write"/>.</summary>
    private static byte[] Encode(
        IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata
    )
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int dim in tensor.Shape)
                    writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                offset += 4L * tensor.Size;
                writer.WriteNumberValue(offset);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        // The header is padded with spaces so that the data starts 8-byte aligned, as the reference writer does.
        int headerLength = (int)((json.Length + 7) / 8 * 8);
        long dataLength = tensors.Sum(t => 4L * t.Value.Size);
        var bytes = new byte[checked(8 + headerLength + dataLength)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerLength);
        json.GetBuffer().AsSpan(0, (int)json.Length).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + (int)json.Length, headerLength - (int)json.Length).Fill((byte)' ');
        int position = 8 + headerLength;
        foreach (var (_, tensor) in tensors)
        {
            foreach (float value in tensor.Data)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(position), value);
                position += 4;
            }
        }
        return bytes;
    }

    /// <summary>Reads and validates a whole safetensors file.</summary>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        return Decode(path, File.ReadAllBytes(path));
    }

    private sealed record Entry(string Name, string DType, int[] Shape, long Begin, long End);

    private static SafeTensorsFile Decode(string path, byte[] bytes)
    {
        if (bytes.Length < 8)
            throw new SafeTensorsException(
                path,
                $"is {bytes.Length} bytes long, too short for the 8-byte header length"
            );
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw new SafeTensorsException(
                path,
                $"declares a {headerLength}-byte header but the file has {bytes.Length - 8} bytes after the length (truncated, or not a safetensors file)"
            );
        var headerBytes = bytes.AsMemory(8, (int)headerLength);
        if (headerLength == 0 || headerBytes.Span[0] != (byte)'{')
            throw new SafeTensorsException(path, "has a header that is not a JSON object (not a safetensors file?)");

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            foreach (var property in header.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(ReadEntry(path, property.Name, property.Value));
            }
        }
        catch (JsonException e)
        {
            throw new SafeTensorsException(path, $"has a header that is not valid JSON: {e.Message}", e);
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Begin < expectedBegin)
                throw new SafeTensorsException(
                    path,
                    $"tensor '{entry.Name}' overlaps the previous tensor (its data starts at byte {entry.Begin}, before {expectedBegin})"
                );
            if (entry.Begin > expectedBegin)
                throw new SafeTensorsException(
                    path,
                    $"tensor '{entry.Name}' starts at byte {entry.Begin}, leaving a gap after byte {expectedBegin}"
                );
            if (entry.End > dataLength)
                throw new SafeTensorsException(
                    path,
                    $"tensor '{entry.Name}' ends at byte {entry.End} but the data section has only {dataLength} bytes (truncated file)"
                );
            tensors[entry.Name] = ToTensor(
                entry,
                bytes.AsSpan((int)(dataStart + entry.Begin), (int)(entry.End - entry.Begin))
            );
            expectedBegin = entry.End;
        }
        if (expectedBegin != dataLength)
            throw new SafeTensorsException(
                path,
                $"has {dataLength - expectedBegin} bytes after the last tensor's data that no tensor describes"
            );
        return new SafeTensorsFile(path, tensors, entries.Select(e => e.Name).ToArray(), metadata);
    }

    private static void ReadMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsException(
                path,
                $"'{MetadataKey}' must be an object of strings, got {element.ValueKind}"
            );
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsException(
                    path,
                    $"'{MetadataKey}' entry '{item.Name}' must be a string, got {item.Value.ValueKind}"
                );
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string path, string name, JsonElement element)
    {
        SafeTensorsException Bad(string problem) => new(path, $"tensor '{name}' {problem}");
        if (element.ValueKind != JsonValueKind.Object)
            throw Bad($"must be described by an object, got {element.ValueKind}");
        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad("has no string 'dtype'");
        string dtype = dtypeElement.GetString()!;
        int elementSize =
            ElementSize(dtype)
            ?? throw Bad($"has dtype {dtype}; only F32, F64, F16 and BF16 (floating point) can be read");
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad("has no 'shape' array");
        var shape = new List<int>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out int d) || d < 0)
                throw Bad($"has a shape entry {dim} that is not a non-negative integer");
            shape.Add(d);
        }
        if (
            !element.TryGetProperty("data_offsets", out var offsets)
            || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out long begin)
            || !offsets[1].TryGetInt64(out long end)
            || begin < 0
            || end < begin
        )
            throw Bad("needs 'data_offsets' [begin, end] with 0 ≤ begin ≤ end");
        long count = 1;
        foreach (int d in shape)
            count = checked(count * d);
        if (end - begin != count * elementSize)
            throw Bad(
                $"of dtype {dtype} and shape [{string.Join(", ", shape)}] needs {count * elementSize} bytes but its data_offsets span {end - begin}"
            );
        return new Entry(name, dtype, shape.ToArray(), begin, end);
    }

    private static int? ElementSize(string dtype) =>
        dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            "F16" or "BF16" => 2,
            _ => null,
        };

    private static Tensor ToTensor(Entry entry, ReadOnlySpan<byte> raw)
    {
        // A scalar (shape []) becomes a one-element vector: the engine has no rank-0 tensors.
        int[] shape = entry.Shape.Length == 0 ? [1] : entry.Shape;
        int size = ElementSize(entry.DType)!.Value;
        var values = new float[raw.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            var item = raw.Slice(i * size, size);
            values[i] = entry.DType switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(item),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(item),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(item),
                // bfloat16 is the upper half of a float32.
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(item) << 16),
            };
        }
        return new Tensor(values, shape);
    }
}
