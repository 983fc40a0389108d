using System.Security.Cryptography;
using System.Text;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class CsvAndTweetsTests
{
    private static List<CsvRecord> Parse(string text, int? fields = null) =>
        CsvRecords.Read(new StringReader(text), "test.csv", fields).ToList();

    [Fact]
    public void Quoted_fields_hold_commas_doubled_quotes_and_newlines()
    {
        var records = Parse("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n3,,\"\"\n");
        records
            .Select(r => r.Fields)
            .Should()
            .BeEquivalentTo(
                new[] { new[] { "a", "b", "c" }, ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", ""] },
                o => o.WithStrictOrdering()
            );
        records.Select(r => r.Line).Should().Equal(1, 2, 3, 5);
    }

    [Fact]
    public void Crlf_line_ends_blank_lines_and_a_missing_final_newline()
    {
        var records = Parse("a,b\r\n\r\n1,\"q\r\nr\"\r\n2,3");
        records
            .Select(r => r.Fields)
            .Should()
            .BeEquivalentTo(new[] { new[] { "a", "b" }, ["1", "q\r\nr"], ["2", "3"] }, o => o.WithStrictOrdering());
        records.Select(r => r.Line).Should().Equal(1, 3, 5);
        Parse("").Should().BeEmpty();
    }

    [Theory]
    [InlineData("a,b\n1,x\"y\n", "test.csv, line 2: a double quote inside an unquoted field*")]
    [InlineData("a,b\n1,\"x\"y\n", "test.csv, line 2: text after the closing quote of a field*")]
    [InlineData(
        "a,b\n1,2\n3,\"open\nstill open\n",
        "test.csv, line 3: a quoted field opened on this line is never closed*"
    )]
    [InlineData("a,b\n1,\"multi\nline\"\n1,2,3\n", "test.csv, line 4: expected 2 fields, found 3*")]
    public void Malformed_rows_name_the_file_and_line(string text, string message)
    {
        var act = () => Parse(text, fields: 2);
        act.Should().Throw<DatasetException>().WithMessage(message);
    }

    [Fact]
    public void A_quoted_field_may_span_lines_and_the_next_record_starts_after_it()
    {
        var records = Parse("id,text\n1,\"a\n\nb, \"\"c\"\"\n\"\n2,\"\"\"\"\n");
        records.Select(r => r.Line).Should().Equal(1, 2, 6);
        records[1].Fields.Should().Equal("1", "a\n\nb, \"c\"\n");
        records[2].Fields.Should().Equal("2", "\"");
    }

    [RealDataFact]
    public void The_real_file_reads_to_exactly_the_records_of_the_former_hand_written_reader()
    {
        // SHA-256 over every record's start line and fields of Tweets.csv (header and 14,640 tweets), computed with
        // the hand-written RFC 4180 reader this library had before CsvHelper; when it was replaced, the two readers
        // were also compared field by field (219,615 fields, no difference).
        var path = Path.Combine(RealData.Folder!, "twitter_airline_sentiment", "Tweets.csv");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int count = 0;
        foreach (var record in CsvRecords.ReadFile(path, expectedFields: 15))
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{record.Line}\u001e{string.Join('\u001f', record.Fields)}\u001d"));
            count++;
        }
        count.Should().Be(14641);
        Convert
            .ToHexString(sha.GetHashAndReset())
            .ToLowerInvariant()
            .Should()
            .Be("1964726e5328c4c12e72a7b0ffcbe176d0b233758169089bc45185d40ee066dc");
    }

    private const string Header =
        "tweet_id,airline_sentiment,airline_sentiment_confidence,negativereason,negativereason_confidence,airline,airline_sentiment_gold,name,negativereason_gold,retweet_count,text,tweet_coord,tweet_created,tweet_location,user_timezone\n";

    private const string TwoTweets =
        Header
        + "570306133677760513,neutral,1.0,,,Virgin America,,cairdin,,0,@VirginAmerica What @dhepburn said.,,2015-02-24 11:35:52 -0800,,Eastern Time (US & Canada)\n"
        + "570301031407624196,negative,0.6842,Bad Flight,0.3684,United,negative,jnardino,Late Flight,2,\"@united \"\"late\"\", again,\nreally\",\"[40.64656067, -73.78334045]\",2015-02-24 11:14:45 +0530,NYC,\n"
        + "570301031407624197,positive,1.0,,,Delta,,x,,0,Thanks!,,2015-02-24 11:14:45 -0800,,\n";

    [Fact]
    public void Tweets_parse_every_column()
    {
        using var tmp = new TempFolder();
        var tweets = AirlineTweets.Read(tmp.Write("Tweets.csv", TwoTweets));
        tweets.Should().HaveCount(3);
        var t = tweets[1];
        t.TweetId.Should().Be(570301031407624196);
        t.Sentiment.Should().Be("negative");
        t.SentimentConfidence.Should().Be(0.6842);
        t.NegativeReason.Should().Be("Bad Flight");
        t.NegativeReasonConfidence.Should().Be(0.3684);
        t.Airline.Should().Be("United");
        t.SentimentGold.Should().Be("negative");
        t.NegativeReasonGold.Should().Be("Late Flight");
        t.RetweetCount.Should().Be(2);
        t.Text.Should().Be("@united \"late\", again,\nreally");
        t.TweetCoord.Should().Be("[40.64656067, -73.78334045]");
        t.TweetCreated.Should().Be(new DateTimeOffset(2015, 2, 24, 11, 14, 45, TimeSpan.FromMinutes(330)));
        t.TweetLocation.Should().Be("NYC");
        t.UserTimezone.Should().BeNull();
        tweets[0].NegativeReason.Should().BeNull();
        tweets[0].TweetCreated.Offset.Should().Be(TimeSpan.FromHours(-8));
        AirlineTweets.PositiveAndNegative(tweets).Select(x => x.Sentiment).Should().Equal("negative", "positive");
    }

    [Fact]
    public void Bad_tweet_files_are_errors_naming_file_and_line()
    {
        using var tmp = new TempFolder();
        var wrongHeader = tmp.Write("h.csv", "id,text\n1,x\n");
        ((Action)(() => AirlineTweets.Read(wrongHeader)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*h.csv, line 1: expected 15 fields, found 2*");
        var badSentiment = tmp.Write("s.csv", TwoTweets.Replace(",positive,", ",great,"));
        ((Action)(() => AirlineTweets.Read(badSentiment)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*s.csv, line 5: airline_sentiment is 'great'*");
        var badDate = tmp.Write("d.csv", TwoTweets.Replace("2015-02-24 11:35:52 -0800", "24/02/2015"));
        ((Action)(() => AirlineTweets.Read(badDate)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*d.csv, line 2: column tweet_created has the value '24/02/2015'*");
        var shortRow = tmp.Write("r.csv", Header + "1,neutral,1.0\n");
        ((Action)(() => AirlineTweets.Read(shortRow)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*r.csv, line 2: expected 15 fields, found 3*");
    }

    [Fact]
    public void Load_without_the_file_explains_the_kaggle_download()
    {
        using var tmp = new TempFolder();
        var act = () => AirlineTweets.Load(new DataCache(null, tmp.Path));
        act.Should()
            .Throw<DatasetException>()
            .WithMessage("*Tweets.csv was not found*Kaggle offers no direct download*");
    }

    [RealDataFact]
    public void The_real_file_has_14640_tweets_with_the_published_sentiment_counts()
    {
        var tweets = AirlineTweets.Load(
            new DataCache(RealData.Folder, Path.Combine(Path.GetTempPath(), "unused-data-folder"))
        );
        tweets.Should().HaveCount(14640);
        tweets.Count(t => t.Sentiment == "negative").Should().Be(9178);
        tweets.Count(t => t.Sentiment == "neutral").Should().Be(3099);
        tweets.Count(t => t.Sentiment == "positive").Should().Be(2363);
        tweets.Count(t => t.Airline == "United").Should().Be(3822);
        tweets.Count(t => t.Airline == "Virgin America").Should().Be(504);
        tweets.Count(t => t.NegativeReason is null).Should().Be(5462);
        tweets.Select(t => t.TweetId).Distinct().Should().HaveCount(14485);
        tweets.Count(t => t.Text.Contains('\n')).Should().Be(138);
        AirlineTweets.PositiveAndNegative(tweets).Should().HaveCount(11541);
    }
}
