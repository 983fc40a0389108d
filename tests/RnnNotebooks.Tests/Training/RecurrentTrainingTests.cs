using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Tests.Layers;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public class RecurrentTrainingTests
{
    /// <summary>
    /// Notebook 01's toy next-word task (seed 002): "this is an example" → word_to_int
    /// {is: 1, an: 2, this: 3, example: 4}; inputs [[3, 1], [1, 2]] ("this is", "is an") fed as one
    /// feature per step, shape (2, 2, 1); labels 2 ("an") and 4 ("example") one-hot over 5 classes.
    /// SimpleRNN(1, recurrent zeros) + Dense(5, softmax), Adam, 500 epochs.
    /// <para>
    /// Whether 500 steps of Adam(0.001) reach the labels depends on the initial weights: the raw
    /// inputs 3 and 1 push the single tanh unit into saturation for many draws (Keras behaves the
    /// same; the chapter shows one lucky run). With a reference SimpleRNN about a third of the seeds
    /// got there, so the test asks for at least 4 of 20 seeds and checks every success is complete.
    /// The notebook must fix a seed that works (e.g. the first one found here).
    /// </para>
    /// </summary>
    [Fact]
    public void Toy_simple_rnn_learns_the_next_word()
    {
        var x = new Tensor([3f, 1, 1, 2], 2, 2, 1);
        var y = Tensor.FromArray(
            new float[,]
            {
                { 0, 0, 1, 0, 0 },
                { 0, 0, 0, 0, 1 },
            }
        );
        var reached = new List<ulong>();
        for (ulong seed = 0; seed < 20; seed++)
        {
            var model = new Sequential(
                new Layer[]
                {
                    new SimpleRNN(1, recurrentInitializer: "zeros", inputShape: [2, 1]),
                    new Dense(5, "softmax"),
                },
                seed: seed
            );
            model.Layers[0].ParameterCount.Should().Be(3);
            model.Layers[1].ParameterCount.Should().Be(10);
            model.Compile("adam", "categorical_crossentropy", ["acc"]);

            var history = model.Fit(x, y, epochs: 500, verbose: 0);

            history["loss"][^1].Should().BeLessThan(history["loss"][0], $"seed {seed} must make progress");
            if (model.PredictClasses(x).SequenceEqual([2, 4]))
            {
                history["acc"][^1].Should().Be(1.0);
                reached.Add(seed);
            }
        }
        reached
            .Count.Should()
            .BeGreaterThanOrEqualTo(4, $"seeds that reached the labels: {string.Join(", ", reached)}");
    }

    /// <summary>
    /// Long-term memory: the class is the first token; 50 random distractor tokens follow. Only a
    /// network that carries the first token through 50 steps can beat 50%.
    /// <para>
    /// With Keras' initialisation (forget-gate bias 1, so f ≈ 0.73 and 0.73⁵⁰ ≈ 1e-7) the signal from
    /// step 0 barely reaches the loss and runs mostly memorise the distractors instead (checked with a
    /// reference LSTM: a minority of seeds found the rule within 30 epochs, with sigmoid or
    /// hard_sigmoid gates). Starting the forget-gate bias at 2 (Jozefowicz et al., 2015) keeps the
    /// path open; then every one of 8 seeds × both gate activations reached ≥ 95% within 7 epochs.
    /// </para>
    /// </summary>
    [Fact]
    public void Lstm_remembers_the_first_token_across_fifty_distractors()
    {
        const int samples = 256,
            steps = 51,
            vocabulary = 10,
            units = 16;
        var rng = new SeededRandom(42);
        var x = new Tensor(samples, steps);
        var y = new Tensor(samples, 1);
        for (int i = 0; i < samples; i++)
        {
            int label = i % 2;
            x[i, 0] = 1 + label; // token 1 → class 0, token 2 → class 1
            for (int t = 1; t < steps; t++)
                x[i, t] = 3 + rng.NextInt(vocabulary - 3); // distractors 3…9
            y[i, 0] = label;
        }
        var lstm = new LSTM(units);
        var model = new Sequential(
            new Layer[] { new Embedding(vocabulary, 8, inputLength: steps), lstm, new Dense(1, "sigmoid") },
            seed: 7
        );
        var weights = lstm.GetWeights(); // kernel, recurrent_kernel, bias (4u, gates i, f, c, o)
        for (int j = units; j < 2 * units; j++)
            weights[2].Data[j] = 2f;
        lstm.SetWeights(weights);
        model.Compile(new Adam(0.005f), "binary_crossentropy", ["acc"]);

        var history = model.Fit(x, y, batchSize: 32, epochs: 15, verbose: 0, validationSplit: 0.25f, seed: 3);

        history["val_acc"][^1].Should().BeGreaterThanOrEqualTo(0.95);
    }

    /// <summary>
    /// Stateful SimpleRNN(1) with kernel 1, recurrent kernel 1, bias 0 and one timestep per batch:
    /// h_t = tanh(x_t + h_{t−1}). With lr = 0 and MSE against 0 the epoch loss is the mean of h_t², so
    /// it tells exactly whether the state was carried from batch to batch (and across epochs).
    /// </summary>
    [Fact]
    public void Stateful_training_carries_the_state_from_batch_to_batch()
    {
        var model = StatefulModel();
        var x = new Tensor([0.5f, 0f, 0f], 3, 1, 1);
        var y = new Tensor(3, 1);
        var history = model.Fit(x, y, batchSize: 1, epochs: 2, verbose: 0, shuffle: false);

        var h = new List<double>();
        double state = 0;
        foreach (var input in new[] { 0.5, 0, 0, 0.5, 0, 0 }) // epoch 2 continues from epoch 1's state
            h.Add(state = Math.Tanh(input + state));
        history["loss"][0].Should().BeApproximately(h.Take(3).Average(v => v * v), 1e-6);
        history["loss"][1].Should().BeApproximately(h.Skip(3).Average(v => v * v), 1e-6);
        // Were states reset between batches the loss would be tanh(0.5)²/3 = 0.0712.
        history["loss"][0].Should().BeGreaterThan(0.1);
    }

    [Fact]
    public void Reset_states_each_epoch_restarts_every_epoch_from_zero()
    {
        var model = StatefulModel();
        var x = new Tensor([0.5f, 0f, 0f], 3, 1, 1);
        var history = model.Fit(x, new Tensor(3, 1), batchSize: 1, epochs: 2, verbose: 0, resetStatesEachEpoch: true);
        history["loss"][1].Should().Be(history["loss"][0]);
    }

    [Fact]
    public void Stateful_predict_carries_the_state_per_batch()
    {
        var model = StatefulModel();
        var output = model.Predict(new Tensor([0.5f, 0f, 0f], 3, 1, 1), batchSize: 1);
        double h1 = Math.Tanh(0.5),
            h2 = Math.Tanh(h1),
            h3 = Math.Tanh(h2);
        output.Data.Select(v => (double)v).Should().Equal([h1, h2, h3], (a, b) => Math.Abs(a - b) < 1e-6);
        model.ResetStates();
        ((double)model.Predict(new Tensor([0f], 1, 1, 1), batchSize: 1).Data[0]).Should().Be(0);
    }

    [Fact]
    public void Stateful_sequence_task_is_learned_only_through_carried_state()
    {
        // A stream of random bits fed one step per batch; the target is the previous bit, which only
        // the carried state can know. (Backpropagation stops at batch boundaries, as in Keras; the
        // previous bit still reaches the output through the carried h.)
        const int n = 200;
        var rng = new SeededRandom(5);
        var bits = Enumerable.Range(0, n).Select(_ => (float)rng.NextInt(2)).ToArray();
        var x = new Tensor(bits.ToArray(), n, 1, 1);
        var y = new Tensor(Enumerable.Range(0, n).Select(i => i == 0 ? 0f : bits[i - 1]).ToArray(), n, 1);

        var stateful = new Sequential(
            new Layer[]
            {
                new SimpleRNN(16, stateful: true, inputShape: [1, 1], batchSize: 1),
                new Dense(1, "sigmoid"),
            },
            seed: 2
        );
        stateful.Compile(new Adam(0.01f), "binary_crossentropy", ["acc"]);
        stateful.Fit(x, y, batchSize: 1, epochs: 4, verbose: 0, shuffle: false, resetStatesEachEpoch: true);
        stateful.ResetStates();
        stateful.Evaluate(x, y, batchSize: 1).Accuracy.Should().BeGreaterThanOrEqualTo(0.95);

        // Control: the same network without carried state sees only the current bit.
        var stateless = new Sequential(
            new Layer[] { new SimpleRNN(16, inputShape: [1, 1]), new Dense(1, "sigmoid") },
            seed: 2
        );
        stateless.Compile(new Adam(0.01f), "binary_crossentropy", ["acc"]);
        stateless.Fit(x, y, batchSize: 1, epochs: 4, verbose: 0, shuffle: false);
        stateless.Evaluate(x, y, batchSize: 1).Accuracy.Should().BeLessThan(0.65);
    }

    /// <summary>
    /// A stateful Bidirectional is a stateful model too (<see cref="Layer.IsStateful"/>): Fit must not
    /// shuffle it, so shuffle: true and false train to the same weights. The control, the same model
    /// without stateful, trains differently once shuffled, so the comparison can fail.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fit_never_shuffles_a_model_with_a_stateful_Bidirectional(bool stateful)
    {
        var x = GradientCheck.Random(1, [8, 3, 1]);
        var y = new Tensor([1f, 0, 1, 1, 0, 0, 1, 0], 8, 1);
        Tensor[] Train(bool shuffle)
        {
            var model = new Sequential(
                [
                    new Bidirectional(new SimpleRNN(3, stateful: stateful), inputShape: [3, 1], batchSize: 2),
                    new Dense(1, "sigmoid"),
                ],
                seed: 4
            );
            model.Compile(new SGD(0.5f), "binary_crossentropy");
            model.Fit(x, y, batchSize: 2, epochs: 2, verbose: 0, shuffle: shuffle, seed: 9);
            return model.GetWeights();
        }
        var unshuffled = Train(shuffle: false);
        var shuffled = Train(shuffle: true);
        bool same = unshuffled.Zip(shuffled).All(p => p.First.Data.SequenceEqual(p.Second.Data));
        same.Should().Be(stateful);
    }

    /// <summary>
    /// GRU learns the majority sign of nine ±1 inputs: the answer needs every step (a running count),
    /// and with an odd length there are no ties, so a network that counts gets every sample right.
    /// Model seeds 3 to 6 all passed 96% by epoch 6.
    /// </summary>
    [Fact]
    public void Gru_learns_the_majority_sign_of_a_sequence()
    {
        const int samples = 320,
            steps = 9;
        var rng = new SeededRandom(8);
        var x = new Tensor(samples, steps, 1);
        var y = new Tensor(samples, 1);
        for (int i = 0; i < samples; i++)
        {
            int sum = 0;
            for (int t = 0; t < steps; t++)
            {
                int v = rng.NextInt(2) * 2 - 1;
                x[i, t, 0] = v;
                sum += v;
            }
            y[i, 0] = sum > 0 ? 1 : 0;
        }
        var model = new Sequential([new GRU(8, inputShape: [steps, 1]), new Dense(1, "sigmoid")], seed: 3);
        model.Compile(new Adam(0.02f), "binary_crossentropy", ["acc"]);

        var history = model.Fit(x, y, batchSize: 32, epochs: 12, verbose: 0, validationSplit: 0.25f, seed: 1);

        history["val_acc"][^1].Should().BeGreaterThanOrEqualTo(0.95);
    }

    /// <summary>
    /// The label is the sign of x_0 + x_{T−1} with 18 random values between them (|x_0 + x_{T−1}| ≥ 0.2).
    /// Each direction of a Bidirectional SimpleRNN ends next to one of the two inputs that matter, so a
    /// Dense on the concatenated final states needs no long memory; a one-way SimpleRNN would have to
    /// carry x_0 through 19 steps. Model seeds 5, 6 and 7 all reached ≥ 97.5% by epoch 25 (earlier
    /// epochs swing by a few samples either way).
    /// </summary>
    [Fact]
    public void Bidirectional_learns_a_rule_on_the_first_and_last_inputs()
    {
        const int samples = 320,
            steps = 20;
        var rng = new SeededRandom(12);
        var x = new Tensor(samples, steps, 1);
        var y = new Tensor(samples, 1);
        for (int i = 0; i < samples; i++)
        {
            for (int t = 0; t < steps; t++)
                x[i, t, 0] = rng.Uniform(-1f, 1f);
            while (Math.Abs(x[i, 0, 0] + x[i, steps - 1, 0]) < 0.2f)
                x[i, steps - 1, 0] = rng.Uniform(-1f, 1f);
            y[i, 0] = x[i, 0, 0] + x[i, steps - 1, 0] > 0 ? 1 : 0;
        }
        var model = new Sequential(
            [new Bidirectional(new SimpleRNN(8), inputShape: [steps, 1]), new Dense(1, "sigmoid")],
            seed: 5
        );
        model.Compile(new Adam(0.02f), "binary_crossentropy", ["acc"]);

        var history = model.Fit(x, y, batchSize: 32, epochs: 25, verbose: 0, validationSplit: 0.25f, seed: 1);

        history["val_acc"][^1].Should().BeGreaterThanOrEqualTo(0.95);
    }

    private static Sequential StatefulModel()
    {
        var rnn = new SimpleRNN(1, stateful: true, inputShape: [1, 1], batchSize: 1);
        var model = new Sequential(new Layer[] { rnn }, seed: 1);
        rnn.SetWeights(
            Tensor.FromArray(
                new float[,]
                {
                    { 1 },
                }
            ),
            Tensor.FromArray(
                new float[,]
                {
                    { 1 },
                }
            ),
            Tensor.FromArray([0f])
        );
        model.Compile(new SGD(0f), "mse");
        return model;
    }
}
