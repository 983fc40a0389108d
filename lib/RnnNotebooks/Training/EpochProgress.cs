using System.Diagnostics;
using System.Globalization;
using System.Text;
using RnnNotebooks.Display;

namespace RnnNotebooks.Training;

/// <summary>
/// What <c>Fit</c> shows for one epoch. verbose = 1: in a notebook kernel a <see cref="ProgressLine"/> (a notebook's LiveLine) with Keras'
/// progress bar, <c>Epoch 3/10 [=====&gt;......] 120/157 - ETA: 4s - loss: 0.4412 - acc: 0.8011</c>, updated per
/// batch (throttled) and replaced at the end by the epoch line (<see cref="TrainingLog.FormatEpochLine"/>); outside
/// a kernel only the epoch line, on Console.Out. verbose = 2: the epoch line only, on Console.Out. 0: nothing.
/// </summary>
internal sealed class EpochProgress
{
    private const int BarWidth = 30;
    private readonly ProgressLine? _line;
    private readonly int _epoch;
    private readonly int _epochs;
    private readonly int _batches;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private EpochProgress(ProgressLine? line, int epoch, int epochs, int batches)
    {
        (_line, _epoch, _epochs, _batches) = (line, epoch, epochs, batches);
        line?.Report(Bar(0, [], []));
    }

    /// <summary>Starts the display of epoch <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>.</summary>
    public static EpochProgress Start(int verbose, int epoch, int epochs, int batches) =>
        new(verbose == 1 ? new ProgressLine() : null, epoch, epochs, batches);

    /// <summary>
    /// After batch <paramref name="done"/> (1-based): the running means <paramref name="sums"/>[i] / seen of the
    /// values named <paramref name="keys"/> (loss first, then the metrics).
    /// </summary>
    public void Batch(int done, IReadOnlyList<string> keys, ReadOnlySpan<double> sums, int seen)
    {
        if (_line is null || !_line.WantsReport)
            return;
        var means = new double[sums.Length];
        for (int i = 0; i < sums.Length; i++)
            means[i] = sums[i] / seen;
        _line.Report(Bar(done, keys, means));
    }

    /// <summary>The epoch's final line (verbose 1 and 2); nothing for verbose 0.</summary>
    public void End(int verbose, EpochLog log)
    {
        if (verbose == 0)
            return;
        string line = TrainingLog.FormatEpochLine(log);
        if (_line is { } live)
            live.Complete(line);
        else
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private string Bar(int done, IReadOnlyList<string> keys, ReadOnlySpan<double> means)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Epoch {_epoch + 1}/{_epochs} [");
        int filled = _batches == 0 ? BarWidth : (int)((long)BarWidth * done / _batches);
        if (filled > 0)
        {
            sb.Append('=', filled - 1);
            sb.Append(done < _batches ? '>' : '=');
        }
        sb.Append('.', BarWidth - filled);
        sb.Append(CultureInfo.InvariantCulture, $"] {done}/{_batches}");
        if (done > 0 && done < _batches)
            sb.Append(" - ETA: ").Append(Eta(_clock.Elapsed.TotalSeconds / done * (_batches - done)));
        for (int i = 0; i < means.Length; i++)
            sb.Append(" - ").Append(keys[i]).Append(": ").Append(TrainingLog.FormatValue(means[i]));
        return sb.ToString();
    }

    /// <summary>Keras' ETA: <c>4s</c>, <c>2:05</c>, <c>1:02:05</c>.</summary>
    private static string Eta(double seconds)
    {
        long s = (long)Math.Round(seconds);
        return s >= 3600 ? $"{s / 3600}:{s % 3600 / 60:00}:{s % 60:00}"
            : s >= 60 ? $"{s / 60}:{s % 60:00}"
            : $"{s}s";
    }
}
