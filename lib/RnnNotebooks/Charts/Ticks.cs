using System.Globalization;

namespace RnnNotebooks.Charts;

/// <summary>
/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten, about <c>target</c> of them,
/// and labels with just enough decimals for the step.
/// </summary>
public sealed class Ticks
{
    private Ticks(double min, double max, double step, IReadOnlyList<double> values, int decimals)
    {
        Min = min;
        Max = max;
        Step = step;
        Values = values;
        Decimals = decimals;
    }

    /// <summary>The axis domain (extended to whole steps when asked).</summary>
    public double Min { get; }

    public double Max { get; }

    public double Step { get; }

    public IReadOnlyList<double> Values { get; }

    /// <summary>Decimals in the labels; -1 for a logarithmic axis.</summary>
    public int Decimals { get; }

    public bool IsLogarithmic => Decimals < 0;

    /// <summary>Ticks for data in [lo, hi].</summary>
    /// <param name="lo">Smallest data value.</param>
    /// <param name="hi">Largest data value.</param>
    /// <param name="target">About how many intervals.</param>
    /// <param name="extend">Widen the domain to whole steps (value axes); else keep [lo, hi] (epochs).</param>
    /// <param name="integer">Only whole-number ticks (counts, epochs).</param>
    public static Ticks Compute(double lo, double hi, int target = 5, bool extend = true, bool integer = false)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
        {
            lo = 0;
            hi = 1;
        }
        if (lo > hi)
            (lo, hi) = (hi, lo);
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double step = NiceStep((hi - lo) / Math.Max(1, target));
        if (integer)
            step = Math.Max(1, Math.Round(step));
        double first = Math.Ceiling(lo / step - 1e-9) * step;
        double last = Math.Floor(hi / step + 1e-9) * step;
        if (extend)
        {
            first = Math.Floor(lo / step + 1e-9) * step;
            last = Math.Ceiling(hi / step - 1e-9) * step;
            lo = first;
            hi = last;
        }
        int decimals = integer ? 0 : DecimalsFor(step);
        var values = new List<double>();
        int count = (int)Math.Round((last - first) / step);
        for (int i = 0; i <= count; i++)
            values.Add(Math.Round(first + i * step, decimals + 2));
        return new Ticks(lo, hi, step, values, decimals);
    }

    /// <summary>The tick label of <paramref name="value"/>, e.g. 0.25, 1,000, 1e-05.</summary>
    public string Label(double value)
    {
        if (Decimals < 0)
            return value is >= 1e-3 and <= 1e4
                ? value.ToString("0.###", CultureInfo.InvariantCulture)
                : value.ToString("0e+0", CultureInfo.InvariantCulture);
        if (Math.Abs(value) < Step * 1e-9)
            value = 0; // no "-0.0"
        double magnitude = Math.Max(Math.Abs(Min), Math.Abs(Max));
        if (magnitude >= 1e7 || Decimals > 5)
            return value.ToString("0.##e+0", CultureInfo.InvariantCulture);
        string format = Decimals == 0 ? (magnitude >= 10000 ? "#,0" : "0") : "0." + new string('0', Decimals);
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Decade ticks for a logarithmic axis over positive data in [lo, hi]: the domain is widened to whole
    /// powers of ten and every decade (or every k-th when there are many) gets a tick.
    /// </summary>
    public static Ticks Logarithmic(double lo, double hi)
    {
        if (!(lo > 0) || !double.IsFinite(lo))
            lo = hi > 0 && double.IsFinite(hi) ? hi / 10 : 1;
        if (!(hi > 0) || !double.IsFinite(hi))
            hi = lo * 10;
        double first = Math.Floor(Math.Log10(lo) + 1e-9);
        double last = Math.Ceiling(Math.Log10(hi) - 1e-9);
        if (last <= first)
            last = first + 1;
        int every = (int)Math.Ceiling((last - first) / 8);
        var values = new List<double>();
        for (double e = first; e <= last + 1e-9; e += every)
            values.Add(Math.Pow(10, e));
        return new Ticks(Math.Pow(10, first), Math.Pow(10, last), every, values, -1);
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0 || !double.IsFinite(raw))
            return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double normalised = raw / magnitude;
        // d3's thresholds (√2, √10, √50): the step whose tick count is closest to the target.
        double nice =
            normalised >= 7.0711 ? 10
            : normalised >= 3.1623 ? 5
            : normalised >= 1.4142 ? 2
            : 1;
        return nice * magnitude;
    }

    private static int DecimalsFor(double step)
    {
        for (int d = 0; d < 12; d++)
        {
            double scaled = step * Math.Pow(10, d);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * Math.Max(1, scaled))
                return d;
        }
        return 12;
    }
}
