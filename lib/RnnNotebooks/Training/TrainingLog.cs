using System.Globalization;
using System.Text;

namespace RnnNotebooks.Training;

/// <summary>How training progress is printed (verbose = 1): one line per epoch, values as Keras prints them.</summary>
public static class TrainingLog
{
    /// <summary>Keras' value format: <c>%.4f</c>, or <c>%.4e</c> when |v| ≤ 1e-3 (0.0000e+00, 1.2346e-05).</summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        return Math.Abs(value) > 1e-3
            ? value.ToString("0.0000", CultureInfo.InvariantCulture)
            : value.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }

    /// <summary><c>Epoch 3/10 - 12.3s - loss: 0.4412 - acc: 0.8011 - val_loss: 0.5102 - val_acc: 0.7650</c></summary>
    public static string FormatEpochLine(EpochLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Epoch {log.Epoch + 1}/{log.Epochs}");
        sb.Append(" - ").Append(log.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append('s');
        foreach (var (key, value) in log.Values)
            sb.Append(" - ").Append(key).Append(": ").Append(FormatValue(value));
        return sb.ToString();
    }

    /// <summary>Keras 2.x's first line: <c>Train on 20000 samples, validate on 5000 samples</c>.</summary>
    public static string FormatStartLine(int trainSamples, int validationSamples) =>
        validationSamples > 0
            ? $"Train on {trainSamples} samples, validate on {validationSamples} samples"
            : $"Train on {trainSamples} samples";
}
