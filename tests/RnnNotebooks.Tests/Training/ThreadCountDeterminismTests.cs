using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

/// <summary>
/// Issue 15: results stay bit-identical for a given seed at any thread count. The benchmark's model
/// shape, Embedding → SimpleRNN/LSTM/GRU → Dense(1, sigmoid) with RMSprop, trained for one epoch
/// whose batches split into shards of unequal size (300 samples: batches of 128, 128 and 44 rows;
/// 4, 4 and 2 shards), must end with byte-identical weights and the same loss whatever
/// Engine.MaxThreads is.
/// </summary>
public class ThreadCountDeterminismTests
{
    private const int Samples = 300,
        Timesteps = 30,
        Vocabulary = 50;

    [Theory]
    [InlineData("simplernn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void One_epoch_gives_byte_identical_weights_with_one_two_or_three_threads(string kind)
    {
        var (x, y) = Data();
        int saved = Engine.MaxThreads;
        try
        {
            var initial = WeightBytes(Model(kind, x));
            var (oneLoss, one) = Train(kind, x, y, threads: 1);
            var (twoLoss, two) = Train(kind, x, y, threads: 2);
            var (threeLoss, three) = Train(kind, x, y, threads: 3);

            one.Should()
                .NotEqual(initial, "the epoch must have changed the weights for the comparison to mean anything");
            two.Should().Equal(one);
            three.Should().Equal(one);
            twoLoss.Should().Be(oneLoss);
            threeLoss.Should().Be(oneLoss);
        }
        finally
        {
            Engine.MaxThreads = saved;
        }
    }

    private static (double Loss, byte[] Weights) Train(string kind, Tensor x, Tensor y, int threads)
    {
        Engine.MaxThreads = threads;
        var model = Model(kind, x);
        model.Compile(new RMSprop(), "binary_crossentropy", ["acc"]);
        var history = model.Fit(x, y, batchSize: 128, epochs: 1, verbose: 0, seed: 7);
        return (history["loss"][0], WeightBytes(model));
    }

    private static Sequential Model(string kind, Tensor x)
    {
        Layer recurrent = kind switch
        {
            "simplernn" => new SimpleRNN(6),
            "lstm" => new LSTM(6),
            _ => new GRU(6),
        };
        var model = new Sequential([new Embedding(Vocabulary, 8), recurrent, new Dense(1, "sigmoid")], seed: 11);
        model.Build(new TensorShape(null, x.Shape[1]));
        return model;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var rng = new SeededRandom(4);
        var x = new Tensor(Samples, Timesteps);
        for (int i = 0; i < x.Size; i++)
            x.Data[i] = 1 + rng.NextInt(Vocabulary - 1);
        var y = new Tensor(Samples, 1);
        for (int i = 0; i < Samples; i++)
            y.Data[i] = rng.NextInt(2);
        return (x, y);
    }

    private static byte[] WeightBytes(Sequential model) =>
        model
            .GetWeights()
            .SelectMany(w => System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.Data.AsSpan()).ToArray())
            .ToArray();
}
