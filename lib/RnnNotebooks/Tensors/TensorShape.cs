using System.Text;

namespace RnnNotebooks.Tensors;

/// <summary>
/// A symbolic shape as Keras prints it: the batch axis and, for variable-length sequences, the
/// time axis are unknown (<c>None</c>). <c>new TensorShape(null, 400, 50)</c> prints as
/// <c>(None, 400, 50)</c>.
/// </summary>
public sealed class TensorShape : IEquatable<TensorShape>
{
    private readonly int?[] _dims;

    public TensorShape(params int?[] dims) => _dims = (int?[])dims.Clone();

    public int Rank => _dims.Length;

    public int? this[int axis] => _dims[axis < 0 ? _dims.Length + axis : axis];

    public IReadOnlyList<int?> Dims => _dims;

    /// <summary>The shape of one sample, without the batch axis, with the batch axis unknown.</summary>
    public static TensorShape Batched(params int?[] sampleDims) => new([null, .. sampleDims]);

    public TensorShape WithLast(int? last) => new([.. _dims[..^1], last]);

    /// <summary>True when <paramref name="actual"/> fits this shape (unknown axes match anything).</summary>
    public bool Accepts(ReadOnlySpan<int> actual)
    {
        if (actual.Length != _dims.Length)
            return false;
        for (int i = 0; i < actual.Length; i++)
            if (_dims[i] is int d && d != actual[i])
                return false;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < _dims.Length; i++)
        {
            if (i > 0)
                sb.Append(", ");
            sb.Append(_dims[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None");
        }
        if (_dims.Length == 1)
            sb.Append(',');
        return sb.Append(')').ToString();
    }

    public bool Equals(TensorShape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims)
            h.Add(d);
        return h.ToHashCode();
    }
}
