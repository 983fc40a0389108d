using System.Globalization;

namespace RnnNotebooks.Training;

/// <summary>
/// Mean and spread of one quantity over repeated runs (one value per seed): what a notebook reports when it
/// compares models, e.g. <c>0.8512 ± 0.0061 (0.8452–0.8574, n = 3)</c>.
/// The spread is the sample standard deviation (n − 1 in the denominator, numpy's <c>std(ddof=1)</c>);
/// with a single run it is 0.
/// </summary>
public sealed record RepeatStatistics(int Count, double Mean, double StandardDeviation, double Minimum, double Maximum)
{
    /// <summary>The statistics of <paramref name="values"/> (at least one, all finite).</summary>
    public static RepeatStatistics Compute(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        if (v.Length == 0)
            throw new ArgumentException("Mean and spread need at least one value (one per run).", nameof(values));
        int bad = Array.FindIndex(v, x => !double.IsFinite(x));
        if (bad >= 0)
            throw new ArgumentException(
                $"Value {bad} is {v[bad].ToString(CultureInfo.InvariantCulture)}; every run must give a finite number.",
                nameof(values)
            );
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new RepeatStatistics(v.Length, mean, sd, v.Min(), v.Max());
    }

    /// <summary>
    /// Per position (epoch) statistics of several equally long curves, one per run: the mean curve and its spread.
    /// </summary>
    public static IReadOnlyList<RepeatStatistics> PerEpoch(IEnumerable<IReadOnlyList<double>> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var c = curves.ToArray();
        if (c.Length == 0)
            throw new ArgumentException("Need at least one curve (one per run).", nameof(curves));
        int length = c[0].Count;
        for (int i = 1; i < c.Length; i++)
            if (c[i].Count != length)
                throw new ArgumentException(
                    $"Curve {i} has {c[i].Count} values but curve 0 has {length}; runs must train for the same number of epochs.",
                    nameof(curves)
                );
        return Enumerable.Range(0, length).Select(e => Compute(c.Select(curve => curve[e]))).ToArray();
    }

    /// <summary><c>mean ± sd (min–max, n = count)</c> with <paramref name="format"/> for every number (invariant culture).</summary>
    public string ToString(string format) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {StandardDeviation.ToString(format, CultureInfo.InvariantCulture)} "
                + $"({Minimum.ToString(format, CultureInfo.InvariantCulture)}–{Maximum.ToString(format, CultureInfo.InvariantCulture)}, n = {Count})"
        );

    public override string ToString() => ToString("F4");
}
