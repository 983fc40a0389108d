using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// The benchmark's model, built the same way by every mode: Embedding(10000, 32) → SimpleRNN/LSTM/GRU(32)
/// (last output) → Dense(1, sigmoid), compiled with RMSprop (Keras defaults: lr 1e-3, rho 0.9, ε 1e-7),
/// binary cross-entropy and the accuracy metric, as a notebook's <c>model.compile</c> does.
/// </summary>
public static class BenchmarkModel
{
    /// <summary>A fresh, compiled, unbuilt model; the same <paramref name="seed"/> gives the same weights.</summary>
    public static Sequential Create(RecurrentKind kind, ImdbShapedProblem problem, ulong seed = 0)
    {
        LayerNames.ClearSession();
        Layer recurrent = kind switch
        {
            RecurrentKind.SimpleRNN => new SimpleRNN(problem.Units),
            RecurrentKind.LSTM => new LSTM(problem.Units),
            _ => new GRU(problem.Units),
        };
        var model = new Sequential(
            [new Embedding(problem.Vocabulary, problem.EmbeddingDim), recurrent, new Dense(1, "sigmoid")],
            seed: seed
        );
        model.Compile(optimizer: new RMSprop(), loss: "binary_crossentropy", metrics: ["acc"]);
        return model;
    }

    /// <summary>Builds the weights for (batch, timesteps) inputs, as Fit does before its first batch.</summary>
    public static void Build(Sequential model, int timesteps) => model.Build(new TensorShape(null, timesteps));

    /// <summary>Every weight's bytes, layer by layer: equal arrays mean bit-identical models.</summary>
    public static byte[] WeightBytes(Sequential model) =>
        model
            .GetWeights()
            .SelectMany(w => System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.Data.AsSpan()).ToArray())
            .ToArray();
}
