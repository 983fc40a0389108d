using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class RegimeSignalTests
{
    [Fact]
    public void Generate_gives_windows_of_readings_and_one_label_per_window()
    {
        var s = RegimeSignal.Generate(windows: 40, steps: 7, signal: 0.3, switchProbability: 0.1, seed: 5);

        s.X.Shape.Should().Equal(40, 7, 1);
        s.Y.Shape.Should().Equal(40, 1);
        s.Windows.Should().Be(40);
        s.Steps.Should().Be(7);
        s.Regimes.Should().OnlyContain(z => z == 0 || z == 1);
        s.Y.Data.Select(v => (int)v).Should().Equal(s.Regimes);
    }

    [Fact]
    public void The_same_seed_gives_the_same_stream_and_another_seed_another()
    {
        var a = RegimeSignal.Generate(50, 4, 0.2, 0.1, seed: 9);
        var b = RegimeSignal.Generate(50, 4, 0.2, 0.1, seed: 9);
        var c = RegimeSignal.Generate(50, 4, 0.2, 0.1, seed: 10);

        b.X.Data.Should().Equal(a.X.Data);
        b.Regimes.Should().Equal(a.Regimes);
        c.X.Data.Should().NotEqual(a.X.Data);
    }

    [Fact]
    public void Without_switches_the_regime_never_changes()
    {
        var s = RegimeSignal.Generate(200, 3, 0.5, switchProbability: 0, seed: 1);
        s.Regimes.Distinct().Should().ContainSingle();
    }

    [Fact]
    public void Regimes_flip_at_the_switch_rate_and_readings_have_the_regime_mean()
    {
        const int n = 20_000;
        var s = RegimeSignal.Generate(n, 5, signal: 0.4, switchProbability: 0.1, seed: 3);

        int flips = Enumerable.Range(1, n - 1).Count(k => s.Regimes[k] != s.Regimes[k - 1]);
        // Binomial(19,999, 0.1): mean 2,000, sd 42; allow 6 sd.
        flips.Should().BeInRange(2000 - 255, 2000 + 255);

        double Mean(int regime) =>
            Enumerable
                .Range(0, n)
                .Where(k => s.Regimes[k] == regime)
                .SelectMany(k => s.X.Data.Skip(k * 5).Take(5))
                .Average(v => (double)v);
        // About 50,000 unit-variance readings per regime: sd of the mean ≈ 0.0045.
        Mean(1).Should().BeApproximately(0.4, 0.03);
        Mean(0).Should().BeApproximately(-0.4, 0.03);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447461)]
    [InlineData(-1.0, 0.1586552539)]
    [InlineData(1.959963985, 0.975)]
    [InlineData(-3.0, 0.0013498980)]
    [InlineData(0.4743416490, 0.6823720)]
    public void NormalCdf_matches_tabulated_values(double x, double expected)
    {
        RegimeSignal.NormalCdf(x).Should().BeApproximately(expected, 2e-7);
    }

    [Fact]
    public void Window_only_accuracy_matches_its_expectation_on_a_long_stream()
    {
        const int n = 40_000;
        var s = RegimeSignal.Generate(n, steps: 10, signal: 0.15, switchProbability: 0.05, seed: 11);
        double expected = RegimeSignal.ExpectedWindowOnlyAccuracy(10, 0.15);

        expected.Should().BeApproximately(0.6824, 1e-4);
        // Binomial sd ≈ 0.0023; allow 6 sd.
        s.Accuracy(s.WindowOnlyPredictions()).Should().BeApproximately(expected, 0.014);
    }

    [Fact]
    public void The_filter_uses_earlier_windows_and_beats_one_window_by_far()
    {
        var s = RegimeSignal.Generate(40_000, steps: 10, signal: 0.15, switchProbability: 0.05, seed: 12);

        double window = s.Accuracy(s.WindowOnlyPredictions());
        double filter = s.Accuracy(s.FilterPredictions());

        filter.Should().BeGreaterThan(window + 0.1);
        filter.Should().BeInRange(0.80, 0.88);
    }

    [Fact]
    public void With_memoryless_regimes_the_filter_is_the_window_only_rule()
    {
        // q = ½: the previous windows say nothing about the next regime, so the prior is ½ every time.
        var s = RegimeSignal.Generate(500, steps: 6, signal: 0.3, switchProbability: 0.5, seed: 2);
        s.FilterPredictions().Should().Equal(s.WindowOnlyPredictions());
    }

    [Fact]
    public void Accuracy_counts_matches_and_rejects_a_wrong_number_of_predictions()
    {
        var s = RegimeSignal.Generate(4, 2, 0.3, 0, seed: 4);
        int z = s.Regimes[0];
        s.Accuracy([z, z, 1 - z, z]).Should().Be(0.75);
        var bad = () => s.Accuracy([0, 1]);
        bad.Should().Throw<ArgumentException>().WithMessage("*4 predictions*got 2*");
    }

    [Theory]
    [InlineData(0, 5, 0.2, 0.1)]
    [InlineData(5, 0, 0.2, 0.1)]
    [InlineData(5, 5, 0.0, 0.1)]
    [InlineData(5, 5, double.NaN, 0.1)]
    [InlineData(5, 5, 0.2, -0.1)]
    [InlineData(5, 5, 0.2, 0.6)]
    public void Bad_arguments_are_rejected(int windows, int steps, double signal, double q)
    {
        var make = () => RegimeSignal.Generate(windows, steps, signal, q, seed: 0);
        make.Should().Throw<ArgumentOutOfRangeException>();
    }
}
