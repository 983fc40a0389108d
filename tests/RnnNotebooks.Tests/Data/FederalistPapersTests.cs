using System.Text.RegularExpressions;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class FederalistPapersTests
{
    private const string Newspaper =
        " 30\n\n\n\nConcerning the General Power of Taxation\n\nFrom the New York Packet.\n\nFriday, December 28, 1787.\n\n\n\nHAMILTON\n\n\n\nTo the People of the State of New York:\n\nIT HAS been already observed that the federal\ngovernment ought to possess.\n\nPUBLIUS.\n";

    [Fact]
    public void Header_title_newspaper_date_byline_and_salutation_are_removed()
    {
        var (number, title, text) = FederalistPapers.StripHeader(Newspaper);
        number.Should().Be(30);
        title.Should().Be("Concerning the General Power of Taxation");
        text.Should().Be("IT HAS been already observed that the federal\ngovernment ought to possess.\n\nPUBLIUS.");
    }

    [Fact]
    public void Multi_line_titles_joint_bylines_and_a_period_after_new_york_are_handled()
    {
        var raw =
            " 18\r\n\r\n\r\n\r\nThe Same Subject Continued\r\n\r\n(The Insufficiency of the Present Confederation to Preserve the\r\nUnion)\r\n\r\nFor the Independent Journal.\r\n\r\n\r\n\r\nHAMILTON AND MADISON\r\n\r\n\r\nTo the People of the State of New York.\r\n\r\nAMONG the confederacies of antiquity.\r\n";
        var (number, title, text) = FederalistPapers.StripHeader(raw);
        number.Should().Be(18);
        title
            .Should()
            .Be("The Same Subject Continued (The Insufficiency of the Present Confederation to Preserve the Union)");
        text.Should().Be("AMONG the confederacies of antiquity.");
    }

    [Fact]
    public void Without_a_salutation_the_text_starts_after_the_byline()
    {
        var (_, _, text) = FederalistPapers.StripHeader(
            " 2\n\nTitle\n\nFor the Independent Journal.\n\nJAY\n\nWHEN the people of America reflect.\n"
        );
        text.Should().Be("WHEN the people of America reflect.");
    }

    [Fact]
    public void A_paper_without_a_recognisable_header_is_an_error()
    {
        ((Action)(() => FederalistPapers.StripHeader(" 5\n\nTitle\n\nSome text by nobody.\n", "p.txt")))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("p.txt: no author byline*");
        ((Action)(() => FederalistPapers.StripHeader("Title first\nHAMILTON\ntext", "q.txt")))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("q.txt: the first line is not the paper's number*");
    }

    [Fact]
    public void Normalize_lowercases_and_collapses_whitespace()
    {
        FederalistPapers.Normalize("  IT HAS\nbeen\t\n already  ").Should().Be("it has been already");
    }

    [Fact]
    public void Read_folder_groups_papers_by_author_folder()
    {
        using var tmp = new TempFolder();
        tmp.Write("A/paper_2.txt", Newspaper);
        tmp.Write("A/paper_1.txt", Newspaper.Replace(" 30", " 1"));
        tmp.Write("B/paper_1.txt", Newspaper.Replace("HAMILTON", "MADISON"));
        tmp.Write("Unknown/paper_1.txt", Newspaper);
        var corpus = FederalistPapers.ReadFolder(tmp.Path);
        corpus.A.Select(p => (p.FileNumber, p.FederalistNumber)).Should().Equal((1, 1), (2, 30));
        corpus.B.Should().ContainSingle().Which.Folder.Should().Be("B");
        corpus.Unknown.Should().ContainSingle();
        Directory.Delete(tmp.File("B"), recursive: true);
        ((Action)(() => FederalistPapers.ReadFolder(tmp.Path)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*has no folder B/*");
    }

    [Fact]
    public void The_truth_for_the_unknown_papers_is_kept_apart()
    {
        FederalistPapers
            .UnknownTruth.Should()
            .Equal(
                new Dictionary<int, string>
                {
                    [1] = "B",
                    [2] = "B",
                    [3] = "A",
                    [4] = "A",
                    [5] = "A",
                }
            );
    }

    [RealDataFact]
    public void The_real_papers_are_17_15_and_5_with_no_byline_left()
    {
        var corpus = FederalistPapers.Load(
            new DataCache(RealData.Folder, Path.Combine(Path.GetTempPath(), "unused-data-folder"))
            {
                AllowDownloads = false,
            }
        );
        corpus.A.Should().HaveCount(17);
        corpus.B.Should().HaveCount(15);
        corpus.Unknown.Should().HaveCount(5);
        var all = corpus.A.Concat(corpus.B).Concat(corpus.Unknown).ToList();
        all.Should().OnlyContain(p => !Regex.IsMatch(p.Text, @"\b(HAMILTON|MADISON|JAY)\b", RegexOptions.IgnoreCase));
        all.Should()
            .OnlyContain(p =>
                !p.Text.Contains("To the People of the State of New York") && !p.Text.Contains("Independent Journal")
            );
        corpus.A[0].Text.Should().StartWith("AFTER an unequivocal experience of the inefficacy of the");
        corpus
            .A.Select(p => p.FederalistNumber)
            .Should()
            .Equal(1, 6, 7, 8, 9, 11, 12, 13, 15, 16, 21, 22, 23, 24, 25, 26, 27);
        corpus
            .B.Select(p => p.FederalistNumber)
            .Should()
            .Equal(10, 14, 18, 19, 20, 37, 39, 40, 41, 42, 44, 45, 46, 47, 48);
        corpus.Unknown.Select(p => p.FederalistNumber).Should().Equal(43, 38, 60, 17, 30);
        all.Should().OnlyContain(p => p.Text.Length > 4000);
    }
}
