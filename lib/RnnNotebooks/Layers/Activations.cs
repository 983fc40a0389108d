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
/// Keras' activations by name, for the layers that apply one to a whole tensor (Dense, Activation).
/// Every element-wise activation comes from the one table, <see cref="ActivationFunction"/>, which the
/// recurrent cells use too; softmax, the one activation that is not element-wise, is here. See
/// docs/keras-semantics.md#activations.
/// <para>
/// One exception, kept on purpose: the forward tanh and sigmoid of Dense and Activation go through
/// TensorPrimitives, as they always have, while the table (and so every recurrent cell) uses its own
/// Cephes-style vector code. Both are accurate to float precision (2.5·10⁻⁷) but differ in the last bit
/// for some inputs. Moving Dense and Activation onto the table was tried and changes what the notebooks
/// print: in notebook 05 (quick mode) the SimpleRNN's Dense(1, sigmoid) trains to another best
/// validation accuracy (0.5550 becomes 0.5200) and test accuracy (0.5090 becomes 0.5070); in notebook 06
/// the Dense(tanh)-versus-SimpleRNN checks print a largest difference of 0 instead of 5.96E-08 and
/// 1.19E-07. So the table's tanh and σ stay inside the cells. Derivatives, relu, hard_sigmoid and linear
/// are the table's on every path; for Dense and Activation they give the values they gave before (only
/// hard_sigmoid's clipped gradient may now be −0 where it was +0, which changes no sum).
/// </para>
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
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(x, x); // not the table's tanh: see the class comment
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(x, x); // not the table's sigmoid: see the class comment
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
                ActivationFunction.Of(kind).Apply(x, x);
                break;
        }
    }

    /// <summary>
    /// Turns ∂L/∂y into ∂L/∂x in place (<paramref name="grad"/>), given the outputs y.
    /// </summary>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> y, Span<float> grad, int rowLength = 0)
    {
        if (kind != ActivationKind.Softmax)
        {
            ActivationFunction.Of(kind).Gradient(y, grad, grad);
            return;
        }
        // ∂L/∂x_j = y_j (g_j − Σ_k g_k y_k)
        for (int start = 0; start < grad.Length; start += rowLength)
        {
            var g = grad.Slice(start, rowLength);
            var yr = y.Slice(start, rowLength);
            float dot = TensorPrimitives.Dot(g, yr);
            for (int j = 0; j < rowLength; j++)
                g[j] = yr[j] * (g[j] - dot);
        }
    }
}
