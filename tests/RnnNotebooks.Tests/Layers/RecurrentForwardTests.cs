using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class RecurrentForwardTests
{
    private static readonly int?[] AnyLength = [null, 5];

    private static RecurrentLayer Make(
        string kind,
        int units,
        bool goBackwards,
        string recurrentActivation,
        bool sequences
    ) =>
        kind switch
        {
            "simple" => new SimpleRNN(units, returnSequences: sequences, goBackwards: goBackwards, name: "probe"),
            "lstm" => new LSTM(
                units,
                recurrentActivation: recurrentActivation,
                returnSequences: sequences,
                goBackwards: goBackwards,
                name: "probe"
            ),
            "gru" => new GRU(
                units,
                recurrentActivation: recurrentActivation,
                returnSequences: sequences,
                goBackwards: goBackwards,
                name: "probe"
            ),
            "gru_after" => new GRU(
                units,
                recurrentActivation: recurrentActivation,
                returnSequences: sequences,
                goBackwards: goBackwards,
                resetAfter: true,
                name: "probe"
            ),
            _ => throw new ArgumentException(kind),
        };

    [Theory]
    [InlineData("simple", false, "hard_sigmoid")]
    [InlineData("simple", true, "hard_sigmoid")]
    [InlineData("lstm", false, "hard_sigmoid")]
    [InlineData("lstm", true, "sigmoid")]
    [InlineData("gru", false, "hard_sigmoid")]
    [InlineData("gru", true, "sigmoid")]
    [InlineData("gru_after", false, "sigmoid")]
    [InlineData("gru_after", true, "hard_sigmoid")]
    public void Forward_matches_the_double_precision_reference_across_shards(
        string kind,
        bool goBackwards,
        string recurrentActivation
    )
    {
        // 45 rows = two shards; random biases so every bias block is exercised.
        var rng = new SeededRandom(11);
        var layer = Make(kind, 6, goBackwards, recurrentActivation, sequences: true);
        layer.Build(new TensorShape(null, null, 5), new SeededRandom(3));
        if (layer.Bias is { } bias)
            for (int i = 0; i < bias.Size; i++)
                bias.Value.Data[i] = rng.Uniform(-0.5f, 0.5f);
        var x = Rnd.Uniform(rng, 1f, 45, 7, 5);
        var initial = Enumerable.Range(0, layer.StateCount).Select(_ => Rnd.Uniform(rng, 0.5f, 45, 6)).ToArray();

        var result = layer.Call(x, initial);

        var expected = ReferenceRnn.Run(
            kind,
            x,
            layer.Kernel.Value,
            layer.RecurrentKernel.Value,
            layer.Bias?.Value,
            6,
            recurrentActivation: recurrentActivation,
            goBackwards: goBackwards,
            initial: initial
        );
        Rnd.ShouldBeClose(result.Output, expected.Sequence, 2e-6);
        result.States.Should().HaveCount(layer.StateCount);
        for (int k = 0; k < layer.StateCount; k++)
            Rnd.ShouldBeClose(result.States[k], expected.FinalStates[k], 2e-6);
    }

    [Fact]
    public void SimpleRNN_with_one_unit_matches_a_hand_computed_sequence()
    {
        var layer = new SimpleRNN(1, returnSequences: true, inputShape: [3, 1], name: "probe");
        layer.Build(new TensorShape(null, 3, 1), new SeededRandom(0));
        layer.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 0.5f },
                }
            ),
            Tensor.FromArray(
                new float[,]
                {
                    { 0.3f },
                }
            ),
            Tensor.FromArray([0.1f])
        );
        var x = Tensor.FromArray(
            new float[,,]
            {
                {
                    { 1f },
                    { 2f },
                    { -1f },
                },
            }
        );

        var h = layer.Forward(x);

        double h1 = Math.Tanh(0.5 * 1 + 0.1);
        double h2 = Math.Tanh(0.5 * 2 + 0.1 + 0.3 * h1);
        double h3 = Math.Tanh(0.5 * -1 + 0.1 + 0.3 * h2);
        h.Shape.Should().Equal(1, 3, 1);
        ((double)h[0, 0, 0]).Should().BeApproximately(h1, 1e-6);
        ((double)h[0, 1, 0]).Should().BeApproximately(h2, 1e-6);
        ((double)h[0, 2, 0]).Should().BeApproximately(h3, 1e-6);
    }

    [Fact]
    public void Go_backwards_reads_the_last_input_first_and_returns_outputs_in_processing_order()
    {
        var layer = new SimpleRNN(1, returnSequences: true, goBackwards: true, name: "probe");
        layer.Build(new TensorShape(null, 3, 1), new SeededRandom(0));
        layer.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 0.5f },
                }
            ),
            Tensor.FromArray(
                new float[,]
                {
                    { 0.3f },
                }
            ),
            Tensor.FromArray([0.1f])
        );
        var x = Tensor.FromArray(
            new float[,,]
            {
                {
                    { 1f },
                    { 2f },
                    { -1f },
                },
            }
        );

        var h = layer.Forward(x);

        // Element 0 is the output after reading x_2 = −1 (docs/keras-semantics.md#recurrent-layers, return_sequences).
        double after2 = Math.Tanh(0.5 * -1 + 0.1);
        double after1 = Math.Tanh(0.5 * 2 + 0.1 + 0.3 * after2);
        double after0 = Math.Tanh(0.5 * 1 + 0.1 + 0.3 * after1);
        ((double)h[0, 0, 0]).Should().BeApproximately(after2, 1e-6);
        ((double)h[0, 1, 0]).Should().BeApproximately(after1, 1e-6);
        ((double)h[0, 2, 0]).Should().BeApproximately(after0, 1e-6);
    }

    [Theory]
    [InlineData("hard_sigmoid")]
    [InlineData("sigmoid")]
    public void LSTM_with_one_unit_matches_the_gate_equations_by_hand(string recurrentActivation)
    {
        var layer = new LSTM(1, recurrentActivation: recurrentActivation, returnSequences: true, name: "probe");
        layer.Build(new TensorShape(null, 2, 1), new SeededRandom(0));
        // Gate order i, f, c, o.
        float[] w = [0.4f, -0.3f, 0.8f, 0.2f],
            u = [0.5f, 0.1f, -0.6f, 0.3f],
            b = [0.05f, 1f, -0.1f, 0.2f];
        layer.SetWeights(new Tensor(w, 1, 4), new Tensor(u, 1, 4), new Tensor(b, 4));
        var x = Tensor.FromArray(
            new float[,,]
            {
                {
                    { 1.5f },
                    { -0.7f },
                },
            }
        );

        var result = layer.Call(x);

        Func<double, double> sigma = v => ReferenceRnn.Act(recurrentActivation, v);
        double h = 0,
            c = 0;
        var hs = new List<double>();
        foreach (double xt in new[] { 1.5, -0.7 })
        {
            double i = sigma(xt * w[0] + h * u[0] + b[0]);
            double f = sigma(xt * w[1] + h * u[1] + b[1]);
            double g = Math.Tanh(xt * w[2] + h * u[2] + b[2]);
            double o = sigma(xt * w[3] + h * u[3] + b[3]);
            c = f * c + i * g;
            h = o * Math.Tanh(c);
            hs.Add(h);
        }
        ((double)result.Output[0, 0, 0]).Should().BeApproximately(hs[0], 1e-6);
        ((double)result.Output[0, 1, 0]).Should().BeApproximately(hs[1], 1e-6);
        ((double)result.States[0][0, 0]).Should().BeApproximately(h, 1e-6);
        ((double)result.States[1][0, 0]).Should().BeApproximately(c, 1e-6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GRU_with_one_unit_matches_the_equations_by_hand(bool resetAfter)
    {
        var layer = new GRU(1, recurrentActivation: "sigmoid", resetAfter: resetAfter, name: "probe");
        layer.Build(new TensorShape(null, 2, 1), new SeededRandom(0));
        float[] w = [0.7f, -0.4f, 0.9f],
            u = [0.3f, 0.6f, -0.5f];
        float[] bi = [0.1f, -0.2f, 0.05f],
            br = [0.02f, 0.3f, -0.15f];
        var bias = resetAfter ? new Tensor([.. bi, .. br], 2, 3) : new Tensor(bi, 3);
        layer.SetWeights(new Tensor(w, 1, 3), new Tensor(u, 1, 3), bias);
        var x = Tensor.FromArray(
            new float[,,]
            {
                {
                    { 1.2f },
                    { -0.8f },
                },
            }
        );

        var h = layer.Forward(x);

        static double S(double v) => 1 / (1 + Math.Exp(-v));
        double state = 0;
        foreach (double xt in new[] { 1.2, -0.8 })
        {
            double rb(int g) => resetAfter ? br[g] : 0;
            double z = S(xt * w[0] + bi[0] + state * u[0] + rb(0));
            double r = S(xt * w[1] + bi[1] + state * u[1] + rb(1));
            double hh = resetAfter
                ? Math.Tanh(xt * w[2] + bi[2] + r * (state * u[2] + br[2]))
                : Math.Tanh(xt * w[2] + bi[2] + r * state * u[2]);
            state = z * state + (1 - z) * hh;
        }
        h.Shape.Should().Equal(1, 1);
        ((double)h[0, 0]).Should().BeApproximately(state, 1e-6);
    }

    [Fact]
    public void Default_LSTM_bias_has_the_unit_forget_bias_and_hard_sigmoid()
    {
        var layer = new LSTM(3, name: "probe");
        layer.Build(new TensorShape(null, null, 2), new SeededRandom(1));
        layer.RecurrentActivation.Should().Be(ActivationKind.HardSigmoid);
        layer.Bias!.Value.Data.Should().Equal(0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f);
        var noForgetBias = new LSTM(3, unitForgetBias: false, name: "probe");
        noForgetBias.Build(new TensorShape(null, null, 2), new SeededRandom(1));
        noForgetBias.Bias!.Value.Data.Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void Recurrent_kernel_is_orthogonal_over_all_gates_at_once()
    {
        var layer = new LSTM(5, name: "probe");
        layer.Build(new TensorShape(null, null, 3), new SeededRandom(2));
        var u = layer.RecurrentKernel.Value; // (5, 20): rows orthonormal
        for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++)
        {
            double dot = 0;
            for (int j = 0; j < 20; j++)
                dot += u[a, j] * u[b, j];
            dot.Should().BeApproximately(a == b ? 1 : 0, 1e-5);
        }
    }

    [Fact]
    public void Return_sequences_false_gives_the_last_output_which_equals_the_final_state()
    {
        var seq = new GRU(4, returnSequences: true, name: "probe");
        var last = new GRU(4, name: "probe");
        seq.Build(new TensorShape(null, null, 3), new SeededRandom(5));
        last.Build(new TensorShape(null, null, 3), new SeededRandom(5));
        var x = Rnd.Uniform(new SeededRandom(1), 1f, 2, 6, 3);

        var all = seq.Call(x);
        var final = last.Call(x);

        for (int b = 0; b < 2; b++)
        for (int j = 0; j < 4; j++)
        {
            final.Output[b, j].Should().Be(all.Output[b, 5, j]);
            final.States[0][b, j].Should().Be(final.Output[b, j]);
        }
    }

    [Fact]
    public void A_layer_built_with_unknown_timesteps_accepts_any_length()
    {
        var layer = new SimpleRNN(3, inputShape: AnyLength, name: "probe");
        layer.Build(new TensorShape(null, null, 5), new SeededRandom(0));
        layer.OutputShape!.ToString().Should().Be("(None, 3)");
        layer.Forward(new Tensor(2, 4, 5)).Shape.Should().Equal(2, 3);
        layer.Forward(new Tensor(3, 11, 5)).Shape.Should().Equal(3, 3);
        var seq = new SimpleRNN(3, returnSequences: true, name: "probe");
        seq.Build(new TensorShape(null, null, 5), new SeededRandom(0));
        seq.OutputShape!.ToString().Should().Be("(None, None, 3)");
        seq.Forward(new Tensor(2, 9, 5)).Shape.Should().Equal(2, 9, 3);
    }

    [Fact]
    public void Record_internals_exposes_consistent_LSTM_gates_per_timestep()
    {
        var layer = new LSTM(3, recurrentActivation: "sigmoid", goBackwards: true, name: "probe")
        {
            RecordInternals = true,
        };
        var x = Rnd.Uniform(new SeededRandom(4), 1f, 2, 5, 4);
        layer.Call(x);
        var gates = layer.LastGates!;
        gates.Input.Shape.Should().Equal(2, 5, 3);
        // Going backwards the step reading x_t starts from the state after x_{t+1}; zero state after x_4's predecessor.
        for (int b = 0; b < 2; b++)
        for (int t = 4; t >= 0; t--)
        for (int j = 0; j < 3; j++)
        {
            double cPrev = t == 4 ? 0 : gates.Cell[b, t + 1, j];
            double c = gates.Forget[b, t, j] * cPrev + gates.Input[b, t, j] * gates.Candidate[b, t, j];
            ((double)gates.Cell[b, t, j]).Should().BeApproximately(c, 1e-6);
            ((double)gates.Hidden[b, t, j]).Should().BeApproximately(gates.Output[b, t, j] * Math.Tanh(c), 1e-6);
        }

        layer.RecordInternals = false;
        layer.Call(x);
        layer.LastInternals.Should().BeNull();
    }
}
