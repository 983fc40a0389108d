using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public class RepeatStatisticsTests
{
    [Fact]
    public void Mean_and_sample_standard_deviation_match_numpy_ddof_1()
    {
        // numpy: np.mean([0.84, 0.85, 0.87]) = 0.853333…, np.std([0.84, 0.85, 0.87], ddof=1) = 0.0152752…
        var s = RepeatStatistics.Compute([0.84, 0.85, 0.87]);
        s.Count.Should().Be(3);
        s.Mean.Should().BeApproximately(0.8533333333, 1e-9);
        s.StandardDeviation.Should().BeApproximately(0.0152752523, 1e-9);
        s.Minimum.Should().Be(0.84);
        s.Maximum.Should().Be(0.87);
    }

    [Fact]
    public void A_single_run_has_no_spread()
    {
        var s = RepeatStatistics.Compute([0.5]);
        s.StandardDeviation.Should().Be(0);
        s.ToString("F2").Should().Be("0.50 ± 0.00 (0.50–0.50, n = 1)");
    }

    [Fact]
    public void Formats_mean_spread_range_and_count()
    {
        RepeatStatistics.Compute([1.0, 2.0, 3.0]).ToString("F1").Should().Be("2.0 ± 1.0 (1.0–3.0, n = 3)");
    }

    [Fact]
    public void Per_epoch_statistics_average_the_curves_position_by_position()
    {
        // Values exactly representable in binary, so the means are exact.
        var per = RepeatStatistics.PerEpoch([new[] { 0.5, 0.75 }, new[] { 1.0, 0.25 }]);
        per.Select(p => p.Mean).Should().Equal(0.75, 0.5);
        per[1].StandardDeviation.Should().BeApproximately(Math.Sqrt(0.125), 1e-12);
        per.Select(p => p.Count).Should().Equal(2, 2);
    }

    [Fact]
    public void Bad_input_is_rejected_with_a_clear_message()
    {
        var empty = () => RepeatStatistics.Compute([]);
        empty.Should().Throw<ArgumentException>().WithMessage("*at least one value*");
        var nan = () => RepeatStatistics.Compute([0.5, double.NaN]);
        nan.Should().Throw<ArgumentException>().WithMessage("Value 1 is NaN*");
        var ragged = () => RepeatStatistics.PerEpoch([new[] { 1.0, 2.0 }, new[] { 1.0 }]);
        ragged.Should().Throw<ArgumentException>().WithMessage("Curve 1 has 1 values but curve 0 has 2*");
    }
}
