using System.Text.RegularExpressions;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>Fit's progress in a kernel: a display per epoch updated per batch, saved as one epoch line.</summary>
[Collection("Runner")]
public class LiveProgressTests
{
    private static readonly Regex EpochLine = new(
        @"^Epoch (\d)/3 - \d+\.\ds - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}$"
    );

    [Fact]
    public async Task Fit_verbose_1_updates_one_display_per_epoch_in_place_and_saves_the_epoch_line()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string path = CopyFixture(dir, "live-progress.ipynb", "notebooks");

        var (notebook, result) = await RunAsync(path);

        result.Succeeded.Should().BeTrue(result.Message);
        var fit = Outputs(notebook, "fit");
        fit.Select(o => (string)o!["output_type"]!)
            .Should()
            .Equal("stream", "display_data", "display_data", "display_data");
        StreamText(fit[0]).Should().Be("Train on 12 samples, validate on 4 samples\n");
        var saved = fit.Skip(1).Select(o => o!["data"]!.AsObject()).ToList();
        saved.Should().AllSatisfy(d => d.Select(p => p.Key).Should().Equal("text/plain"));
        var lines = saved.Select(d => NotebookCellText(d["text/plain"])).ToList();
        lines.Should().AllSatisfy(l => EpochLine.IsMatch(l).Should().BeTrue(l));
        lines.Select(l => EpochLine.Match(l).Groups[1].Value).Should().Equal("1", "2", "3");
        lines.Should().NotContain(l => l.Contains('[') || l.Contains('\n') || l.Contains("ETA"));

        // Per epoch (UpdateInterval 0 in the notebook): the bar after each of the 3 batches, then the epoch line.
        var updates = PlainText(Outputs(notebook, "updates").Single()).Split('\n');
        updates.Should().HaveCount(12);
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            var these = updates.Skip(4 * (epoch - 1)).Take(4).ToArray();
            these[0].Should().StartWith($"Epoch {epoch}/3 [=========>....................] 1/3 - ETA: ");
            these[1].Should().StartWith($"Epoch {epoch}/3 [===================>..........] 2/3 - ETA: ");
            these[2].Should().MatchRegex($@"^Epoch {epoch}/3 \[={{30}}\] 3/3 - loss: \d\.\d{{4}} - acc: \d\.\d{{4}}$");
            these[3].Should().Be(lines[epoch - 1]);
        }
    }
}
