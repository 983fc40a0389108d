using RnnNotebooks.Tensors;

namespace RnnNotebooks.Text;

/// <summary>Where <see cref="Sequences.PadSequences(IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/> puts the padding.</summary>
public enum Padding
{
    /// <summary>Pad at the start (sequence right-aligned): Keras' default <c>'pre'</c>.</summary>
    Pre,

    /// <summary>Pad at the end (sequence left-aligned): <c>'post'</c>.</summary>
    Post,
}

/// <summary>Which end <see cref="Sequences.PadSequences(IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/> cuts from a sequence longer than maxlen.</summary>
public enum Truncating
{
    /// <summary>Drop items at the start, keep the last maxlen: Keras' default <c>'pre'</c>.</summary>
    Pre,

    /// <summary>Drop items at the end, keep the first maxlen: <c>'post'</c>.</summary>
    Post,
}

/// <summary>Turning variable-length sequences into fixed-size arrays (docs/keras-semantics.md#pad-sequences; seed 000).</summary>
public static class Sequences
{
    /// <summary>
    /// Keras' <c>pad_sequences</c>: a (samples, maxlen) array pre-filled with <paramref name="value"/>. A longer
    /// sequence is cut (<see cref="Truncating.Pre"/> keeps its last maxlen items, <see cref="Truncating.Post"/> its
    /// first); a shorter one is right-aligned (<see cref="Padding.Pre"/>) or left-aligned (<see cref="Padding.Post"/>).
    /// </summary>
    /// <param name="sequences">The sequences (any lengths, empty ones included).</param>
    /// <param name="maxlen">Row length; null = the longest sequence.</param>
    /// <param name="padding">Pad before (<see cref="Padding.Pre"/>) or after the sequence.</param>
    /// <param name="truncating">Cut from the start (<see cref="Truncating.Pre"/>) or the end of a longer sequence.</param>
    /// <param name="value">The padding value.</param>
    public static int[,] PadSequences(
        IReadOnlyList<IReadOnlyList<int>> sequences,
        int? maxlen = null,
        Padding padding = Padding.Pre,
        Truncating truncating = Truncating.Pre,
        int value = 0
    )
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int length = ResolveMaxlen(sequences, maxlen);
        var result = new int[sequences.Count, length];
        for (int i = 0; i < sequences.Count; i++)
        {
            var sequence = sequences[i] ?? throw new ArgumentException($"sequence {i} is null", nameof(sequences));
            for (int j = 0; j < length; j++)
                result[i, j] = value;
            int kept = Math.Min(sequence.Count, length);
            int from = truncating == Truncating.Pre ? sequence.Count - kept : 0;
            int to = padding == Padding.Pre ? length - kept : 0;
            for (int k = 0; k < kept; k++)
                result[i, to + k] = sequence[from + k];
        }
        return result;
    }

    /// <inheritdoc cref="PadSequences(IReadOnlyList{IReadOnlyList{int}}, int?, Padding, Truncating, int)"/>
    public static int[,] PadSequences(
        IReadOnlyList<int[]> sequences,
        int? maxlen = null,
        Padding padding = Padding.Pre,
        Truncating truncating = Truncating.Pre,
        int value = 0
    ) => PadSequences((IReadOnlyList<IReadOnlyList<int>>)sequences, maxlen, padding, truncating, value);

    /// <summary><see cref="PadSequences(IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/> as a float tensor (samples, maxlen), the form Embedding layers take.</summary>
    public static Tensor PadSequencesTensor(
        IReadOnlyList<int[]> sequences,
        int? maxlen = null,
        Padding padding = Padding.Pre,
        Truncating truncating = Truncating.Pre,
        int value = 0
    ) => Tensor.FromArray(PadSequences(sequences, maxlen, padding, truncating, value));

    /// <summary>
    /// Seed 000's <c>pad_trunc</c> for sequences of vectors: each sample keeps its first <paramref name="maxlen"/>
    /// vectors and is padded at the end with zero vectors. Result shape (samples, maxlen, dim).
    /// </summary>
    /// <param name="samples">Per sample, its vectors in order (all of the same length).</param>
    /// <param name="maxlen">Timesteps kept.</param>
    /// <param name="dimension">Vector length; needed only when every sample is empty.</param>
    public static Tensor PadTrunc(IReadOnlyList<IReadOnlyList<float[]>> samples, int maxlen, int? dimension = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (maxlen <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxlen), maxlen, "maxlen must be positive.");
        int dim =
            dimension
            ?? samples.FirstOrDefault(s => s.Count > 0)?[0].Length
            ?? throw new ArgumentException("All samples are empty; pass the vector dimension.", nameof(samples));
        var result = new Tensor(samples.Count, maxlen, dim);
        for (int i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            int kept = Math.Min(sample.Count, maxlen);
            for (int t = 0; t < kept; t++)
            {
                var vector = sample[t];
                if (vector.Length != dim)
                {
                    throw new ArgumentException(
                        $"Sample {i}, step {t}: vector of length {vector.Length}, expected {dim}.",
                        nameof(samples)
                    );
                }
                vector.CopyTo(result.Data, (i * maxlen + t) * dim);
            }
        }
        return result;
    }

    private static int ResolveMaxlen(IReadOnlyList<IReadOnlyList<int>> sequences, int? maxlen)
    {
        if (maxlen is int m)
        {
            if (m < 0)
                throw new ArgumentOutOfRangeException(nameof(maxlen), m, "maxlen must be ≥ 0.");
            return m;
        }
        int longest = 0;
        foreach (var s in sequences)
            longest = Math.Max(longest, s?.Count ?? 0);
        return longest;
    }
}
