using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class AclImdbTests
{
    private static string WriteTarball(
        TempFolder tmp,
        IReadOnlyDictionary<string, string> files,
        string name = "aclImdb_v1.tar.gz"
    )
    {
        var path = tmp.File(name);
        File.WriteAllBytes(path, TarFixtures.TarGz(files));
        return path;
    }

    [Fact]
    public void Reads_reviews_with_ratings_labels_and_ids_from_the_tarball()
    {
        using var tmp = new TempFolder();
        var set = AclImdb.Read(WriteTarball(tmp, TarFixtures.SmallAclImdb()));

        set.Train.Select(r => (r.Sentiment, r.Id, r.Rating))
            .Should()
            .Equal(
                (ImdbSentiment.Positive, 0, 9),
                (ImdbSentiment.Positive, 2, 10),
                (ImdbSentiment.Positive, 10, 7),
                (ImdbSentiment.Negative, 0, 3),
                (ImdbSentiment.Negative, 1, 1),
                (ImdbSentiment.Negative, 5, 4)
            );
        set.Test.Select(r => r.Id).Should().Equal(1, 3, 7, 0, 4, 9);
        set.Test.Select(r => r.Label).Should().Equal(1, 1, 1, 0, 0, 0);
        set.Train.Should().OnlyContain(r => r.Split == ImdbSplit.Train);
        set.Unsup.Should().BeEmpty();
        set.Train[0].Text.Should().Be("A great film.<br /><br />Loved it.");
        set.Test.Single(r => r.Id == 3).Text.Should().Be("Lovely – très bien.");
        set.Folder(ImdbSplit.Test, ImdbSentiment.Negative).Select(r => r.Rating).Should().Equal(1, 2, 4);
    }

    [Theory]
    [InlineData(TarEntryFormat.V7)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public void Every_tar_format_reads_the_same(TarEntryFormat format)
    {
        using var tmp = new TempFolder();
        var files = TarFixtures.SmallAclImdb();
        File.WriteAllBytes(tmp.File("a.tar.gz"), TarFixtures.TarGz(files, format));
        var set = AclImdb.Read(tmp.File("a.tar.gz"));
        set.Train.Select(r => (r.Label, r.Id, r.Rating))
            .Should()
            .Equal((1, 0, 9), (1, 2, 10), (1, 10, 7), (0, 0, 3), (0, 1, 1), (0, 5, 4));
        set.Test.Select(r => r.Text).Should().Contain("Lovely – très bien.");
    }

    [Fact]
    public void The_extracted_folder_reads_the_same_as_the_tarball()
    {
        using var tmp = new TempFolder();
        var files = TarFixtures.SmallAclImdb();
        var fromTar = AclImdb.Read(WriteTarball(tmp, files), new ImdbReadOptions { Unsup = true });
        TarFixtures.WriteTree(tmp.File("extracted"), files);
        var fromParent = AclImdb.Read(tmp.File("extracted"), new ImdbReadOptions { Unsup = true });
        var fromRoot = AclImdb.Read(tmp.File("extracted/aclImdb"), new ImdbReadOptions { Unsup = true });

        fromParent.Train.Should().Equal(fromTar.Train);
        fromParent.Test.Should().Equal(fromTar.Test);
        fromParent.Unsup.Should().Equal(fromTar.Unsup);
        fromRoot.Train.Should().Equal(fromTar.Train);
        fromTar.Unsup.Select(r => (r.Id, r.Rating, r.Label)).Should().Equal((0, 0, -1), (1, 0, -1));
    }

    [Fact]
    public void Options_select_splits_and_limit_each_folder()
    {
        using var tmp = new TempFolder();
        var path = WriteTarball(tmp, TarFixtures.SmallAclImdb());

        var trainOnly = AclImdb.Read(path, new ImdbReadOptions { Test = false });
        trainOnly.Test.Should().BeEmpty();
        trainOnly.Train.Should().HaveCount(6);

        var firstTwo = AclImdb.Read(path, new ImdbReadOptions { MaxPerFolder = 2 });
        firstTwo.Train.Select(r => (r.Label, r.Id)).Should().Equal((1, 0), (1, 2), (0, 0), (0, 1));
        firstTwo.Test.Select(r => (r.Label, r.Id)).Should().Equal((1, 1), (1, 3), (0, 0), (0, 4));

        AclImdb.Read(path, new ImdbReadOptions { MaxPerFolder = 0 }).Train.Should().BeEmpty();
    }

    [Fact]
    public void A_seeded_sample_depends_on_the_seed_not_on_the_source_order()
    {
        using var tmp = new TempFolder();
        var files = new Dictionary<string, string>();
        foreach (var (folder, rating) in new[] { ("train/pos", 8), ("train/neg", 2), ("test/pos", 9), ("test/neg", 3) })
        {
            for (int id = 0; id < 40; id++)
                files[$"aclImdb/{folder}/{id}_{rating}.txt"] = $"review {folder} {id}";
        }
        var tar = WriteTarball(tmp, files);
        TarFixtures.WriteTree(tmp.File("tree"), files);

        int[] Ids(ImdbReviewSet s) => s.Train.Where(r => r.Label == 1).Select(r => r.Id).ToArray();
        var a = AclImdb.Read(tar, new ImdbReadOptions { MaxPerFolder = 5, SampleSeed = 1 });
        var b = AclImdb.Read(tmp.File("tree"), new ImdbReadOptions { MaxPerFolder = 5, SampleSeed = 1 });
        var c = AclImdb.Read(tar, new ImdbReadOptions { MaxPerFolder = 5, SampleSeed = 2 });

        Ids(a).Should().HaveCount(5).And.BeInAscendingOrder().And.Equal(Ids(b));
        Ids(a).Should().NotEqual(Ids(c));
        Ids(a).Should().NotEqual([0, 1, 2, 3, 4]);
        a.Test.Should().HaveCount(10);
    }

    [Fact]
    public void A_truncated_gzip_is_an_error_naming_the_file()
    {
        using var tmp = new TempFolder();
        var bytes = TarFixtures.TarGz(TarFixtures.SmallAclImdb());
        foreach (int cut in new[] { bytes.Length / 2, bytes.Length - 6 })
        {
            var path = tmp.File($"cut{cut}.tar.gz");
            File.WriteAllBytes(path, bytes[..cut]);
            var act = () => AclImdb.Read(path);
            act.Should()
                .Throw<DatasetException>()
                .WithMessage($"{path} is truncated or corrupt*")
                .Which.FilePath.Should()
                .Be(path);
        }
    }

    [Theory]
    [InlineData("aclImdb/../../etc/passwd.txt", "contains a '..' segment")]
    [InlineData("/aclImdb/train/pos/99_9.txt", "has an absolute path")]
    [InlineData("C:/aclImdb/train/pos/99_9.txt", "has an absolute path")]
    public void Unsafe_entry_names_are_refused(string entry, string problem)
    {
        using var tmp = new TempFolder();
        var files = TarFixtures.SmallAclImdb();
        files[entry] = "x";
        var path = WriteTarball(tmp, files);
        var act = () => AclImdb.Read(path);
        act.Should().Throw<DatasetException>().WithMessage($"{path}: tar entry '{entry}' {problem}*");
    }

    [Theory]
    [InlineData("test/neg")]
    [InlineData("train/pos")]
    public void A_missing_split_folder_is_an_error_naming_it(string folder)
    {
        using var tmp = new TempFolder();
        var files = TarFixtures
            .SmallAclImdb()
            .Where(kv => !kv.Key.StartsWith($"aclImdb/{folder}/", StringComparison.Ordinal))
            .ToDictionary();
        var path = WriteTarball(tmp, files);
        ((Action)(() => AclImdb.Read(path)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage($"*no entries under aclImdb/{folder}/ (missing split folder)*");

        TarFixtures.WriteTree(tmp.File("tree"), files);
        ((Action)(() => AclImdb.Read(tmp.File("tree"))))
            .Should()
            .Throw<DatasetException>()
            .WithMessage($"*has no split folder {folder}/ (missing split)*");
    }

    [Fact]
    public void A_missing_unsup_folder_matters_only_when_asked_for()
    {
        using var tmp = new TempFolder();
        var files = TarFixtures.SmallAclImdb().Where(kv => !kv.Key.Contains("/unsup/")).ToDictionary();
        var path = WriteTarball(tmp, files);
        AclImdb.Read(path).Train.Should().HaveCount(6);
        ((Action)(() => AclImdb.Read(path, new ImdbReadOptions { Unsup = true })))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*train/unsup*");
    }

    [Theory]
    [InlineData("aclImdb/train/pos/12_5.txt", "rating 5 does not fit a pos (7–10) review")]
    [InlineData("aclImdb/train/neg/notes.txt", "review file name notes.txt is not <id>_<rating>.txt")]
    public void Review_names_must_fit_their_folder(string entry, string problem)
    {
        using var tmp = new TempFolder();
        var files = TarFixtures.SmallAclImdb();
        files[entry] = "x";
        var path = WriteTarball(tmp, files);
        ((Action)(() => AclImdb.Read(path))).Should().Throw<DatasetException>().WithMessage($"*{problem}*");
    }

    [Fact]
    public void Not_a_gzip_file_and_missing_sources_are_errors()
    {
        using var tmp = new TempFolder();
        var plain = tmp.Write("plain.tar.gz", "this is not gzip, just text long enough");
        ((Action)(() => AclImdb.Read(plain))).Should().Throw<DatasetException>().WithMessage("*is not a gzip file*");
        ((Action)(() => AclImdb.Read(tmp.File("nowhere"))))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*does not exist*");
    }

    [Fact]
    public void Load_finds_the_tarball_or_folder_through_the_cache_without_downloading()
    {
        using var tmp = new TempFolder();
        TarFixtures.WriteTree(tmp.File("data"), TarFixtures.SmallAclImdb());
        var cache = new DataCache(tmp.File("override"), tmp.File("data")) { AllowDownloads = false };
        AclImdb.Locate(cache).Should().Be(tmp.File(Path.Combine("data", "aclImdb")));
        AclImdb.Load(cache: cache).Train.Should().HaveCount(6);

        Directory.CreateDirectory(tmp.File("override"));
        File.WriteAllBytes(
            tmp.File(Path.Combine("override", "aclImdb_v1.tar.gz")),
            TarFixtures.TarGz(TarFixtures.SmallAclImdb())
        );
        AclImdb.Locate(cache).Should().Be(tmp.File(Path.Combine("override", "aclImdb_v1.tar.gz")));

        var empty = new DataCache(null, tmp.File("empty")) { AllowDownloads = false };
        ((Action)(() => AclImdb.Locate(empty)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*aclImdb_v1.tar.gz was not found*");
    }
}
