using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// Central-difference gradient checks. The loss is L = Σ y ⊙ R for a fixed random R (so ∂L/∂y = R),
/// summed in double so that float32 rounding of y stays far below the finite-difference signal.
/// </summary>
internal static class GradientCheck
{
    public const double Step = 1e-3;
    public const double AbsoluteTolerance = 1e-3;
    public const double RelativeTolerance = 1e-2;

    /// <summary>A tensor of the given shape with values from U(low, high).</summary>
    public static Tensor Random(ulong seed, int[] shape, float low = -1f, float high = 1f)
    {
        var rng = new SeededRandom(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++)
            t.Data[i] = rng.Uniform(low, high);
        return t;
    }

    public static double Loss(Tensor output, Tensor r)
    {
        output.Shape.Should().Equal(r.Shape);
        double sum = 0;
        for (int i = 0; i < output.Size; i++)
            sum += (double)output.Data[i] * r.Data[i];
        return sum;
    }

    /// <summary>∂loss/∂target by central differences, perturbing <paramref name="target"/> in place (restored after).</summary>
    public static Tensor Numeric(Func<double> loss, Tensor target, double step = Step)
    {
        var grad = new Tensor(target.Shape);
        for (int i = 0; i < target.Size; i++)
        {
            float original = target.Data[i];
            float up = (float)(original + step),
                down = (float)(original - step);
            target.Data[i] = up;
            double lossUp = loss();
            target.Data[i] = down;
            double lossDown = loss();
            target.Data[i] = original;
            grad.Data[i] = (float)((lossUp - lossDown) / ((double)up - down));
        }
        return grad;
    }

    public static void AssertClose(Tensor analytic, Tensor numeric, string what)
    {
        analytic.Shape.Should().Equal(numeric.Shape, $"the gradient of {what} has the shape of {what}");
        for (int i = 0; i < analytic.Size; i++)
        {
            double a = analytic.Data[i],
                n = numeric.Data[i];
            double allowed = AbsoluteTolerance + RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(n));
            Math.Abs(a - n)
                .Should()
                .BeLessThanOrEqualTo(allowed, $"∂L/∂{what}[{i}]: analytic {a} vs central difference {n}");
        }
    }

    /// <summary>
    /// Checks Backward of a built layer against central differences for every parameter and,
    /// when <paramref name="checkInput"/>, for the input. Returns the analytic input gradient.
    /// </summary>
    public static Tensor CheckLayer(Layer layer, Tensor input, bool checkInput = true, ulong seed = 99)
    {
        var output = layer.Forward(input);
        var r = Random(seed, output.Shape);
        layer.ZeroGradients();
        layer.Forward(input);
        var dInput = layer.Backward(r);
        dInput.Shape.Should().Equal(input.Shape);
        double loss() => Loss(layer.Forward(input), r);
        foreach (var p in layer.Parameters)
            AssertClose(p.Gradient, Numeric(loss, p.Value), $"{layer.Name}/{p.Name}");
        if (checkInput)
            AssertClose(dInput, Numeric(loss, input), $"{layer.Name} input");
        return dInput;
    }
}
