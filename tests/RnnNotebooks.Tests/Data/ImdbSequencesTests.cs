using RnnNotebooks.Data;
using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Data;

public class ImdbSequencesTests
{
    // Ranks before shuffling; expected values below come from Keras' load_data logic run in Python with numpy's RandomState.
    private static ImdbSequences.RankedReviews Synthetic() =>
        new(
            ["w1", "w2", "w3", "w4", "w5", "w6"],
            [
                [1, 2, 3],
                [4],
                [5, 6, 1, 2],
                [2],
                [1, 1, 1, 1, 1],
            ],
            [1, 1, 0, 0, 1],
            [
                [1],
                [6, 6],
                [3, 2, 1],
            ],
            [1, 0, 0]
        );

    private static ImdbSequenceData Apply(
        int? numWords = null,
        int skipTop = 0,
        int? maxlen = null,
        int? startChar = 1,
        int? oovChar = 2,
        ImdbMaxlenFilter filter = ImdbMaxlenFilter.PerSplit
    ) => ImdbSequences.Apply(Synthetic(), numWords, skipTop, maxlen, 113, startChar, oovChar, 3, filter);

    private static void ShouldBe(int[][] actual, params int[][] expected) =>
        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());

    [Fact]
    public void Shuffles_with_numpy_seed_113_and_offsets_ranks_after_a_start_token()
    {
        var d = Apply();
        ShouldBe(d.XTrain, [1, 7], [1, 4, 5, 6], [1, 5], [1, 8, 2, 4, 5], [1, 4, 4, 4, 4, 4]);
        d.YTrain.Should().Equal(1, 1, 0, 0, 1);
        ShouldBe(d.XTest, [1, 2, 2], [1, 4], [1, 6, 5, 4]);
        d.YTest.Should().Equal(0, 1, 0);
    }

    [Fact]
    public void Num_words_and_skip_top_turn_indices_into_oov()
    {
        var d = Apply(numWords: 6);
        ShouldBe(d.XTrain, [1, 2], [1, 4, 5, 2], [1, 5], [1, 2, 2, 4, 5], [1, 4, 4, 4, 4, 4]);
        ShouldBe(d.XTest, [1, 2, 2], [1, 4], [1, 2, 5, 4]);

        var skipped = Apply(numWords: 7, skipTop: 4);
        ShouldBe(skipped.XTrain, [2, 2], [2, 4, 5, 6], [2, 5], [2, 2, 2, 4, 5], [2, 4, 4, 4, 4, 4]);
        ShouldBe(skipped.XTest, [2, 2, 2], [2, 4], [2, 6, 5, 4]);
    }

    [Fact]
    public void Maxlen_keeps_sequences_strictly_shorter_per_split()
    {
        var d = Apply(maxlen: 4);
        ShouldBe(d.XTrain, [1, 7], [1, 5]);
        d.YTrain.Should().Equal(1, 0);
        ShouldBe(d.XTest, [1, 2, 2], [1, 4]);
        d.YTest.Should().Equal(0, 1);
    }

    [Fact]
    public void The_keras_2_concatenation_bug_can_be_reproduced()
    {
        var d = Apply(maxlen: 4, filter: ImdbMaxlenFilter.Concatenated);
        ShouldBe(d.XTrain, [1, 7], [1, 5], [1, 2, 2], [1, 4]);
        d.YTrain.Should().Equal(1, 0, 0, 1);
        d.XTest.Should().BeEmpty();
    }

    [Fact]
    public void Without_start_and_oov_characters_words_are_shifted_and_dropped()
    {
        var d = Apply(numWords: 7, startChar: null, oovChar: null);
        ShouldBe(d.XTrain, [], [4, 5, 6], [5], [4, 5], [4, 4, 4, 4, 4]);
        ShouldBe(d.XTest, [], [4], [6, 5, 4]);
    }

    [Fact]
    public void A_maxlen_that_keeps_nothing_is_an_error()
    {
        var act = () => Apply(maxlen: 1);
        act.Should().Throw<ArgumentException>().WithMessage("*maxlen=1*Increase maxlen*");
    }

    [Fact]
    public void Decode_uses_the_usual_reserved_words()
    {
        var d = Apply();
        d.Decode([0, 1, 2, 3, 4, 9]).Should().Be("<PAD> <START> <UNK> <UNUSED> w1 w6");
        d.WordIndex["w1"].Should().Be(1);
    }

    [Fact]
    public void Ranks_come_from_training_counts_after_tag_removal_with_test_only_words_last()
    {
        using var tmp = new TempFolder();
        var files = new Dictionary<string, string>
        {
            ["aclImdb/train/pos/0_8.txt"] = "Good good<br />movie.",
            ["aclImdb/train/neg/0_2.txt"] = "Bad movie, bad bad.",
            ["aclImdb/test/pos/0_9.txt"] = "Good zebra zebra yak.",
            ["aclImdb/test/neg/0_1.txt"] = "Yak.",
        };
        TarFixtures.WriteTree(tmp.Path, files);
        var ranked = ImdbSequences.Build(AclImdb.Read(tmp.File("aclImdb")));
        // train counts: bad 3, good 2, movie 2 (tie → ordinal), then test-only: yak 2, zebra 2 (tie → ordinal).
        ranked.Words.Should().Equal("bad", "good", "movie", "yak", "zebra");
        ShouldBe(ranked.TrainRanks, [2, 2, 3], [1, 3, 1, 1]);
        ranked.TrainLabels.Should().Equal(1, 0);
        ShouldBe(ranked.TestRanks, [2, 5, 5, 4], [4]);
        ImdbSequences.Tokenize("A<br /><br />B. Don't").Should().Equal("a", "b", "don't");
    }

    [Fact]
    public void Load_data_caches_the_ranks_in_the_data_folder_and_reuses_them()
    {
        using var tmp = new TempFolder();
        File.WriteAllBytes(tmp.File("aclImdb_v1.tar.gz"), TarFixtures.TarGz(TarFixtures.SmallAclImdb()));
        var cache = new DataCache(tmp.Path, tmp.File("data")) { AllowDownloads = false };

        var first = ImdbSequences.LoadData(cache: cache);
        var cacheFile = tmp.File(Path.Combine("data", ImdbSequences.CacheFileName));
        File.Exists(cacheFile).Should().BeTrue();
        Directory.GetFiles(tmp.File("data")).Should().HaveCount(1, "the temporary file was moved into place");

        var second = ImdbSequences.LoadData(cache: cache);
        second.XTrain.Should().BeEquivalentTo(first.XTrain, o => o.WithStrictOrdering());
        second.XTest.Should().BeEquivalentTo(first.XTest, o => o.WithStrictOrdering());
        second.WordIndex.Should().Equal(first.WordIndex);

        File.WriteAllBytes(cacheFile, [1, 2, 3]);
        var rebuilt = ImdbSequences.LoadData(cache: cache);
        rebuilt.XTrain.Should().BeEquivalentTo(first.XTrain, o => o.WithStrictOrdering());
        new FileInfo(cacheFile).Length.Should().BeGreaterThan(3, "a damaged cache is rebuilt and rewritten");

        var quick = ImdbSequences.LoadData(maxPerFolder: 1, cache: cache);
        quick.XTrain.Should().HaveCount(2);
        quick.XTest.Should().HaveCount(2);
    }
}
