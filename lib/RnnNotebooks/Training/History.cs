using System.Globalization;
using System.Text;
using RnnNotebooks.Display;

namespace RnnNotebooks.Training;

/// <summary>
/// What <c>Fit</c> returns, Keras' History: one value per epoch for every logged quantity
/// (<c>loss</c>, <c>acc</c>, and with validation <c>val_loss</c>, <c>val_acc</c>), plain data so that
/// charts and tables can be drawn from it.
/// Keras' rules: docs/keras-semantics.md#fit.
/// </summary>
[TypeFormatterSource(
    "RnnNotebooks.Notebooks.HistoryFormatterSource",
    PreferredMimeTypes = [MimeTypes.Html, MimeTypes.PlainText]
)]
public sealed class History
{
    private readonly List<int> _epochs = new();
    private readonly List<string> _keys = new();
    private readonly Dictionary<string, List<double>> _values = new();

    public History(IReadOnlyDictionary<string, object?>? parameters = null) =>
        Params = parameters ?? new Dictionary<string, object?>();

    /// <summary>The epoch indices, 0-based as Keras' history.epoch ([0, 1, …]); printed tables count from 1.</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>Logged quantities in Keras' order: loss, acc, val_loss, val_acc.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>
    /// Keras' history.params: batch_size, epochs, samples, verbose, do_validation, metrics
    /// (and val_samples when validating).
    /// </summary>
    public IReadOnlyDictionary<string, object?> Params { get; }

    /// <summary>The per-epoch values of one quantity (history.history['val_acc']).</summary>
    public IReadOnlyList<double> this[string key] =>
        _values.TryGetValue(key, out var list)
            ? list
            : throw new KeyNotFoundException(
                $"History has no '{key}'. Keys: {(_keys.Count == 0 ? "(none)" : string.Join(", ", _keys))}."
            );

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>Number of epochs recorded.</summary>
    public int Count => _epochs.Count;

    /// <summary>Records one epoch's values (keys must be the same, in the same order, every epoch).</summary>
    public void Append(int epoch, IReadOnlyList<KeyValuePair<string, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_epochs.Count == 0)
            foreach (var (key, _) in values)
            {
                _keys.Add(key);
                _values[key] = new List<double>();
            }
        else if (values.Count != _keys.Count || values.Select(kv => kv.Key).Where((k, i) => k != _keys[i]).Any())
            throw new ArgumentException(
                $"History records {string.Join(", ", _keys)} but got {string.Join(", ", values.Select(kv => kv.Key))}."
            );
        _epochs.Add(epoch);
        foreach (var (key, value) in values)
            _values[key].Add(value);
    }

    /// <summary>Keras' history.history: key → one value per epoch.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> ToDictionary() =>
        _keys.ToDictionary(k => k, k => (IReadOnlyList<double>)_values[k].ToArray());

    /// <summary>A compact table, one row per epoch (epochs counted from 1, as printed during training).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        const int width = 10;
        sb.Append("epoch".PadLeft(5));
        foreach (var key in _keys)
            sb.Append(' ').Append(key.PadLeft(width));
        sb.Append('\n');
        for (int i = 0; i < _epochs.Count; i++)
        {
            sb.Append((_epochs[i] + 1).ToString(CultureInfo.InvariantCulture).PadLeft(5));
            foreach (var key in _keys)
                sb.Append(' ').Append(TrainingLog.FormatValue(_values[key][i]).PadLeft(width));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
