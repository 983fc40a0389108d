using System.Diagnostics;

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
        var model = BenchmarkModel.Create(kind, problem);
        var clock = Stopwatch.StartNew();
        var history = model.Fit(problem.X, problem.Y, batchSize: problem.BatchSize, epochs: 1, verbose: 0);
        clock.Stop();
        return new EpochTiming(clock.Elapsed.TotalSeconds, history["loss"][0]);
    }
}
