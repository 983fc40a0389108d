using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// Backpropagation through hundreds of steps shrinks the gradients geometrically. Left alone they
/// end up subnormal, and x86 arithmetic on subnormal floats is slower by one to two orders of
/// magnitude (an LSTM(32) epoch on 20,000 IMDB reviews of 500 words took ten times longer). The
/// backward loop flushes magnitudes below 1e-30 to zero.
/// </summary>
public class RecurrentSubnormalTests
{
    [Fact]
    public void FlushTiny_zeroes_magnitudes_below_1e_30_and_keeps_the_rest()
    {
        float[] values = [1e-31f, -1e-31f, float.Epsilon, -float.Epsilon, 1e-38f, 0f, 1e-29f, -2e-30f, 0.5f, -3f];
        RecurrentLayer.FlushTiny(values);
        values.Should().Equal(0f, 0f, 0f, 0f, 0f, 0f, 1e-29f, -2e-30f, 0.5f, -3f);
    }

    [Theory]
    [InlineData("SimpleRNN")]
    [InlineData("LSTM")]
    [InlineData("GRU")]
    public void Gradients_through_400_steps_contain_no_subnormal_floats(string kind)
    {
        RecurrentLayer layer = kind switch
        {
            "SimpleRNN" => new SimpleRNN(8),
            "LSTM" => new LSTM(8),
            _ => new GRU(8),
        };
        const int steps = 400;
        layer.Build(new TensorShape(null, steps, 4), new SeededRandom(3));
        // Small weights make the gradient decay fast: by far more than 1e-38 over 400 steps.
        foreach (var p in layer.Parameters)
            for (int i = 0; i < p.Value.Data.Length; i++)
                p.Value.Data[i] *= 0.1f;
        var x = Rnd.Uniform(new SeededRandom(4), 1f, 2, steps, 4);
        var y = layer.Forward(x, training: true);
        layer.Backward(Tensor.Full(1f, y.Shape));

        var stateGrads = layer.StateGradients!.Data;
        stateGrads.Should().NotContain(v => float.IsSubnormal(v));
        stateGrads[^1].Should().NotBe(0f, "the last step receives the output gradient");
        stateGrads.Take(8).Should().OnlyContain(v => v == 0f, "the first step's gradient has decayed to nothing");
        foreach (var p in layer.Parameters)
            p.Gradient.Data.Should().NotContain(v => float.IsSubnormal(v), $"{p.Name} gradient");
    }
}
