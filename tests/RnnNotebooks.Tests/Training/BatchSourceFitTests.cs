using RnnNotebooks.Data;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public class BatchSourceFitTests
{
    private static (Tensor X, Tensor Y) Data(int n, int steps, int features, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = new Tensor(n, steps, features);
        for (int i = 0; i < x.Size; i++)
            x.Data[i] = rng.Uniform(-1, 1);
        var y = new Tensor(n, 1);
        for (int i = 0; i < n; i++)
            y.Data[i] = x.Data[i * steps * features] > 0 ? 1 : 0;
        return (x, y);
    }

    /// <summary>The chapter's model in small: SimpleRNN(return_sequences) → Dropout → Flatten → Dense(sigmoid).</summary>
    private static Sequential Model(bool declareInput = true) =>
        new(
            new Layer[]
            {
                declareInput
                    ? new SimpleRNN(4, returnSequences: true, inputShape: [5, 3])
                    : new SimpleRNN(4, returnSequences: true),
                new Dropout(0.2f),
                new Flatten(),
                new Dense(1, activation: "sigmoid"),
            },
            seed: 9
        );

    [Fact]
    public void Fit_on_a_source_gives_exactly_the_numbers_of_fit_on_tensors()
    {
        var (x, y) = Data(37, 5, 3, 1);
        var (vx, vy) = Data(11, 5, 3, 2);
        var onTensors = Model();
        onTensors.Compile("rmsprop", "binary_crossentropy", ["acc"]);
        var onSource = Model();
        onSource.Compile("rmsprop", "binary_crossentropy", ["acc"]);

        var expected = onTensors.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (vx, vy));
        var actual = onSource.Fit(
            new TensorBatchSource(x, y),
            batchSize: 8,
            epochs: 3,
            verbose: 0,
            validation: new TensorBatchSource(vx, vy)
        );

        actual.Keys.Should().Equal("loss", "acc", "val_loss", "val_acc");
        foreach (var key in expected.Keys)
            actual[key].Should().Equal(expected[key], $"history '{key}'");
        actual.Params["samples"].Should().Be(37);
        actual.Params["val_samples"].Should().Be(11);
        onSource.History.Should().BeSameAs(actual);
        var a = onSource.GetWeights();
        var e = onTensors.GetWeights();
        for (int i = 0; i < e.Length; i++)
            a[i].Data.Should().Equal(e[i].Data, $"weight array {i}");

        onSource
            .Evaluate(new TensorBatchSource(vx, vy), batchSize: 4)
            .Values.Should()
            .Equal(onTensors.Evaluate(vx, vy, batchSize: 4).Values);
        onSource
            .Predict(new TensorBatchSource(vx, vy), batchSize: 4)
            .Data.Should()
            .Equal(onTensors.Predict(vx, batchSize: 4).Data);
    }

    [Fact]
    public void Word_vector_sequences_train_like_the_padded_tensor_they_stand_for()
    {
        var rng = new SeededRandom(5);
        var table = new WordVectors(
            Enumerable.Range(0, 20).Select(i => $"w{i}").ToArray(),
            Enumerable.Range(0, 60).Select(_ => rng.Uniform(-1, 1)).ToArray(),
            dimension: 3
        );
        var rows = Enumerable
            .Range(0, 30)
            .Select(i => Enumerable.Range(0, 2 + i % 6).Select(t => (i + t * 7) % 20).ToArray())
            .ToArray();
        var labels = rows.Select(r => r[0] % 2).ToArray();
        var source = new WordVectorSequences(table, rows, labels, maxLength: 5);
        var x = table.PadTrunc(rows, 5);
        var y = new Tensor(labels.Select(l => (float)l).ToArray(), 30, 1);

        var viaTensor = Model();
        viaTensor.Compile("adam", "binary_crossentropy", ["acc"]);
        var viaSource = Model();
        viaSource.Compile("adam", "binary_crossentropy", ["acc"]);
        var expected = viaTensor.Fit(x, y, batchSize: 7, epochs: 2, verbose: 0, seed: 3);
        var actual = viaSource.Fit(source, batchSize: 7, epochs: 2, verbose: 0, seed: 3);
        actual["loss"].Should().Equal(expected["loss"]);
        actual["acc"].Should().Equal(expected["acc"]);
        viaSource.Predict(source).Data.Should().Equal(viaTensor.Predict(x).Data);
    }

    [Fact]
    public void A_model_without_an_input_shape_is_built_from_the_first_batch_and_the_log_is_keras()
    {
        var (x, y) = Data(10, 5, 3, 4);
        var model = Model(declareInput: false);
        model.Compile("sgd", "binary_crossentropy", ["acc"]);
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            model.Fit(new TensorBatchSource(x, y), batchSize: 4, epochs: 1, validation: new TensorBatchSource(x, y));
        }
        finally
        {
            Console.SetOut(previous);
        }
        model.InputShape!.ToString().Should().Be("(None, 5, 3)");
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("Train on 10 samples, validate on 10 samples");
        lines[1]
            .Should()
            .MatchRegex(@"^Epoch 1/1 - \d+\.\ds - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: .* - val_acc: ");
    }

    private sealed class BrokenSource(int count, int rowsReturned) : IBatchSource
    {
        public int Count => count;

        public (Tensor X, Tensor Y) Batch(ReadOnlySpan<int> rows) =>
            (new Tensor(rowsReturned, 5, 3), new Tensor(rowsReturned, 1));
    }

    [Fact]
    public void Bad_sources_and_arguments_are_errors_that_say_what_is_wrong()
    {
        var (x, y) = Data(10, 5, 3, 4);
        var source = new TensorBatchSource(x, y);
        var model = Model();
        ((Action)(() => model.Fit(source))).Should().Throw<InvalidOperationException>().WithMessage("*not compiled*");
        model.Compile("sgd", "binary_crossentropy", ["acc"]);
        ((Action)(() => model.Fit(new BrokenSource(0, 0), verbose: 0)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("The training source has no samples.*");
        ((Action)(() => model.Fit(source, batchSize: 0, verbose: 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => model.Fit(new BrokenSource(8, 3), batchSize: 4, verbose: 0)))
            .Should()
            .Throw<InvalidOperationException>()
            .WithMessage("The training source returned a batch of x (3, 5, 3) and y (3, 1) for 4 rows*");
        ((Action)(() => model.Evaluate(new BrokenSource(8, 3), batchSize: 4)))
            .Should()
            .Throw<InvalidOperationException>()
            .WithMessage("The evaluation source*");
        ((Action)(() => new TensorBatchSource(x, new Tensor(9, 1))))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*same number of rows*");
        ((Action)(() => source.Batch([10]))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
