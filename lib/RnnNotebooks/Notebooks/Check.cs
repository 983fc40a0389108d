using System.Collections;
using System.Globalization;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Notebooks;

/// <summary>Raised when a notebook check fails; stops the notebook at the failing cell.</summary>
public sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// The workbook's executable claims. Every number a chapter prints is asserted with one of these:
/// a passing check prints one line (✔ what: value), a failing one throws and stops the notebook.
/// </summary>
public static class Check
{
    /// <summary>Where passing checks are reported (Console.Out by default; null silences them).</summary>
    public static TextWriter? Log { get; set; } = null;

    public static void That(bool condition, string claim)
    {
        if (!condition)
            throw new CheckFailedException($"✘ {claim}");
        Pass(claim);
    }

    public static void Equal<T>(T actual, T expected, string what)
    {
        bool ok =
            actual is IEnumerable a && expected is IEnumerable e && actual is not string
                ? Flatten(a).SequenceEqual(Flatten(e))
                : EqualityComparer<T>.Default.Equals(actual, expected);
        if (!ok)
            throw new CheckFailedException($"✘ {what}: expected {Show(expected)}, got {Show(actual)}");
        Pass($"{what} = {Show(actual)}");
    }

    /// <summary>|actual − expected| ≤ tolerance.</summary>
    public static void Close(double actual, double expected, double tolerance, string what)
    {
        double diff = Math.Abs(actual - expected);
        if (!(diff <= tolerance))
            throw new CheckFailedException(
                $"✘ {what}: expected {F(expected)} ± {F(tolerance)}, got {F(actual)} (off by {F(diff)})"
            );
        Pass($"{what}: {F(actual)} (within {F(tolerance)} of {F(expected)})");
    }

    /// <summary>Element-wise |a − b| ≤ tolerance for equally long sequences; reports the largest difference.</summary>
    public static void AllClose(IEnumerable<float> actual, IEnumerable<float> expected, double tolerance, string what)
    {
        var a = actual.ToArray();
        var e = expected.ToArray();
        if (a.Length != e.Length)
            throw new CheckFailedException($"✘ {what}: {a.Length} values against {e.Length} expected");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - e[i]);
            if (!(d <= worst) || double.IsNaN(d))
            {
                worst = double.IsNaN(d) ? double.PositiveInfinity : d;
                at = i;
            }
        }
        if (!(worst <= tolerance))
            throw new CheckFailedException(
                $"✘ {what}: largest difference {F(worst)} at index {at} ({F(a[at])} vs {F(e[at])}) exceeds {F(tolerance)}"
            );
        Pass($"{what}: {a.Length} values agree, largest difference {F(worst)} ≤ {F(tolerance)}");
    }

    public static void AllClose(Tensor actual, Tensor expected, double tolerance, string what)
    {
        if (!actual.HasShape(expected.Shape))
            throw new CheckFailedException(
                $"✘ {what}: shape {Tensor.ShapeToString(actual.Shape)} against {Tensor.ShapeToString(expected.Shape)}"
            );
        AllClose(actual.Data, expected.Data, tolerance, what);
    }

    /// <summary>low ≤ actual ≤ high.</summary>
    public static void Between(double actual, double low, double high, string what)
    {
        if (!(actual >= low && actual <= high))
            throw new CheckFailedException($"✘ {what}: expected between {F(low)} and {F(high)}, got {F(actual)}");
        Pass($"{what}: {F(actual)} (in [{F(low)}, {F(high)}])");
    }

    private static void Pass(string message) => (Log ?? Console.Out).WriteLine("✔ " + message);

    private static IEnumerable<object?> Flatten(IEnumerable items)
    {
        foreach (var item in items)
        {
            if (item is IEnumerable inner && item is not string)
                foreach (var x in Flatten(inner))
                    yield return x;
            else
                yield return item;
        }
    }

    private static string Show(object? value) =>
        value switch
        {
            null => "null",
            string s => s,
            float f => F(f),
            double d => F(d),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            IEnumerable e => Nested(e),
            _ => value.ToString() ?? "",
        };

    private static string Nested(IEnumerable e)
    {
        if (e is Array { Rank: 2 } m)
        {
            var rows = new List<string>();
            for (int i = 0; i < m.GetLength(0); i++)
            {
                var row = new List<string>();
                for (int j = 0; j < m.GetLength(1); j++)
                    row.Add(Show(m.GetValue(i, j)));
                rows.Add("[" + string.Join(", ", row) + "]");
            }
            return "[" + string.Join(", ", rows) + "]";
        }
        return "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]";
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
