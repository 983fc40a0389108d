using System.Globalization;

namespace RnnNotebooks.Data;

/// <summary>One row of Tweets.csv (Twitter US Airline Sentiment). Empty CSV fields are null.</summary>
public sealed record AirlineTweet(
    long TweetId,
    string Sentiment,
    double SentimentConfidence,
    string? NegativeReason,
    double? NegativeReasonConfidence,
    string Airline,
    string? SentimentGold,
    string Name,
    string? NegativeReasonGold,
    int RetweetCount,
    string Text,
    string? TweetCoord,
    DateTimeOffset TweetCreated,
    string? TweetLocation,
    string? UserTimezone
);

/// <summary>
/// The Twitter US Airline Sentiment tweets (seed 002): 14,640 records with sentiment negative, neutral or positive.
/// Kaggle needs a login, so the file is never downloaded: put Tweets.csv at
/// <c>data/twitter_airline_sentiment/Tweets.csv</c> (or under the override folder).
/// </summary>
public static class AirlineTweets
{
    /// <summary>The 15 columns of Kaggle's Tweets.csv, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "tweet_id",
        "airline_sentiment",
        "airline_sentiment_confidence",
        "negativereason",
        "negativereason_confidence",
        "airline",
        "airline_sentiment_gold",
        "name",
        "negativereason_gold",
        "retweet_count",
        "text",
        "tweet_coord",
        "tweet_created",
        "tweet_location",
        "user_timezone",
    ];

    /// <summary>Finds Tweets.csv through <paramref name="cache"/> and reads it.</summary>
    public static IReadOnlyList<AirlineTweet> Load(DataCache? cache = null)
    {
        cache ??= DataCache.Default;
        var path =
            cache.TryFindLocal(DatasetCatalog.AirlineTweetsCsv)
            ?? throw new DatasetException(
                cache.NotFoundMessage(
                    DatasetCatalog.AirlineTweetsCsv,
                    DatasetCatalog.AirlineTweets,
                    "Kaggle offers no direct download."
                ),
                Path.Combine(cache.DataFolder, DatasetCatalog.AirlineTweetsCsv.RelativePath)
            );
        return Read(path);
    }

    /// <summary>Reads a Tweets.csv file; the header must name the 15 Kaggle columns in order.</summary>
    public static IReadOnlyList<AirlineTweet> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tweets = new List<AirlineTweet>();
        bool header = true;
        foreach (var record in CsvRecords.ReadFile(path, Columns.Count))
        {
            if (header)
            {
                var got = record.Fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToArray();
                if (!got.SequenceEqual(Columns))
                {
                    throw new DatasetException(
                        $"{path}, line 1: header is '{string.Join(",", got)}', expected '{string.Join(",", Columns)}'.",
                        path
                    );
                }
                header = false;
                continue;
            }
            tweets.Add(Parse(record, path));
        }
        if (header)
            throw new DatasetException($"{path} is empty (no header line).", path);
        return tweets;
    }

    /// <summary>The tweets labelled positive or negative (neutral ones dropped), in file order.</summary>
    public static IReadOnlyList<AirlineTweet> PositiveAndNegative(IEnumerable<AirlineTweet> tweets)
    {
        ArgumentNullException.ThrowIfNull(tweets);
        return tweets.Where(t => t.Sentiment is "positive" or "negative").ToList();
    }

    /// <summary>Kaggle's timestamp form <c>2015-02-24 11:35:52 -0800</c>.</summary>
    private static DateTimeOffset? ParseTimestamp(string s)
    {
        if (s.Length != 25 || s[19] != ' ' || s[20] is not ('+' or '-'))
            return null;
        if (
            !DateTime.TryParseExact(
                s[..19],
                "yyyy-MM-dd HH:mm:ss",
                CultureInfo.InvariantCulture,
                DateTimeStyles.None,
                out var local
            )
        )
            return null;
        if (!int.TryParse(s.AsSpan(21, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int hours))
            return null;
        if (!int.TryParse(s.AsSpan(23, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int minutes))
            return null;
        var offset = new TimeSpan(hours, minutes, 0);
        return new DateTimeOffset(local, s[20] == '-' ? -offset : offset);
    }

    private static AirlineTweet Parse(CsvRecord r, string path)
    {
        string? Optional(int i) => r[i].Length == 0 ? null : r[i];
        T Required<T>(int i, Func<string, T?> parse)
            where T : struct
        {
            var value = parse(r[i]);
            return value
                ?? throw new DatasetException(
                    $"{path}, line {r.Line}: column {Columns[i]} has the value '{r[i]}', which is not valid.",
                    path
                );
        }
        double? Double(string s) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
        double? OptionalDouble(int i) => r[i].Length == 0 ? null : Required(i, Double);

        var sentiment = r[1];
        if (sentiment is not ("negative" or "neutral" or "positive"))
            throw new DatasetException(
                $"{path}, line {r.Line}: airline_sentiment is '{sentiment}', expected negative, neutral or positive.",
                path
            );
        return new AirlineTweet(
            Required(
                0,
                s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (long?)null
            ),
            sentiment,
            Required(2, Double),
            Optional(3),
            OptionalDouble(4),
            r[5],
            Optional(6),
            r[7],
            Optional(8),
            Required(
                9,
                s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null
            ),
            r[10],
            Optional(11),
            Required(12, ParseTimestamp),
            Optional(13),
            Optional(14)
        );
    }
}
