namespace RnnNotebooks.Benchmarks;

/// <summary>The recurrent layer of the benchmark model.</summary>
public enum RecurrentKind
{
    SimpleRNN,
    LSTM,
    GRU,
}

/// <summary>What one timed epoch gave.</summary>
/// <param name="Seconds">Wall-clock seconds of the epoch (data generation excluded).</param>
/// <param name="Loss">Mean training loss of the epoch, when the runner trains a real model.</param>
public sealed record EpochTiming(double Seconds, double? Loss = null);

/// <summary>
/// Times one training epoch of one model on the <see cref="ImdbShapedProblem"/>. Runners are found
/// by reflection (every non-abstract implementation in this assembly with a parameterless
/// constructor), so adding a file adds a runner; <c>--runner NAME</c> picks one, otherwise the one
/// with the highest <see cref="Preference"/> runs.
/// </summary>
public interface IEpochRunner
{
    /// <summary>The name <c>--runner</c> takes.</summary>
    string Name { get; }

    /// <summary>What is timed, printed above the results.</summary>
    string Description { get; }

    /// <summary>Higher wins when no <c>--runner</c> is given; the real engine outranks proxies.</summary>
    int Preference { get; }

    EpochTiming RunEpoch(RecurrentKind kind, ImdbShapedProblem problem);
}

public static class EpochRunners
{
    public static IReadOnlyList<IEpochRunner> All { get; } =
        typeof(IEpochRunner)
            .Assembly.GetTypes()
            .Where(t =>
                typeof(IEpochRunner).IsAssignableFrom(t)
                && t is { IsAbstract: false, IsInterface: false }
                && t.GetConstructor(Type.EmptyTypes) is not null
            )
            .Select(t => (IEpochRunner)Activator.CreateInstance(t)!)
            .OrderByDescending(r => r.Preference)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

    public static IEpochRunner Find(string? name)
    {
        if (name is null)
            return All[0];
        return All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new BenchmarkUsageException(
                $"unknown runner '{name}'; available: {string.Join(", ", All.Select(r => r.Name))}"
            );
    }
}
