using RnnNotebooks.Training;
using Tensor = RnnNotebooks.Tensors.Tensor;

namespace RnnNotebooks.Data;

/// <summary>
/// Samples kept as rows of a <see cref="WordVectors"/> table (one int per token) and turned into vectors one batch at a
/// time: batch rows i₁…i_b become a (b, <see cref="MaxLength"/>, Dimension) tensor by seed 000's <c>pad_trunc</c>
/// (the first MaxLength vectors, then zero vectors), and targets (b, 1). 25,000 reviews of 400 tokens take
/// 40 MB as rows; as 300-dimensional vectors they would take 12 GB.
/// </summary>
public sealed class WordVectorSequences : IBatchSource
{
    private readonly IReadOnlyList<int[]> _sequences;
    private readonly float[] _labels;
    private readonly Dictionary<int, (Tensor X, Tensor Y)> _buffers = new();

    /// <param name="vectors">The table the rows point into.</param>
    /// <param name="sequences">Per sample, the table rows of its tokens (<see cref="WordVectors.Lookup"/>).</param>
    /// <param name="labels">Per sample, its target (0 or 1 for a sigmoid output); null: zeros (for Predict).</param>
    /// <param name="maxLength">Timesteps per sample: longer samples are cut, shorter ones padded with zero vectors.</param>
    public WordVectorSequences(
        WordVectors vectors,
        IReadOnlyList<int[]> sequences,
        IReadOnlyList<int>? labels,
        int maxLength
    )
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(sequences);
        if (maxLength <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be positive.");
        if (labels is not null && labels.Count != sequences.Count)
            throw new ArgumentException(
                $"{sequences.Count} sequences but {labels.Count} labels; give one label per sequence.",
                nameof(labels)
            );
        for (int i = 0; i < sequences.Count; i++)
        {
            var s = sequences[i] ?? throw new ArgumentException($"Sequence {i} is null.", nameof(sequences));
            foreach (int row in s)
            {
                if ((uint)row >= (uint)vectors.Count)
                    throw new ArgumentException(
                        $"Sequence {i} points at row {row}, but the table has {vectors.Count} vectors.",
                        nameof(sequences)
                    );
            }
        }
        Vectors = vectors;
        _sequences = sequences;
        _labels = labels is null ? new float[sequences.Count] : labels.Select(l => (float)l).ToArray();
        MaxLength = maxLength;
    }

    public WordVectors Vectors { get; }

    public int MaxLength { get; }

    public int Count => _sequences.Count;

    /// <summary>Shape of one batch of <paramref name="rows"/> samples: (rows, MaxLength, Dimension).</summary>
    public int[] BatchShape(int rows) => [rows, MaxLength, Vectors.Dimension];

    public (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> rows)
    {
        int dim = Vectors.Dimension;
        if (!_buffers.TryGetValue(rows.Length, out var batch))
        {
            batch = (new Tensor(BatchShape(rows.Length)), new Tensor(rows.Length, 1));
            _buffers[rows.Length] = batch;
        }
        var x = batch.X.Data.AsSpan();
        x.Clear();
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)_sequences.Count)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the {Count} samples.");
            var sequence = _sequences[r];
            int kept = Math.Min(sequence.Length, MaxLength);
            for (int t = 0; t < kept; t++)
                Vectors.Vector(sequence[t]).CopyTo(x.Slice((i * MaxLength + t) * dim, dim));
            batch.Y.Data[i] = _labels[r];
        }
        return batch;
    }

    /// <summary>The samples <paramref name="rows"/> as a new source (e.g. the first 80 % for training).</summary>
    public WordVectorSequences Subset(IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var chosen = rows.ToArray();
        return new WordVectorSequences(
            Vectors,
            chosen.Select(r => _sequences[r]).ToArray(),
            chosen.Select(r => (int)_labels[r]).ToArray(),
            MaxLength
        );
    }
}
