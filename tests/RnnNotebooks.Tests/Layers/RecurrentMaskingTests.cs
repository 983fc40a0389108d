using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// Keras masking (Embedding(maskZero: true) → recurrent layers): a padded step leaves the states
/// unchanged and repeats the previous output. Checked against the straightforward reference — each
/// sample run alone on its real steps only — and by central differences.
/// </summary>
public class RecurrentMaskingTests
{
    private const int Batch = 5,
        Steps = 6,
        Features = 3,
        Units = 4;

    /// <summary>Row b's real steps: long, pre-padded, post-padded, holes in the middle, all padding.</summary>
    private static readonly int[][] RealSteps =
    [
        [0, 1, 2, 3, 4, 5],
        [3, 4, 5],
        [0, 1],
        [1, 3, 4],
        [],
    ];

    private static Tensor Mask()
    {
        var mask = new Tensor(Batch, Steps);
        for (int b = 0; b < Batch; b++)
            foreach (int t in RealSteps[b])
                mask[b, t] = 1f;
        return mask;
    }

    private static RecurrentLayer Make(string kind, bool goBackwards, bool sequences = true) =>
        kind switch
        {
            "simple" => new SimpleRNN(Units, returnSequences: sequences, goBackwards: goBackwards),
            "lstm" => new LSTM(Units, returnSequences: sequences, goBackwards: goBackwards),
            "gru" => new GRU(Units, returnSequences: sequences, goBackwards: goBackwards),
            _ => new GRU(Units, returnSequences: sequences, goBackwards: goBackwards, resetAfter: true),
        };

    private static RecurrentLayer Built(string kind, bool goBackwards, bool sequences = true)
    {
        var layer = Make(kind, goBackwards, sequences);
        layer.Build(new TensorShape(null, null, Features), new SeededRandom(3));
        // Non-zero biases, so that a padded step computed by mistake would show.
        foreach (var p in layer.Parameters)
            for (int i = 0; i < p.Size; i++)
                p.Value.Data[i] += 0.1f * ((i % 5) - 2);
        return layer;
    }

    private static Tensor Row(Tensor t, int b) => new(t.Row(b).ToArray(), 1, t.Shape[1]);

    [Theory]
    [InlineData("simple", false)]
    [InlineData("simple", true)]
    [InlineData("lstm", false)]
    [InlineData("lstm", true)]
    [InlineData("gru", false)]
    [InlineData("gru", true)]
    [InlineData("gru_after", false)]
    [InlineData("gru_after", true)]
    public void A_padded_masked_batch_gives_each_sample_the_states_and_outputs_of_its_real_steps_alone(
        string kind,
        bool goBackwards
    )
    {
        var layer = Built(kind, goBackwards);
        var rng = new SeededRandom(7);
        var x = Rnd.Uniform(rng, 1f, Batch, Steps, Features);
        var initial = Enumerable.Range(0, layer.StateCount).Select(_ => Rnd.Uniform(rng, 0.5f, Batch, Units)).ToArray();
        var masked = layer.Call(x, initial, mask: Mask());

        for (int b = 0; b < Batch; b++)
        {
            var real = RealSteps[b];
            var rowInitial = initial.Select(s => Row(s, b)).ToArray();
            var expectedStates = rowInitial;
            float[][] expectedOutputs = [];
            if (real.Length > 0)
            {
                var alone = new Tensor(1, real.Length, Features);
                for (int i = 0; i < real.Length; i++)
                for (int f = 0; f < Features; f++)
                    alone[0, i, f] = x[b, real[i], f];
                var result = layer.Call(alone, rowInitial);
                expectedStates = result.States;
                expectedOutputs = Enumerable
                    .Range(0, real.Length)
                    .Select(i => TimeAxis.Step(result.Output, i).Data)
                    .ToArray();
            }
            for (int k = 0; k < layer.StateCount; k++)
                masked.States[k].Row(b).ToArray().Should().Equal(expectedStates[k].Data, $"row {b}, state {k}");

            // Outputs in processing order: a real step gives the next output of the unpadded run, a
            // padded step repeats the previous output (the initial h before the first real step).
            var previous = rowInitial[0].Data;
            int next = 0;
            for (int step = 0; step < Steps; step++)
            {
                int t = goBackwards ? Steps - 1 - step : step;
                var output = TimeAxis.Step(masked.Output, step).Row(b).ToArray();
                var expected = real.Contains(t) ? expectedOutputs[next++] : previous;
                output.Should().Equal(expected, $"row {b}, step {step}");
                previous = expected;
            }
        }
    }

    [Fact]
    public void A_mask_of_ones_changes_nothing()
    {
        var layer = Built("lstm", goBackwards: false);
        var x = Rnd.Uniform(new SeededRandom(8), 1f, Batch, Steps, Features);
        var plain = layer.Call(x).Output.Data;
        layer.Call(x, mask: Tensor.Full(1f, Batch, Steps)).Output.Data.Should().Equal(plain);
    }

    [Theory]
    [InlineData("simple", false, true)]
    [InlineData("lstm", false, true)]
    [InlineData("lstm", true, false)]
    [InlineData("gru", true, true)]
    [InlineData("gru_after", false, false)]
    public void Masked_gradients_match_central_differences(string kind, bool goBackwards, bool sequences)
    {
        var layer = Built(kind, goBackwards, sequences);
        var rng = new SeededRandom(11);
        var x = Rnd.Uniform(rng, 1f, Batch, Steps, Features);
        var initial = Enumerable.Range(0, layer.StateCount).Select(_ => Rnd.Uniform(rng, 0.5f, Batch, Units)).ToArray();
        var mask = Mask();
        var first = layer.Call(x, initial, mask: mask);
        var r = Rnd.Uniform(rng, 1f, first.Output.Shape);
        var rStates = first.States.Select(s => Rnd.Uniform(rng, 1f, s.Shape)).ToArray();
        double Loss()
        {
            var result = layer.Call(x, initial, mask: mask);
            return GradientCheck.Loss(result.Output, r)
                + result.States.Select((s, k) => GradientCheck.Loss(s, rStates[k])).Sum();
        }

        layer.ZeroGradients();
        layer.Call(x, initial, mask: mask);
        var (dx, dInitial) = layer.BackwardThroughTime(r, rStates);
        foreach (var p in layer.Parameters)
            GradientCheck.AssertClose(p.Gradient, GradientCheck.Numeric(Loss, p.Value), p.Name);
        GradientCheck.AssertClose(dx, GradientCheck.Numeric(Loss, x), "input");
        for (int k = 0; k < initial.Length; k++)
            GradientCheck.AssertClose(dInitial[k], GradientCheck.Numeric(Loss, initial[k]), $"initial state {k}");

        for (int b = 0; b < Batch; b++)
        for (int t = 0; t < Steps; t++)
            if (!RealSteps[b].Contains(t))
                TimeAxis.Step(dx, t).Row(b).ToArray().Should().OnlyContain(v => v == 0f, "a padded step reads nothing");
    }

    [Fact]
    public void Sequential_passes_the_embedding_mask_to_the_recurrent_layers()
    {
        // Pre-padded ids (0 = padding), as pad_sequences writes them.
        float[,] ids =
        {
            { 0, 0, 0, 4, 7, 2 },
            { 0, 5, 1, 1, 3, 6 },
            { 0, 0, 0, 0, 0, 9 },
        };
        Sequential Model() =>
            new(
                [
                    new Embedding(10, 3, maskZero: true),
                    new LSTM(4, returnSequences: true),
                    new Dropout(0.5f),
                    new Bidirectional(new GRU(3, resetAfter: true)),
                    new Dense(1, activation: "sigmoid"),
                ],
                seed: 5
            );
        var model = Model();
        var padded = model.Forward(Tensor.FromArray(ids));
        for (int b = 0; b < ids.GetLength(0); b++)
        {
            var real = Enumerable.Range(0, ids.GetLength(1)).Where(t => ids[b, t] != 0).Select(t => ids[b, t]);
            var alone = model.Forward(new Tensor(real.ToArray(), 1, real.Count()));
            padded.Row(b).ToArray().Should().Equal(alone.Data, $"sample {b} without its padding");
        }

        // The padding id's embedding row reaches no output, so it receives no gradient.
        model.Forward(Tensor.FromArray(ids));
        model.Backward(Tensor.Full(1f, ids.GetLength(0), 1));
        var embedding = (Embedding)model[0];
        embedding.Embeddings.Gradient.Data[..3].Should().OnlyContain(v => v == 0f);
        embedding.Embeddings.Gradient.Data[3..].Should().Contain(v => v != 0f);

        // Without maskZero the padding is a token like any other: different outputs.
        var unmasked = new Sequential([new Embedding(10, 3), new LSTM(4)], seed: 5);
        var once = unmasked.Forward(
            Tensor.FromArray(
                new float[,]
                {
                    { 0, 0, 4 },
                }
            )
        );
        var trimmed = unmasked.Forward(
            Tensor.FromArray(
                new float[,]
                {
                    { 4 },
                }
            )
        );
        once.Data.Should().NotEqual(trimmed.Data);
    }

    [Fact]
    public void A_layer_that_cannot_take_a_mask_refuses_it_as_in_keras()
    {
        var model = new Sequential([new Embedding(10, 3, maskZero: true, inputLength: 4), new Flatten(), new Dense(1)]);
        var act = () =>
            model.Forward(
                Tensor.FromArray(
                    new float[,]
                    {
                        { 0, 1, 2, 3 },
                    }
                )
            );
        act.Should().Throw<LayerException>().WithMessage("*(Flatten) does not support masking*");
    }

    [Fact]
    public void A_mask_of_the_wrong_shape_is_refused()
    {
        var layer = Built("simple", goBackwards: false);
        var x = new Tensor(Batch, Steps, Features);
        var act = () => layer.Call(x, mask: new Tensor(Batch, Steps + 1));
        act.Should().Throw<LayerException>().WithMessage("*expected a mask of shape (5, 6)*");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Each_shard_reads_its_own_rows_of_the_mask(int threads)
    {
        // 70 rows are three shards; every row has its own length (pre-padding).
        const int rows = 70;
        var layer = Built("lstm", goBackwards: true, sequences: false);
        var x = Rnd.Uniform(new SeededRandom(12), 1f, rows, Steps, Features);
        var mask = new Tensor(rows, Steps);
        for (int b = 0; b < rows; b++)
        for (int t = Steps - b % (Steps + 1); t < Steps; t++)
            mask[b, t] = 1f;
        int saved = Engine.MaxThreads;
        Engine.MaxThreads = threads;
        try
        {
            var masked = layer.Call(x, mask: mask);
            for (int b = 0; b < rows; b++)
            {
                int length = b % (Steps + 1);
                var expected = new Tensor(1, Units);
                if (length > 0)
                {
                    var alone = new Tensor(x.Row(b)[((Steps - length) * Features)..].ToArray(), 1, length, Features);
                    expected = layer.Call(alone).Output;
                }
                masked.Output.Row(b).ToArray().Should().Equal(expected.Data, $"row {b}, {length} real steps");
            }
        }
        finally
        {
            Engine.MaxThreads = saved;
        }
    }
}
