using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Text;

public class SequenceWindowsTests
{
    [Fact]
    public void Cut_without_a_step_gives_pieces_that_do_not_overlap_and_drops_the_short_tail()
    {
        var windows = SequenceWindows.Cut(Enumerable.Range(0, 10).ToArray(), 3);

        windows.Should().HaveCount(3);
        windows[0].Should().Equal(0, 1, 2);
        windows[1].Should().Equal(3, 4, 5);
        windows[2].Should().Equal(6, 7, 8);
    }

    [Fact]
    public void Cut_with_a_step_slides_the_window()
    {
        var windows = SequenceWindows.Cut([5, 6, 7, 8, 9], 3, step: 1);

        windows.Select(w => string.Join(",", w)).Should().Equal("5,6,7", "6,7,8", "7,8,9");
        SequenceWindows.Cut([1, 2], 3).Should().BeEmpty();
        SequenceWindows.Cut([1, 2, 3], 3).Should().ContainSingle().Which.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Cut_rejects_bad_lengths_and_steps()
    {
        var zeroLength = () => SequenceWindows.Cut([1, 2, 3], 0);
        var zeroStep = () => SequenceWindows.Cut([1, 2, 3], 2, step: 0);
        zeroLength.Should().Throw<ArgumentOutOfRangeException>();
        zeroStep.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void ToTensor_stacks_windows_as_rows_of_ids()
    {
        var x = SequenceWindows.ToTensor([
            [1, 2, 3],
            [4, 5, 6],
        ]);

        x.Shape.Should().Equal(2, 3);
        x.Data.Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);
    }

    [Fact]
    public void ToTensor_rejects_no_windows_and_unequal_lengths()
    {
        var none = () => SequenceWindows.ToTensor(Array.Empty<int[]>());
        var ragged = () =>
            SequenceWindows.ToTensor([
                [1, 2, 3],
                [4, 5],
            ]);
        none.Should().Throw<ArgumentException>();
        ragged.Should().Throw<ArgumentException>().WithMessage("*Window 1 has 2 ids*");
    }
}
