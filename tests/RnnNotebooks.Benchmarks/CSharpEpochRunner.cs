using System.Diagnostics;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Training;

namespace RnnNotebooks.Benchmarks;

/// <summary>
/// The real thing: one epoch of <c>Sequential.Fit</c> on Embedding(10000, 32) → SimpleRNN/LSTM/GRU(32)
/// → Dense(1, sigmoid), binary cross-entropy, RMSprop (Keras defaults: lr 1e-3, rho 0.9, ε 1e-7),
/// batch 128, shuffled, accuracy metric on — what a notebook's <c>model.fit</c> does. Model
/// construction and compilation are outside the timed region; weight building (on the first batch)
/// is inside, as it is for Keras.
/// </summary>
internal sealed class CSharpEpochRunner : IEpochRunner
{
    public string Name => "engine";

    public string Description =>
        "engine: Sequential.Fit, one epoch (Embedding(10000, 32) → recurrent(32) → Dense(1, sigmoid), RMSprop, BCE, batch 128)";

    public int Preference => 10;

    public EpochTiming RunEpoch(RecurrentKind kind, ImdbShapedProblem problem)
    {
        LayerNames.ClearSession();
        Layer recurrent = kind switch
        {
            RecurrentKind.SimpleRNN => new SimpleRNN(problem.Units),
            RecurrentKind.LSTM => new LSTM(problem.Units),
            _ => new GRU(problem.Units),
        };
        var model = new Sequential(
            new Embedding(problem.Vocabulary, problem.EmbeddingDim),
            recurrent,
            new Dense(1, "sigmoid")
        );
        model.Compile(optimizer: new RMSprop(), loss: "binary_crossentropy", metrics: ["acc"]);
        var clock = Stopwatch.StartNew();
        model.Fit(problem.X, problem.Y, batchSize: problem.BatchSize, epochs: 1, verbose: 0);
        clock.Stop();
        return new EpochTiming(clock.Elapsed.TotalSeconds);
    }
}
