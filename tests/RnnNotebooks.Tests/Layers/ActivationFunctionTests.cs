using RnnNotebooks.Layers;

namespace RnnNotebooks.Tests.Layers;

public class GateMathTests
{
    private static float[] Grid(float from, float to, int count) =>
        Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1)).ToArray();

    [Fact]
    public void Vector_tanh_is_accurate_to_float_precision_everywhere()
    {
        // Odd length: the scalar tail is exercised too.
        var x = Grid(-20f, 20f, 400_001).Concat([0f, 1e-30f, -1e-8f, 0.6249999f, 0.625f, 9f, 100f, -100f]).ToArray();
        var y = new float[x.Length];
        GateMath.Tanh(x, y);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
            worst = Math.Max(worst, Math.Abs(y[i] - Math.Tanh(x[i])));
        worst.Should().BeLessThan(2.5e-7);
        y[^2].Should().Be(1f);
        y[^1].Should().Be(-1f);
        y[x.Length - 8].Should().Be(0f);
    }

    [Fact]
    public void Vector_sigmoid_is_accurate_to_float_precision_everywhere()
    {
        var x = Grid(-80f, 80f, 400_001).Concat([0f, 200f, -200f]).ToArray();
        var y = new float[x.Length];
        GateMath.Sigmoid(x, y);
        double worstRelative = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = 1 / (1 + Math.Exp(-(double)x[i]));
            if (exact > 1e-30)
                worstRelative = Math.Max(worstRelative, Math.Abs(y[i] - exact) / exact);
        }
        worstRelative.Should().BeLessThan(5e-7);
        y[^2].Should().Be(1f);
        y[^1].Should().BeInRange(0f, 1e-30f);
        y[^3].Should().Be(0.5f);
    }

    [Fact]
    public void Hard_sigmoid_is_keras_clip_of_a_fifth_plus_a_half()
    {
        float[] x = [-3f, -2.5f, -1f, 0f, 0.3f, 2.5f, 7f, 1.25f, -0.1f];
        var y = new float[x.Length];
        GateMath.Apply(ActivationKind.HardSigmoid, x, y);
        for (int i = 0; i < x.Length; i++)
            y[i].Should().Be(Math.Clamp(0.2f * x[i] + 0.5f, 0f, 1f));
    }

    [Theory]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.HardSigmoid)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Linear)]
    public void Gradients_from_outputs_agree_with_the_scalar_activation_backward(ActivationKind kind)
    {
        var x = Grid(-3.3f, 3.1f, 37);
        var y = new float[x.Length];
        GateMath.Apply(kind, x, y);
        var dy = Grid(0.5f, 2f, 37);
        var expected = (float[])dy.Clone();
        Activations.Backward(kind, y, expected);

        var actual = new float[x.Length];
        GateMath.Gradient(kind, y, dy, actual);
        actual.Should().Equal(expected);

        var replaced = (float[])y.Clone();
        var ones = Enumerable.Repeat(1f, x.Length).ToArray();
        GateMath.ReplaceWithGradient(kind, replaced, dy, ones);
        replaced.Should().Equal(expected);
    }

    [Theory]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.HardSigmoid)]
    public void An_element_gets_the_same_value_wherever_it_falls_in_a_block(ActivationKind kind)
    {
        // Shards of different sizes put a sample's values at different offsets (vector body or tail).
        var x = Grid(-4f, 4f, 3 * 8 + 5);
        var whole = new float[x.Length];
        GateMath.Apply(kind, x, whole);
        for (int shift = 1; shift < 8; shift++)
        {
            var shifted = new float[x.Length - shift];
            GateMath.Apply(kind, x.AsSpan(shift), shifted);
            shifted.Should().Equal(whole[shift..]);
        }
    }

    [Fact]
    public void Element_wise_products_used_by_the_cells_do_not_depend_on_the_position()
    {
        var rng = new RnnNotebooks.Tensors.SeededRandom(3);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.Uniform(-2f, 2f)).ToArray();
        var (a, b, c) = (Random(29), Random(29), Random(29));
        var acc = (float[])c.Clone();
        GateMath.MultiplyAdd(a, b, acc);
        for (int i = 0; i < a.Length; i++)
            acc[i].Should().Be(a[i] * b[i] + c[i], "not fused, the same in the vector body and the tail");
        var y = (float[])c.Clone();
        GateMath.ReplaceWithGradient(ActivationKind.Tanh, y, a, b);
        for (int i = 0; i < a.Length; i++)
            y[i].Should().Be((1f - c[i] * c[i]) * a[i] * b[i]);
    }
}
