using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Serialization;

/// <summary>One saved weight array: Keras-style name (<c>dense_1/kernel:0</c>), shape and values (docs/keras-semantics.md#model-config).</summary>
public sealed record SavedArray(string Name, int[] Shape, float[] Data);

/// <summary>
/// The on-disk formats of <c>Sequential.Save</c> and <c>SaveWeights</c> (also in MODEL-FORMAT.md beside this file).
/// Every integer is little-endian; every file is written to a temporary file beside the target and
/// then renamed over it, so a reader never sees a half-written file.
/// <para><b>Weights file</b> (<c>SaveWeights</c>; also the tail of a model file):</para>
/// <code>
/// magic    8 bytes  "RNNWGHTS"
/// version  u32      1
/// count    u32      number of arrays, in the model's get_weights() order
/// count ×  name_len u16, name (UTF-8, e.g. "lstm_1/recurrent_kernel:0"),
///          rank u32 (≤ 8), dims u32 × rank,
///          data float32 × Π dims (row-major, IEEE 754 little-endian),
///          crc32 u32 of the data bytes (CRC-32/IEEE, as zlib.crc32: System.IO.Hashing.Crc32)
/// (end of file: nothing may follow)
/// </code>
/// <para><b>Model file</b> (<c>Save</c>):</para>
/// <code>
/// magic    8 bytes  "RNNMODEL"
/// version  u32      1
/// json_len u32, json (UTF-8): the architecture and compile config, see Sequential.ToJson()
/// json_crc u32      CRC-32 of the JSON bytes
/// weights           a complete weights file (from its "RNNWGHTS" magic to the end)
/// </code>
/// </summary>
public static class ModelFile
{
    public const string ModelMagic = "RNNMODEL";
    public const string WeightsMagic = "RNNWGHTS";
    public const uint FormatVersion = 1;
    private const int MaxRank = 8;

    /// <summary>The bytes of a weights file holding <paramref name="arrays"/>.</summary>
    public static byte[] EncodeWeights(IReadOnlyList<(string Name, Tensor Value)> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        using var stream = new MemoryStream();
        WriteWeights(stream, arrays);
        return stream.ToArray();
    }

    /// <summary>The bytes of a model file: architecture JSON and weights.</summary>
    public static byte[] EncodeModel(string json, IReadOnlyList<(string Name, Tensor Value)> arrays)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var stream = new MemoryStream();
        var jsonBytes = Encoding.UTF8.GetBytes(json);
        stream.Write(Encoding.ASCII.GetBytes(ModelMagic));
        WriteU32(stream, FormatVersion);
        WriteU32(stream, (uint)jsonBytes.Length);
        stream.Write(jsonBytes);
        WriteU32(stream, Crc32.HashToUInt32(jsonBytes));
        WriteWeights(stream, arrays);
        return stream.ToArray();
    }

    /// <summary>Reads a model file: its JSON and its weight arrays.</summary>
    public static (string Json, List<SavedArray> Arrays) DecodeModel(string path, byte[] bytes)
    {
        var reader = new Reader(path, bytes);
        string magic = reader.Magic();
        if (magic != ModelMagic)
            throw new ModelFileException(
                path,
                magic == WeightsMagic
                    ? "holds only weights (written by SaveWeights), not a model: build the model in code and call LoadWeights."
                    : NotOurs(bytes, "an RnnNotebooks model file")
            );
        reader.Version();
        int jsonLength = reader.Length("the architecture JSON");
        var jsonBytes = reader.Bytes(jsonLength, "the architecture JSON");
        uint stored = reader.U32("the JSON checksum");
        uint actual = Crc32.HashToUInt32(jsonBytes);
        if (stored != actual)
            throw new ModelFileException(
                path,
                $"is corrupt: the architecture JSON's CRC-32 is 0x{actual:X8} but the file records 0x{stored:X8}."
            );
        string json = Encoding.UTF8.GetString(jsonBytes);
        string weightsMagic = Encoding.ASCII.GetString(reader.Bytes(8, "the magic of the weights section"));
        if (weightsMagic != WeightsMagic)
            throw new ModelFileException(
                path,
                $"is corrupt: the weights section at byte {reader.Position - 8} does not start with '{WeightsMagic}'."
            );
        return (json, ReadArrays(ref reader));
    }

    /// <summary>Reads the weight arrays of a weights file, or of a model file.</summary>
    public static List<SavedArray> DecodeWeights(string path, byte[] bytes)
    {
        var reader = new Reader(path, bytes);
        string magic = reader.Magic();
        if (magic == ModelMagic)
            return DecodeModel(path, bytes).Arrays;
        if (magic != WeightsMagic)
            throw new ModelFileException(path, NotOurs(bytes, "an RnnNotebooks weights or model file"));
        return ReadArrays(ref reader);
    }

    /// <summary>Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void WriteAtomically(string path, byte[] content)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException) { }
            throw;
        }
    }

    private static void WriteWeights(Stream stream, IReadOnlyList<(string Name, Tensor Value)> arrays)
    {
        stream.Write(Encoding.ASCII.GetBytes(WeightsMagic));
        WriteU32(stream, FormatVersion);
        WriteU32(stream, (uint)arrays.Count);
        foreach (var (name, value) in arrays)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            if (nameBytes.Length > ushort.MaxValue)
                throw new ArgumentException($"Weight name '{name[..40]}…' is too long to save.");
            if (value.Rank > MaxRank)
                throw new ArgumentException($"Weight '{name}' has rank {value.Rank}; at most {MaxRank} can be saved.");
            WriteU16(stream, (ushort)nameBytes.Length);
            stream.Write(nameBytes);
            WriteU32(stream, (uint)value.Rank);
            foreach (int d in value.Shape)
                WriteU32(stream, (uint)d);
            var data = FloatBytes(value.Data);
            stream.Write(data);
            WriteU32(stream, Crc32.HashToUInt32(data));
        }
    }

    private static List<SavedArray> ReadArrays(ref Reader reader)
    {
        reader.Version();
        int count = reader.Length("the number of weight arrays");
        var arrays = new List<SavedArray>(Math.Min(count, 1024));
        for (int a = 0; a < count; a++)
        {
            string label = $"weight array {a + 1} of {count}";
            int nameLength = reader.U16($"the name length of {label}");
            string name = Encoding.UTF8.GetString(reader.Bytes(nameLength, $"the name of {label}"));
            label = $"weight array {a + 1} of {count} ('{name}')";
            int rank = (int)reader.U32($"the rank of {label}");
            if (rank > MaxRank)
                throw reader.Corrupt($"{label} claims rank {rank} (at most {MaxRank})");
            var shape = new int[rank];
            long size = 1;
            for (int d = 0; d < rank; d++)
            {
                uint dim = reader.U32($"the shape of {label}");
                if (dim > int.MaxValue)
                    throw reader.Corrupt($"{label} claims a dimension of {dim}");
                shape[d] = (int)dim;
                size *= dim;
                if (size > int.MaxValue / 4)
                    throw reader.Corrupt($"{label} claims {size}+ values, more than a file can hold");
            }
            var dataBytes = reader.Bytes((int)size * 4, $"the {size} values of {label} {Tensor.ShapeToString(shape)}");
            uint stored = reader.U32($"the checksum of {label}");
            uint actual = Crc32.HashToUInt32(dataBytes);
            if (stored != actual)
                throw reader.Corrupt(
                    $"the CRC-32 of the values of {label} is 0x{actual:X8} but the file records 0x{stored:X8}"
                );
            arrays.Add(new SavedArray(name, shape, ToFloats(dataBytes)));
        }
        if (reader.Remaining > 0)
            throw reader.Corrupt(
                $"{reader.Remaining} unexpected bytes follow the last weight array (at byte {reader.Position})"
            );
        return arrays;
    }

    private static string NotOurs(byte[] bytes, string what)
    {
        if (
            bytes.Length >= 4
            && bytes[0] == 0x89
            && bytes[1] == (byte)'H'
            && bytes[2] == (byte)'D'
            && bytes[3] == (byte)'F'
        )
            return $"is not {what}: it is an HDF5 file (a Keras .h5?), which this library does not read.";
        int shown = Math.Min(8, bytes.Length);
        string start = shown == 0 ? "is empty" : $"starts with bytes {BitConverter.ToString(bytes, 0, shown)}";
        return $"is not {what}: it {start} instead of the magic '{ModelMagic}' or '{WeightsMagic}'.";
    }

    private static void WriteU16(Stream stream, ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteU32(Stream stream, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static byte[] FloatBytes(float[] data)
    {
        var bytes = new byte[data.Length * 4];
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(data.AsSpan()).CopyTo(bytes);
        else
            for (int i = 0; i < data.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        return bytes;
    }

    private static float[] ToFloats(ReadOnlySpan<byte> bytes)
    {
        var data = new float[bytes.Length / 4];
        if (BitConverter.IsLittleEndian)
            bytes.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
        else
            for (int i = 0; i < data.Length; i++)
                data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return data;
    }

    /// <summary>A bounds-checked cursor whose errors name the file, what was being read and where.</summary>
    private ref struct Reader(string path, byte[] bytes)
    {
        private readonly string _path = path;
        private readonly byte[] _bytes = bytes;

        public int Position { get; private set; }

        public readonly int Remaining => _bytes.Length - Position;

        public ReadOnlySpan<byte> Bytes(int count, string what)
        {
            if (count > Remaining)
                throw new ModelFileException(
                    _path,
                    $"is truncated: {what} needs {count} bytes at byte {Position}, but the file ends after {_bytes.Length} bytes."
                );
            var span = _bytes.AsSpan(Position, count);
            Position += count;
            return span;
        }

        public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));

        public ushort U16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, what));

        public int Length(string what)
        {
            uint value = U32($"the length of {what}");
            if (value > int.MaxValue)
                throw Corrupt($"the length of {what} is {value}");
            return (int)value;
        }

        /// <summary>The first 8 bytes as ASCII ("" for a shorter file, which no magic matches).</summary>
        public string Magic() => Remaining < 8 ? "" : Encoding.ASCII.GetString(Bytes(8, "magic"));

        public void Version()
        {
            uint version = U32("the format version");
            if (version != FormatVersion)
                throw new ModelFileException(
                    _path,
                    $"uses format version {version}; this library reads version {FormatVersion}."
                );
        }

        public readonly ModelFileException Corrupt(string problem) => new(_path, $"is corrupt: {problem}.");
    }
}
