namespace RnnNotebooks.Tensors;

/// <summary>
/// numpy-style slices with C# ranges: <c>b[..40]</c> is numpy's <c>b[:40]</c>, <c>W[.., 40..80]</c> is
/// <c>W[:, 40:80]</c> and <c>W[.., 120..]</c> (or <c>W[.., ^40..]</c>) is <c>W[:, 120:]</c>. A slice is a
/// copy: writing to it does not change the tensor it came from.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>The entries <paramref name="range"/> of the first axis: elements of a vector, rows of a matrix.</summary>
    public Tensor this[Range range] => Slice(0, range);

    /// <summary>The block of rows <paramref name="rows"/> and columns <paramref name="columns"/> of a matrix.</summary>
    public Tensor this[Range rows, Range columns]
    {
        get
        {
            if (Rank != 2)
                throw new InvalidOperationException(
                    $"t[rows, columns] slices a matrix (rank 2); this tensor has shape {ShapeToString(Shape)}."
                );
            return Slice(0, rows).Slice(1, columns);
        }
    }

    /// <summary>
    /// The entries <paramref name="range"/> along <paramref name="axis"/> (negative counts from the end),
    /// every other axis kept whole, as a new tensor with its own data.
    /// </summary>
    public Tensor Slice(int axis, Range range)
    {
        if (Rank == 0)
            throw new InvalidOperationException("A scalar tensor (shape ()) has no axis to slice.");
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank)
            throw new ArgumentOutOfRangeException(
                nameof(axis),
                $"Axis {axis} does not exist in a tensor of shape {ShapeToString(Shape)}."
            );
        int extent = Shape[a];
        int start = range.Start.GetOffset(extent);
        int end = range.End.GetOffset(extent);
        if (start < 0 || end > extent || start > end)
            throw new ArgumentOutOfRangeException(
                nameof(range),
                $"The range {range} is outside axis {a} (length {extent}) of a tensor of shape {ShapeToString(Shape)}."
            );
        int length = end - start;
        var shape = (int[])Shape.Clone();
        shape[a] = length;
        var result = new Tensor(shape);
        int outer = 1;
        for (int i = 0; i < a; i++)
            outer *= Shape[i];
        int inner = 1;
        for (int i = a + 1; i < Rank; i++)
            inner *= Shape[i];
        for (int o = 0; o < outer; o++)
            Array.Copy(Data, (o * extent + start) * inner, result.Data, o * length * inner, length * inner);
        return result;
    }
}
