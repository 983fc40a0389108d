namespace RnnNotebooks.Training;

/// <summary>
/// What <c>Evaluate</c> returns: the dataset's loss and metrics (Keras' [loss, acc]), each the exact
/// mean over all samples. Deconstructs like Keras' <c>loss, acc = model.evaluate(…)</c>.
/// </summary>
public sealed class EvaluateResult
{
    public EvaluateResult(IReadOnlyList<KeyValuePair<string, double>> values, int samples)
    {
        Values = values;
        Samples = samples;
    }

    /// <summary>loss first, then the compiled metrics (acc).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Values { get; }

    public IReadOnlyList<string> Keys => Values.Select(kv => kv.Key).ToList();

    /// <summary>Number of samples evaluated.</summary>
    public int Samples { get; }

    public double Loss => this["loss"];

    /// <summary>The accuracy metric (compiled as 'acc' / 'accuracy' or an explicit *_accuracy).</summary>
    public double Accuracy =>
        Values.FirstOrDefault(kv =>
            kv.Key is "acc" or "accuracy" || kv.Key.EndsWith("_accuracy", StringComparison.Ordinal)
        )
            is { Key: not null } hit
            ? hit.Value
            : throw new InvalidOperationException(
                "The model was compiled without an accuracy metric: Compile(…, metrics: [\"acc\"])."
            );

    public double this[string key] =>
        Values.FirstOrDefault(kv => kv.Key == key) is { Key: not null } hit
            ? hit.Value
            : throw new KeyNotFoundException(
                $"Evaluate has no '{key}'. Keys: {string.Join(", ", Values.Select(kv => kv.Key))}."
            );

    public void Deconstruct(out double loss, out double accuracy)
    {
        loss = Loss;
        accuracy = Accuracy;
    }

    public override string ToString() =>
        string.Join(" - ", Values.Select(kv => $"{kv.Key}: {TrainingLog.FormatValue(kv.Value)}"));
}
