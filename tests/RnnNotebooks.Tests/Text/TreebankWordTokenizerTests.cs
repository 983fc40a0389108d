using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Text;

public class TreebankWordTokenizerTests
{
    private static readonly TreebankWordTokenizer Tokenizer = new();

    // NLTK's doctests and examples derived from the rules (docs/keras-semantics.md#treebank-tokenizer).
    [Theory]
    [InlineData(
        "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.",
        "Good|muffins|cost|$|3.88|in|New|York.|Please|buy|me|two|of|them.|Thanks|."
    )]
    [InlineData("They'll save and invest more.", "They|'ll|save|and|invest|more|.")]
    [InlineData("hi, my name can't hello,", "hi|,|my|name|ca|n't|hello|,")]
    [InlineData(
        "I cannot believe it's \"not\" working -- (really) [sic]!",
        "I|can|not|believe|it|'s|``|not|''|working|--|(|really|)|[|sic|]|!"
    )]
    [InlineData(
        "Don't you wanna go? It costs 1,000... 'tis fine, isn't it?",
        "Do|n't|you|wan|na|go|?|It|costs|1,000|...|'t|is|fine|,|is|n't|it|?"
    )]
    [InlineData(
        "The movie's ending wasn't great; I'd give it 3/10.",
        "The|movie|'s|ending|was|n't|great|;|I|'d|give|it|3/10|."
    )]
    public void Spec_examples_reproduce_exactly(string text, string expected)
    {
        Tokenizer.Tokenize(text).Should().Equal(expected.Split('|'));
    }

    // Outputs of NLTK 3.8's TreebankWordTokenizer for inputs that exercise every rule group.
    [Theory]
    [InlineData("\"Hello,\" she said. \"It's fine.\"", "``|Hello|,|''|she|said.|``|It|'s|fine|.|''")]
    [InlineData(
        "I'd've gone; you'll see -- maybe (or not) [really] {ok} <b>",
        "I'd|'ve|gone|;|you|'ll|see|--|maybe|(|or|not|)|[|really|]|{|ok|}|<|b|>"
    )]
    [InlineData(
        "Gimme a break, I'm gonna get 'em, lemme go, gotta run.",
        "Gim|me|a|break|,|I|'m|gon|na|get|'em|,|lem|me|go|,|got|ta|run|."
    )]
    [InlineData("She said ''wow'' and \"yes\".", "She|said|``|wow|''|and|``|yes|''|.")]
    [InlineData(
        "CANNOT stop. D'ye know? More'n enough! 'Twas fun, 'tis said.",
        "CAN|NOT|stop.|D|'ye|know|?|More|'n|enough|!|'T|was|fun|,|'t|is|said|."
    )]
    [InlineData(
        "Prices: $5,000 or 3:45pm, 50% off & more @home #1",
        "Prices|:|$|5,000|or|3:45pm|,|50|%|off|&|more|@|home|#|1"
    )]
    [InlineData("End with quote.'", "End|with|quote|.|'")]
    [InlineData("He said: 'no'.", "He|said|:|'no|'|.")]
    public void Matches_nltk_on_every_rule_group(string text, string expected)
    {
        Tokenizer.Tokenize(text).Should().Equal(expected.Split('|'));
    }

    [Fact]
    public void Convert_parentheses_uses_penn_treebank_names_and_leaves_angle_brackets()
    {
        Tokenizer
            .Tokenize("maybe (or not) [really] {ok} <b>", convertParentheses: true)
            .Should()
            .Equal(
                "maybe",
                "-LRB-",
                "or",
                "not",
                "-RRB-",
                "-LSB-",
                "really",
                "-RSB-",
                "-LCB-",
                "ok",
                "-RCB-",
                "<",
                "b",
                ">"
            );
    }

    [Fact]
    public void Splits_on_python_whitespace_including_file_separators_and_no_break_space()
    {
        Tokenizer.Tokenize("a\u00a0b\u001cc\td\r\ne\u2003f").Should().Equal("a", "b", "c", "d", "e", "f");
    }

    [Fact]
    public void Empty_and_blank_texts_give_no_tokens()
    {
        Tokenizer.Tokenize("").Should().BeEmpty();
        Tokenizer.Tokenize(" \n\t ").Should().BeEmpty();
    }

    [Fact]
    public void Rewrite_returns_the_spaced_text_before_the_split()
    {
        Tokenizer.Rewrite("Hi!").Should().Be(" Hi !  ");
    }
}
