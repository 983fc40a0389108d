using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class DenseTests
{
    private static Dense Built(int inputDim, int units, string? activation, ulong seed = 5, int? timesteps = null)
    {
        var dense = new Dense(units, activation, name: $"dense_{activation ?? "none"}");
        var shape = timesteps is null ? TensorShape.Batched(inputDim) : TensorShape.Batched(timesteps, inputDim);
        dense.Build(shape, new SeededRandom(seed));
        // A non-zero bias so relu and hard_sigmoid see both sides of their kinks.
        GradientCheck.Random(seed + 1, [units], -0.5f, 0.5f).Data.CopyTo(dense.Bias!.Value.Data, 0);
        return dense;
    }

    [Fact]
    public void Forward_is_x_times_kernel_plus_bias()
    {
        var dense = new Dense(3);
        dense.Build(TensorShape.Batched(2), new SeededRandom(0));
        dense.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 1, 2, 3 },
                    { 4, 5, 6 },
                }
            ),
            Tensor.FromArray(new float[] { 0.5f, -1, 0 })
        );
        var y = dense.Forward(
            Tensor.FromArray(
                new float[,]
                {
                    { 1, 2 },
                    { -1, 0 },
                }
            )
        );
        // [1, 2]·W = [9, 12, 15]; [−1, 0]·W = [−1, −2, −3]
        y.ToArray2D()
            .Should()
            .BeEquivalentTo(
                new float[,]
                {
                    { 9.5f, 11, 15 },
                    { -0.5f, -3, -3 },
                }
            );
    }

    // Narrow (fewer than 16 units: masked GEMM columns) and wide layers.
    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public void Three_d_input_applies_the_same_weights_at_every_timestep(int units)
    {
        var dense = Built(4, units, "tanh", timesteps: 3);
        var x = GradientCheck.Random(1, [2, 3, 4]);
        var y = dense.Forward(x);
        y.Shape.Should().Equal(2, 3, units);
        var w = dense.Kernel.Value;
        var b = dense.Bias!.Value;
        for (int s = 0; s < 2; s++)
        for (int t = 0; t < 3; t++)
        for (int u = 0; u < units; u++)
        {
            double z = b[u];
            for (int i = 0; i < 4; i++)
                z += (double)x[s, t, i] * w[i, u];
            y[s, t, u].Should().BeApproximately((float)Math.Tanh(z), 1e-6f);
        }
    }

    [Fact]
    public void Three_d_softmax_normalises_each_timestep_separately()
    {
        var dense = Built(4, 6, "softmax", timesteps: 3);
        var y = dense.Forward(GradientCheck.Random(2, [2, 3, 4], -3f, 3f));
        for (int s = 0; s < 2; s++)
        for (int t = 0; t < 3; t++)
        {
            double sum = 0;
            for (int u = 0; u < 6; u++)
                sum += y[s, t, u];
            sum.Should().BeApproximately(1.0, 1e-6);
        }
    }

    [Theory]
    [InlineData(null, 5)]
    [InlineData("relu", 5)]
    [InlineData("tanh", 5)]
    [InlineData("sigmoid", 5)]
    [InlineData("hard_sigmoid", 5)]
    [InlineData("softmax", 5)]
    [InlineData(null, 20)]
    [InlineData("relu", 20)]
    [InlineData("tanh", 20)]
    [InlineData("sigmoid", 20)]
    [InlineData("hard_sigmoid", 20)]
    [InlineData("softmax", 20)]
    public void Gradients_match_central_differences_on_2d_input(string? activation, int units)
    {
        var dense = Built(4, units, activation);
        GradientCheck.CheckLayer(dense, GradientCheck.Random(3, [3, 4], -2f, 2f));
    }

    [Theory]
    [InlineData(null, 5)]
    [InlineData("relu", 5)]
    [InlineData("tanh", 5)]
    [InlineData("sigmoid", 5)]
    [InlineData("hard_sigmoid", 5)]
    [InlineData("softmax", 5)]
    [InlineData(null, 20)]
    [InlineData("relu", 20)]
    [InlineData("tanh", 20)]
    [InlineData("sigmoid", 20)]
    [InlineData("hard_sigmoid", 20)]
    [InlineData("softmax", 20)]
    public void Gradients_match_central_differences_on_3d_input(string? activation, int units)
    {
        var dense = Built(4, units, activation, timesteps: 3);
        GradientCheck.CheckLayer(dense, GradientCheck.Random(4, [2, 3, 4], -2f, 2f));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(17)]
    public void Backward_adds_into_the_gradients_until_they_are_zeroed(int units)
    {
        var dense = Built(3, units, "sigmoid");
        var x = GradientCheck.Random(6, [4, 3]);
        var r = GradientCheck.Random(7, [4, units]);
        dense.Forward(x);
        dense.Backward(r);
        var once = dense.Kernel.Gradient.Clone();
        dense.Forward(x);
        dense.Backward(r);
        // The second pass adds its row contributions onto the first sum, so equality is up to rounding.
        for (int i = 0; i < once.Size; i++)
            dense.Kernel.Gradient.Data[i].Should().BeApproximately(2 * once.Data[i], 1e-6f);
        dense.ZeroGradients();
        dense.Kernel.Gradient.Data.Should().OnlyContain(g => g == 0f);
    }

    [Fact]
    public void Without_bias_there_is_only_a_kernel()
    {
        var dense = new Dense(3, useBias: false);
        dense.Build(TensorShape.Batched(4), new SeededRandom(0));
        dense.Parameters.Select(p => p.Name).Should().Equal("kernel");
        dense.ParameterCount.Should().Be(12);
        GradientCheck.CheckLayer(dense, GradientCheck.Random(8, [2, 4]));
    }

    [Theory]
    [InlineData(16, 256, 4_352)]
    [InlineData(256, 1, 257)]
    [InlineData(40, 2, 82)]
    [InlineData(1, 5, 10)]
    [InlineData(20_000, 1, 20_001)]
    public void Parameter_count_is_inputs_times_units_plus_units(int inputDim, int units, long expected)
    {
        var dense = new Dense(units);
        dense.Build(TensorShape.Batched(inputDim), new SeededRandom(0));
        dense.ParameterCount.Should().Be(expected);
        dense.OutputShape!.ToString().Should().Be($"(None, {units})");
    }

    [Fact]
    public void Wrong_feature_size_names_the_layer_the_expected_and_the_actual_shape()
    {
        var dense = new Dense(3, name: "head");
        dense.Build(TensorShape.Batched(4), new SeededRandom(0));
        string message = Errors.Message(() => dense.Forward(new Tensor(2, 5)));
        message.Should().Contain("'head' (Dense)").And.Contain("(None, 4)").And.Contain("(2, 5)");
    }

    [Fact]
    public void Wrong_rank_names_the_layer_the_expected_and_the_actual_shape()
    {
        var dense = new Dense(3, name: "head");
        dense.Build(TensorShape.Batched(4), new SeededRandom(0));
        string message = Errors.Message(() => dense.Forward(new Tensor(2, 3, 4)));
        message.Should().Contain("'head' (Dense)").And.Contain("(None, 4)").And.Contain("(2, 3, 4)");
    }

    [Fact]
    public void A_rank_1_input_shape_is_refused()
    {
        var dense = new Dense(3, name: "head");
        string message = Errors.Message(() => dense.Build(new TensorShape(4), new SeededRandom(0)));
        message.Should().Contain("'head' (Dense)").And.Contain("(4,)");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Non_positive_units_are_refused(int units)
    {
        string message = Errors.Message(() => new Dense(units, name: "bad"));
        message.Should().Contain("'bad' (Dense)").And.Contain("positive").And.Contain($"got {units}");
    }

    [Fact]
    public void Unknown_activation_and_initializer_name_the_layer()
    {
        Errors
            .Message(() => new Dense(2, "swish", name: "d"))
            .Should()
            .Contain("'d' (Dense)")
            .And.Contain("activation")
            .And.Contain("'swish'");
        Errors
            .Message(() => new Dense(2, kernelInitializer: "he_normal", name: "d"))
            .Should()
            .Contain("'d' (Dense)")
            .And.Contain("kernel_initializer")
            .And.Contain("'he_normal'");
    }

    [Fact]
    public void SetWeights_with_the_wrong_count_or_shape_says_what_was_expected()
    {
        var dense = new Dense(3, name: "head");
        dense.Build(TensorShape.Batched(4), new SeededRandom(0));
        Errors
            .Message(() => dense.SetWeights(new Tensor(4, 3)))
            .Should()
            .Contain("'head' (Dense)")
            .And.Contain("expects 2")
            .And.Contain("got 1");
        Errors
            .Message(() => dense.SetWeights(new Tensor(3, 4), new Tensor(3)))
            .Should()
            .Contain("'head' (Dense)")
            .And.Contain("kernel")
            .And.Contain("(4, 3)")
            .And.Contain("(3, 4)");
        Errors
            .Message(() => dense.SetWeights(new Tensor(4, 3), new Tensor(4)))
            .Should()
            .Contain("bias")
            .And.Contain("(3,)")
            .And.Contain("(4,)");
    }

    [Fact]
    public void Backward_checks_its_order_and_the_gradient_shape()
    {
        var dense = new Dense(3, name: "head");
        dense.Build(TensorShape.Batched(4), new SeededRandom(0));
        Errors.Message(() => dense.Backward(new Tensor(2, 3))).Should().Contain("'head'").And.Contain("Forward");
        dense.Forward(new Tensor(2, 4));
        Errors
            .Message(() => dense.Backward(new Tensor(2, 4)))
            .Should()
            .Contain("'head'")
            .And.Contain("(2, 3)")
            .And.Contain("(2, 4)");
    }
}
