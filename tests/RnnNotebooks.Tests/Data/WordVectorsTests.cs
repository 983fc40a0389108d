using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using RnnNotebooks.Data;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Data;

public class WordVectorsTests
{
    private static WordVectors Small() =>
        new(
            ["king", "queen", "apple", "pear", "é-word"],
            [1f, 0.9f, 0f, 0.95f, 1f, 0.1f, 0f, 0.1f, 1f, 0.1f, 0f, 0.9f, -1f, 0f, 0f],
            3
        );

    [Fact]
    public void Vectors_lookup_and_cosine_neighbours()
    {
        var v = Small();
        v.Count.Should().Be(5);
        v.Dimension.Should().Be(3);
        v["queen"].ToArray().Should().Equal(0.95f, 1f, 0.1f);
        v.IndexOf("pear").Should().Be(3);
        v.IndexOf("missing").Should().Be(-1);
        v.MostSimilar("king", 2).Select(p => p.Word).Should().Equal("queen", "pear");
        v.MostSimilar("king", 2)[0].Similarity.Should().BeApproximately(1.85f / MathF.Sqrt(1.81f * 1.9125f), 1e-6f);
        v.MostSimilar([0f, 0f, 1f], 1, exclude: ["apple"]).Single().Word.Should().Be("pear");
        v.Similarity("king", "é-word").Should().BeApproximately(-1f / MathF.Sqrt(1.81f), 1e-6f);
        ((Action)(() => v.MostSimilar("missing"))).Should().Throw<KeyNotFoundException>().WithMessage("*'missing'*");
    }

    [Fact]
    public void Lookup_drops_unknown_tokens_and_pad_trunc_builds_a_batch()
    {
        var v = Small();
        var rows = v.Lookup(["king", "unknown", "pear", "king"]);
        rows.Should().Equal(0, 3, 0);
        var t = v.PadTrunc([rows, [2]], maxlen: 2);
        t.Shape.Should().Equal(2, 2, 3);
        t.Data.Should().Equal(1f, 0.9f, 0f, 0.1f, 0f, 0.9f, 0f, 0.1f, 1f, 0f, 0f, 0f);
    }

    [Fact]
    public void Word2vec_text_and_binary_round_trip_bit_for_bit()
    {
        using var tmp = new TempFolder();
        var rng = new SeededRandom(5);
        var data = Enumerable.Range(0, 4 * 7).Select(_ => (float)rng.NextNormal() * 1e-3f).ToArray();
        data[3] = float.Epsilon;
        data[4] = -0f;
        var v = new WordVectors(["a", "ü", "don't", "日本"], data, 7);

        v.SaveWord2VecText(tmp.File("v.txt"));
        v.SaveWord2VecBinary(tmp.File("v.bin"));
        foreach (
            var back in new[]
            {
                WordVectors.LoadWord2VecText(tmp.File("v.txt")),
                WordVectors.LoadWord2VecBinary(tmp.File("v.bin")),
                WordVectors.Load(tmp.File("v.txt")),
                WordVectors.Load(tmp.File("v.bin")),
            }
        )
        {
            back.Words.Should().Equal(v.Words);
            back.Data.Select(BitConverter.SingleToInt32Bits)
                .Should()
                .Equal(data.Select(BitConverter.SingleToInt32Bits));
        }
        tmp.AllFiles().Should().Equal("v.bin", "v.txt");
        File.ReadAllLines(tmp.File("v.txt"))[0].Should().Be("4 7");
    }

    [Fact]
    public void Binary_reader_takes_gzip_files_a_limit_and_vectors_without_newlines()
    {
        using var tmp = new TempFolder();
        var bytes = new MemoryStream();
        bytes.Write("3 2\n"u8);
        var f = new byte[8];
        foreach (var (word, x, y) in new[] { ("one", 1f, 2f), ("two", 3f, 4f), ("three", 5f, 6f) })
        {
            bytes.Write(Encoding.UTF8.GetBytes(word + " "));
            BinaryPrimitives.WriteSingleLittleEndian(f, x);
            BinaryPrimitives.WriteSingleLittleEndian(f.AsSpan(4), y);
            bytes.Write(f); // gensim style: no newline after the vector
        }
        using (var gz = new GZipStream(File.Create(tmp.File("v.bin.gz")), CompressionLevel.Fastest))
            gz.Write(bytes.ToArray());

        var v = WordVectors.Load(tmp.File("v.bin.gz"));
        v.Words.Should().Equal("one", "two", "three");
        v.Data.Should().Equal(1, 2, 3, 4, 5, 6);
        WordVectors.LoadWord2VecBinary(tmp.File("v.bin.gz"), limit: 2).Words.Should().Equal("one", "two");

        File.WriteAllBytes(tmp.File("cut.bin"), bytes.ToArray()[..^3]);
        ((Action)(() => WordVectors.LoadWord2VecBinary(tmp.File("cut.bin"))))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*cut.bin: the file ends inside the vector of 'three' (3 of 3; truncated)*");
    }

    [Fact]
    public void Glove_text_has_no_header_and_takes_its_dimension_from_the_first_line()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("glove.6B.3d.txt", "the 0.1 -0.2 0.3\n, 1 2 3\nword 4e-3 5 6\n");
        var v = WordVectors.Load(path);
        v.Words.Should().Equal("the", ",", "word");
        v.Data.Should().Equal(0.1f, -0.2f, 0.3f, 1, 2, 3, 0.004f, 5, 6);
        WordVectors.LoadGloVe(path, limit: 1).Count.Should().Be(1);

        using (var zip = ZipFile.Open(tmp.File("glove.zip"), ZipArchiveMode.Create))
            zip.CreateEntryFromFile(path, "glove.6B.3d.txt");
        WordVectors.LoadGloVe(tmp.File("glove.zip")).Words.Should().Equal("the", ",", "word");
        ((Action)(() => WordVectors.LoadGloVe(tmp.File("glove.zip"), zipMember: "x.txt")))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*has no member x.txt*");
    }

    [Theory]
    [InlineData(
        "the 0.1 0.2 0.3\nof 1 2\nand 1 2 3\n",
        false,
        "*glove.txt, line 2: 'of' has 2 values, but the vectors have 3 dimensions*"
    )]
    [InlineData(
        "2 3\nthe 0.1 0.2 0.3\nof 1 2 3 4\n",
        true,
        "*glove.txt, line 3: 'of' has 4 values, but the vectors have 3 dimensions*"
    )]
    [InlineData(
        "3 2\nthe 0.1 0.2\nof 1 2\n",
        true,
        "*glove.txt: the header promises 3 vectors, but the file ends after 2*"
    )]
    [InlineData("2 2\nthe 0.1 x\n", true, "*glove.txt, line 2: value 2 of 'the' is 'x', not a number*")]
    [InlineData(
        "two 2\nthe 0.1 0.2\n",
        true,
        "*glove.txt, line 1: expected the header 'count dimension', found 'two 2'*"
    )]
    public void Lines_that_disagree_are_errors_naming_file_and_line(string content, bool word2vecText, string message)
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("glove.txt", content);
        Action act = word2vecText ? () => WordVectors.LoadWord2VecText(path) : () => WordVectors.LoadGloVe(path);
        act.Should().Throw<DatasetException>().WithMessage(message).Which.FilePath.Should().Be(path);
    }

    [Fact]
    public void Duplicate_words_in_a_file_keep_the_first_vector()
    {
        using var tmp = new TempFolder();
        var v = WordVectors.LoadGloVe(tmp.Write("d.txt", "a 1 1\nb 2 2\na 3 3\n"));
        v.Words.Should().Equal("a", "b");
        v["a"].ToArray().Should().Equal(1, 1);
    }

    [Fact]
    public void Words_that_word2vec_files_cannot_hold_are_refused()
    {
        using var tmp = new TempFolder();
        var v = new WordVectors(["new york"], [1f], 1);
        ((Action)(() => v.SaveWord2VecText(tmp.File("x.txt"))))
            .Should()
            .Throw<InvalidOperationException>()
            .WithMessage("*'new york'*whitespace*");
        tmp.AllFiles().Should().BeEmpty();
        ((Action)(() => new WordVectors(["a", "a"], [1f, 2f], 1)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*'a' appears twice*");
        ((Action)(() => new WordVectors(["a"], [1f, 2f], 1)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*need 1 values; got 2*");
    }
}
