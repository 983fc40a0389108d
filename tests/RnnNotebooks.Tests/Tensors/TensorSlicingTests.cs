using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Tensors;

public class TensorSlicingTests
{
    // A 3 × 8 matrix whose entry (r, c) is 10·r + c, so every value names its position.
    private static Tensor Matrix()
    {
        var m = new Tensor(3, 8);
        for (int r = 0; r < 3; r++)
        for (int c = 0; c < 8; c++)
            m[r, c] = 10 * r + c;
        return m;
    }

    [Fact]
    public void Column_blocks_are_the_gate_blocks_of_an_lstm_kernel()
    {
        var w = Matrix();
        int units = 2; // four gates of two units: columns 0-1, 2-3, 4-5, 6-7
        var wi = w[.., ..units];
        var wf = w[.., units..(2 * units)];
        var wo = w[.., (3 * units)..];
        Assert.Equal(new[] { 3, 2 }, wi.Shape);
        Assert.Equal(new float[] { 0, 1, 10, 11, 20, 21 }, wi.Data);
        Assert.Equal(new float[] { 2, 3, 12, 13, 22, 23 }, wf.Data);
        Assert.Equal(new float[] { 6, 7, 16, 17, 26, 27 }, wo.Data);
        Assert.Equal(wo.Data, w[.., ^units..].Data);
    }

    [Fact]
    public void Row_and_column_ranges_together_cut_a_block()
    {
        var block = Matrix()[1..3, 2..5];
        Assert.Equal(new[] { 2, 3 }, block.Shape);
        Assert.Equal(new float[] { 12, 13, 14, 22, 23, 24 }, block.Data);
    }

    [Fact]
    public void A_vector_slice_takes_elements_and_a_matrix_slice_takes_rows()
    {
        var b = new Tensor([0f, 1, 2, 3, 4, 5, 6, 7], 8);
        Assert.Equal(new float[] { 2, 3 }, b[2..4].Data);
        Assert.Equal(new[] { 2 }, b[2..4].Shape);
        Assert.Equal(new float[] { 6, 7 }, b[^2..].Data);
        var rows = Matrix()[1..];
        Assert.Equal(new[] { 2, 8 }, rows.Shape);
        Assert.Equal(10f, rows[0, 0]);
    }

    [Fact]
    public void Slice_along_any_axis_of_a_3d_tensor()
    {
        var t = new Tensor(Enumerable.Range(0, 24).Select(v => (float)v).ToArray(), 2, 3, 4);
        var middle = t.Slice(1, 1..2); // numpy t[:, 1:2, :]
        Assert.Equal(new[] { 2, 1, 4 }, middle.Shape);
        Assert.Equal(new float[] { 4, 5, 6, 7, 16, 17, 18, 19 }, middle.Data);
        var last = t.Slice(-1, 3..); // numpy t[..., 3:]
        Assert.Equal(new[] { 2, 3, 1 }, last.Shape);
        Assert.Equal(new float[] { 3, 7, 11, 15, 19, 23 }, last.Data);
    }

    [Fact]
    public void A_slice_is_a_copy_and_an_empty_range_gives_an_empty_axis()
    {
        var w = Matrix();
        var block = w[.., ..2];
        block[0, 0] = 99;
        Assert.Equal(0f, w[0, 0]);
        Assert.Equal(new[] { 3, 0 }, w[.., 4..4].Shape);
    }

    [Fact]
    public void Bad_ranges_and_ranks_are_errors_that_name_the_shape()
    {
        var w = Matrix();
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => w[.., 6..9]);
        Assert.Contains("(3, 8)", outside.Message);
        Assert.Contains("length 8", outside.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => w[.., 5..4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Slice(2, ..));
        var vector = new Tensor(4);
        var rank = Assert.Throws<InvalidOperationException>(() => vector[.., ..2]);
        Assert.Contains("rank 2", rank.Message);
        Assert.Throws<InvalidOperationException>(() => new Tensor(Array.Empty<int>())[..1]);
    }
}
