using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class ActivationLayerTests
{
    private static readonly float[] Inputs = [-3f, -1f, -0.25f, 0.5f, 2f, 3f];

    [Theory]
    [InlineData("linear")]
    [InlineData("relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("hard_sigmoid")]
    public void Element_wise_activations_match_their_formulas(string name)
    {
        Func<double, double> f = name switch
        {
            "linear" => x => x,
            "relu" => x => Math.Max(0, x),
            "tanh" => Math.Tanh,
            "sigmoid" => x => 1 / (1 + Math.Exp(-x)),
            "hard_sigmoid" => x => Math.Clamp(0.2 * x + 0.5, 0, 1),
            _ => throw new ArgumentException(name),
        };
        var y = new Activation(name).Forward(new Tensor((float[])Inputs.Clone(), 1, Inputs.Length));
        for (int i = 0; i < Inputs.Length; i++)
            y.Data[i].Should().BeApproximately((float)f(Inputs[i]), 1e-6f, $"{name}({Inputs[i]})");
    }

    [Fact]
    public void Softmax_normalises_the_last_axis()
    {
        var x = Tensor.FromArray(
            new float[,]
            {
                { 1, 2, 3 },
                { 0, 0, 0 },
            }
        );
        var y = new Activation("softmax").Forward(x);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        double[] expected = [Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1 / 3.0, 1 / 3.0, 1 / 3.0];
        for (int i = 0; i < expected.Length; i++)
            y.Data[i].Should().BeApproximately((float)expected[i], 1e-6f);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("hard_sigmoid")]
    [InlineData("softmax")]
    public void Gradients_match_central_differences(string name)
    {
        var layer = new Activation(name);
        // Inputs spread over (−4, 4) reach hard_sigmoid's flat parts and both sides of relu's kink.
        var x = GradientCheck.Random(21, [2, 3, 5], -4f, 4f);
        layer.Build(TensorShape.Batched(3, 5), new SeededRandom(0));
        GradientCheck.CheckLayer(layer, x);
    }

    [Fact]
    public void Does_not_modify_its_input()
    {
        var x = GradientCheck.Random(3, [2, 4], -2f, 2f);
        var copy = x.ToArray();
        new Activation("relu").Forward(x);
        x.Data.Should().Equal(copy);
    }

    [Fact]
    public void Unknown_activation_names_the_layer_and_the_name()
    {
        Errors
            .Message(() => new Activation("gelu", name: "act"))
            .Should()
            .Contain("'act' (Activation)")
            .And.Contain("'gelu'")
            .And.Contain("softmax");
    }

    [Fact]
    public void Wrong_shapes_are_refused()
    {
        var layer = new Activation("tanh", name: "act");
        layer.Build(TensorShape.Batched(5), new SeededRandom(0));
        Errors
            .Message(() => layer.Forward(new Tensor(2, 4)))
            .Should()
            .Contain("'act' (Activation)")
            .And.Contain("(None, 5)")
            .And.Contain("(2, 4)");
        layer.Forward(new Tensor(2, 5));
        Errors.Message(() => layer.Backward(new Tensor(2, 4))).Should().Contain("(2, 5)").And.Contain("(2, 4)");
    }
}
