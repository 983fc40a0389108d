using System.Text;
using CsvHelper;

namespace RnnNotebooks.Data;

/// <summary>One CSV record and the line of the file it starts on (1-based).</summary>
public sealed record CsvRecord(int Line, string[] Fields)
{
    public string this[int i] => Fields[i];
}

/// <summary>
/// RFC 4180 CSV through CsvHelper: fields separated by commas, records by LF or CRLF; a field in double quotes may
/// contain commas, line breaks and doubled quotes (<c>""</c> = one <c>"</c>); empty lines are not records. A malformed
/// record is a <see cref="DatasetException"/> naming the file and the line the record starts on: a quote inside an
/// unquoted field, text after a closing quote, a quoted field still open at the end of the file, or (when
/// <c>expectedFields</c> is given) the wrong number of fields.
/// </summary>
public static class CsvRecords
{
    /// <summary>Reads every record of a file (UTF-8, BOM allowed).</summary>
    public static IEnumerable<CsvRecord> ReadFile(string path, int? expectedFields = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        foreach (var record in Read(reader, path, expectedFields))
            yield return record;
    }

    /// <summary>Reads records from <paramref name="reader"/>; <paramref name="sourceName"/> names it in error messages.</summary>
    public static IEnumerable<CsvRecord> Read(TextReader reader, string sourceName, int? expectedFields = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            TrimWhitespace = false,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            // Malformed quoting is an error here, in the words of the problem; CsvHelper would otherwise recover.
            OnMalformedRecord = malformed =>
                throw new DatasetException(
                    $"{sourceName}, line {malformed.LineNumber}: {Describe(malformed.Reason)}",
                    sourceName
                ),
        };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        while (csv.Read())
        {
            var record = new CsvRecord(checked((int)csv.LineNumber), csv.Current.ToArray());
            if (expectedFields is int n && record.Fields.Length != n)
                throw new DatasetException(
                    $"{sourceName}, line {record.Line}: expected {n} fields, found {record.Fields.Length}.",
                    sourceName
                );
            yield return record;
        }
    }

    private static string Describe(CsvMalformedReason reason) =>
        reason switch
        {
            CsvMalformedReason.StrayQuote =>
                "a double quote inside an unquoted field; quote the whole field and double the quote.",
            CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a field.",
            CsvMalformedReason.UnterminatedQuote =>
                "a quoted field opened on this line is never closed (end of file reached).",
            _ => $"malformed record ({reason}).",
        };
}
