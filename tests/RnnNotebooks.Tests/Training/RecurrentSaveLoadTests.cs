using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Tests.Layers;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

/// <summary>
/// model.Save → Sequential.Load for models with recurrent layers: the architecture comes back through
/// LayerFactory and the weights by position, so the loaded model must predict bit for bit as the saved
/// one. The saved weights are drawn away from the seed's initial ones first: a load that kept the
/// freshly initialised weights would otherwise go unnoticed.
/// </summary>
public sealed class RecurrentSaveLoadTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Replaces every weight with values from U(−0.5, 0.5) of another stream than the model's.</summary>
    private static void Scramble(Sequential model, ulong seed)
    {
        var rng = new SeededRandom(seed);
        model.SetWeights(
            model
                .GetWeights()
                .Select(w =>
                {
                    for (int i = 0; i < w.Size; i++)
                        w.Data[i] = rng.Uniform(-0.5f, 0.5f);
                    return w;
                })
                .ToArray()
        );
    }

    private static Tensor TokenIds(int samples, int steps, int vocabulary, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = new Tensor(samples, steps);
        for (int i = 0; i < x.Size; i++)
            x.Data[i] = rng.NextInt(vocabulary);
        return x;
    }

    /// <summary>Saves, loads, and checks architecture, names, weights and predictions; returns the loaded model.</summary>
    private Sequential SaveAndLoad(Sequential model, Tensor x)
    {
        string path = _folder.File(model.Name + ".rnnmodel");
        model.Save(path);
        var loaded = Sequential.Load(path);

        loaded.ToJson().Should().Be(model.ToJson());
        loaded.Summary().ToString().Should().Be(model.Summary().ToString());
        loaded.Layers.Select(l => l.GetType()).Should().Equal(model.Layers.Select(l => l.GetType()));
        loaded.InputShape.Should().Be(model.InputShape);
        var savedWeights = model.GetWeights();
        var loadedWeights = loaded.GetWeights();
        loadedWeights.Should().HaveCount(savedWeights.Length);
        for (int i = 0; i < savedWeights.Length; i++)
        {
            loadedWeights[i].Shape.Should().Equal(savedWeights[i].Shape);
            loadedWeights[i].Data.Should().Equal(savedWeights[i].Data);
        }

        var expected = model.Predict(x);
        loaded.Predict(x).Data.Should().Equal(expected.Data);
        Sequential
            .FromJson(model.ToJson())
            .Predict(x)
            .Data.Should()
            .NotEqual(expected.Data, "the seed's fresh weights predict otherwise, so the file's weights were used");
        return loaded;
    }

    [Fact]
    public void Embedding_LSTM_Dense_predicts_identically_after_loading()
    {
        var model = new Sequential(
            [new Embedding(30, 6, inputLength: 7), new LSTM(5, dropout: 0.2f), new Dense(3, "softmax")],
            name: "lstm_classifier",
            seed: 11
        );
        model.Compile(new Adam(0.002f), "categorical_crossentropy", ["acc"]);
        Scramble(model, 101);
        var loaded = SaveAndLoad(model, TokenIds(9, 7, 30, 1));
        var lstm = loaded[1].Should().BeOfType<LSTM>().Subject;
        (lstm.RecurrentActivation, lstm.UnitForgetBias, lstm.Dropout)
            .Should()
            .Be((ActivationKind.HardSigmoid, true, 0.2f));
        loaded.Optimizer.Should().BeOfType<Adam>().Which.LearningRate.Should().Be(0.002f);
    }

    [Fact]
    public void Embedding_GRU_with_reset_after_predicts_identically_after_loading()
    {
        var model = new Sequential(
            [
                new Embedding(25, 4),
                new GRU(6, recurrentActivation: "sigmoid", resetAfter: true),
                new Dense(1, "sigmoid"),
            ],
            name: "gru_classifier",
            seed: 12
        );
        Scramble(model, 102);
        var loaded = SaveAndLoad(model, TokenIds(5, 8, 25, 2));
        loaded.InputShape!.ToString().Should().Be("(None, None)");
        var gru = loaded[1].Should().BeOfType<GRU>().Subject;
        gru.ResetAfter.Should().BeTrue();
        gru.Bias!.Shape.Should().Equal(2, 18);
        // Any length goes, as before saving.
        var longer = TokenIds(2, 13, 25, 3);
        loaded.Predict(longer).Data.Should().Equal(model.Predict(longer).Data);
    }

    [Fact]
    public void A_first_Bidirectional_layer_keeps_its_input_shape_and_predicts_identically()
    {
        var model = new Sequential(
            [new Bidirectional(new SimpleRNN(4, goBackwards: true), inputShape: [6, 3]), new Dense(2, "softmax")],
            name: "bidirectional_classifier",
            seed: 13
        );
        Scramble(model, 103);
        var loaded = SaveAndLoad(model, GradientCheck.Random(4, [5, 6, 3]));
        loaded.InputShape!.ToString().Should().Be("(None, 6, 3)");
        var bi = loaded[0].Should().BeOfType<Bidirectional>().Subject;
        bi.Name.Should().Be(model[0].Name);
        bi.ForwardLayer.Name.Should().Be(((Bidirectional)model[0]).ForwardLayer.Name);
        (bi.ForwardLayer.GoBackwards, bi.BackwardLayer.GoBackwards).Should().Be((true, false));
        loaded.GetWeights().Should().HaveCount(8);
    }

    [Fact]
    public void A_stacked_LSTM_predicts_identically_after_loading()
    {
        var model = new Sequential(
            [
                new LSTM(6, returnSequences: true, inputShape: [null, 3]),
                new LSTM(4, recurrentActivation: "sigmoid", unitForgetBias: false),
                new Dense(1),
            ],
            name: "stacked",
            seed: 14
        );
        Scramble(model, 104);
        var loaded = SaveAndLoad(model, GradientCheck.Random(5, [3, 9, 3]));
        loaded.InputShape!.ToString().Should().Be("(None, None, 3)");
        loaded[0].OutputShape!.ToString().Should().Be("(None, None, 6)");
        loaded[1].Should().BeOfType<LSTM>().Which.UnitForgetBias.Should().BeFalse();
    }

    [Fact]
    public void A_stateful_first_layer_keeps_its_batch_size()
    {
        var model = new Sequential(
            [new SimpleRNN(3, stateful: true, inputShape: [2, 1], batchSize: 2), new Dense(1)],
            name: "stateful",
            seed: 15
        );
        Scramble(model, 105);
        string path = _folder.File("stateful.rnnmodel");
        model.Save(path);
        var loaded = Sequential.Load(path);

        loaded.InputShape!.ToString().Should().Be("(2, 2, 1)");
        loaded[0].IsStateful.Should().BeTrue();
        var x = GradientCheck.Random(6, [4, 2, 1]);
        // Both start from zero states and carry them over the two batches of two.
        model.ResetStates();
        loaded.Predict(x, batchSize: 2).Data.Should().Equal(model.Predict(x, batchSize: 2).Data);
        FluentActions
            .Invoking(() => loaded.Predict(GradientCheck.Random(7, [3, 2, 1]), batchSize: 3))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*exactly 2*");
    }
}
