using RnnNotebooks.Tensors;

namespace RnnNotebooks.Training;

/// <summary>Which accuracy a metric computes (docs/keras-semantics.md#accuracy-metrics).</summary>
public enum AccuracyKind
{
    /// <summary><c>binary_accuracy</c>: mean over the last axis of [y = round(p)], round half to even (0.5 → 0).</summary>
    Binary,

    /// <summary><c>categorical_accuracy</c>: [argmax y = argmax p], first maximum wins.</summary>
    Categorical,

    /// <summary><c>sparse_categorical_accuracy</c>: [y = argmax p] with integer targets.</summary>
    SparseCategorical,
}

/// <summary>The accuracy metrics of Keras 2.x and the rule that resolves 'acc' / 'accuracy'.</summary>
public static class Accuracy
{
    /// <summary>
    /// Keras 2.x resolution of 'acc'/'accuracy': binary when the output's last dimension is 1 or the
    /// loss is binary_crossentropy; else sparse when the loss is sparse_categorical_crossentropy;
    /// else categorical.
    /// </summary>
    public static AccuracyKind Resolve(string lossName, int outputLastDim) =>
        outputLastDim == 1 || lossName == "binary_crossentropy" ? AccuracyKind.Binary
        : lossName == "sparse_categorical_crossentropy" ? AccuracyKind.SparseCategorical
        : AccuracyKind.Categorical;

    /// <summary>The metric's value on a batch: the mean over all rows (N·T for per-timestep outputs).</summary>
    public static double Compute(AccuracyKind kind, Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yPred.Rank < 2 || yPred.Shape[^1] == 0 || yPred.Shape[0] == 0)
            throw new ArgumentException(
                $"Accuracy needs predictions of shape (N, …, K), got {Tensor.ShapeToString(yPred.Shape)}."
            );
        int k = yPred.Shape[^1];
        int rows = yPred.Size / k;
        int targetWidth = kind == AccuracyKind.SparseCategorical ? 1 : k;
        if (yTrue.Size != rows * targetWidth || yTrue.Shape[0] != yPred.Shape[0])
            throw new ArgumentException(
                $"{KerasName(kind)} needs {(targetWidth == 1 ? "one class id per row" : "targets of the prediction's shape")} "
                    + $"for predictions {Tensor.ShapeToString(yPred.Shape)}, got targets {Tensor.ShapeToString(yTrue.Shape)}."
            );
        var t = yTrue.Data;
        var p = yPred.Data;
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            var pr = p.AsSpan(r * k, k);
            switch (kind)
            {
                case AccuracyKind.Binary:
                    int hits = 0;
                    for (int j = 0; j < k; j++)
                        if (t[r * k + j] == MathF.Round(pr[j], MidpointRounding.ToEven))
                            hits++;
                    sum += (double)hits / k;
                    break;
                case AccuracyKind.Categorical:
                    if (ArgMax(t.AsSpan(r * k, k)) == ArgMax(pr))
                        sum += 1;
                    break;
                case AccuracyKind.SparseCategorical:
                    if (t[r] == ArgMax(pr))
                        sum += 1;
                    break;
            }
        }
        return sum / rows;
    }

    /// <summary>Index of the largest value; the first one on ties (numpy's rule).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++)
            if (values[j] > values[best])
                best = j;
        return best;
    }

    public static string KerasName(AccuracyKind kind) =>
        kind switch
        {
            AccuracyKind.Binary => "binary_accuracy",
            AccuracyKind.Categorical => "categorical_accuracy",
            AccuracyKind.SparseCategorical => "sparse_categorical_accuracy",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
}
