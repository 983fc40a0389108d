using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Text;

public class SequencesTests
{
    private static readonly int[][] Example =
    [
        [1, 2, 3],
        [4, 5],
        [6, 7, 8, 9],
    ];

    private static int[][] Rows(int[,] a) =>
        Enumerable
            .Range(0, a.GetLength(0))
            .Select(i => Enumerable.Range(0, a.GetLength(1)).Select(j => a[i, j]).ToArray())
            .ToArray();

    [Fact]
    public void Default_pads_before_to_the_longest_sequence()
    {
        Rows(Sequences.PadSequences(Example))
            .Should()
            .BeEquivalentTo(new[] { new[] { 0, 1, 2, 3 }, [0, 0, 4, 5], [6, 7, 8, 9] }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Maxlen_truncates_before_by_default()
    {
        Rows(Sequences.PadSequences(Example, maxlen: 3))
            .Should()
            .BeEquivalentTo(new[] { new[] { 1, 2, 3 }, [0, 4, 5], [7, 8, 9] }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Post_padding_and_post_truncating()
    {
        Rows(Sequences.PadSequences(Example, maxlen: 3, padding: Padding.Post, truncating: Truncating.Post))
            .Should()
            .BeEquivalentTo(new[] { new[] { 1, 2, 3 }, [4, 5, 0], [6, 7, 8] }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Pre_padding_with_post_truncating_and_the_reverse()
    {
        Rows(Sequences.PadSequences(Example, maxlen: 3, padding: Padding.Pre, truncating: Truncating.Post))
            .Should()
            .BeEquivalentTo(new[] { new[] { 1, 2, 3 }, [0, 4, 5], [6, 7, 8] }, o => o.WithStrictOrdering());
        Rows(Sequences.PadSequences(Example, maxlen: 3, padding: Padding.Post, truncating: Truncating.Pre))
            .Should()
            .BeEquivalentTo(new[] { new[] { 1, 2, 3 }, [4, 5, 0], [7, 8, 9] }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Value_fills_the_padding_and_empty_sequences_are_all_padding()
    {
        Rows(Sequences.PadSequences(new int[][] { [], [5] }, maxlen: 2, value: -1))
            .Should()
            .BeEquivalentTo(new[] { new[] { -1, -1 }, [-1, 5] }, o => o.WithStrictOrdering());
        Sequences.PadSequences(new int[][] { [1, 2] }, maxlen: 0).GetLength(1).Should().Be(0);
        Sequences.PadSequences(Array.Empty<int[]>()).Length.Should().Be(0);
    }

    [Fact]
    public void Works_on_lists_of_lists_and_as_a_tensor()
    {
        var lists = new List<List<int>>
        {
            new() { 1, 2, 3 },
            new() { 4 },
        };
        Rows(Sequences.PadSequences(lists, padding: Padding.Post))
            .Should()
            .BeEquivalentTo(new[] { new[] { 1, 2, 3 }, [4, 0, 0] }, o => o.WithStrictOrdering());
        var t = Sequences.PadSequencesTensor(Example, maxlen: 2);
        t.Shape.Should().Equal(3, 2);
        t.Data.Should().Equal(2f, 3f, 4f, 5f, 8f, 9f);
    }

    [Fact]
    public void Negative_maxlen_is_rejected()
    {
        var act = () => Sequences.PadSequences(Example, maxlen: -1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Pad_trunc_keeps_the_first_vectors_and_pads_zero_vectors_at_the_end()
    {
        float[] V(float x) => [x, -x];
        var samples = new List<IReadOnlyList<float[]>>
        {
            new[] { V(1), V(2), V(3) },
            new[] { V(4) },
            Array.Empty<float[]>(),
        };
        var t = Sequences.PadTrunc(samples, maxlen: 2);
        t.Shape.Should().Equal(3, 2, 2);
        t.Data.Should().Equal(1, -1, 2, -2, 4, -4, 0, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void Pad_trunc_checks_dimensions()
    {
        var ragged = new List<IReadOnlyList<float[]>> { new[] { new float[] { 1, 2 }, [3] } };
        var act = () => Sequences.PadTrunc(ragged, maxlen: 3);
        act.Should().Throw<ArgumentException>().WithMessage("*Sample 0, step 1*length 1*expected 2*");
        var empty = () => Sequences.PadTrunc(new List<IReadOnlyList<float[]>> { Array.Empty<float[]>() }, maxlen: 3);
        empty.Should().Throw<ArgumentException>().WithMessage("*dimension*");
        Sequences
            .PadTrunc(new List<IReadOnlyList<float[]>> { Array.Empty<float[]>() }, maxlen: 1, dimension: 4)
            .Shape.Should()
            .Equal(1, 1, 4);
    }
}
