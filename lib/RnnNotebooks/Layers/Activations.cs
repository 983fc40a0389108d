using System.Numerics.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>Keras activation functions by name, applied in place on spans.</summary>
public enum ActivationKind
{
    Linear,
    Relu,
    Tanh,
    Sigmoid,
    HardSigmoid,
    Softmax,
}

/// <summary>
/// Forward and backward of each activation side by side. Every backward is written in terms of the
/// activation's <i>output</i> y (tanh' = 1 − y², σ' = y(1 − y), …) so layers keep only outputs.
/// </summary>
public static class Activations
{
    public static ActivationKind Parse(string? name) =>
        name switch
        {
            null or "linear" or "" => ActivationKind.Linear,
            "relu" => ActivationKind.Relu,
            "tanh" => ActivationKind.Tanh,
            "sigmoid" => ActivationKind.Sigmoid,
            "hard_sigmoid" => ActivationKind.HardSigmoid,
            "softmax" => ActivationKind.Softmax,
            _ => throw new ArgumentException(
                $"Unknown activation '{name}'. Known: linear, relu, tanh, sigmoid, hard_sigmoid, softmax."
            ),
        };

    public static string KerasName(ActivationKind kind) =>
        kind switch
        {
            ActivationKind.Linear => "linear",
            ActivationKind.Relu => "relu",
            ActivationKind.Tanh => "tanh",
            ActivationKind.Sigmoid => "sigmoid",
            ActivationKind.HardSigmoid => "hard_sigmoid",
            ActivationKind.Softmax => "softmax",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    /// <summary>y = f(x) in place. Softmax works on consecutive rows of <paramref name="rowLength"/>.</summary>
    public static void Apply(ActivationKind kind, Span<float> x, int rowLength = 0)
    {
        switch (kind)
        {
            case ActivationKind.Linear:
                break;
            case ActivationKind.Relu:
                TensorPrimitives.Max(x, 0f, x);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(x, x);
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(x, x);
                break;
            case ActivationKind.HardSigmoid:
                // clip(0.2·x + 0.5, 0, 1)
                TensorPrimitives.Multiply(x, 0.2f, x);
                TensorPrimitives.Add(x, 0.5f, x);
                TensorPrimitives.Max(x, 0f, x);
                TensorPrimitives.Min(x, 1f, x);
                break;
            case ActivationKind.Softmax:
                if (rowLength <= 0 || x.Length % rowLength != 0)
                    throw new ArgumentException("softmax needs the row length of its input");
                for (int start = 0; start < x.Length; start += rowLength)
                {
                    var row = x.Slice(start, rowLength);
                    TensorPrimitives.SoftMax(row, row);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>
    /// Turns ∂L/∂y into ∂L/∂x in place (<paramref name="grad"/>), given the outputs y.
    /// </summary>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> y, Span<float> grad, int rowLength = 0)
    {
        switch (kind)
        {
            case ActivationKind.Linear:
                break;
            case ActivationKind.Relu:
                for (int i = 0; i < grad.Length; i++)
                    if (y[i] <= 0f)
                        grad[i] = 0f;
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < grad.Length; i++)
                    grad[i] *= 1f - y[i] * y[i];
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < grad.Length; i++)
                    grad[i] *= y[i] * (1f - y[i]);
                break;
            case ActivationKind.HardSigmoid:
                for (int i = 0; i < grad.Length; i++)
                    grad[i] = y[i] > 0f && y[i] < 1f ? grad[i] * 0.2f : 0f;
                break;
            case ActivationKind.Softmax:
                // ∂L/∂x_j = y_j (g_j − Σ_k g_k y_k)
                for (int start = 0; start < grad.Length; start += rowLength)
                {
                    var g = grad.Slice(start, rowLength);
                    var yr = y.Slice(start, rowLength);
                    float dot = TensorPrimitives.Dot(g, yr);
                    for (int j = 0; j < rowLength; j++)
                        g[j] = yr[j] * (g[j] - dot);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
