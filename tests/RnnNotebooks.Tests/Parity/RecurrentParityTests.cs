using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Parity;

/// <summary>
/// SimpleRNN, LSTM, GRU (reset_after), Bidirectional and a stacked pair against PyTorch's nn.RNN,
/// nn.LSTM and nn.GRU, with the weights converted to Keras layout by make_fixtures.py (transposed
/// kernels, b = b_ih + b_hh, GRU blocks z, r, h and bias (2, 3u)). Checks the outputs, the final
/// states returned by <see cref="RecurrentLayer.Call"/> (h, and c for LSTM), the last processed
/// step of the output, ∂L/∂x and the gradient of every weight, to 1e-5.
/// </summary>
public class RecurrentParityTests
{
    private static string[] WeightNames(TorchFixture f, int layer) =>
        f
            .Meta.GetProperty("layers")[layer]
            .GetProperty("weights")
            .EnumerateArray()
            .Select(w => w.GetString()!)
            .ToArray();

    private static TensorShape InputShape(Tensor x) => TensorShape.Batched(x.Shape[1], x.Shape[2]);

    /// <summary>Step <paramref name="t"/> of a (batch, T, units) sequence: (batch, units).</summary>
    private static Tensor Step(Tensor sequence, int t)
    {
        int batch = sequence.Shape[0],
            steps = sequence.Shape[1],
            units = sequence.Shape[2];
        var step = new Tensor(batch, units);
        for (int b = 0; b < batch; b++)
            Array.Copy(sequence.Data, (b * steps + t) * units, step.Data, b * units, units);
        return step;
    }

    /// <summary>Sets the fixture's weights on a built layer (Keras get_weights() order).</summary>
    private static void SetFixtureWeights(TorchFixture f, Layer layer, string[] names)
    {
        layer.Parameters.Should().HaveCount(names.Length);
        layer.SetWeights(names.Select(n => f[n]).ToArray());
    }

    /// <summary>Runs backward with the fixture's dOut and compares ∂L/∂x and every weight gradient.</summary>
    private static void CheckGradients(TorchFixture f, Layer layer, string[] names)
    {
        layer.ZeroGradients();
        var dx = layer.Backward(f["dOut"]);
        f.ShouldMatch(dx, "grad_x");
        for (int i = 0; i < names.Length; i++)
            f.ShouldMatch(layer.Parameters[i].Gradient, "grad_" + names[i]);
    }

    /// <summary>
    /// One recurrent layer on the fixture's x: output, final h (and c) from Call, the final h as the
    /// last processed step of the output, then the gradients.
    /// </summary>
    private static void CheckRecurrent(TorchFixture f, RecurrentLayer layer)
    {
        var x = f["x"];
        layer.Build(InputShape(x), new SeededRandom(0));
        var names = WeightNames(f, 0);
        SetFixtureWeights(f, layer, names);

        var result = layer.Call(x);
        f.ShouldMatch(result.Output, "output");
        result.States.Should().HaveCount(layer.StateCount);
        f.ShouldMatch(result.States[0], "final_h");
        if (layer.StateCount == 2)
            f.ShouldMatch(result.States[1], "final_c");
        else
            f.Has("final_c").Should().BeFalse($"{f.Case}: only LSTM has a cell state");
        // With returnSequences the outputs are in processing order, so the last one is the final h.
        var last = result.Output.Rank == 3 ? Step(result.Output, result.Output.Shape[1] - 1) : result.Output;
        f.ShouldMatch(last, "final_h");

        CheckGradients(f, layer, names);
    }

    [Theory]
    [InlineData("simple_rnn_sequences", true, false)]
    [InlineData("simple_rnn_last", false, false)]
    [InlineData("simple_rnn_go_backwards_sequences", true, true)]
    [InlineData("simple_rnn_go_backwards_last", false, true)]
    public void SimpleRNN_matches_pytorch(string caseName, bool returnSequences, bool goBackwards) =>
        CheckRecurrent(
            TorchFixture.Load(caseName),
            new SimpleRNN(6, returnSequences: returnSequences, goBackwards: goBackwards)
        );

    [Theory]
    [InlineData("lstm_last", false)]
    [InlineData("lstm_sequences", true)]
    public void LSTM_with_sigmoid_gates_matches_pytorch(string caseName, bool returnSequences) =>
        CheckRecurrent(
            TorchFixture.Load(caseName),
            new LSTM(6, recurrentActivation: "sigmoid", returnSequences: returnSequences)
        );

    [Theory]
    [InlineData("gru_last", false)]
    [InlineData("gru_sequences", true)]
    public void GRU_reset_after_matches_pytorch(string caseName, bool returnSequences) =>
        CheckRecurrent(
            TorchFixture.Load(caseName),
            new GRU(6, recurrentActivation: "sigmoid", resetAfter: true, returnSequences: returnSequences)
        );

    [Theory]
    [InlineData("bidirectional_lstm_last", false)]
    [InlineData("bidirectional_lstm_sequences", true)]
    public void Bidirectional_LSTM_concat_matches_pytorch(string caseName, bool returnSequences)
    {
        var f = TorchFixture.Load(caseName);
        var x = f["x"];
        var layer = new Bidirectional(
            new LSTM(6, recurrentActivation: "sigmoid", returnSequences: returnSequences),
            mergeMode: "concat"
        );
        layer.Build(InputShape(x), new SeededRandom(0));
        var names = WeightNames(f, 0);
        SetFixtureWeights(f, layer, names);

        var result = layer.Call(x);
        f.ShouldMatch(result.Output, "output");
        // Keras' return_state order: forward h, c, then backward h, c.
        result.States.Should().HaveCount(4);
        f.ShouldMatch(result.States[0], "final_h_forward");
        f.ShouldMatch(result.States[1], "final_c_forward");
        f.ShouldMatch(result.States[2], "final_h_backward");
        f.ShouldMatch(result.States[3], "final_c_backward");
        // The output shows them too: the forward half's final h at the last step, the backward
        // half's (time-aligned) at step 0.
        int steps = x.Shape[1];
        var output = result.Output;
        f.ShouldMatch(Half(returnSequences ? Step(output, steps - 1) : output, first: true), "final_h_forward");
        f.ShouldMatch(Half(returnSequences ? Step(output, 0) : output, first: false), "final_h_backward");

        CheckGradients(f, layer, names);
    }

    /// <summary>The forward (first) or backward (second) half of a (batch, 2u) concat output.</summary>
    private static Tensor Half(Tensor merged, bool first)
    {
        int batch = merged.Shape[0],
            units = merged.Shape[1] / 2;
        var half = new Tensor(batch, units);
        for (int b = 0; b < batch; b++)
            Array.Copy(merged.Data, b * 2 * units + (first ? 0 : units), half.Data, b * units, units);
        return half;
    }

    [Fact]
    public void Two_stacked_LSTMs_match_pytorch()
    {
        var f = TorchFixture.Load("lstm_stacked");
        var x = f["x"];
        var first = new LSTM(6, recurrentActivation: "sigmoid", returnSequences: true);
        var second = new LSTM(5, recurrentActivation: "sigmoid");
        first.Build(InputShape(x), new SeededRandom(0));
        second.Build(first.OutputShape!, new SeededRandom(1));
        var names1 = WeightNames(f, 0);
        var names2 = WeightNames(f, 1);
        SetFixtureWeights(f, first, names1);
        SetFixtureWeights(f, second, names2);

        var lower = first.Call(x);
        f.ShouldMatch(lower.Output, "hidden_sequence");
        f.ShouldMatch(Step(lower.Output, x.Shape[1] - 1), "final_h_1");
        f.ShouldMatch(lower.States[0], "final_h_1");
        f.ShouldMatch(lower.States[1], "final_c_1");
        var upper = second.Call(lower.Output);
        f.ShouldMatch(upper.Output, "output");
        f.ShouldMatch(upper.States[0], "final_h_2");
        f.ShouldMatch(upper.States[1], "final_c_2");

        first.ZeroGradients();
        second.ZeroGradients();
        var dx = first.Backward(second.Backward(f["dOut"]));
        f.ShouldMatch(dx, "grad_x");
        for (int i = 0; i < 3; i++)
        {
            f.ShouldMatch(first.Parameters[i].Gradient, "grad_" + names1[i]);
            f.ShouldMatch(second.Parameters[i].Gradient, "grad_" + names2[i]);
        }
    }
}
