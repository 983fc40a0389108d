using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class ActivationFunctionTests
{
    private static float[] Grid(float from, float to, int count) =>
        Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1)).ToArray();

    [Fact]
    public void Vector_tanh_is_accurate_to_float_precision_everywhere()
    {
        // Odd length: the scalar tail is exercised too.
        var x = Grid(-20f, 20f, 400_001).Concat([0f, 1e-30f, -1e-8f, 0.6249999f, 0.625f, 9f, 100f, -100f]).ToArray();
        var y = new float[x.Length];
        ActivationFunction.Of(ActivationKind.Tanh).Apply(x, y);
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
        ActivationFunction.Of(ActivationKind.Sigmoid).Apply(x, y);
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
        ActivationFunction.Of(ActivationKind.HardSigmoid).Apply(x, y);
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
        ActivationFunction.Of(kind).Apply(x, y);
        var dy = Grid(0.5f, 2f, 37);
        var expected = (float[])dy.Clone();
        Activations.Backward(kind, y, expected);

        var actual = new float[x.Length];
        ActivationFunction.Of(kind).Gradient(y, dy, actual);
        actual.Should().Equal(expected);

        var replaced = (float[])y.Clone();
        var ones = Enumerable.Repeat(1f, x.Length).ToArray();
        ActivationFunction.Of(kind).ReplaceWithGradient(replaced, dy, ones);
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
        ActivationFunction.Of(kind).Apply(x, whole);
        for (int shift = 1; shift < 8; shift++)
        {
            var shifted = new float[x.Length - shift];
            ActivationFunction.Of(kind).Apply(x.AsSpan(shift), shifted);
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
        RecurrentCell.MultiplyAdd(a, b, acc);
        for (int i = 0; i < a.Length; i++)
            acc[i].Should().Be(a[i] * b[i] + c[i], "not fused, the same in the vector body and the tail");
        var y = (float[])c.Clone();
        ActivationFunction.Of(ActivationKind.Tanh).ReplaceWithGradient(y, a, b);
        for (int i = 0; i < a.Length; i++)
            y[i].Should().Be((1f - c[i] * c[i]) * a[i] * b[i]);
    }

    /// <summary>Dense(act) on x, Activation(act) after Dense(linear), and a SimpleRNN(act) step from h_0 = 0, all with the same W and b.</summary>
    private static (Tensor Dense, Tensor Activation, Tensor Cell, Tensor DenseBiasGrad, Tensor CellBiasGrad) ThreeWays(
        string activation
    )
    {
        var rng = new SeededRandom(11);
        Tensor Random(params int[] shape)
        {
            var t = new Tensor(shape);
            for (int i = 0; i < t.Size; i++)
                t.Data[i] = rng.Uniform(-2f, 2f);
            return t;
        }
        int batch = 6,
            features = 5,
            units = 19; // 6·19 = 114 values: vector body and tail
        var (w, u, b, x, dy) = (
            Random(features, units),
            Random(units, units),
            Random(units),
            Random(batch, features),
            Random(batch, units)
        );

        var dense = new Dense(units, activation: activation);
        dense.Build(TensorShape.Batched(features), new SeededRandom(0));
        dense.SetWeights(w, b);
        var linear = new Dense(units);
        linear.Build(TensorShape.Batched(features), new SeededRandom(0));
        linear.SetWeights(w, b);
        var layer = new Activation(activation);
        layer.Build(TensorShape.Batched(units), new SeededRandom(0));
        var rnn = new SimpleRNN(units, activation: activation);
        rnn.Build(new TensorShape(null, 1, features), new SeededRandom(0));
        rnn.SetWeights(w, u, b);

        var viaDense = dense.Forward(x);
        var viaActivation = layer.Forward(linear.Forward(x));
        var viaCell = rnn.Forward(new Tensor((float[])x.Data.Clone(), batch, 1, features));
        dense.Backward(dy);
        rnn.Backward(dy.Clone());
        return (viaDense, viaActivation, viaCell, dense.Parameters[1].Gradient, rnn.Bias!.Gradient);
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("hard_sigmoid")]
    [InlineData("linear")]
    public void Dense_Activation_and_a_recurrent_cell_give_the_same_activation_bit_for_bit(string activation)
    {
        var (dense, layer, cell, denseBiasGrad, cellBiasGrad) = ThreeWays(activation);
        layer.Data.Should().Equal(dense.Data);
        cell.Data.Should().Equal(dense.Data);
        cellBiasGrad.Data.Should().Equal(denseBiasGrad.Data, "f′(y)·dy comes from the same table entry");
    }

    [Theory]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    public void Dense_and_Activation_keep_TensorPrimitives_tanh_and_sigmoid_while_the_cells_use_the_table(
        string activation
    )
    {
        // The documented exception (Activations): the notebooks' numbers were made with TensorPrimitives'
        // tanh and sigmoid in Dense and Activation; the table's differ from them by at most a few ulps.
        var (dense, layer, cell, denseBiasGrad, cellBiasGrad) = ThreeWays(activation);
        layer.Data.Should().Equal(dense.Data);
        var (_, _, linear, _, _) = ThreeWays("linear");
        var expected = (float[])linear.Data.Clone();
        if (activation == "tanh")
            System.Numerics.Tensors.TensorPrimitives.Tanh(expected, expected);
        else
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(expected, expected);
        dense.Data.Should().Equal(expected);

        var table = (float[])linear.Data.Clone();
        ActivationFunction.Of(Activations.Parse(activation)).Apply(table, table);
        cell.Data.Should().Equal(table);
        for (int i = 0; i < table.Length; i++)
            cell.Data[i].Should().BeApproximately(dense.Data[i], 3e-7f);

        // The derivative is the table's on both paths: from the same y the same f′(y)·dy.
        var dy = Enumerable.Range(0, table.Length).Select(i => 0.1f * (i % 7) - 0.3f).ToArray();
        var viaLayers = (float[])dy.Clone();
        Activations.Backward(Activations.Parse(activation), cell.Data, viaLayers);
        var viaTable = new float[dy.Length];
        ActivationFunction.Of(Activations.Parse(activation)).Gradient(cell.Data, dy, viaTable);
        viaLayers.Should().Equal(viaTable);
        cellBiasGrad.Data.Should().NotEqual(denseBiasGrad.Data, "the outputs, and so f′(y), differ in the last bit");
    }
}
