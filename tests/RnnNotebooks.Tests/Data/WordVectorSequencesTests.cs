using System.Buffers.Binary;
using System.Text;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class WordVectorSequencesTests
{
    private static WordVectors Table() => new(["the", "good", "bad", "film"], [1, 1, 2, 2, 3, 3, 4, 4], dimension: 2);

    [Fact]
    public void A_batch_is_pad_trunc_of_the_chosen_rows_with_their_labels()
    {
        var v = Table();
        var rows = new[] { v.Lookup(["the", "good", "film"]), v.Lookup(["bad", "unknown", "film", "the", "good"]), [] };
        var data = new WordVectorSequences(v, rows, [1, 0, 1], maxLength: 4);
        data.Count.Should().Be(3);

        var (x, y) = data.Batch([1, 0]);
        x.Shape.Should().Equal(2, 4, 2);
        // review 1: bad film the good (cut after 4; 'unknown' was dropped by Lookup); review 0: the good film + zeros
        x.Data.Should().Equal(3, 3, 4, 4, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 0, 0);
        y.Shape.Should().Equal(2, 1);
        y.Data.Should().Equal(0, 1);

        // Buffers are reused, and every position is rewritten (no leftovers of the previous batch).
        var (x2, y2) = data.Batch([2, 0]);
        x2.Should().BeSameAs(x);
        x2.Data.Should().Equal(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 4, 4, 0, 0);
        y2.Data.Should().Equal(1, 1);

        // The same as WordVectors.PadTrunc of the same rows.
        data.Batch([0, 1, 2]).X.Data.Should().Equal(v.PadTrunc(rows, 4).Data);
    }

    [Fact]
    public void Subsets_keep_labels_and_null_labels_are_zeros()
    {
        var v = Table();
        int[][] rows =
        [
            [0],
            [1],
            [2],
            [3],
        ];
        var data = new WordVectorSequences(v, rows, [1, 0, 1, 0], maxLength: 1);
        var tail = data.Subset([3, 2]);
        tail.Count.Should().Be(2);
        tail.Batch([0, 1]).X.Data.Should().Equal(4, 4, 3, 3);
        tail.Batch([0, 1]).Y.Data.Should().Equal(0, 1);
        new WordVectorSequences(v, rows, labels: null, maxLength: 1).Batch([0, 3]).Y.Data.Should().Equal(0, 0);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_a_message()
    {
        var v = Table();
        (
            (Action)(
                () =>
                    new WordVectorSequences(
                        v,
                        [
                            [0],
                            [9],
                        ],
                        null,
                        3
                    )
            )
        ).Should().Throw<ArgumentException>().WithMessage("Sequence 1 points at row 9, but the table has 4 vectors.*");
        (
            (Action)(
                () =>
                    new WordVectorSequences(
                        v,
                        [
                            [0],
                        ],
                        [1, 0],
                        3
                    )
            )
        ).Should().Throw<ArgumentException>().WithMessage("1 sequences but 2 labels*");
        (
            (Action)(
                () =>
                    new WordVectorSequences(
                        v,
                        [
                            [0],
                        ],
                        null,
                        0
                    )
            )
        ).Should().Throw<ArgumentOutOfRangeException>();
        (
            (Action)(
                () =>
                    new WordVectorSequences(
                        v,
                        [
                            [0],
                        ],
                        null,
                        2
                    ).Batch([1])
            )
        ).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Row 1 is outside the 1 samples*");
    }
}

public class WordVectorFilesTests
{
    private static byte[] Binary(int dim, params string[] words)
    {
        var bytes = new MemoryStream();
        bytes.Write(Encoding.ASCII.GetBytes($"{words.Length} {dim}\n"));
        var f = new byte[4];
        foreach (var word in words)
        {
            bytes.Write(Encoding.UTF8.GetBytes(word + " "));
            for (int d = 0; d < dim; d++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(f, d + 0.5f);
                bytes.Write(f);
            }
            bytes.WriteByte((byte)'\n');
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Loads_vectors_of_the_expected_dimension()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("v.bin");
        File.WriteAllBytes(path, Binary(3, "good", "bad"));
        var v = WordVectorFiles.Load(path, dimension: 3);
        v.Words.Should().Equal("good", "bad");
        v["bad"].ToArray().Should().Equal(0.5f, 1.5f, 2.5f);
        WordVectorFiles.Load(path, dimension: 3, limit: 1).Count.Should().Be(1);
    }

    [Fact]
    public void A_wrong_dimension_is_an_error_naming_the_file_and_what_to_do()
    {
        using var tmp = new TempFolder();
        var bin = tmp.File("small.bin");
        File.WriteAllBytes(bin, Binary(4, "good", "bad"));
        ((Action)(() => WordVectorFiles.Load(bin, 300)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage($"{bin}: the vectors have 4 dimensions, but this model needs 300. Use a 300-dimensional file*")
            .Which.FilePath.Should()
            .Be(bin);
        var glove = tmp.Write("glove.6B.100d.txt", "the 0.1 0.2\nof 0.3 0.4\n");
        ((Action)(() => WordVectorFiles.Load(glove, 300)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*glove.6B.100d.txt: the vectors have 2 dimensions, but this model needs 300*");
    }

    [Fact]
    public void A_truncated_or_missing_file_is_an_error_naming_the_file()
    {
        using var tmp = new TempFolder();
        var cut = tmp.File("GoogleNews-vectors-negative300.bin");
        File.WriteAllBytes(cut, Binary(300, "good", "bad")[..^100]);
        ((Action)(() => WordVectorFiles.Load(cut, 300)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage(
                "*GoogleNews-vectors-negative300.bin: the file ends inside the vector of 'bad' (2 of 2; truncated)*"
            );
        ((Action)(() => WordVectorFiles.Load(tmp.File("none.bin"), 300)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("Word-vector file *none.bin does not exist.");
    }

    [Fact]
    public void GoogleNews_is_found_in_the_search_folders_packed_or_unpacked()
    {
        using var tmp = new TempFolder();
        using var cache = new DataCache(overrideFolder: tmp.File("override"), dataFolder: tmp.File("data"));
        WordVectorFiles.FindGoogleNews(cache).Should().BeNull();
        var unpacked = tmp.Write("data/GoogleNews-vectors-negative300.bin", "x");
        WordVectorFiles.FindGoogleNews(cache).Should().Be(unpacked);
        var packed = tmp.Write("override/GoogleNews-vectors-negative300.bin.gz", "x");
        WordVectorFiles.FindGoogleNews(cache).Should().Be(packed);
    }
}
