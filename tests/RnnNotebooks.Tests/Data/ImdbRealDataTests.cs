using RnnNotebooks.Data;
using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Data;

/// <summary>Reads the real aclImdb once for the whole class (several seconds).</summary>
public sealed class ImdbRealDataFixture
{
    private readonly Lazy<ImdbReviewSet> _reviews = new(() =>
        AclImdb.Read(Path.Combine(RealData.Folder!, "aclImdb_v1.tar.gz"))
    );
    private readonly Lazy<ImdbSequences.RankedReviews> _ranked;

    public ImdbRealDataFixture()
    {
        _ranked = new(() => ImdbSequences.Build(Reviews));
    }

    public ImdbReviewSet Reviews => _reviews.Value;

    internal ImdbSequences.RankedReviews Ranked => _ranked.Value;
}

public class ImdbRealDataTests(ImdbRealDataFixture data) : IClassFixture<ImdbRealDataFixture>
{
    [RealDataFact]
    public void Each_labelled_folder_has_12500_reviews_with_ids_0_to_12499()
    {
        foreach (var split in new[] { ImdbSplit.Train, ImdbSplit.Test })
        foreach (var sentiment in new[] { ImdbSentiment.Positive, ImdbSentiment.Negative })
        {
            var folder = data.Reviews.Folder(split, sentiment);
            folder.Should().HaveCount(12500, $"{split}/{sentiment}");
            folder.Select(r => r.Id).Should().Equal(Enumerable.Range(0, 12500));
            folder.Should().OnlyContain(r => r.Text.Length > 0);
        }
        data.Reviews.Unsup.Should().BeEmpty();
    }

    [RealDataFact]
    public void Ratings_match_the_manifest_counts()
    {
        string Histogram(ImdbSplit split, ImdbSentiment sentiment) =>
            string.Join(
                " ",
                data.Reviews.Folder(split, sentiment)
                    .GroupBy(r => r.Rating)
                    .OrderBy(g => g.Key)
                    .Select(g => $"{g.Key}:{g.Count()}")
            );
        Histogram(ImdbSplit.Train, ImdbSentiment.Positive).Should().Be("7:2496 8:3009 9:2263 10:4732");
        Histogram(ImdbSplit.Train, ImdbSentiment.Negative).Should().Be("1:5100 2:2284 3:2420 4:2696");
        Histogram(ImdbSplit.Test, ImdbSentiment.Positive).Should().Be("7:2307 8:2850 9:2344 10:4999");
        Histogram(ImdbSplit.Test, ImdbSentiment.Negative).Should().Be("1:5022 2:2302 3:2541 4:2635");
    }

    [RealDataFact]
    public void Integer_sequences_follow_keras_rules_on_the_full_set()
    {
        var d = ImdbSequences.Apply(data.Ranked, 10000, 0, null, 113, 1, 2, 3, ImdbMaxlenFilter.PerSplit);
        d.XTrain.Should().HaveCount(25000);
        d.XTest.Should().HaveCount(25000);
        d.YTrain.Count(y => y == 1).Should().Be(12500);
        d.YTest.Count(y => y == 1).Should().Be(12500);
        d.XTrain.Concat(d.XTest)
            .Should()
            .OnlyContain(x => x.Length > 1 && x[0] == 1 && x.Skip(1).All(w => w == 2 || (w >= 4 && w < 10000)));
        d.WordIndex["the"].Should().Be(1);
        d.WordIndex.GetValueOrDefault("br", int.MaxValue)
            .Should()
            .BeGreaterThan(1000, "tags are removed before counting (Keras' own index has br = 7)");

        var perSplit = ImdbSequences.Apply(data.Ranked, 10000, 0, 500, 113, 1, 2, 3, ImdbMaxlenFilter.PerSplit);
        var concatenated = ImdbSequences.Apply(data.Ranked, 10000, 0, 500, 113, 1, 2, 3, ImdbMaxlenFilter.Concatenated);
        perSplit.XTrain.Concat(perSplit.XTest).Should().OnlyContain(x => x.Length < 500);
        concatenated.XTrain.Should().HaveCount(25000, "Keras 2 split the filtered list at the original 25,000");
        (concatenated.XTrain.Length + concatenated.XTest.Length)
            .Should()
            .Be(perSplit.XTrain.Length + perSplit.XTest.Length);
    }
}
