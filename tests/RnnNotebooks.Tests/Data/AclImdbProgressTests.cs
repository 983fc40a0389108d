using System.Text.RegularExpressions;
using RnnNotebooks.Data;
using RnnNotebooks.Notebooks;

namespace RnnNotebooks.Tests.Data;

/// <summary>Reading aclImdb reports progress lines through ImdbReadOptions.Log.</summary>
public class AclImdbProgressTests
{
    [Fact]
    public void The_tarball_reports_each_review_read_with_the_fraction_then_a_last_line()
    {
        using var tmp = new TempFolder();
        File.WriteAllBytes(tmp.File("a.tar.gz"), TarFixtures.TarGz(TarFixtures.SmallAclImdb()));
        var lines = new List<string>();

        AclImdb.Read(tmp.File("a.tar.gz"), new ImdbReadOptions { Log = lines.Add, LogInterval = TimeSpan.Zero });

        lines.Should().HaveCount(13);
        for (int i = 0; i < 12; i++)
            lines[i].Should().MatchRegex($@"^aclImdb: {i + 1} reviews read \(\d+%\)$");
        lines[^1].Should().MatchRegex(@"^aclImdb: read 12 reviews in \d+\.\d s$");
    }

    [Fact]
    public void A_folder_reports_per_chunk_and_a_live_line_keeps_only_the_last_line()
    {
        using var tmp = new TempFolder();
        TarFixtures.WriteTree(tmp.File("tree"), TarFixtures.SmallAclImdb());
        var lines = new List<string>();
        var options = new ImdbReadOptions { Unsup = true, LogInterval = TimeSpan.Zero };

        AclImdb.Read(tmp.File("tree"), options with { Log = lines.Add });
        var writer = new StringWriter();
        using (var line = new LiveLine(writer))
            AclImdb.Read(tmp.File("tree"), options with { Log = line.Report });
        AclImdb.Read(tmp.File("tree"), options with { LogInterval = TimeSpan.FromHours(1) }); // quiet

        lines
            .Take(5)
            .Should()
            .Equal(
                "aclImdb: 3 reviews read",
                "aclImdb: 6 reviews read",
                "aclImdb: 9 reviews read",
                "aclImdb: 12 reviews read",
                "aclImdb: 14 reviews read"
            );
        lines.Should().HaveCount(6);
        lines[^1].Should().MatchRegex(@"^aclImdb: read 14 reviews in \d+\.\d s$");
        writer
            .ToString()
            .Should()
            .MatchRegex($@"^aclImdb: read 14 reviews in \d+\.\d s{Regex.Escape(Environment.NewLine)}$");
    }
}
