using System.Text.RegularExpressions;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public class FitTests
{
    private static Tensor Column(params float[] values) => new((float[])values.Clone(), values.Length, 1);

    private static (Tensor X, Tensor Y) Xor() =>
        (
            Tensor.FromArray(
                new float[,]
                {
                    { 0, 0 },
                    { 0, 1 },
                    { 1, 0 },
                    { 1, 1 },
                }
            ),
            Column(0, 1, 1, 0)
        );

    private static Sequential XorModel(ulong seed = 3) =>
        new(new Layer[] { new Dense(8, "tanh", inputShape: [2]), new Dense(1, "sigmoid") }, seed: seed);

    [Theory]
    [InlineData(10, 0.3f, 7)]
    [InlineData(25000, 0.2f, 20000)] // (double)0.2f would give 19999
    [InlineData(1000, 0.33f, 669)] // int(669.9999…) as in Python
    [InlineData(7, 0.5f, 3)]
    [InlineData(50, 0.7f, 15)]
    public void Split_index_is_int_of_n_times_one_minus_v_in_double(int n, float v, int expected) =>
        Sequential.SplitIndex(n, v).Should().Be(expected);

    [Fact]
    public void Validation_split_holds_out_the_last_samples_before_shuffling()
    {
        var recorder = new RecordingLayer([1]);
        var model = new Sequential(new Layer[] { recorder, new Dense(1, "sigmoid") }, seed: 1);
        model.Compile(new SGD(0.1f), "binary_crossentropy", ["acc"]);
        var x = Column(Enumerable.Range(0, 10).Select(i => (float)i).ToArray());
        var y = Column(0, 1, 0, 1, 0, 1, 0, 1, 0, 1);

        var history = model.Fit(x, y, batchSize: 3, epochs: 3, verbose: 0, validationSplit: 0.3f, seed: 5);

        history.Keys.Should().Equal("loss", "acc", "val_loss", "val_acc");
        history.Params["samples"].Should().Be(7);
        history.Params["val_samples"].Should().Be(3);
        var epochs = SplitIntoEpochs(recorder.Calls);
        epochs.Should().HaveCount(3);
        var orders = new List<float[]>();
        foreach (var (train, validation) in epochs)
        {
            train.Select(b => b.Length).Should().Equal(3, 3, 1);
            var seen = train.SelectMany(b => b).ToArray();
            seen.Should().BeEquivalentTo(new float[] { 0, 1, 2, 3, 4, 5, 6 });
            validation.SelectMany(b => b).Should().Equal(7f, 8f, 9f);
            orders.Add(seen);
        }
        orders
            .Should()
            .Contain(o => !o.SequenceEqual(new float[] { 0, 1, 2, 3, 4, 5, 6 }), "training samples are shuffled");
        orders[0].Should().NotEqual(orders[1], "each epoch draws a new permutation");
    }

    private static List<(List<float[]> Train, List<float[]> Validation)> SplitIntoEpochs(
        List<(bool Training, float[] FirstFeatures)> calls
    )
    {
        var epochs = new List<(List<float[]>, List<float[]>)>();
        List<float[]>? train = null,
            validation = null;
        foreach (var (training, rows) in calls)
        {
            if (training && (train is null || validation!.Count > 0))
            {
                train = new List<float[]>();
                validation = new List<float[]>();
                epochs.Add((train, validation));
            }
            (training ? train! : validation!).Add(rows);
        }
        return epochs;
    }

    [Fact]
    public void Shuffle_false_keeps_the_sample_order()
    {
        var recorder = new RecordingLayer([1]);
        var model = new Sequential(new Layer[] { recorder, new Dense(1) }, seed: 1);
        model.Compile("sgd", "mse");
        model.Fit(Column(0, 1, 2, 3, 4), Column(0, 0, 0, 0, 0), batchSize: 2, epochs: 2, verbose: 0, shuffle: false);
        recorder
            .Calls.Select(c => string.Join(",", c.FirstFeatures))
            .Should()
            .Equal("0,1", "2,3", "4", "0,1", "2,3", "4");
    }

    [Fact]
    public void Validation_data_overrides_validation_split()
    {
        var (x, y) = Xor();
        var model = XorModel();
        model.Compile("adam", "binary_crossentropy", ["accuracy"]);
        var history = model.Fit(
            x,
            y,
            batchSize: 2,
            epochs: 1,
            verbose: 0,
            validationSplit: 0.5f,
            validationData: (x, y)
        );
        history.Params["samples"].Should().Be(4);
        history["val_loss"].Should().HaveCount(1);
    }

    [Fact]
    public void Epoch_values_are_sample_weighted_means_of_the_batch_values()
    {
        // lr = 0: weights never change, so the weighted mean over batches of 2, 2, 1 must equal the
        // mean over all 5 samples — and differ from the plain mean of the three batch values.
        var model = new Sequential(new Layer[] { new Dense(1, "sigmoid", inputShape: [1]) }, seed: 1);
        model.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 1 },
                }
            ),
            Tensor.FromArray([0f])
        );
        model.Compile(new SGD(0f), "binary_crossentropy", ["acc"]);
        var x = Column(2, 2, 2, 2, -2);
        var y = Column(1, 1, 1, 0, 1);

        var history = model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);

        // p = σ(±2): batches are right 2/2, 1/2, 0/1 → weighted (2 + 1 + 0)/5 = 0.6, unweighted 0.5.
        history["acc"][0].Should().BeApproximately(0.6, 1e-12);
        double p = 1 / (1 + Math.Exp(-2));
        double[] perSample = [-Math.Log(p), -Math.Log(p), -Math.Log(p), -Math.Log(1 - p), -Math.Log(1 - p)];
        history["loss"][0].Should().BeApproximately(perSample.Average(), 1e-6);
        double unweighted = (perSample[..2].Average() + perSample[2..4].Average() + perSample[4]) / 3;
        Math.Abs(unweighted - perSample.Average()).Should().BeGreaterThan(0.1, "the test data must tell the two apart");
    }

    [Fact]
    public void Training_loss_is_computed_before_each_update()
    {
        // One batch, one epoch: the logged loss is the loss of the initial weights.
        var model = new Sequential(new Layer[] { new Dense(1, inputShape: [1]) }, seed: 1);
        model.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 1 },
                }
            ),
            Tensor.FromArray([0f])
        );
        model.Compile(new SGD(0.1f), "mse");
        var history = model.Fit(Column(1, 2), Column(0, 0), batchSize: 2, epochs: 2, verbose: 0);
        history["loss"][0].Should().BeApproximately((1 + 4) / 2.0, 1e-6);
        history["loss"][1].Should().BeLessThan(history["loss"][0]);
    }

    [Fact]
    public void Same_seed_gives_identical_history_and_weights_with_one_or_two_threads()
    {
        var (x, y) = Xor();
        int saved = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 1;
            var (h1, w1) = Train(XorModel(9), x, y, seed: 11);
            Engine.MaxThreads = 2;
            var (h2, w2) = Train(XorModel(9), x, y, seed: 11);
            var (h3, w3) = Train(XorModel(9), x, y, seed: 12);

            h2["loss"].Should().Equal(h1["loss"]);
            h2["acc"].Should().Equal(h1["acc"]);
            for (int i = 0; i < w1.Length; i++)
                w2[i].Data.Should().Equal(w1[i].Data);
            h3["loss"].Should().NotEqual(h1["loss"], "another shuffling seed gives other batches");
        }
        finally
        {
            Engine.MaxThreads = saved;
        }

        static (History, Tensor[]) Train(Sequential model, Tensor x, Tensor y, ulong seed)
        {
            model.Compile(new Adam(0.05f), "binary_crossentropy", ["acc"]);
            var history = model.Fit(x, y, batchSize: 1, epochs: 5, verbose: 0, seed: seed);
            return (history, model.GetWeights());
        }
    }

    [Fact]
    public void Without_a_seed_shuffling_is_derived_from_the_model_seed()
    {
        var (x, y) = Xor();
        var a = XorModel(21);
        var b = XorModel(21);
        a.Compile(new Adam(0.05f), "binary_crossentropy");
        b.Compile(new Adam(0.05f), "binary_crossentropy");
        a.Fit(x, y, batchSize: 1, epochs: 3, verbose: 0)["loss"]
            .Should()
            .Equal(b.Fit(x, y, batchSize: 1, epochs: 3, verbose: 0)["loss"]);
    }

    [Fact]
    public void A_two_layer_dense_net_learns_xor()
    {
        var (x, y) = Xor();
        var model = XorModel();
        model.Compile(new Adam(0.05f), "binary_crossentropy", ["acc"]);
        var history = model.Fit(x, y, batchSize: 4, epochs: 300, verbose: 0);

        history["acc"][^1].Should().Be(1.0);
        history["loss"][^1].Should().BeLessThan(0.1);
        model.PredictClasses(x).Should().Equal(0, 1, 1, 0);
        var (loss, acc) = model.Evaluate(x, y);
        acc.Should().Be(1.0);
        loss.Should().BeApproximately(history["loss"][^1], 0.05);
    }

    private static (Tensor X, int[] Labels) Blobs(int perClass, ulong seed)
    {
        // Three well-separated clusters in 2-D.
        var rng = new SeededRandom(seed);
        float[][] centres =
        [
            [-2, 0],
            [2, 0],
            [0, 2.5f],
        ];
        var x = new Tensor(3 * perClass, 2);
        var labels = new int[3 * perClass];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = i % 3;
            labels[i] = c;
            x[i, 0] = centres[c][0] + rng.Uniform(-0.6f, 0.6f);
            x[i, 1] = centres[c][1] + rng.Uniform(-0.6f, 0.6f);
        }
        return (x, labels);
    }

    [Fact]
    public void Softmax_classifier_learns_separable_classes_with_categorical_targets()
    {
        var (x, labels) = Blobs(20, 4);
        var oneHot = new Tensor(labels.Length, 3);
        for (int i = 0; i < labels.Length; i++)
            oneHot[i, labels[i]] = 1;
        var model = new Sequential(new Layer[] { new Dense(3, "softmax", inputShape: [2]) }, seed: 2);
        model.Compile(new Adam(0.05f), "categorical_crossentropy", ["acc"]);
        var history = model.Fit(x, oneHot, batchSize: 8, epochs: 40, verbose: 0, seed: 1);
        history["acc"][^1].Should().Be(1.0);
        model.PredictClasses(x).Should().Equal(labels);
    }

    [Fact]
    public void Softmax_classifier_learns_with_sparse_targets_and_rmsprop()
    {
        var (x, labels) = Blobs(20, 5);
        var y = new Tensor(labels.Select(l => (float)l).ToArray(), labels.Length);
        var model = new Sequential(
            new Layer[] { new Dense(6, "relu", inputShape: [2]), new Dense(3, "softmax") },
            seed: 3
        );
        model.Compile(new RMSprop(0.02f), "sparse_categorical_crossentropy", ["acc"]);
        var history = model.Fit(x, y, batchSize: 10, epochs: 60, verbose: 0, validationSplit: 0.25f, seed: 2);
        history["acc"][^1].Should().Be(1.0);
        history["val_acc"][^1].Should().Be(1.0);
        model.Evaluate(x, y).Accuracy.Should().Be(1.0);
    }

    [Fact]
    public void Logistic_regression_learns_a_separable_set_with_plain_sgd()
    {
        var rng = new SeededRandom(8);
        var x = new Tensor(40, 2);
        var y = new Tensor(40, 1);
        for (int i = 0; i < 40; i++)
        {
            float a = rng.Uniform(-1, 1),
                b = rng.Uniform(-1, 1);
            if (Math.Abs(a + b) < 0.2f)
                b += a + b >= 0 ? 0.3f : -0.3f;
            (x[i, 0], x[i, 1], y[i, 0]) = (a, b, a + b > 0 ? 1 : 0);
        }
        var model = new Sequential(new Layer[] { new Dense(1, "sigmoid", inputShape: [2]) }, seed: 4);
        model.Compile(new SGD(0.5f), "binary_crossentropy", ["acc"]);
        var history = model.Fit(x, y, batchSize: 8, epochs: 60, verbose: 0, seed: 3);
        history["acc"][^1].Should().Be(1.0);
    }

    [Fact]
    public void Fit_builds_a_model_declared_without_an_input_shape()
    {
        var (x, y) = Xor();
        var model = new Sequential(new Layer[] { new Dense(4, "tanh"), new Dense(1, "sigmoid") }, seed: 2);
        model.IsBuilt.Should().BeFalse();
        model.Compile("adam", "binary_crossentropy", ["acc"]);
        model.Fit(x, y, epochs: 2, verbose: 0)["loss"].Should().HaveCount(2);
        model.InputShape!.ToString().Should().Be("(None, 2)");
    }

    [Fact]
    public void Per_timestep_outputs_train_with_sparse_targets_of_shape_n_by_t()
    {
        // x (N, T, 2) one-hot of a token in {0, 1}; the class at each step is the token: Dense applied
        // per timestep gives (N, T, 2) probabilities and y holds one id per step, (N, T).
        var rng = new SeededRandom(3);
        const int n = 16,
            t = 5;
        var x = new Tensor(n, t, 2);
        var y = new Tensor(n, t);
        for (int i = 0; i < n; i++)
        for (int s = 0; s < t; s++)
        {
            int token = rng.NextInt(2);
            x[i, s, token] = 1;
            y[i, s] = token;
        }
        var model = new Sequential(new Layer[] { new Dense(2, "softmax", inputShape: [t, 2]) }, seed: 1);
        model.Compile(new Adam(0.1f), "sparse_categorical_crossentropy", ["acc"]);
        var history = model.Fit(x, y, batchSize: 4, epochs: 20, verbose: 0);
        history["acc"][^1].Should().Be(1.0);
        model.PredictClasses(x).Should().Equal(y.Data.Select(v => (int)v));
    }

    [Fact]
    public void A_diverging_loss_stops_training_naming_epoch_and_batch()
    {
        // w = 1, b = 0, x = 1, y = 0, lr = 1e30: batch 1 sends w to −2e30, batch 2 overflows w to +∞,
        // so batch 3's loss is no longer finite.
        var model = new Sequential(new Layer[] { new Dense(1, kernelInitializer: "ones", inputShape: [1]) }, seed: 1);
        model.Compile(new SGD(1e30f), "mse");
        var act = () =>
            model.Fit(Column(1, 1, 1, 1), Column(0, 0, 0, 0), batchSize: 1, epochs: 2, verbose: 0, shuffle: false);
        var error = act.Should().Throw<TrainingDivergedException>().Which;
        (error.Epoch, error.Batch).Should().Be((1, 3));
        error.Message.Should().Contain("epoch 1, batch 3/4").And.Contain("learning rate");
    }

    [Fact]
    public void On_epoch_end_receives_every_epoch()
    {
        var (x, y) = Xor();
        var model = XorModel();
        model.Compile("adam", "binary_crossentropy", ["acc"]);
        var logs = new List<EpochLog>();
        var history = model.Fit(x, y, epochs: 3, verbose: 0, onEpochEnd: logs.Add);
        logs.Select(l => l.Epoch).Should().Equal(0, 1, 2);
        logs.Select(l => l["loss"]).Should().Equal(history["loss"]);
        history.Epochs.Should().Equal(0, 1, 2);
        model.History.Should().BeSameAs(history);
    }

    [Fact]
    public void Verbose_prints_keras_start_line_and_one_line_per_epoch()
    {
        var x = Column(Enumerable.Range(0, 10).Select(i => i / 10f).ToArray());
        var y = Column(0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
        var model = new Sequential(new Layer[] { new Dense(1, "sigmoid", inputShape: [1]) }, seed: 1);
        model.Compile("adam", "binary_crossentropy", ["acc"]);
        var original = Console.Out;
        var captured = new StringWriter();
        History history;
        try
        {
            Console.SetOut(captured);
            history = model.Fit(x, y, batchSize: 4, epochs: 2, validationSplit: 0.3f);
        }
        finally
        {
            Console.SetOut(original);
        }
        var lines = captured
            .ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r'))
            .ToList();
        lines.Should().Contain("Train on 7 samples, validate on 3 samples");
        var pattern = new Regex(
            @"^Epoch (\d)/2 - \d+\.\ds - loss: (\d\.\d{4}) - acc: (\d\.\d{4}) - val_loss: (\d\.\d{4}) - val_acc: (\d\.\d{4})$"
        );
        var epochLines = lines.Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal)).ToList();
        epochLines.Should().HaveCount(2).And.AllSatisfy(l => pattern.IsMatch(l).Should().BeTrue(l));
        pattern
            .Match(epochLines[1])
            .Groups[2]
            .Value.Should()
            .Be(history["loss"][1].ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Verbose_outside_a_kernel_prints_the_start_line_and_one_line_per_epoch_and_nothing_else(int verbose)
    {
        var x = new Tensor(Enumerable.Range(0, 10).Select(i => i / 10f).ToArray(), 10, 1);
        var y = new Tensor(Enumerable.Range(0, 10).Select(i => i < 5 ? 0f : 1f).ToArray(), 10, 1);
        var model = new Sequential(new Layer[] { new Dense(1, "sigmoid", inputShape: [1]) }, seed: 1);
        model.Compile("adam", "binary_crossentropy", ["acc"]);
        var original = Console.Out;
        var captured = new StringWriter();
        try
        {
            Console.SetOut(captured);
            model.Fit(x, y, batchSize: 2, epochs: 2, validationSplit: 0.3f, verbose: verbose);
        }
        finally
        {
            Console.SetOut(original);
        }
        var nl = Regex.Escape(Environment.NewLine);
        captured
            .ToString()
            .Should()
            .MatchRegex(
                $@"^Train on 7 samples, validate on 3 samples{nl}"
                    + $@"(Epoch [12]/2 - \d+\.\ds - loss: \d\.\d{{4}} - acc: \d\.\d{{4}} - val_loss: \d\.\d{{4}} - val_acc: \d\.\d{{4}}{nl}){{2}}$"
            );
    }

    [Fact]
    public void Verbose_zero_prints_nothing()
    {
        var (x, y) = Xor();
        var model = XorModel();
        model.Compile("adam", "binary_crossentropy");
        var original = Console.Out;
        var captured = new StringWriter();
        try
        {
            Console.SetOut(captured);
            model.Fit(x, y, epochs: 2, verbose: 0);
        }
        finally
        {
            Console.SetOut(original);
        }
        captured.ToString().Should().NotContain("Epoch");
    }

    [Theory]
    [InlineData(0.44123, "0.4412")]
    [InlineData(12.34567, "12.3457")]
    [InlineData(0.0010001, "0.0010")]
    [InlineData(0.001, "1.0000e-03")]
    [InlineData(1.23456e-5, "1.2346e-05")]
    [InlineData(0.0, "0.0000e+00")]
    [InlineData(-0.5, "-0.5000")]
    public void Values_print_as_keras_does(double value, string expected) =>
        TrainingLog.FormatValue(value).Should().Be(expected);

    [Fact]
    public void History_table_lists_every_epoch()
    {
        var history = new History();
        history.Append(0, [new("loss", 0.5), new("acc", 0.75)]);
        history.Append(1, [new("loss", 0.25), new("acc", 1.0)]);
        history
            .ToString()
            .Should()
            .Be("epoch       loss        acc\n    1     0.5000     0.7500\n    2     0.2500     1.0000\n");
        FluentActions
            .Invoking(() => history["val_acc"])
            .Should()
            .Throw<KeyNotFoundException>()
            .WithMessage("*val_acc*loss, acc*");
    }

    [Fact]
    public void Evaluate_is_the_exact_mean_whatever_the_batch_size()
    {
        var (x, y) = Xor();
        var model = XorModel();
        model.Compile("adam", "binary_crossentropy", ["acc"]);
        var prediction = model.Predict(x);
        double expected = new BinaryCrossentropy().Compute(y, prediction);
        // Activations on a batch of 3 may differ from a batch of 4 in the last float bit (vectorised vs
        // scalar exp), hence 1e-6 rather than equality.
        model.Evaluate(x, y, batchSize: 3).Loss.Should().BeApproximately(expected, 1e-6);
        model.Evaluate(x, y, batchSize: 1).Loss.Should().BeApproximately(expected, 1e-6);
        model.Evaluate(x, y).Keys.Should().Equal("loss", "acc");
    }

    [Fact]
    public void Predict_in_batches_equals_one_forward_pass()
    {
        var (x, _) = Xor();
        var model = XorModel();
        var whole = model.Forward(x, training: false).ToArray();
        model.Predict(x, batchSize: 4).Data.Should().Equal(whole);
        var batched = model.Predict(x, batchSize: 3);
        batched.Shape.Should().Equal(4, 1);
        for (int i = 0; i < whole.Length; i++)
            batched.Data[i].Should().BeApproximately(whole[i], 1e-6f);
    }

    [Fact]
    public void Predict_classes_uses_strictly_greater_than_one_half()
    {
        var model = new Sequential(new Layer[] { new Dense(1, "sigmoid", inputShape: [1]) }, seed: 1);
        model.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 1 },
                }
            ),
            Tensor.FromArray([0f])
        );
        model.PredictClasses(Column(-1, 0, 1)).Should().Equal(0, 0, 1);
    }

    [Fact]
    public void Misuse_gets_clear_errors()
    {
        var (x, y) = Xor();
        var model = XorModel();
        FluentActions
            .Invoking(() => model.Fit(x, y))
            .Should()
            .Throw<InvalidOperationException>()
            .WithMessage("*not compiled*Compile*");
        model.Compile("adam", "binary_crossentropy");
        FluentActions
            .Invoking(() => model.Fit(x, Column(0, 1, 1), verbose: 0))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("x has 4 samples*y has 3*");
        FluentActions
            .Invoking(() => model.Fit(x, y, verbose: 0, validationSplit: 0.9f))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*of 4 samples leaves 0 for training and 4 for validation*");
        FluentActions
            .Invoking(() => model.Fit(x, y, verbose: 0, validationSplit: 1f))
            .Should()
            .Throw<ArgumentOutOfRangeException>()
            .WithMessage("*[0, 1)*");
    }

    [Fact]
    public void Unknown_metric_is_rejected_at_compile()
    {
        var model = XorModel();
        FluentActions
            .Invoking(() => model.Compile("adam", "mse", ["f1"]))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*'f1'*Known: acc*");
    }

    [Fact]
    public void Stateful_models_are_never_shuffled_and_carry_state_across_batches_and_epochs()
    {
        var state = new RunningSumLayer(features: 1, batchSize: 2);
        var recorder = new RecordingLayer([1]);
        var model = new Sequential(new Layer[] { state, recorder, new Dense(1) }, seed: 1);
        model.Compile(new SGD(0f), "mse");
        model.Fit(Column(1, 2, 3, 4), Column(0, 0, 0, 0), batchSize: 2, epochs: 2, verbose: 0, shuffle: true);

        // Batches [1, 2] then [3, 4]; slot sums carry over: 1, 2 | 4, 6 | (epoch 2, no reset) 5, 8 | 8, 12.
        recorder.Calls.Select(c => string.Join(",", c.FirstFeatures)).Should().Equal("1,2", "4,6", "5,8", "8,12");
        state.Resets.Should().Be(0, "Keras 2.x does not reset states between epochs");
    }

    [Fact]
    public void Reset_states_each_epoch_zeros_the_state_at_every_epoch_start()
    {
        var state = new RunningSumLayer(features: 1, batchSize: 2);
        var recorder = new RecordingLayer([1]);
        var model = new Sequential(new Layer[] { state, recorder, new Dense(1) }, seed: 1);
        model.Compile(new SGD(0f), "mse");
        model.Fit(
            Column(1, 2, 3, 4),
            Column(0, 0, 0, 0),
            batchSize: 2,
            epochs: 2,
            verbose: 0,
            resetStatesEachEpoch: true
        );
        recorder.Calls.Select(c => string.Join(",", c.FirstFeatures)).Should().Equal("1,2", "4,6", "1,2", "4,6");
        state.Resets.Should().Be(2);
    }

    [Fact]
    public void Fixed_batch_models_reject_other_batch_sizes_and_ragged_data()
    {
        var model = new Sequential(new Layer[] { new RunningSumLayer(1, batchSize: 2), new Dense(1) }, seed: 1);
        model.Compile("sgd", "mse");
        FluentActions
            .Invoking(() => model.Fit(Column(1, 2, 3, 4), Column(0, 0, 0, 0), batchSize: 4, verbose: 0))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*batches of exactly 2*batchSize: 2, got 4*");
        FluentActions
            .Invoking(() => model.Fit(Column(1, 2, 3), Column(0, 0, 0), batchSize: 2, verbose: 0))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*has 3, which is not a multiple of 2*");
        FluentActions
            .Invoking(() => model.Predict(Column(1, 2, 3, 4)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*batchSize: 2*");
        model.Predict(Column(1, 2, 3, 4), batchSize: 2).Shape.Should().Equal(4, 1);
    }
}
