using System.Text.Json.Nodes;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class Word2VecCacheTests
{
    private static readonly string[][] Corpus = Enumerable
        .Range(0, 200)
        .Select(i => new[] { "a", "good", "film", $"w{i % 7}", "and", "a", "bad", "movie", $"w{(i + 3) % 7}" })
        .ToArray();

    private static Word2VecOptions Options =>
        new()
        {
            Dimension = 6,
            MinCount = 1,
            Shards = 1,
            Seed = 3,
        };

    /// <summary>A training function that counts its calls.</summary>
    private sealed class CountingTrainer
    {
        public int Calls { get; private set; }

        public Func<WordVectors> For(Word2VecOptions options) =>
            () =>
            {
                Calls++;
                return new Word2VecTrainer(options).Train(Corpus);
            };
    }

    [Fact]
    public void First_call_trains_and_writes_the_second_loads_identical_vectors_without_training()
    {
        using var tmp = new TempFolder();
        var cache = new Word2VecCache(tmp.File("v.bin"));
        var trainer = new CountingTrainer();
        var log = new List<string>();
        cache.Log = log.Add;

        var trained = cache.LoadOrTrain(Options, "corpus 1", trainer.For(Options));
        cache.LastOutcome.Should().Be(Word2VecCacheOutcome.Trained);
        cache.LastProblem.Should().Be("no cached vectors yet");
        tmp.AllFiles().Should().Equal("v.bin", "v.bin.json"); // no temporary files left behind

        var record = JsonNode.Parse(File.ReadAllText(cache.MetaPath))!;
        ((string?)record["format"]).Should().Be(Word2VecCache.FormatName);
        ((int?)record["count"]).Should().Be(trained.Count);
        ((int?)record["dimension"]).Should().Be(6);
        ((long?)record["bytes"]).Should().Be(new FileInfo(cache.FilePath).Length);
        ((string?)record["sha256"]).Should().Be(DataCache.Sha256Of(cache.FilePath));
        ((int?)record["options"]!["Seed"]).Should().Be(3);

        var loaded = cache.LoadOrTrain(Options, "corpus 1", trainer.For(Options));
        trainer.Calls.Should().Be(1);
        cache.LastOutcome.Should().Be(Word2VecCacheOutcome.Loaded);
        cache.LastProblem.Should().BeNull();
        loaded.Words.Should().Equal(trained.Words);
        loaded.Data.Should().Equal(trained.Data);
        log.Should().Contain(l => l.StartsWith("word2vec cache: loaded ") && l.Contains("training them took"));
        // The cache is an ordinary word2vec binary file.
        WordVectors.LoadWord2VecBinary(cache.FilePath).Data.Should().Equal(trained.Data);
    }

    [Fact]
    public void Other_options_or_another_corpus_make_the_cache_stale_and_it_is_retrained()
    {
        using var tmp = new TempFolder();
        var cache = new Word2VecCache(tmp.File("v.bin"));
        var trainer = new CountingTrainer();
        cache.LoadOrTrain(Options, "corpus 1", trainer.For(Options));

        var wider = Options with { Window = 2, Seed = 4 };
        cache.Problem(wider, "corpus 1").Should().Be("stale: options changed (Window 5 → 2, Seed 3 → 4)");
        cache.LoadOrTrain(wider, "corpus 1", trainer.For(wider));
        cache.LastOutcome.Should().Be(Word2VecCacheOutcome.Trained);
        trainer.Calls.Should().Be(2);
        cache.Problem(wider, "corpus 1").Should().BeNull();

        cache.Problem(wider, "corpus 2").Should().Be("stale: trained on \"corpus 1\", now \"corpus 2\"");
        cache.LoadOrTrain(wider, "corpus 2", trainer.For(wider));
        trainer.Calls.Should().Be(3);
        cache.Problem(wider, "corpus 2").Should().BeNull();
    }

    [Fact]
    public void A_damaged_cache_is_detected_retrained_and_replaced()
    {
        using var tmp = new TempFolder();
        var cache = new Word2VecCache(tmp.File("v.bin"));
        var trainer = new CountingTrainer();
        var original = cache.LoadOrTrain(Options, "c", trainer.For(Options));
        var bytes = File.ReadAllBytes(cache.FilePath);

        // One flipped bit inside a vector: same size, other checksum.
        var flipped = (byte[])bytes.Clone();
        flipped[^3] ^= 0x01;
        File.WriteAllBytes(cache.FilePath, flipped);
        cache.Problem(Options, "c").Should().Be("corrupt: the SHA-256 of v.bin does not match the record");
        var rebuilt = cache.LoadOrTrain(Options, "c", trainer.For(Options));
        cache.LastOutcome.Should().Be(Word2VecCacheOutcome.Trained);
        rebuilt.Data.Should().Equal(original.Data);
        File.ReadAllBytes(cache.FilePath).Should().Equal(bytes);

        // Truncated.
        File.WriteAllBytes(cache.FilePath, bytes[..^10]);
        cache.Problem(Options, "c").Should().StartWith($"corrupt: v.bin has {bytes.Length - 10:N0} bytes");
        cache.LoadOrTrain(Options, "c", trainer.For(Options));
        cache.Problem(Options, "c").Should().BeNull();

        // Vectors file gone.
        File.Delete(cache.FilePath);
        cache.Problem(Options, "c").Should().Be("v.bin is missing");

        // Record unreadable, or missing while the vectors are there.
        cache.LoadOrTrain(Options, "c", trainer.For(Options));
        File.WriteAllText(cache.MetaPath, "{ not json");
        cache.Problem(Options, "c").Should().StartWith("v.bin.json is damaged");
        cache.LoadOrTrain(Options, "c", trainer.For(Options));
        File.WriteAllText(cache.MetaPath, "{\"format\": 7}");
        cache.Problem(Options, "c").Should().StartWith("v.bin.json is");
        File.Delete(cache.MetaPath);
        cache.Problem(Options, "c").Should().Be("v.bin.json is missing, so nothing says how v.bin was made");
        cache.LoadOrTrain(Options, "c", trainer.For(Options)).Data.Should().Equal(original.Data);

        trainer.Calls.Should().Be(6);
        tmp.AllFiles().Should().Equal("v.bin", "v.bin.json");
    }

    [Fact]
    public void Vectors_of_the_wrong_dimension_from_the_training_function_are_refused_and_not_cached()
    {
        using var tmp = new TempFolder();
        var cache = new Word2VecCache(tmp.File("v.bin"));
        var act = () => cache.LoadOrTrain(Options, "c", () => new WordVectors(["x"], new float[4], 4));
        act.Should().Throw<InvalidOperationException>().WithMessage("*4-dimensional vectors, but the options say 6*");
        File.Exists(cache.FilePath).Should().BeFalse();
    }

    [Fact]
    public void A_cache_in_a_folder_that_cannot_be_written_still_returns_the_vectors()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("blocker"), "a file where the cache folder should be");
        var cache = new Word2VecCache(Path.Combine(tmp.File("blocker"), "v.bin"));
        var log = new List<string>();
        cache.Log = log.Add;
        var vectors = cache.LoadOrTrain(Options, "c", new CountingTrainer().For(Options));
        vectors.Dimension.Should().Be(6);
        log.Should().Contain(l => l.Contains("could not write") && l.Contains("not cached"));
    }

    [Fact]
    public void In_data_folder_puts_the_file_in_the_writable_data_folder()
    {
        using var tmp = new TempFolder();
        using var data = new DataCache(overrideFolder: tmp.File("override"), dataFolder: tmp.File("data"));
        var cache = Word2VecCache.InDataFolder("w.bin", data);
        cache.FilePath.Should().Be(Path.Combine(tmp.File("data"), "w.bin"));
        cache.MetaPath.Should().Be(cache.FilePath + ".json");
    }
}
