using RnnNotebooks.Tensors;

namespace RnnNotebooks.Training;

/// <summary>
/// A Keras 2.x loss on probabilities, with its gradient (docs/keras-semantics.md#losses).
/// <para>
/// The model output has shape (N, …, K): every position along the leading axes is a "row" of K
/// values (one row per sample for (N, K); N·T rows for a per-timestep output (N, T, K)). The
/// per-row loss is computed from the row, and the batch loss is the mean over all rows, as Keras'
/// <c>K.mean</c> of the per-position loss. <see cref="Compute(Tensor, Tensor, Tensor)"/> also
/// writes ∂(batch loss)/∂output, so the 1/rows factor of the mean is already included.
/// </para>
/// <para>
/// Probabilities are clipped to [ε, 1 − ε] with ε = 1e-7 (Keras' fuzz factor) before the log.
/// The clip is part of the function being differentiated: its derivative is 0 outside
/// [ε, 1 − ε] (TensorFlow's clip_by_value gradient), so a saturated prediction gets no
/// gradient through the loss.
/// </para>
/// </summary>
public abstract class Loss
{
    /// <summary>Keras' fuzz factor <c>K.epsilon()</c>.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>1 − ε as Keras computes it (a Python double rounded to float32: 0.99999988).</summary>
    public const float OneMinusEpsilon = (float)(1.0 - 1e-7);

    /// <summary>The Keras identifier: binary_crossentropy, categorical_crossentropy, …</summary>
    public abstract string Name { get; }

    public override string ToString() => Name;

    /// <summary>Looks a loss up by its Keras name (mse is an alias of mean_squared_error).</summary>
    public static Loss FromName(string name) =>
        name switch
        {
            "binary_crossentropy" => new BinaryCrossentropy(),
            "categorical_crossentropy" => new CategoricalCrossentropy(),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
            "mean_squared_error" or "mse" => new MeanSquaredError(),
            _ => throw new ArgumentException(
                $"Unknown loss '{name}'. Known: binary_crossentropy, categorical_crossentropy, "
                    + "sparse_categorical_crossentropy, mean_squared_error (mse)."
            ),
        };

    /// <summary>The batch loss: the mean over all rows of the per-row loss.</summary>
    public double Compute(Tensor yTrue, Tensor yPred) => Run(yTrue, yPred, null);

    /// <summary>The batch loss, and ∂(batch loss)/∂yPred written into <paramref name="gradient"/> (shape of yPred).</summary>
    public double Compute(Tensor yTrue, Tensor yPred, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (!gradient.HasShape(yPred.Shape))
            throw new ArgumentException(
                $"Loss '{Name}': the gradient buffer has shape {Tensor.ShapeToString(gradient.Shape)} but the predictions have {Tensor.ShapeToString(yPred.Shape)}."
            );
        return Run(yTrue, yPred, gradient);
    }

    /// <summary>∂(batch loss)/∂yPred as a new tensor.</summary>
    public Tensor Gradient(Tensor yTrue, Tensor yPred)
    {
        var g = new Tensor(yPred.Shape);
        Run(yTrue, yPred, g);
        return g;
    }

    /// <summary>The loss of every sample (first axis), each the mean over its rows.</summary>
    public double[] PerSample(Tensor yTrue, Tensor yPred)
    {
        int rows = CheckShapes(yTrue, yPred);
        int samples = yPred.Shape[0];
        int rowsPerSample = samples == 0 ? 0 : rows / samples;
        int k = yPred.Shape[^1];
        int targetWidth = TargetWidth(k);
        var result = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            double sum = 0;
            for (int r = s * rowsPerSample; r < (s + 1) * rowsPerSample; r++)
                sum += RowLoss(
                    yTrue.Data.AsSpan(r * targetWidth, targetWidth),
                    yPred.Data.AsSpan(r * k, k),
                    Span<float>.Empty,
                    0f,
                    r
                );
            result[s] = sum / rowsPerSample;
        }
        return result;
    }

    private double Run(Tensor yTrue, Tensor yPred, Tensor? gradient)
    {
        int rows = CheckShapes(yTrue, yPred);
        int k = yPred.Shape[^1];
        int targetWidth = TargetWidth(k);
        float scale = 1f / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++)
            sum += RowLoss(
                yTrue.Data.AsSpan(r * targetWidth, targetWidth),
                yPred.Data.AsSpan(r * k, k),
                gradient is null ? Span<float>.Empty : gradient.Data.AsSpan(r * k, k),
                scale,
                r
            );
        return sum / rows;
    }

    /// <summary>Number of target values per row of K predictions (K, or 1 for integer labels).</summary>
    protected virtual int TargetWidth(int k) => k;

    /// <summary>
    /// The loss of one row; when <paramref name="grad"/> is not empty, writes
    /// <paramref name="gradScale"/> · ∂(row loss)/∂pred into it.
    /// </summary>
    protected abstract double RowLoss(
        ReadOnlySpan<float> target,
        ReadOnlySpan<float> pred,
        Span<float> grad,
        float gradScale,
        int row
    );

    /// <summary>Checks the targets against the predictions; returns the number of rows.</summary>
    protected virtual int CheckShapes(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        RequirePredictionRank(yPred);
        // Keras turns 1-D targets (N,) into (N, 1), so (N,) fits an output of (N, 1).
        bool fits =
            yTrue.Rank >= 1
            && yTrue.Shape[0] == yPred.Shape[0]
            && yTrue.Size == yPred.Size
            && (yTrue.HasShape(yPred.Shape) || (yTrue.Rank == 1 && yPred.Rank == 2 && yPred.Shape[1] == 1));
        if (!fits)
            throw new ArgumentException(
                $"Loss '{Name}' needs targets of the model output's shape {Tensor.ShapeToString(yPred.Shape)}, "
                    + $"got {Tensor.ShapeToString(yTrue.Shape)}.{ShapeHint(yTrue, yPred)}"
            );
        return yPred.Size / yPred.Shape[^1];
    }

    protected virtual string ShapeHint(Tensor yTrue, Tensor yPred) => "";

    protected void RequirePredictionRank(Tensor yPred)
    {
        if (yPred.Rank < 2 || yPred.Shape[^1] == 0 || yPred.Shape[0] == 0)
            throw new ArgumentException(
                $"Loss '{Name}' needs predictions of shape (N, …, K) with N, K ≥ 1, got {Tensor.ShapeToString(yPred.Shape)}."
            );
    }

    /// <summary>clip(p, ε, 1 − ε); NaN stays NaN so a diverged model shows a NaN loss.</summary>
    protected static float Clip(float p) =>
        p < Epsilon ? Epsilon
        : p > OneMinusEpsilon ? OneMinusEpsilon
        : p;

    /// <summary>d clip(p)/dp: 1 inside [ε, 1 − ε] (bounds included, as clip_by_value's gradient), 0 outside.</summary>
    protected static bool PassesClip(float p) => p >= Epsilon && p <= OneMinusEpsilon;
}

/// <summary>
/// Keras 2.x <c>binary_crossentropy</c> on probabilities. Per element, with p' = clip(p, ε, 1 − ε):
/// <c>ℓ = −[y·ln p' + (1 − y)·ln(1 − p')]</c> (Keras evaluates the same value as a sigmoid
/// cross-entropy of the logit ln(p'/(1 − p'))); the row loss is the mean over the last axis.
/// ∂ℓ/∂p = (p' − y) / (p'(1 − p')) inside the clip range, 0 outside.
/// </summary>
public sealed class BinaryCrossentropy : Loss
{
    public override string Name => "binary_crossentropy";

    protected override double RowLoss(
        ReadOnlySpan<float> target,
        ReadOnlySpan<float> pred,
        Span<float> grad,
        float gradScale,
        int row
    )
    {
        int k = pred.Length;
        double sum = 0;
        for (int j = 0; j < k; j++)
        {
            float p = Clip(pred[j]);
            float y = target[j];
            sum -= y * Math.Log(p) + (1.0 - y) * Math.Log(1.0 - p);
            if (!grad.IsEmpty)
                grad[j] = PassesClip(pred[j]) ? (float)((p - (double)y) / (p * (1.0 - p)) * gradScale / k) : 0f;
        }
        return sum / k;
    }
}

/// <summary>
/// Keras 2.x <c>categorical_crossentropy</c> on probabilities: the row is renormalised to sum to 1,
/// q = p / Σp, then clipped, and <c>ℓ = −Σ_k y_k·ln clip(q_k)</c>.
/// With g_k = −y_k / q_k where q_k passes the clip (else 0),
/// ∂ℓ/∂p_j = (g_j − Σ_k g_k·q_k) / Σp (the renormalisation's Jacobian; for a softmax output the
/// extra term is a constant per row that the softmax backward cancels).
/// </summary>
public sealed class CategoricalCrossentropy : Loss
{
    public override string Name => "categorical_crossentropy";

    protected override string ShapeHint(Tensor yTrue, Tensor yPred) =>
        yTrue.Size * yPred.Shape[^1] == yPred.Size
            ? " The targets look like integer class ids: use sparse_categorical_crossentropy, or one-hot encode them (to_categorical)."
            : "";

    protected override double RowLoss(
        ReadOnlySpan<float> target,
        ReadOnlySpan<float> pred,
        Span<float> grad,
        float gradScale,
        int row
    )
    {
        int k = pred.Length;
        float total = 0f;
        for (int j = 0; j < k; j++)
            total += pred[j];
        double loss = 0;
        double weighted = 0;
        for (int j = 0; j < k; j++)
        {
            float q = pred[j] / total;
            float y = target[j];
            if (y != 0f)
                loss -= y * Math.Log(Clip(q));
            if (!grad.IsEmpty)
            {
                double g = PassesClip(q) ? -y / (double)q : 0.0;
                grad[j] = (float)g;
                weighted += g * q;
            }
        }
        if (!grad.IsEmpty)
            for (int j = 0; j < k; j++)
                grad[j] = (float)((grad[j] - weighted) / total * gradScale);
        return loss;
    }
}

/// <summary>
/// Keras 2.x <c>sparse_categorical_crossentropy</c>: integer targets (one class id per row, stored
/// as floats). Keras clips the probabilities, takes their log as logits and applies a softmax
/// cross-entropy, so with p' = clip(p, ε, 1 − ε):
/// <c>ℓ = −ln p'_y + ln Σ_k p'_k</c> (= −ln p_y for a normalised, unclipped row) and
/// ∂ℓ/∂p_j = (1/Σp' − [j = y]/p'_y)·clip'(p_j).
/// Targets may have shape (N,), (N, 1) for an (N, K) output, or (N, T) / (N, T, 1) for (N, T, K).
/// </summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    public override string Name => "sparse_categorical_crossentropy";

    protected override int TargetWidth(int k) => 1;

    protected override int CheckShapes(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        RequirePredictionRank(yPred);
        int rows = yPred.Size / yPred.Shape[^1];
        if (yTrue.Rank < 1 || yTrue.Shape[0] != yPred.Shape[0] || yTrue.Size != rows)
            throw new ArgumentException(
                $"Loss '{Name}' needs one integer class id per output row: targets of shape "
                    + $"{Tensor.ShapeToString(yPred.Shape[..^1])} for predictions {Tensor.ShapeToString(yPred.Shape)}, "
                    + $"got {Tensor.ShapeToString(yTrue.Shape)}."
                    + (yTrue.HasShape(yPred.Shape) ? " The targets look one-hot: use categorical_crossentropy." : "")
            );
        return rows;
    }

    protected override double RowLoss(
        ReadOnlySpan<float> target,
        ReadOnlySpan<float> pred,
        Span<float> grad,
        float gradScale,
        int row
    )
    {
        int k = pred.Length;
        float label = target[0];
        int y = (int)label;
        if (y != label || y < 0 || y >= k)
            throw new ArgumentException($"Loss '{Name}': target of row {row} is {label}, not a class id in [0, {k}).");
        double total = 0;
        for (int j = 0; j < k; j++)
            total += Clip(pred[j]);
        float py = Clip(pred[y]);
        if (!grad.IsEmpty)
            for (int j = 0; j < k; j++)
            {
                double g = 1.0 / total - (j == y ? 1.0 / py : 0.0);
                grad[j] = PassesClip(pred[j]) ? (float)(g * gradScale) : 0f;
            }
        return -Math.Log(py) + Math.Log(total);
    }
}

/// <summary>
/// <c>mean_squared_error</c> (alias <c>mse</c>): row loss = mean over the last axis of (p − y)²;
/// ∂/∂p_j = 2(p_j − y_j)/K.
/// </summary>
public sealed class MeanSquaredError : Loss
{
    public override string Name => "mean_squared_error";

    protected override double RowLoss(
        ReadOnlySpan<float> target,
        ReadOnlySpan<float> pred,
        Span<float> grad,
        float gradScale,
        int row
    )
    {
        int k = pred.Length;
        double sum = 0;
        for (int j = 0; j < k; j++)
        {
            double d = (double)pred[j] - target[j];
            sum += d * d;
            if (!grad.IsEmpty)
                grad[j] = (float)(2.0 * d / k * gradScale);
        }
        return sum / k;
    }
}
