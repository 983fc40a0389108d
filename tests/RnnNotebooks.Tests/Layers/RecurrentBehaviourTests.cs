using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>Stateful layers, dropout semantics, Bidirectional alignment, errors and determinism.</summary>
public class RecurrentBehaviourTests
{
    private static T Built<T>(T layer, params int?[] inputShape)
        where T : Layer
    {
        layer.Build(new TensorShape(inputShape), new SeededRandom(21));
        return layer;
    }

    private static Tensor TimeSlice(Tensor x, int from, int to)
    {
        int batch = x.Shape[0],
            features = x.Shape[2];
        var slice = new Tensor(batch, to - from, features);
        for (int b = 0; b < batch; b++)
        for (int t = from; t < to; t++)
        for (int f = 0; f < features; f++)
            slice[b, t - from, f] = x[b, t, f];
        return slice;
    }

    [Fact]
    public void A_stateful_layer_continues_each_row_from_where_the_previous_batch_left_it()
    {
        var x = Rnd.Uniform(new SeededRandom(1), 1f, 3, 8, 2);
        var whole = Built(new LSTM(4, name: "probe"), null, null, 2);
        var stateful = Built(new LSTM(4, stateful: true, name: "probe"), 3, 4, 2);
        stateful.SetWeights(whole.GetWeights());

        var expected = whole.Call(x);
        stateful.Call(TimeSlice(x, 0, 4));
        var second = stateful.Call(TimeSlice(x, 4, 8));

        for (int b = 0; b < 3; b++)
        for (int j = 0; j < 4; j++)
            second.Output[b, j].Should().BeApproximately(expected.Output[b, j], 1e-6f);
        var states = stateful.States!;
        states.Should().HaveCount(2);
        for (int k = 0; k < 2; k++)
        for (int b = 0; b < 3; b++)
        for (int j = 0; j < 4; j++)
            states[k][b, j].Should().BeApproximately(expected.States[k][b, j], 1e-6f);
    }

    [Fact]
    public void ResetStates_zeros_the_carried_state_and_ResetStates_with_values_sets_it()
    {
        var x = Rnd.Uniform(new SeededRandom(2), 1f, 2, 5, 3);
        var stateful = Built(new GRU(3, stateful: true, name: "probe"), 2, 5, 3);
        var fresh = Built(new GRU(3, name: "probe"), null, 5, 3);
        fresh.SetWeights(stateful.GetWeights());
        stateful.States![0].Data.Should().OnlyContain(v => v == 0f);

        var first = stateful.Call(x);
        stateful.States![0].Data.Should().Equal(first.States[0].Data);
        stateful.Call(x).Output.Data.Should().NotEqual(first.Output.Data);
        stateful.ResetStates();
        stateful.States![0].Data.Should().OnlyContain(v => v == 0f);
        stateful.Call(x).Output.Data.Should().Equal(fresh.Call(x).Output.Data);

        var h0 = Rnd.Uniform(new SeededRandom(3), 0.5f, 2, 3);
        stateful.ResetStates([h0]);
        stateful.Call(x).Output.Data.Should().Equal(fresh.Call(x, [h0]).Output.Data);
    }

    [Fact]
    public void Sequential_ResetStates_reaches_stateful_layers()
    {
        var rnn = new SimpleRNN(2, stateful: true, inputShape: [3, 1], batchSize: 1, name: "probe");
        var model = new RnnNotebooks.Models.Sequential(rnn);
        var x = Tensor.Full(1f, 1, 3, 1);
        var first = model.Forward(x).Clone();
        model.Forward(x);
        model.ResetStates();
        model.Forward(x).Data.Should().Equal(first.Data);
    }

    [Fact]
    public void Stateful_layers_need_a_fixed_batch_size_and_keep_to_it()
    {
        var unbuilt = new SimpleRNN(2, stateful: true, name: "probe");
        Action noBatch = () => unbuilt.Build(new TensorShape(null, 3, 1), new SeededRandom(0));
        noBatch
            .Should()
            .Throw<LayerException>()
            .WithMessage("*'probe' (SimpleRNN)*stateful*fixed batch size*(None, 3, 1)*");

        var layer = Built(new SimpleRNN(2, stateful: true, name: "probe"), 4, 3, 1);
        Action otherBatch = () => layer.Forward(new Tensor(3, 3, 1));
        otherBatch.Should().Throw<LayerException>().WithMessage("*stateful with a batch size of 4*batch of 3*");
        Action badValues = () => layer.ResetStates([new Tensor(3, 2)]);
        badValues.Should().Throw<LayerException>().WithMessage("*(4, 2)*(3, 2)*");
        Action notStateful = () => Built(new SimpleRNN(2, name: "probe"), null, 3, 1).ResetStates([new Tensor(4, 2)]);
        notStateful.Should().Throw<LayerException>().WithMessage("*not stateful*");
    }

    [Fact]
    public void Input_dropout_uses_one_inverted_mask_per_sample_at_every_timestep_and_only_in_training()
    {
        // Linear cell, U = 0, W = I, b = 0: h_t = (x_t ⊙ m)·I = x ⊙ m at every step.
        var layer = Built(
            new SimpleRNN(6, activation: "linear", dropout: 0.5f, returnSequences: true, name: "probe"),
            null,
            null,
            6
        );
        var identity = new Tensor(6, 6);
        for (int i = 0; i < 6; i++)
            identity[i, i] = 1f;
        layer.SetWeights(identity, new Tensor(6, 6), new Tensor(6));
        var x = new Tensor(50, 7, 6);
        for (int b = 0; b < 50; b++)
        for (int t = 0; t < 7; t++)
        for (int f = 0; f < 6; f++)
            x[b, t, f] = 1f + f;

        layer.Forward(x, training: false).Data.Should().Equal(x.Data);
        var y = layer.Forward(x, training: true);

        int dropped = 0;
        for (int b = 0; b < 50; b++)
        for (int f = 0; f < 6; f++)
        {
            float first = y[b, 0, f];
            first.Should().BeOneOf(0f, 2f * (1 + f));
            if (first == 0f)
                dropped++;
            for (int t = 1; t < 7; t++)
                y[b, t, f].Should().Be(first, "the same mask applies at every timestep");
        }
        dropped.Should().BeInRange(100, 200, "about half of 300 entries");
        var mask = layer.InputDropoutMask(0)!;
        for (int b = 0; b < 50; b++)
        for (int f = 0; f < 6; f++)
            mask[b, f].Should().Be(y[b, 0, f] / (1 + f));
    }

    [Fact]
    public void Recurrent_dropout_masks_h_before_the_recurrent_kernel_with_the_same_mask_each_step()
    {
        // Linear cell, W = 1 row, U = I: h_1 = x_0 = 1, h_2 = h_1 ⊙ m + 0, h_3 = h_2 ⊙ m = m ⊙ m.
        var layer = Built(
            new SimpleRNN(
                5,
                activation: "linear",
                recurrentDropout: 0.4f,
                returnSequences: true,
                useBias: false,
                name: "probe"
            ),
            null,
            null,
            1
        );
        var identity = new Tensor(5, 5);
        for (int i = 0; i < 5; i++)
            identity[i, i] = 1f;
        layer.SetWeights(Tensor.Full(1f, 1, 5), identity);
        var x = new Tensor(8, 3, 1);
        for (int b = 0; b < 8; b++)
            x[b, 0, 0] = 1f;

        var y = layer.Forward(x, training: true);
        var mask = layer.RecurrentDropoutMask(0)!;
        for (int b = 0; b < 8; b++)
        for (int j = 0; j < 5; j++)
        {
            mask[b, j].Should().BeOneOf(0f, 1f / 0.6f);
            y[b, 0, j].Should().Be(1f);
            y[b, 1, j].Should().Be(mask[b, j]);
            y[b, 2, j].Should().Be(mask[b, j] * mask[b, j]);
        }
    }

    [Fact]
    public void LSTM_and_GRU_draw_an_independent_mask_for_each_gate()
    {
        var lstm = Built(new LSTM(8, dropout: 0.5f, recurrentDropout: 0.5f, name: "probe"), null, null, 8);
        lstm.Forward(Tensor.Full(1f, 16, 2, 8), training: true);
        var masks = Enumerable.Range(0, 4).Select(g => lstm.InputDropoutMask(g)!.Data).ToList();
        var recurrentMasks = Enumerable.Range(0, 4).Select(g => lstm.RecurrentDropoutMask(g)!.Data).ToList();
        for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
        {
            masks[a].Should().NotEqual(masks[b]);
            recurrentMasks[a].Should().NotEqual(recurrentMasks[b]);
        }
        var gru = Built(new GRU(8, dropout: 0.5f, name: "probe"), null, null, 8);
        gru.Forward(Tensor.Full(1f, 16, 2, 8), training: true);
        gru.InputDropoutMask(2).Should().NotBeNull();
        gru.RecurrentDropoutMask(0).Should().BeNull();
        gru.Forward(Tensor.Full(1f, 16, 2, 8), training: false);
        gru.InputDropoutMask(0).Should().BeNull();
    }

    [Theory]
    [InlineData("concat")]
    [InlineData("sum")]
    [InlineData("ave")]
    [InlineData("mul")]
    public void Bidirectional_merges_time_aligned_forward_and_backward_sequences(string mode)
    {
        var bi = Built(
            new Bidirectional(new SimpleRNN(3, returnSequences: true, name: "inner"), mode, name: "bi"),
            null,
            5,
            2
        );
        bi.ForwardLayer.Name.Should().Be("forward_inner");
        bi.BackwardLayer.Name.Should().Be("backward_inner");
        bi.BackwardLayer.GoBackwards.Should().BeTrue();
        bi.ForwardLayer.Kernel.Value.Data.Should().NotEqual(bi.BackwardLayer.Kernel.Value.Data, "own weights");
        var weights = bi.GetWeights();
        weights.Should().HaveCount(6);
        weights[3].Data.Should().Equal(bi.BackwardLayer.Kernel.Value.Data);
        var x = Rnd.Uniform(new SeededRandom(4), 1f, 2, 5, 2);

        var y = bi.Forward(x);

        var f = ReferenceRnn.Run(
            "simple",
            x,
            bi.ForwardLayer.Kernel.Value,
            bi.ForwardLayer.RecurrentKernel.Value,
            bi.ForwardLayer.Bias!.Value,
            3
        );
        var back = ReferenceRnn.Run(
            "simple",
            x,
            bi.BackwardLayer.Kernel.Value,
            bi.BackwardLayer.RecurrentKernel.Value,
            bi.BackwardLayer.Bias!.Value,
            3,
            goBackwards: true
        );
        y.Shape.Should().Equal(2, 5, mode == "concat" ? 6 : 3);
        for (int b = 0; b < 2; b++)
        for (int t = 0; t < 5; t++)
        for (int j = 0; j < 3; j++)
        {
            double yf = f.Sequence[b, t, j],
                yb = back.Sequence[b, 4 - t, j]; // re-reversed: position t read x_t
            switch (mode)
            {
                case "concat":
                    ((double)y[b, t, j]).Should().BeApproximately(yf, 1e-6);
                    ((double)y[b, t, 3 + j]).Should().BeApproximately(yb, 1e-6);
                    break;
                case "sum":
                    ((double)y[b, t, j]).Should().BeApproximately(yf + yb, 1e-6);
                    break;
                case "ave":
                    ((double)y[b, t, j]).Should().BeApproximately((yf + yb) / 2, 1e-6);
                    break;
                default:
                    ((double)y[b, t, j]).Should().BeApproximately(yf * yb, 1e-6);
                    break;
            }
        }
    }

    [Fact]
    public void Bidirectional_without_sequences_concatenates_the_two_final_states()
    {
        var bi = Built(new Bidirectional(new GRU(2, name: "inner")), null, 4, 3);
        var x = Rnd.Uniform(new SeededRandom(6), 1f, 3, 4, 3);
        var result = bi.Call(x);
        result.States.Should().HaveCount(2);
        for (int b = 0; b < 3; b++)
        for (int j = 0; j < 2; j++)
        {
            result.Output[b, j].Should().Be(result.States[0][b, j]);
            result.Output[b, 2 + j].Should().Be(result.States[1][b, j]);
        }
    }

    [Fact]
    public void A_stateful_Bidirectional_carries_and_resets_both_directions()
    {
        var x = Rnd.Uniform(new SeededRandom(12), 1f, 2, 3, 2);
        var bi = Built(new Bidirectional(new SimpleRNN(2, stateful: true, name: "inner")), 2, 3, 2);
        bi.States!.Should().HaveCount(2);
        var first = bi.Call(x);
        for (int k = 0; k < 2; k++)
            bi.States![k].Data.Should().Equal(first.States[k].Data);
        bi.ResetStates();
        bi.States!.SelectMany(s => s.Data).Should().OnlyContain(v => v == 0f);
        bi.Call(x).Output.Data.Should().Equal(first.Output.Data);
        var h = Rnd.Uniform(new SeededRandom(13), 0.5f, 2, 2);
        var hb = Rnd.Uniform(new SeededRandom(14), 0.5f, 2, 2);
        bi.ResetStates([h, hb]);
        var plain = Built(new Bidirectional(new SimpleRNN(2, name: "inner")), null, 3, 2);
        plain.SetWeights(bi.GetWeights());
        bi.Call(x).Output.Data.Should().Equal(plain.Call(x, [h, hb]).Output.Data);
        Action wrong = () => bi.ResetStates([h]);
        wrong.Should().Throw<LayerException>().WithMessage("*expected 2 states*got 1*");
    }

    [Fact]
    public void Bad_arguments_and_inputs_are_reported_with_layer_expected_and_got()
    {
        Action units = () => new LSTM(0, name: "l");
        units.Should().Throw<LayerException>().WithMessage("Layer 'l' (LSTM)*positive number of units*0*");
        Action dropout = () => new GRU(2, dropout: 1.5f, name: "g");
        dropout.Should().Throw<LayerException>().WithMessage("*'g' (GRU)*dropout in [0, 1]*1.5*");
        Action recurrentDropout = () => new SimpleRNN(2, recurrentDropout: -0.1f, name: "s");
        recurrentDropout.Should().Throw<LayerException>().WithMessage("*recurrent_dropout*-0.1*");
        Action activation = () => new SimpleRNN(2, activation: "swish", name: "s");
        activation.Should().Throw<LayerException>().WithMessage("*'s' (SimpleRNN)*activation*swish*");
        Action recurrentActivation = () => new LSTM(2, recurrentActivation: "softmax", name: "l");
        recurrentActivation.Should().Throw<LayerException>().WithMessage("*softmax*");
        Action initializer = () => new LSTM(2, kernelInitializer: "he_magic", name: "l");
        initializer.Should().Throw<LayerException>().WithMessage("*kernel_initializer*he_magic*");
        Action merge = () => new Bidirectional(new LSTM(2, name: "l"), "max", name: "b");
        merge
            .Should()
            .Throw<LayerException>()
            .WithMessage("*'b' (Bidirectional)*merge mode 'max'*concat, sum, mul, ave*");

        var layer = Built(new LSTM(2, name: "l"), null, 6, 3);
        Action rank = () => layer.Forward(new Tensor(4, 3));
        rank.Should().Throw<LayerException>().WithMessage("*'l' (LSTM)*(None, 6, 3)*(4, 3)*");
        Action features = () => layer.Forward(new Tensor(4, 6, 5));
        features.Should().Throw<LayerException>().WithMessage("*expected 3 input features*(4, 6, 5)*");
        Action steps = () => layer.Forward(new Tensor(4, 7, 3));
        steps.Should().Throw<LayerException>().WithMessage("*built for 6 timesteps*(4, 7, 3)*");
        Action states = () => layer.Call(new Tensor(4, 6, 3), [new Tensor(4, 2)]);
        states.Should().Throw<LayerException>().WithMessage("*expected 2 initial state tensor(s) (h, c) but got 1*");
        Action stateShape = () => layer.Call(new Tensor(4, 6, 3), [new Tensor(4, 2), new Tensor(3, 2)]);
        stateShape.Should().Throw<LayerException>().WithMessage("*initial state 1 of shape (4, 2) but got (3, 2)*");
        Action buildRank = () => new SimpleRNN(2, name: "s").Build(new TensorShape(null, 3), new SeededRandom(0));
        buildRank.Should().Throw<LayerException>().WithMessage("*(batch, timesteps, features)*(None, 3)*");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru_after")]
    public void A_sample_gets_the_same_output_whatever_batch_it_is_in(string kind)
    {
        RecurrentLayer layer =
            kind == "lstm"
                ? new LSTM(5, recurrentActivation: "sigmoid", returnSequences: true, name: "p")
                : new GRU(5, recurrentActivation: "sigmoid", resetAfter: true, returnSequences: true, name: "p");
        Built(layer, null, null, 3);
        var big = Rnd.Uniform(new SeededRandom(10), 1f, 45, 4, 3); // two shards of 22 and 23 rows
        var yBig = layer.Forward(big);
        var small = new Tensor(big.Data.AsSpan(10 * 12, 7 * 12).ToArray(), 7, 4, 3); // rows 10–16
        var ySmall = layer.Forward(small);
        ySmall.Data.Should().Equal(yBig.Data.AsSpan(10 * 20, 7 * 20).ToArray());
    }

    [Fact]
    public void Same_seed_gives_bit_identical_outputs_and_gradients_with_one_or_two_threads()
    {
        (float[] Output, float[][] Gradients, float[] Input) Run(int threads)
        {
            int saved = Engine.MaxThreads;
            Engine.MaxThreads = threads;
            try
            {
                var layer = Built(
                    new Bidirectional(
                        new LSTM(
                            5,
                            recurrentActivation: "sigmoid",
                            dropout: 0.2f,
                            recurrentDropout: 0.3f,
                            returnSequences: true,
                            name: "p"
                        )
                    ),
                    null,
                    null,
                    4
                );
                var x = Rnd.Uniform(new SeededRandom(8), 1f, 100, 6, 4);
                var y = layer.Forward(x, training: true);
                var dx = layer.Backward(Rnd.Uniform(new SeededRandom(9), 1f, y.Shape));
                return (y.Data, layer.Parameters.Select(p => p.Gradient.Data).ToArray(), dx.Data);
            }
            finally
            {
                Engine.MaxThreads = saved;
            }
        }
        var one = Run(1);
        var two = Run(2);
        two.Output.Should().Equal(one.Output);
        two.Input.Should().Equal(one.Input);
        for (int i = 0; i < one.Gradients.Length; i++)
            two.Gradients[i].Should().Equal(one.Gradients[i]);
    }
}
