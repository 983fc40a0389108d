using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class TrainTestSplitTests
{
    [Theory]
    [InlineData(50000, 0.2, null, 40000, 10000)]
    [InlineData(10, 0.25, null, 7, 3)]
    [InlineData(10, null, null, 7, 3)]
    [InlineData(11541, 0.3, null, 8078, 3463)]
    [InlineData(10, null, 0.55, 5, 5)]
    [InlineData(10, 0.3, 0.5, 5, 3)]
    public void Sizes_follow_sklearn_ceil_for_test_and_floor_for_train(
        int n,
        double? test,
        double? train,
        int expectedTrain,
        int expectedTest
    )
    {
        SplitSize? testSize = test is double t ? t : null;
        SplitSize? trainSize = train is double r ? r : null;
        TrainTestSplit.Sizes(n, testSize, trainSize).Should().Be((expectedTrain, expectedTest));
    }

    [Fact]
    public void Integer_sizes_are_counts()
    {
        TrainTestSplit.Sizes(10, testSize: 3).Should().Be((7, 3));
        TrainTestSplit.Sizes(10, testSize: 2, trainSize: 4).Should().Be((4, 2));
    }

    [Fact]
    public void Invalid_sizes_are_rejected_with_sklearns_messages()
    {
        ((Action)(() => TrainTestSplit.Sizes(10, testSize: 1.0)))
            .Should()
            .Throw<ArgumentOutOfRangeException>()
            .WithMessage("*(0, 1) range*");
        ((Action)(() => TrainTestSplit.Sizes(10, testSize: 10)))
            .Should()
            .Throw<ArgumentOutOfRangeException>()
            .WithMessage("*smaller than the number of samples 10*");
        ((Action)(() => TrainTestSplit.Sizes(10, testSize: 0.6, trainSize: 0.6)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*sum of testSize and trainSize*");
        ((Action)(() => TrainTestSplit.Sizes(10, testSize: 6, trainSize: 6)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*should be smaller than the number of samples*");
        ((Action)(() => TrainTestSplit.Sizes(2, testSize: 0.99)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*train set will be empty*");
    }

    [Fact]
    public void Random_state_42_reproduces_sklearn()
    {
        // sklearn 1.2: train_test_split(range(10), test_size=0.25, random_state=42)
        var (train, test) = TrainTestSplit.Indices(10, testSize: 0.25, randomState: 42);
        train.Should().Equal(0, 7, 2, 9, 4, 3, 6);
        test.Should().Equal(8, 1, 5);
    }

    [Fact]
    public void Seed_002_split_of_the_positive_and_negative_tweets_reproduces_sklearn()
    {
        // sklearn 1.2: train_test_split(np.arange(11541), test_size=0.30, random_state=42)
        var (train, test) = TrainTestSplit.Indices(11541, testSize: 0.3, randomState: 42);
        train.Should().HaveCount(8078);
        test.Should().HaveCount(3463);
        train.Take(6).Should().Equal(9067, 6475, 5147, 3319, 8885, 1739);
        test.Take(6).Should().Equal(9193, 6112, 967, 11279, 3061, 2069);
        train.Concat(test).Order().Should().Equal(Enumerable.Range(0, 11541));
    }

    [Fact]
    public void Both_sizes_given_and_integer_test_size_reproduce_sklearn()
    {
        // sklearn: train_test_split(np.arange(10), train_size=0.5, test_size=0.3, random_state=1)
        var (train, test) = TrainTestSplit.Indices(10, testSize: 0.3, trainSize: 0.5, randomState: 1);
        train.Should().Equal(4, 0, 3, 1, 7);
        test.Should().Equal(2, 9, 6);
        // sklearn: train_test_split(np.arange(10), test_size=3, random_state=5)
        var (train5, test5) = TrainTestSplit.Indices(10, testSize: 3, randomState: 5);
        train5.Should().Equal(4, 7, 1, 0, 8, 6, 3);
        test5.Should().Equal(9, 5, 2);
    }

    [Fact]
    public void Without_shuffle_train_comes_first()
    {
        var (train, test) = TrainTestSplit.Indices(10, testSize: 0.25, shuffle: false);
        train.Should().Equal(0, 1, 2, 3, 4, 5, 6);
        test.Should().Equal(7, 8, 9);
    }

    [Fact]
    public void Split_of_samples_and_labels_keeps_pairs_together()
    {
        var x = Enumerable.Range(0, 10).Select(i => $"x{i}").ToArray();
        var y = Enumerable.Range(0, 10).Select(i => i * 10).ToArray();
        var (xTrain, xTest, yTrain, yTest) = TrainTestSplit.Split(x, y, testSize: 0.25, randomState: 42);
        xTest.Should().Equal("x8", "x1", "x5");
        yTest.Should().Equal(80, 10, 50);
        xTrain.Select(s => int.Parse(s[1..]) * 10).Should().Equal(yTrain);
        var mismatched = () => TrainTestSplit.Split(x, y.Take(9).ToArray());
        mismatched.Should().Throw<ArgumentException>().WithMessage("*inconsistent numbers of samples: [10, 9]*");
    }

    [Fact]
    public void Take_rows_picks_matrix_rows_in_order()
    {
        var m = new[,]
        {
            { 1, 2 },
            { 3, 4 },
            { 5, 6 },
        };
        TrainTestSplit
            .TakeRows(m, [2, 0])
            .Should()
            .BeEquivalentTo(
                new[,]
                {
                    { 5, 6 },
                    { 1, 2 },
                }
            );
    }

    [Fact]
    public void Stratified_split_keeps_class_proportions_and_is_seeded()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i < 80 ? 0 : 1).ToArray();
        var (train, test) = TrainTestSplit.Indices(100, testSize: 0.25, randomState: 3, stratify: labels);
        test.Should().HaveCount(25);
        train.Should().HaveCount(75);
        test.Count(i => labels[i] == 1).Should().Be(5);
        train.Count(i => labels[i] == 1).Should().Be(15);
        train.Concat(test).Order().Should().Equal(Enumerable.Range(0, 100));
        TrainTestSplit.Indices(100, testSize: 0.25, randomState: 3, stratify: labels).Test.Should().Equal(test);
        TrainTestSplit.Indices(100, testSize: 0.25, randomState: 4, stratify: labels).Test.Should().NotEqual(test);
    }

    [Fact]
    public void Stratified_quotas_use_largest_remainders()
    {
        // 3 classes of 5, 3, 2 samples; test 5 → exact quotas 2.5, 1.5, 1.0 → 2, 1, 1 plus one more for the first of the tied remainders.
        int[] labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
        var (_, test) = TrainTestSplit.Indices(10, testSize: 5, randomState: 0, stratify: labels);
        test.GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.Count()).Should().Equal(3, 1, 1);
    }

    [Fact]
    public void Unseeded_splits_still_partition_the_samples()
    {
        var (train, test) = TrainTestSplit.Indices(20);
        train.Concat(test).Order().Should().Equal(Enumerable.Range(0, 20));
        test.Should().HaveCount(5);
    }
}
