using RnnNotebooks.Tensors;

namespace RnnNotebooks.Data;

/// <summary>
/// Lays out consecutive windows of one long stream for a stateful RNN trained in batches of B.
/// <para>
/// A stateful layer starts row i of every batch from the final state of row i of the previous batch. So row i
/// of batch k + 1 must be the window that follows row i of batch k. <see cref="Order"/> splits the stream of N
/// windows into B lanes of N / B consecutive windows each and lets batch k hold window k of every lane: row i of
/// batch k is window i·(N/B) + k. With B = 1 the order is the stream itself.
/// </para>
/// </summary>
public static class StatefulBatches
{
    /// <summary>
    /// The stream positions in training order: entry k·B + i is the window that goes to row i of batch k.
    /// Throws unless <paramref name="windows"/> is a multiple of <paramref name="batchSize"/> (a stateful
    /// model needs full batches).
    /// </summary>
    public static int[] Order(int windows, int batchSize)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be ≥ 1.");
        if (windows < batchSize || windows % batchSize != 0)
            throw new ArgumentException(
                $"{windows} windows do not fill batches of {batchSize}: a stateful model needs a whole number of "
                    + "full batches. Drop the last windows or pick a batch size that divides the count.",
                nameof(windows)
            );
        int lane = windows / batchSize;
        var order = new int[windows];
        for (int k = 0; k < lane; k++)
        for (int i = 0; i < batchSize; i++)
            order[k * batchSize + i] = i * lane + k;
        return order;
    }

    /// <summary>The rows of <paramref name="x"/> (first axis) in the order given, as a new tensor.</summary>
    public static Tensor TakeRows(Tensor x, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rows);
        if (x.Rank < 1)
            throw new ArgumentException("Need a tensor with at least one axis.", nameof(x));
        int n = x.Shape[0];
        int stride = n == 0 ? 0 : x.Size / n;
        var result = new Tensor([rows.Count, .. x.Shape[1..]]);
        for (int r = 0; r < rows.Count; r++)
        {
            int source = rows[r];
            if (source < 0 || source >= n)
                throw new ArgumentOutOfRangeException(nameof(rows), source, $"Row index outside [0, {n}).");
            Array.Copy(x.Data, source * stride, result.Data, r * stride, stride);
        }
        return result;
    }

    /// <summary>Puts the stream-ordered rows of <paramref name="x"/> into training order for batches of <paramref name="batchSize"/>.</summary>
    public static Tensor Arrange(Tensor x, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(x);
        return TakeRows(x, Order(x.Shape[0], batchSize));
    }

    /// <summary>Undoes <see cref="Arrange"/>: rows in training order (e.g. predictions) back in stream order.</summary>
    public static Tensor Unarrange(Tensor arranged, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(arranged);
        var order = Order(arranged.Shape[0], batchSize);
        var inverse = new int[order.Length];
        for (int j = 0; j < order.Length; j++)
            inverse[order[j]] = j;
        return TakeRows(arranged, inverse);
    }
}
