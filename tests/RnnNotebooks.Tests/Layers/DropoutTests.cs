using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void Inference_is_the_identity_forward_and_backward()
    {
        var dropout = new Dropout(0.5f, seed: 1);
        var x = GradientCheck.Random(1, [4, 3, 2]);
        dropout.Forward(x, training: false).Data.Should().Equal(x.Data);
        var dOut = GradientCheck.Random(2, [4, 3, 2]);
        dropout.Backward(dOut).Data.Should().Equal(dOut.Data);
    }

    [Fact]
    public void Training_zeroes_about_rate_of_the_values_and_scales_the_rest_by_one_over_keep()
    {
        var dropout = new Dropout(0.25f, seed: 42);
        var y = dropout.Forward(Tensor.Full(1f, 100, 100), training: true);
        float kept = 1f / 0.75f;
        y.Data.Should().OnlyContain(v => v == 0f || v == kept);
        double dropped = y.Data.Count(v => v == 0f) / (double)y.Size;
        // Binomial(10 000, 0.25): the standard deviation of the fraction is 0.0043.
        dropped.Should().BeApproximately(0.25, 0.02);
    }

    [Fact]
    public void Backward_multiplies_by_the_forward_mask()
    {
        var dropout = new Dropout(0.5f, seed: 3);
        var x = Tensor.Full(1f, 6, 5);
        var mask = dropout.Forward(x, training: true);
        var dOut = GradientCheck.Random(4, [6, 5]);
        var dx = dropout.Backward(dOut);
        for (int i = 0; i < dx.Size; i++)
            dx.Data[i].Should().Be(dOut.Data[i] * mask.Data[i]);
        mask.Data.Should().Contain(0f).And.Contain(2f);
    }

    [Fact]
    public void Gradients_match_central_differences_for_a_fixed_mask()
    {
        const float rate = 0.4f;
        var x = GradientCheck.Random(5, [3, 4, 2]);
        var r = GradientCheck.Random(6, [3, 4, 2]);
        var layer = new Dropout(rate, seed: 11);
        layer.Forward(x, training: true);
        var analytic = layer.Backward(r);
        // A fresh layer with the same seed draws the same first mask, so the loss sees a fixed mask.
        var numeric = GradientCheck.Numeric(
            () => GradientCheck.Loss(new Dropout(rate, seed: 11).Forward(x, true), r),
            x
        );
        GradientCheck.AssertClose(analytic, numeric, "dropout input");
        analytic.Data.Should().Contain(0f, "some values were dropped");
    }

    [Fact]
    public void A_seed_fixes_the_mask_sequence_and_each_call_draws_a_new_mask()
    {
        var x = Tensor.Full(1f, 8, 8);
        var a = new Dropout(0.5f, seed: 7);
        var b = new Dropout(0.5f, seed: 7);
        var first = a.Forward(x, true).ToArray();
        b.Forward(x, true).Data.Should().Equal(first);
        a.Forward(x, true).Data.Should().NotEqual(first);
    }

    [Fact]
    public void Without_a_seed_the_mask_comes_from_the_model_seed()
    {
        static float[] MaskOf(ulong seed)
        {
            var model = new Sequential([new Dense(4, inputShape: [3]), new Dropout(0.5f)], seed: seed);
            return model[1].Forward(Tensor.Full(1f, 16, 4), training: true).ToArray();
        }
        MaskOf(1).Should().Equal(MaskOf(1));
        MaskOf(1).Should().NotEqual(MaskOf(2));
    }

    [Fact]
    public void Rate_zero_is_the_identity_in_training_too()
    {
        var x = GradientCheck.Random(8, [2, 3]);
        new Dropout(0f).Forward(x, training: true).Data.Should().Equal(x.Data);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void A_rate_outside_zero_to_one_is_refused(float rate)
    {
        Errors
            .Message(() => new Dropout(rate, name: "drop"))
            .Should()
            .Contain("'drop' (Dropout)")
            .And.Contain("[0, 1)")
            .And.Contain($"got {rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    [Fact]
    public void Keeps_shape_and_has_no_parameters_and_accepts_other_sequence_lengths()
    {
        var dropout = new Dropout(0.2f, name: "drop");
        dropout.Build(TensorShape.Batched(null, 50), new SeededRandom(0));
        dropout.OutputShape!.ToString().Should().Be("(None, None, 50)");
        dropout.ParameterCount.Should().Be(0);
        dropout.Forward(new Tensor(2, 7, 50)).Shape.Should().Equal(2, 7, 50);
        Errors
            .Message(() => dropout.Forward(new Tensor(2, 7, 49)))
            .Should()
            .Contain("'drop' (Dropout)")
            .And.Contain("(None, None, 50)")
            .And.Contain("(2, 7, 49)");
    }
}
