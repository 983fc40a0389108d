using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// The --fingerprint mode: trains small models over every recurrent path the speed work touches
/// (each cell; dropout and recurrent dropout; masks; go_backwards; stacked layers returning sequences;
/// Bidirectional; GRU reset_after; 12 and 32 units, so both the vector and the ragged kernels run) for
/// two epochs and prints, per configuration, a hash of the final loss's bits, of every weight's bytes
/// and of the predictions' bytes. Run it on two builds: equal lines prove a change bit-identical on
/// these paths, a differing line names the path that moved.
/// </summary>
public static class Fingerprint
{
    private const int Samples = 300,
        Steps = 37,
        Vocabulary = 60;

    private static readonly (string Name, Func<Layer[]> Layers, bool MaskZero)[] Configurations =
    [
        ("simplernn-12", () => [new SimpleRNN(12)], false),
        ("simplernn-32", () => [new SimpleRNN(32)], false),
        ("lstm-12", () => [new LSTM(12)], false),
        ("lstm-32", () => [new LSTM(32)], false),
        ("gru-12", () => [new GRU(12)], false),
        ("gru-32", () => [new GRU(32)], false),
        ("gru-32-reset-after-sigmoid", () => [new GRU(32, recurrentActivation: "sigmoid", resetAfter: true)], false),
        ("lstm-dropout", () => [new LSTM(12, dropout: 0.3f, recurrentDropout: 0.2f)], false),
        ("gru-dropout", () => [new GRU(12, dropout: 0.3f, recurrentDropout: 0.2f)], false),
        (
            "gru-reset-after-dropout",
            () => [new GRU(12, dropout: 0.3f, recurrentDropout: 0.2f, resetAfter: true)],
            false
        ),
        (
            "simplernn-dropout-backwards",
            () => [new SimpleRNN(12, dropout: 0.3f, recurrentDropout: 0.2f, goBackwards: true)],
            false
        ),
        ("lstm-mask", () => [new LSTM(12)], true),
        ("gru-mask-backwards", () => [new GRU(12, goBackwards: true)], true),
        (
            "stacked-sequences",
            () => [new LSTM(12, returnSequences: true), new GRU(10, returnSequences: true), new SimpleRNN(8)],
            false
        ),
        (
            "bidirectional-mask",
            () =>
                [
                    new Bidirectional(new LSTM(12, returnSequences: true)),
                    new Bidirectional(new GRU(6), mergeMode: "sum"),
                ],
            true
        ),
    ];

    public static JsonArray Run()
    {
        Console.WriteLine(
            $"\nfingerprint  {Configurations.Length} configurations, {Samples} × {Steps} tokens (every third row padded"
                + $" for 10 steps), 2 epochs, batch 64, {Engine.MaxThreads} threads, {Gemm.BestPath} GEMM kernels"
        );
        var (x, y) = Data();
        var results = new JsonArray();
        foreach (var (name, layers, maskZero) in Configurations)
        {
            var all = new List<Layer> { new Embedding(Vocabulary, 9, maskZero: maskZero) };
            all.AddRange(layers());
            all.Add(new Dense(1, "sigmoid"));
            var model = new Sequential(all, seed: 11);
            model.Build(new TensorShape(null, Steps));
            model.Compile(new RMSprop(), "binary_crossentropy", ["acc"]);
            var history = model.Fit(x, y, batchSize: 64, epochs: 2, verbose: 0, seed: 7);
            var weights = model
                .GetWeights()
                .SelectMany(w => MemoryMarshal.AsBytes(w.Data.AsSpan()).ToArray())
                .ToArray();
            var predictions = MemoryMarshal.AsBytes(model.Predict(x).Data.AsSpan()).ToArray();
            string loss = BitConverter.DoubleToInt64Bits(history["loss"][^1]).ToString("x16");
            string weightHash = Convert.ToHexString(SHA256.HashData(weights))[..16];
            string predictionHash = Convert.ToHexString(SHA256.HashData(predictions))[..16];
            Console.WriteLine($"  {name, -30} loss {loss}  weights {weightHash}  predictions {predictionHash}");
            results.Add(
                new JsonObject
                {
                    ["configuration"] = name,
                    ["loss_bits"] = loss,
                    ["weights_sha256_16"] = weightHash,
                    ["predictions_sha256_16"] = predictionHash,
                }
            );
        }
        return results;
    }

    /// <summary>Token ids with zeros (padding for mask_zero) in the first 10 steps of every third row, and 0/1 labels.</summary>
    private static (Tensor X, Tensor Y) Data()
    {
        var rng = new SeededRandom(4);
        var x = new Tensor(Samples, Steps);
        for (int i = 0; i < x.Size; i++)
            x.Data[i] = rng.NextInt(Vocabulary);
        for (int r = 0; r < Samples; r += 3)
        for (int t = 0; t < 10; t++)
            x.Data[r * Steps + t] = 0;
        var y = new Tensor(Samples, 1);
        for (int i = 0; i < Samples; i++)
            y.Data[i] = rng.NextInt(2);
        return (x, y);
    }
}
