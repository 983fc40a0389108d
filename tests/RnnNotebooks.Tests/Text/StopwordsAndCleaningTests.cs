using RnnNotebooks.Data;
using RnnNotebooks.Tests.Data;
using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Text;

public class StopwordsAndCleaningTests
{
    [Fact]
    public void Embedded_english_list_is_nltks_179_words_in_file_order()
    {
        var words = Stopwords.EmbeddedEnglish;
        words.Should().HaveCount(179);
        words.Should().OnlyHaveUniqueItems();
        words.Take(5).Should().Equal("i", "me", "my", "myself", "we");
        words.TakeLast(3).Should().Equal("won't", "wouldn", "wouldn't");
        words.Should().Contain(["don't", "should've", "that'll", "ain", "ma", "s", "t"]);
        words.Should().NotContain(["they've", "i'm"], "those arrived only in the 198-word list of 2025");
        words.Should().OnlyContain(w => w == w.ToLowerInvariant());
    }

    [RealDataFact]
    public void Embedded_list_equals_the_nltk_data_file()
    {
        var file = Path.Combine(RealData.Folder!, "nltk_stopwords", "english");
        Stopwords.ReadFile(file).Should().Equal(Stopwords.EmbeddedEnglish);
        Stopwords.English.Should().HaveCount(179);
    }

    [Fact]
    public void English_set_matches_exactly_and_case_sensitively()
    {
        Stopwords.English.Contains("the").Should().BeTrue();
        Stopwords.English.Contains("The").Should().BeFalse();
        Stopwords.English.Contains("don’t").Should().BeFalse("only ASCII apostrophes are in the list");
    }

    [Fact]
    public void Strip_tags_removes_tags_like_seed_004()
    {
        Html.StripTags("Great.<br /><br />Really <i>great</i>!").Should().Be("Great.Really great!");
        Html.StripTags("end<br />start", " ").Should().Be("end start");
        Html.StripTags("a < b and c > d").Should().Be("a  d", "the regex <[^>]+> takes anything between < and >");
        Html.StripTags("5 &lt; 6").Should().Be("5 &lt; 6");
        Html.StripTags("<>").Should().Be("<>", "a tag needs at least one character");
    }

    [Theory]
    [InlineData("@VirginAmerica What @dhepburn said.", "virginamerica dhepburn said")]
    [InlineData("I don't like it!!! It's NOT fine...", "like fine")]
    [InlineData("Flight #123 to L.A. was 2hrs late :(", "flight 123 l 2hrs late")]
    [InlineData("Café très bien", "caf tr bien")]
    [InlineData("", "")]
    public void Airline_preprocessing_lowercases_keeps_ascii_alphanumerics_and_drops_stopwords(
        string text,
        string expected
    )
    {
        TextCleaning.LowercaseAlphanumericWords(text).Should().Be(expected);
    }

    [Fact]
    public void Airline_preprocessing_takes_a_custom_stopword_set()
    {
        TextCleaning
            .LowercaseAlphanumericWords("The plane is late", new HashSet<string> { "plane" })
            .Should()
            .Be("the is late");
    }
}
