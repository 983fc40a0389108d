using RnnNotebooks.Notebooks;

namespace RnnNotebooks.Tests.Notebooks;

/// <summary>Outside a kernel a LiveLine is one plain line (Fit's console output: FitTests).</summary>
public class LiveLineTests
{
    [Fact]
    public void Outside_a_kernel_reports_are_silent_and_completion_writes_exactly_the_final_line()
    {
        var writer = new StringWriter();
        var line = new LiveLine(writer);
        line.Report("word2vec: 10%");
        line.Report("word2vec: 50%");
        writer.ToString().Should().BeEmpty();
        line.IsLive.Should().BeFalse();
        LiveLine.InKernel.Should().BeFalse();

        line.Complete("word2vec: trained");
        line.Complete("again");
        line.Report("late");
        line.Dispose();

        writer.ToString().Should().Be("word2vec: trained" + Environment.NewLine);
        line.Text.Should().Be("word2vec: trained");
    }

    [Fact]
    public void Dispose_completes_with_the_last_report_and_a_line_never_reported_writes_nothing()
    {
        var writer = new StringWriter();
        using (var line = new LiveLine(writer))
        {
            line.Report("aclImdb: 1,000 reviews");
            line.Report("aclImdb: 2,000 reviews");
        }
        using (new LiveLine(writer)) { }
        writer.ToString().Should().Be("aclImdb: 2,000 reviews" + Environment.NewLine);
    }

    [Fact]
    public void Null_report_is_an_argument_error() =>
        new LiveLine(new StringWriter()).Invoking(l => l.Report(null!)).Should().Throw<ArgumentNullException>();
}
