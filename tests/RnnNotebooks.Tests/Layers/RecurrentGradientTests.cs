using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>Central-difference checks of every gradient the recurrent layers compute (BPTT).</summary>
public class RecurrentGradientTests
{
    private static Func<Layer> Built(Func<Layer> make, params int?[] inputShape) =>
        () =>
        {
            var layer = make();
            layer.Build(new TensorShape(inputShape), new SeededRandom(9));
            return layer;
        };

    private static Tensor Input(int batch, int steps, int features, ulong seed = 5, float scale = 1f) =>
        Rnd.Uniform(new SeededRandom(seed), scale, batch, steps, features);

    private static Tensor[] States(int count, int batch, int units, ulong seed = 6) =>
        Enumerable
            .Range(0, count)
            .Select(k => Rnd.Uniform(new SeededRandom(seed + (ulong)k), 0.8f, batch, units))
            .ToArray();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void SimpleRNN_gradients_match_central_differences(bool sequences, bool goBackwards)
    {
        var probe = new GradientProbe(
            Built(
                () => new SimpleRNN(4, returnSequences: sequences, goBackwards: goBackwards, name: "probe"),
                null,
                null,
                3
            ),
            Input(3, 5, 3),
            States(1, 3, 4),
            weightScale: 0.6f
        );
        probe.Check();
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("linear")]
    [InlineData("sigmoid")]
    public void SimpleRNN_gradients_hold_for_other_activations(string activation)
    {
        var probe = new GradientProbe(
            Built(() => new SimpleRNN(3, activation: activation, returnSequences: true, name: "probe"), null, null, 2),
            Input(2, 4, 2),
            weightScale: 0.5f
        );
        probe.Check();
    }

    [Theory]
    [InlineData("sigmoid", false, false)]
    [InlineData("sigmoid", true, true)]
    [InlineData("hard_sigmoid", false, true)]
    [InlineData("hard_sigmoid", true, false)]
    public void LSTM_gradients_match_central_differences(string recurrentActivation, bool sequences, bool goBackwards)
    {
        var probe = new GradientProbe(
            Built(
                () =>
                    new LSTM(
                        4,
                        recurrentActivation: recurrentActivation,
                        returnSequences: sequences,
                        goBackwards: goBackwards,
                        name: "probe"
                    ),
                null,
                null,
                3
            ),
            Input(3, 5, 3, scale: 0.8f),
            States(2, 3, 4),
            weightScale: 0.4f
        );
        if (recurrentActivation == "hard_sigmoid")
            GatesStayOffTheHardSigmoidKinks(probe, "i", "f", "o");
        probe.Check();
    }

    [Theory]
    [InlineData(false, "sigmoid", false)]
    [InlineData(false, "hard_sigmoid", true)]
    [InlineData(true, "sigmoid", true)]
    [InlineData(true, "hard_sigmoid", false)]
    public void GRU_gradients_match_central_differences(bool resetAfter, string recurrentActivation, bool goBackwards)
    {
        var probe = new GradientProbe(
            Built(
                () =>
                    new GRU(
                        4,
                        recurrentActivation: recurrentActivation,
                        returnSequences: true,
                        goBackwards: goBackwards,
                        resetAfter: resetAfter,
                        name: "probe"
                    ),
                null,
                null,
                3
            ),
            Input(3, 5, 3, scale: 0.8f),
            States(1, 3, 4),
            weightScale: 0.4f
        );
        if (recurrentActivation == "hard_sigmoid")
            GatesStayOffTheHardSigmoidKinks(probe, "z", "r");
        probe.Check();
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("gru_after")]
    public void Dropout_gradients_match_with_the_same_masks(string kind)
    {
        // Same seed → same masks in every evaluation; 40 rows → two shards with their own mask rows.
        Func<Layer> make = kind switch
        {
            "simple" => () =>
                new SimpleRNN(3, dropout: 0.3f, recurrentDropout: 0.4f, returnSequences: true, name: "probe"),
            "lstm" => () =>
                new LSTM(
                    3,
                    recurrentActivation: "sigmoid",
                    dropout: 0.3f,
                    recurrentDropout: 0.4f,
                    goBackwards: true,
                    name: "probe"
                ),
            "gru" => () =>
                new GRU(3, recurrentActivation: "sigmoid", dropout: 0.3f, recurrentDropout: 0.4f, name: "probe"),
            _ => () =>
                new GRU(
                    3,
                    recurrentActivation: "sigmoid",
                    dropout: 0.3f,
                    recurrentDropout: 0.4f,
                    resetAfter: true,
                    returnSequences: true,
                    name: "probe"
                ),
        };
        var probe = new GradientProbe(
            Built(make, null, null, 3),
            Input(40, 4, 3),
            States(kind == "lstm" ? 2 : 1, 40, 3),
            training: true,
            weightScale: 0.5f
        );
        var (layer, _) = probe.Forward();
        ((RecurrentLayer)layer).InputDropoutMask(0).Should().NotBeNull();
        probe.Check(inputStride: 7);
    }

    [Fact]
    public void Stateful_gradients_flow_from_the_carried_state_within_a_call()
    {
        var probe = new GradientProbe(
            Built(
                () => new LSTM(3, recurrentActivation: "sigmoid", stateful: true, returnSequences: true, name: "probe"),
                2,
                4,
                3
            ),
            Input(2, 4, 3),
            States(2, 2, 3),
            startIsCarried: true,
            weightScale: 0.5f
        );
        probe.Check();
    }

    [Fact]
    public void Many_shards_and_no_bias_give_the_same_gradients_as_central_differences()
    {
        var probe = new GradientProbe(
            Built(
                () => new GRU(3, useBias: false, recurrentActivation: "sigmoid", returnSequences: true, name: "probe"),
                null,
                null,
                2
            ),
            Input(70, 3, 2),
            weightScale: 0.6f
        );
        probe.Check(inputStride: 11);
    }

    [Theory]
    [InlineData("concat", true)]
    [InlineData("sum", false)]
    [InlineData("mul", true)]
    [InlineData("ave", false)]
    public void Bidirectional_gradients_match_central_differences(string mergeMode, bool sequences)
    {
        var probe = new GradientProbe(
            Built(
                () =>
                    new Bidirectional(
                        new LSTM(3, recurrentActivation: "sigmoid", returnSequences: sequences, name: "probe"),
                        mergeMode,
                        name: "bi"
                    ),
                null,
                null,
                2
            ),
            Input(2, 4, 2),
            States(4, 2, 3),
            weightScale: 0.5f
        );
        probe.Weights.Should().HaveCount(6);
        probe.Check();
    }

    [Theory]
    [InlineData("simple", false)]
    [InlineData("lstm", true)]
    [InlineData("gru", false)]
    public void State_gradients_per_timestep_equal_the_initial_state_gradient_of_the_remaining_steps(
        string kind,
        bool goBackwards
    )
    {
        // ∂L/∂h_t of the whole run = ∂L/∂h_0 of a run over the steps after t started from (h_t, c_t).
        RecurrentLayer Make() =>
            kind switch
            {
                "simple" => new SimpleRNN(3, goBackwards: goBackwards, name: "probe"),
                "lstm" => new LSTM(3, recurrentActivation: "sigmoid", goBackwards: goBackwards, name: "probe"),
                _ => new GRU(3, recurrentActivation: "sigmoid", goBackwards: goBackwards, name: "probe"),
            };
        var x = Input(2, 6, 2);
        var layer = Make();
        layer.Build(new TensorShape(null, null, 2), new SeededRandom(3));
        layer.RecordInternals = true;
        layer.Call(x);
        var dOut = Rnd.Uniform(new SeededRandom(8), 1f, 2, 3);
        layer.BackwardThroughTime(dOut);
        var stateGradients = layer.StateGradients!;
        stateGradients.Shape.Should().Equal(2, 6, 3);
        var internals = layer.LastInternals!;

        for (int t = 0; t < 6; t++)
        {
            int remaining = goBackwards ? t : 5 - t;
            var lastTime = goBackwards ? 0 : 5;
            if (remaining == 0)
            {
                for (int b = 0; b < 2; b++)
                for (int j = 0; j < 3; j++)
                    stateGradients[b, lastTime, j].Should().Be(dOut[b, j]);
                continue;
            }
            var suffix = new Tensor(2, remaining, 2);
            for (int b = 0; b < 2; b++)
            for (int s = 0; s < remaining; s++)
            for (int f = 0; f < 2; f++)
                suffix[b, s, f] = x[b, goBackwards ? s : t + 1 + s, f];
            var start = new List<Tensor> { Slice(internals["h"], t) };
            if (kind == "lstm")
                start.Add(Slice(internals["c"], t));
            var rest = Make();
            rest.Build(new TensorShape(null, null, 2), new SeededRandom(3));
            rest.Call(suffix, start.ToArray());
            var (_, initialGradients) = rest.BackwardThroughTime(dOut);
            for (int b = 0; b < 2; b++)
            for (int j = 0; j < 3; j++)
                ((double)stateGradients[b, t, j]).Should().BeApproximately(initialGradients[0][b, j], 1e-5);
        }
    }

    [Fact]
    public void Backward_adds_into_existing_gradients_and_needs_a_forward_pass_each_time()
    {
        var layer = new SimpleRNN(2, name: "probe");
        var x = Input(2, 3, 2);
        Action early = () => layer.Backward(new Tensor(2, 2));
        early.Should().Throw<LayerException>().WithMessage("*probe*before a forward pass*");
        layer.Forward(x);
        layer.Backward(Tensor.Full(1f, 2, 2));
        var once = layer.Kernel.Gradient.Clone();
        Action twice = () => layer.Backward(Tensor.Full(1f, 2, 2));
        twice.Should().Throw<LayerException>().WithMessage("*forward pass again*");
        layer.Forward(x);
        layer.Backward(Tensor.Full(1f, 2, 2));
        for (int i = 0; i < once.Size; i++)
            layer.Kernel.Gradient.Data[i].Should().BeApproximately(2 * once.Data[i], 1e-6f);
        Action wrongShape = () =>
        {
            layer.Forward(x);
            layer.Backward(new Tensor(2, 3, 2));
        };
        wrongShape.Should().Throw<LayerException>().WithMessage("*(2, 2)*(2, 3, 2)*");
    }

    private static Tensor Slice(Tensor sequence, int t)
    {
        int batch = sequence.Shape[0],
            units = sequence.Shape[2];
        var slice = new Tensor(batch, units);
        for (int b = 0; b < batch; b++)
        for (int j = 0; j < units; j++)
            slice[b, j] = sequence[b, t, j];
        return slice;
    }

    /// <summary>
    /// A hard_sigmoid gate at exactly 0 or 1 (or within an ε-step of the kink) has no usable
    /// central difference; the scaled-down weights keep every gate inside (0.04, 0.96).
    /// </summary>
    private static void GatesStayOffTheHardSigmoidKinks(GradientProbe probe, params string[] gates)
    {
        var (layer, _) = probe.Forward(recordInternals: true);
        var internals = ((RecurrentLayer)layer).LastInternals!;
        foreach (var gate in gates)
            internals[gate]
                .Data.Should()
                .OnlyContain(v => v > 0.04f && v < 0.96f, $"gate {gate} stays on the linear part");
    }
}
