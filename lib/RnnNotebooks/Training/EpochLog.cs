namespace RnnNotebooks.Training;

/// <summary>What <c>Fit</c> hands to its <c>onEpochEnd</c> callback after each epoch (Keras' on_epoch_end(epoch, logs)).</summary>
public sealed class EpochLog
{
    public EpochLog(int epoch, int epochs, TimeSpan elapsed, IReadOnlyList<KeyValuePair<string, double>> values)
    {
        Epoch = epoch;
        Epochs = epochs;
        Elapsed = elapsed;
        Values = values;
    }

    /// <summary>The epoch just finished, 0-based as in Keras' callbacks (printed as Epoch+1).</summary>
    public int Epoch { get; }

    /// <summary>Total number of epochs of this Fit.</summary>
    public int Epochs { get; }

    /// <summary>Wall time of the epoch, validation included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>loss, acc, val_loss, val_acc … in Keras' order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Values { get; }

    public double this[string key] =>
        Values.FirstOrDefault(kv => kv.Key == key) is { Key: not null } hit
            ? hit.Value
            : throw new KeyNotFoundException(
                $"Epoch log has no '{key}'. Keys: {string.Join(", ", Values.Select(kv => kv.Key))}."
            );

    public bool TryGetValue(string key, out double value)
    {
        foreach (var kv in Values)
            if (kv.Key == key)
            {
                value = kv.Value;
                return true;
            }
        value = double.NaN;
        return false;
    }

    /// <summary>The progress line: <c>Epoch 3/10 - 12.3s - loss: 0.4412 - acc: 0.8011</c>.</summary>
    public override string ToString() => TrainingLog.FormatEpochLine(this);
}
