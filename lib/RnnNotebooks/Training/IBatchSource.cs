using RnnNotebooks.Tensors;

namespace RnnNotebooks.Training;

/// <summary>
/// Training data that is built one batch at a time instead of held as one tensor (Keras' <c>Sequence</c> /
/// generator): for example 25,000 reviews as rows of word vectors, which as one (25000, 400, 300) tensor would need
/// 12 GB. <c>Sequential.Fit</c>, <c>Evaluate</c> and <c>Predict</c> accept one in place of tensors and give exactly
/// the numbers they give for the same samples in memory.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>
    /// Inputs (first axis: one row per sample) and targets of the samples <paramref name="rows"/>, in that order.
    /// The tensors may be reused by the next call, so the caller must be done with them by then.
    /// </summary>
    (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> rows);
}

/// <summary>An <see cref="IBatchSource"/> over tensors already in memory (rows gathered into reused buffers).</summary>
public sealed class TensorBatchSource : IBatchSource
{
    private readonly Dictionary<int, (Tensor X, Tensor Y)> _buffers = new();

    public TensorBatchSource(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank < 1 || y.Rank < 1 || x.Shape[0] != y.Shape[0])
            throw new ArgumentException(
                $"x has shape {Tensor.ShapeToString(x.Shape)} and y {Tensor.ShapeToString(y.Shape)}; "
                    + "they need the same number of rows."
            );
        X = x;
        Y = y;
    }

    public Tensor X { get; }

    public Tensor Y { get; }

    public int Count => X.Shape[0];

    public (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> rows)
    {
        if (!_buffers.TryGetValue(rows.Length, out var batch))
        {
            batch = (new Tensor([rows.Length, .. X.Shape[1..]]), new Tensor([rows.Length, .. Y.Shape[1..]]));
            _buffers[rows.Length] = batch;
        }
        Copy(X, batch.X, rows);
        Copy(Y, batch.Y, rows);
        return batch;
    }

    private static void Copy(Tensor source, Tensor target, ReadOnlySpan<int> rows)
    {
        int stride = source.Size / source.Shape[0];
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)source.Shape[0])
                throw new ArgumentOutOfRangeException(
                    nameof(rows),
                    rows[i],
                    $"Row {rows[i]} is outside the {source.Shape[0]} samples."
                );
            source.Data.AsSpan(rows[i] * stride, stride).CopyTo(target.Data.AsSpan(i * stride, stride));
        }
    }
}
