using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Text;

public class TokenizerTests
{
    // The worked example of docs/keras-semantics.md#tokenizer, counted by hand.
    private static readonly string[] Texts =
    [
        "The cat sat on the mat.",
        "The dog ate my homework!",
        "My cat didn't eat it<br />",
    ];

    [Fact]
    public void Word_index_is_ordered_by_count_with_first_seen_ties()
    {
        var tokenizer = new Tokenizer();
        tokenizer.FitOnTexts(Texts);
        tokenizer
            .WordIndex.Should()
            .Equal(
                new Dictionary<string, int>
                {
                    ["the"] = 1,
                    ["cat"] = 2,
                    ["my"] = 3,
                    ["sat"] = 4,
                    ["on"] = 5,
                    ["mat"] = 6,
                    ["dog"] = 7,
                    ["ate"] = 8,
                    ["homework"] = 9,
                    ["didn't"] = 10,
                    ["eat"] = 11,
                    ["it"] = 12,
                    ["br"] = 13,
                }
            );
        tokenizer.WordIndex.Keys.Should().ContainInOrder("the", "cat", "my", "sat", "on", "mat", "dog");
        tokenizer.IndexWord[10].Should().Be("didn't");
    }

    [Fact]
    public void Texts_to_sequences_matches_the_worked_example()
    {
        var tokenizer = new Tokenizer();
        tokenizer.FitOnTexts(Texts);
        tokenizer
            .TextsToSequences(Texts)
            .Should()
            .BeEquivalentTo(
                new[] { new[] { 1, 2, 4, 5, 1, 6 }, [1, 7, 8, 3, 9], [3, 2, 10, 11, 12, 13] },
                o => o.WithStrictOrdering()
            );
    }

    [Fact]
    public void Num_words_keeps_indices_below_it_and_drops_the_rest_without_oov()
    {
        var tokenizer = new Tokenizer(numWords: 5);
        tokenizer.FitOnTexts(Texts);
        tokenizer
            .TextsToSequences(Texts)
            .Should()
            .BeEquivalentTo(new[] { new[] { 1, 2, 4, 1 }, [1, 3], [3, 2] }, o => o.WithStrictOrdering());
        tokenizer.WordIndex.Should().HaveCount(13, "num_words only applies when converting");
    }

    [Fact]
    public void Oov_token_takes_index_1_and_replaces_rare_and_unknown_words()
    {
        var tokenizer = new Tokenizer(numWords: 5, oovToken: "<OOV>");
        tokenizer.FitOnTexts(Texts);
        tokenizer.WordIndex["<OOV>"].Should().Be(1);
        tokenizer.WordIndex["the"].Should().Be(2);
        tokenizer.WordIndex["cat"].Should().Be(3);
        tokenizer.WordIndex["my"].Should().Be(4);
        tokenizer.WordIndex["sat"].Should().Be(5);
        tokenizer
            .TextsToSequences(Texts)
            .Should()
            .BeEquivalentTo(
                new[] { new[] { 2, 3, 1, 1, 2, 1 }, [2, 1, 1, 4, 1], [4, 3, 1, 1, 1, 1] },
                o => o.WithStrictOrdering()
            );
        tokenizer.TextToSequence("a zebra").Should().Equal(1, 1);
    }

    [Fact]
    public void Sequences_to_texts_maps_back_and_handles_rare_and_unknown_indices()
    {
        var plain = new Tokenizer(numWords: 5);
        plain.FitOnTexts(Texts);
        plain.SequencesToTexts([new[] { 1, 2, 4, 7, 0, 99 }]).Should().Equal("the cat sat");

        var withOov = new Tokenizer(numWords: 5, oovToken: "<OOV>");
        withOov.FitOnTexts(Texts);
        withOov.SequencesToTexts([new[] { 2, 3, 6, 0 }]).Should().Equal("the cat <OOV> <OOV>");
    }

    [Fact]
    public void Counts_documents_and_document_frequencies()
    {
        var tokenizer = new Tokenizer();
        tokenizer.FitOnTexts(Texts);
        tokenizer.DocumentCount.Should().Be(3);
        tokenizer.WordCounts["the"].Should().Be(3);
        tokenizer
            .WordCounts.Keys.Should()
            .ContainInOrder("the", "cat", "sat", "on", "mat", "dog", "ate", "my", "homework");
        tokenizer.WordDocs["the"].Should().Be(2);
        tokenizer.WordDocs["cat"].Should().Be(2);
        tokenizer.WordDocs["mat"].Should().Be(1);
    }

    [Fact]
    public void Refitting_accumulates_counts_and_rebuilds_the_index()
    {
        var tokenizer = new Tokenizer();
        tokenizer.FitOnTexts(["b a"]);
        tokenizer.WordIndex.Keys.Should().Equal("b", "a");
        tokenizer.FitOnTexts(["a"]);
        tokenizer.WordIndex.Keys.Should().Equal("a", "b");
        tokenizer.DocumentCount.Should().Be(2);
    }

    [Fact]
    public void Char_level_counts_every_character_of_the_lowercased_text_without_filtering()
    {
        var tokenizer = new Tokenizer(charLevel: true);
        tokenizer.FitOnTexts(["Ab, a!"]);
        tokenizer
            .WordIndex.Should()
            .Equal(
                new Dictionary<string, int>
                {
                    ["a"] = 1,
                    ["b"] = 2,
                    [","] = 3,
                    [" "] = 4,
                    ["!"] = 5,
                }
            );
        tokenizer.TextsToSequences(["ba z"]).Should().BeEquivalentTo(new[] { new[] { 2, 1, 4 } });
        tokenizer.SequencesToTexts([new[] { 2, 1 }]).Should().Equal("b a");
    }

    [Fact]
    public void Oov_token_also_found_in_the_texts_keeps_keras_dict_quirk()
    {
        // Keras builds dict(zip(["oov", w1, w2, …], 1…n)): a repeated key keeps its later index, so index 1 is unused.
        var tokenizer = new Tokenizer(oovToken: "oov");
        tokenizer.FitOnTexts(["x x oov"]);
        tokenizer.WordIndex["oov"].Should().Be(3);
        tokenizer.WordIndex["x"].Should().Be(2);
        tokenizer.IndexWord.ContainsKey(1).Should().BeFalse();
        tokenizer.TextToSequence("x unknown").Should().Equal(2, 3);
    }

    [Fact]
    public void Pre_tokenized_texts_are_lowercased_but_not_filtered()
    {
        var tokenizer = new Tokenizer();
        tokenizer.FitOnTexts(new[] { (IReadOnlyList<string>)["Hello", "world!"] });
        tokenizer.WordIndex.Keys.Should().Equal("hello", "world!");
    }

    [Theory]
    [InlineData("It<br />works", "it|br|works")]
    [InlineData("Don't STOP-me now", "don't|stop|me|now")]
    [InlineData("a\r\nb\u00a0c\td", "a\r|b\u00a0c|d")]
    [InlineData("!!!", "")]
    public void Text_to_word_sequence_follows_keras(string text, string expected)
    {
        Tokenizer.TextToWordSequence(text).Should().Equal(expected.Length == 0 ? [] : expected.Split('|'));
    }

    [Fact]
    public void Text_to_word_sequence_with_custom_split_and_no_lowercasing()
    {
        Tokenizer.TextToWordSequence("A;B;;c.", filters: ".", lower: false, split: ";").Should().Equal("A", "B", "c");
        Tokenizer.TextToWordSequence("a.b", split: "--").Should().Equal("a", "b");
    }

    [Fact]
    public void Default_filters_are_keras_33_characters_without_the_apostrophe()
    {
        Tokenizer.DefaultFilters.Should().HaveLength(33);
        Tokenizer.DefaultFilters.Should().NotContain("'");
        Tokenizer.DefaultFilters.Should().EndWith("\t\n");
    }

    [Fact]
    public void Negative_num_words_is_rejected()
    {
        var act = () => new Tokenizer(numWords: -1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*numWords*");
    }
}
