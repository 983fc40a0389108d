using RnnNotebooks.Tensors;

namespace RnnNotebooks.Text;

/// <summary>Class labels as integers and one-hot rows (docs/keras-semantics.md#to_categorical).</summary>
public static class Categorical
{
    /// <summary>
    /// Keras' <c>to_categorical</c>: row i is all zeros except a 1 at column <c>y[i]</c>. Shape (n, numClasses);
    /// <paramref name="numClasses"/> null = max(y) + 1.
    /// </summary>
    public static Tensor ToCategorical(IReadOnlyList<int> y, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        int classes = ResolveClasses(y, numClasses);
        var result = new Tensor(y.Count, classes);
        for (int i = 0; i < y.Count; i++)
            result.Data[i * classes + CheckedLabel(y[i], classes, i)] = 1f;
        return result;
    }

    /// <summary>
    /// <c>to_categorical</c> of a tensor of labels: values are truncated to int, a trailing axis of size 1 is dropped
    /// (so (n, 1) gives (n, classes)), and a class axis is appended.
    /// </summary>
    public static Tensor ToCategorical(Tensor y, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        var labels = y.Data.Select(v => (int)v).ToArray();
        int classes = ResolveClasses(labels, numClasses);
        var shape = y.Shape.ToList();
        if (shape.Count > 1 && shape[^1] == 1)
            shape.RemoveAt(shape.Count - 1);
        shape.Add(classes);
        var result = new Tensor(shape.ToArray());
        for (int i = 0; i < labels.Length; i++)
            result.Data[i * classes + CheckedLabel(labels[i], classes, i)] = 1f;
        return result;
    }

    /// <summary>
    /// sklearn's <c>LabelEncoder</c>: the distinct labels sorted (ordinal), and each label's position among them
    /// (so "negative" → 0, "neutral" → 1, "positive" → 2).
    /// </summary>
    public static (int[] Codes, string[] Classes) EncodeLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var list = labels.ToList();
        var classes = list.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var position = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        return (list.Select(l => position[l]).ToArray(), classes);
    }

    private static int ResolveClasses(IReadOnlyList<int> y, int? numClasses)
    {
        if (numClasses is int n)
        {
            if (n <= 0)
                throw new ArgumentOutOfRangeException(nameof(numClasses), n, "numClasses must be positive.");
            return n;
        }
        if (y.Count == 0)
            throw new ArgumentException("No labels, and numClasses was not given.", nameof(y));
        return y.Max() + 1;
    }

    private static int CheckedLabel(int label, int classes, int position)
    {
        if (label < 0 || label >= classes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(label),
                label,
                $"Label at position {position} is {label}, outside 0…{classes - 1}."
            );
        }
        return label;
    }
}
