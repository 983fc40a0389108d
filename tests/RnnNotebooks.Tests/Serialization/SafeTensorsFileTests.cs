using System.Buffers.Binary;
using System.Text;
using RnnNotebooks.Serialization;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Serialization;

/// <summary>The safetensors reader and writer: layout of what we write, round trips, and the errors of bad files.</summary>
public class SafeTensorsFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "rnn-safetensors-" + Guid.NewGuid().ToString("N")
    );

    public SafeTensorsFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>A file with the given header JSON (padded to 8 bytes) and data bytes.</summary>
    private string Raw(string header, byte[] data, string name = "raw.safetensors")
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(PathOf(name), bytes);
        return PathOf(name);
    }

    private string ReadError(string path) =>
        FluentActions.Invoking(() => SafeTensorsFile.Read(path)).Should().Throw<SafeTensorsException>().Which.Message;

    [Fact]
    public void Write_ThenRead_GivesEveryBitBack_InOrder_WithMetadata()
    {
        float[] special =
        [
            0f,
            -0f,
            float.Epsilon,
            -1.5e-42f,
            float.MaxValue,
            float.NaN,
            float.NegativeInfinity,
            1 / 3f,
        ];
        var a = new Tensor(special, 2, 4);
        var b = new Tensor([7f], 1);
        string path = PathOf("t.safetensors");

        SafeTensorsFile.Write(
            path,
            [new("zeta", a), new("alpha", b)],
            new Dictionary<string, string> { ["k"] = "v ü" }
        );
        var file = SafeTensorsFile.Read(path);

        file.Names.Should().Equal("zeta", "alpha");
        file["zeta"].Shape.Should().Equal(2, 4);
        file["zeta"]
            .Data.Select(BitConverter.SingleToInt32Bits)
            .Should()
            .Equal(special.Select(BitConverter.SingleToInt32Bits));
        file["alpha"].Data.Should().Equal(7f);
        file.Metadata.Should().Equal(new Dictionary<string, string> { ["k"] = "v ü" });
    }

    [Fact]
    public void Write_FollowsTheFormat_LengthPrefix_PaddedJsonHeader_LittleEndianData()
    {
        string path = PathOf("t.safetensors");
        SafeTensorsFile.Write(path, [new("w", new Tensor([1f, -2f, 0.5f], 3))]);
        var bytes = File.ReadAllBytes(path);

        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        (8 + n).Should().Be(bytes.Length - 12, "three float32 values follow the header");
        (n % 8).Should().Be(0, "the header is padded so that the data is 8-byte aligned");
        Encoding
            .UTF8.GetString(bytes, 8, (int)n)
            .TrimEnd(' ')
            .Should()
            .Be("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}");
        BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n + 4)).Should().Be(-2f);
    }

    [Fact]
    public void Read_ConvertsF64F16AndBF16()
    {
        var data = new byte[8 + 2 + 2];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 0.1);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(8), (Half)(-2.5f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(10), 0x3FC0); // bfloat16 1.5
        string path = Raw(
            """{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"b":{"dtype":"BF16","shape":[],"data_offsets":[10,12]}}""",
            data
        );
        var file = SafeTensorsFile.Read(path);
        file["d"].Data.Should().Equal(0.1f);
        file["h"].Data.Should().Equal(-2.5f);
        file["b"].Data.Should().Equal(1.5f);
    }

    [Fact]
    public void Read_NamesTheFileAndTensor_ForEveryInconsistency()
    {
        var eight = new byte[8];
        ReadError(
                Raw(
                    """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""",
                    eight
                )
            )
            .Should()
            .Contain("raw.safetensors")
            .And.Contain("tensor 'b' overlaps");
        ReadError(Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", eight))
            .Should()
            .Contain("tensor 'a' starts at byte 4, leaving a gap");
        ReadError(Raw("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}""", eight))
            .Should()
            .Contain("tensor 'a' ends at byte 12 but the data section has only 8 bytes");
        ReadError(Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", eight))
            .Should()
            .Contain("4 bytes after the last tensor's data");
        ReadError(Raw("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", eight))
            .Should()
            .Contain("tensor 'a' of dtype F32 and shape [3] needs 12 bytes but its data_offsets span 8");
        ReadError(Raw("""{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", eight))
            .Should()
            .Contain("tensor 'ids' has dtype I64");
        ReadError(Raw("""{"__metadata__":{"n":1}}""", []))
            .Should()
            .Contain("'__metadata__' entry 'n' must be a string");
        ReadError(Raw("""{"a":""", [])).Should().Contain("not valid JSON");
        ReadError(Raw("[1]     ", [])).Should().Contain("not a JSON object");

        File.WriteAllBytes(PathOf("short"), [1, 2, 3]);
        ReadError(PathOf("short")).Should().Contain("too short");
        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1000);
        File.WriteAllBytes(PathOf("huge"), huge);
        ReadError(PathOf("huge")).Should().Contain("declares a 1000-byte header but the file has 8 bytes");
    }

    [Fact]
    public void Write_RefusesDuplicateOrReservedNames_AndLeavesTheOldFile()
    {
        string path = PathOf("t.safetensors");
        SafeTensorsFile.Write(path, [new("w", new Tensor(2))]);
        var before = File.ReadAllBytes(path);

        FluentActions
            .Invoking(() => SafeTensorsFile.Write(path, [new("w", new Tensor(1)), new("w", new Tensor(1))]))
            .Should()
            .Throw<SafeTensorsException>()
            .WithMessage("*two tensors named 'w'*");
        FluentActions
            .Invoking(() => SafeTensorsFile.Write(path, [new(SafeTensorsFile.MetadataKey, new Tensor(1))]))
            .Should()
            .Throw<SafeTensorsException>();

        File.ReadAllBytes(path).Should().Equal(before);
        SafeTensorsFile.Read(path)["w"].Shape.Should().Equal(2);
        FluentActions
            .Invoking(() => SafeTensorsFile.Read(path)["v"])
            .Should()
            .Throw<SafeTensorsException>()
            .WithMessage("*no tensor 'v' (it has w)*");
    }
}
