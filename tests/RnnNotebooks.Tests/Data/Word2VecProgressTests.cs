using RnnNotebooks.Data;
using RnnNotebooks.Notebooks;

namespace RnnNotebooks.Tests.Data;

/// <summary>word2vec's progress lines: as often as LogInterval says, and a last line.</summary>
public class Word2VecProgressTests
{
    private static List<string[]> Corpus() =>
        Enumerable.Range(0, 2000).Select(i => new[] { $"w{i % 7}", $"w{i % 5}", $"w{i % 3}", "the" }).ToList();

    private static readonly Word2VecOptions Options = new()
    {
        Dimension = 8,
        MinCount = 1,
        Epochs = 2,
        Shards = 2,
        SyncWords = 100,
    };

    [Fact]
    public void A_zero_interval_reports_every_round_and_the_last_line_says_what_was_trained()
    {
        var lines = new List<string>();
        var trainer = new Word2VecTrainer(Options) { Log = lines.Add, LogInterval = TimeSpan.Zero };

        trainer.Train(Corpus());

        lines.Count.Should().BeGreaterThan(10);
        lines.SkipLast(1).Should().AllSatisfy(l => l.Should().MatchRegex(@"^word2vec: \d+ ?% \("));
        lines[^1].Should().MatchRegex(@"^word2vec: trained 8 words × 8 on 8,000 tokens × 2 epochs in \d+\.\d s$");
    }

    [Fact]
    public void Through_a_live_line_outside_a_kernel_only_the_last_line_is_printed()
    {
        var writer = new StringWriter();
        using (var line = new LiveLine(writer))
            new Word2VecTrainer(Options) { Log = line.Report, LogInterval = TimeSpan.Zero }.Train(Corpus());

        writer.ToString().Should().StartWith("word2vec: trained 8 words").And.EndWith(Environment.NewLine);
        writer.ToString().TrimEnd().Should().NotContain("\n");
    }
}
