using RnnNotebooks.Data;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Data;

public class Word2VecTrainerTests
{
    /// <summary>12 groups of 5 related words, and 100 filler words that occur everywhere.</summary>
    private static readonly string[][] Groups = Enumerable
        .Range(0, 12)
        .Select(g => Enumerable.Range(0, 5).Select(i => $"g{g}w{i}").ToArray())
        .ToArray();

    /// <summary>
    /// Each sentence mixes words of one group (60%) with random fillers (40%): words of a group co-occur, words of
    /// different groups only meet through fillers.
    /// </summary>
    private static List<string[]> PlantedCorpus()
    {
        var rng = new SeededRandom(11);
        var sentences = new List<string[]>();
        for (int s = 0; s < 3000; s++)
        {
            var group = Groups[rng.NextInt(Groups.Length)];
            sentences.Add(
                Enumerable
                    .Range(0, 10)
                    .Select(_ => rng.NextInt(10) < 6 ? group[rng.NextInt(group.Length)] : $"f{rng.NextInt(100)}")
                    .ToArray()
            );
        }
        return sentences;
    }

    private static Word2VecOptions Options =>
        new()
        {
            Dimension = 16,
            Window = 3,
            MinCount = 1,
            Negative = 5,
            Sample = 0,
            Epochs = 5,
            Shards = 3,
            SyncWords = 300,
            Seed = 7,
        };

    [Fact]
    public void Words_that_co_occur_become_nearest_neighbours()
    {
        var vectors = new Word2VecTrainer(Options).Train(PlantedCorpus());
        vectors.Count.Should().Be(160);
        vectors.Dimension.Should().Be(16);
        foreach (var group in Groups)
        {
            foreach (var word in group)
            {
                var nearest = vectors.MostSimilar(word, 4).Select(p => p.Word);
                nearest.Should().BeEquivalentTo(group.Where(w => w != word), $"the neighbours of '{word}'");
            }
        }
    }

    [Fact]
    public void Results_depend_on_seed_and_shards_but_not_on_the_thread_count()
    {
        var corpus = PlantedCorpus();
        int threads = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 1;
            var single = new Word2VecTrainer(Options).Train(corpus);
            Engine.MaxThreads = 4;
            var parallel = new Word2VecTrainer(Options).Train(corpus);
            parallel.Data.Should().Equal(single.Data);
            parallel.Words.Should().Equal(single.Words);

            var otherSeed = new Word2VecTrainer(Options with { Seed = 8 }).Train(corpus);
            otherSeed.Data.Should().NotEqual(single.Data);
        }
        finally
        {
            Engine.MaxThreads = threads;
        }
    }

    [Fact]
    public void Vocabulary_is_ordered_by_count_and_rare_words_are_dropped()
    {
        var sentences = new[] { new[] { "b", "a", "b", "rare" }, ["a", "b", "c", "c"], ["c", "a"] };
        var vectors = new Word2VecTrainer(Options with { MinCount = 2, Epochs = 1 }).Train(sentences);
        vectors.Words.Should().Equal("a", "b", "c");
        var none = () => new Word2VecTrainer(Options with { MinCount = 10 }).Train(sentences);
        none.Should().Throw<InvalidOperationException>().WithMessage("*MinCount = 10*");
    }

    [Fact]
    public void Texts_are_tokenised_in_parallel_with_the_order_kept()
    {
        var corpus = PlantedCorpus();
        var fromTokens = new Word2VecTrainer(Options).Train(corpus);
        var fromTexts = new Word2VecTrainer(Options).Train(corpus.Select(s => string.Join(" ", s)), t => t.Split(' '));
        fromTexts.Data.Should().Equal(fromTokens.Data);
    }

    [Fact]
    public void Trained_vectors_save_and_read_back_identically()
    {
        using var tmp = new TempFolder();
        var vectors = new Word2VecTrainer(Options with { Epochs = 1 }).Train(PlantedCorpus());
        vectors.SaveWord2VecBinary(tmp.File("w2v.bin"));
        vectors.SaveWord2VecText(tmp.File("w2v.txt"));
        foreach (var back in new[] { WordVectors.Load(tmp.File("w2v.bin")), WordVectors.Load(tmp.File("w2v.txt")) })
        {
            back.Words.Should().Equal(vectors.Words);
            back.Data.Should().Equal(vectors.Data);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        ((Action)(() => new Word2VecTrainer(Options with { Dimension = 0 }))).Should().Throw<ArgumentException>();
        ((Action)(() => new Word2VecTrainer(Options with { Shards = 0 }))).Should().Throw<ArgumentException>();
    }
}
