using System.Text;

namespace RnnNotebooks.Data;

/// <summary>One CSV record and the line of the file it starts on (1-based).</summary>
public sealed record CsvRecord(int Line, string[] Fields)
{
    public string this[int i] => Fields[i];
}

/// <summary>
/// An RFC 4180 CSV reader: fields separated by commas, records by LF or CRLF; a field in double quotes may contain
/// commas, line breaks and doubled quotes (<c>""</c> = one <c>"</c>). A malformed record is a
/// <see cref="DatasetException"/> naming the file and line: a quote inside an unquoted field, text after a closing
/// quote, a quoted field still open at the end of the file, or (when <c>expectedFields</c> is given) the wrong number
/// of fields.
/// </summary>
public static class CsvReader
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
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        bool inQuotes = false;
        bool quotedField = false; // the current field was quoted and its closing quote has been seen
        bool fieldStarted = false;
        bool any = false;

        DatasetException Error(string problem) => new($"{sourceName}, line {line}: {problem}", sourceName);

        CsvRecord FinishRecord()
        {
            fields.Add(field.ToString());
            field.Clear();
            var record = new CsvRecord(recordLine, fields.ToArray());
            fields.Clear();
            quotedField = false;
            fieldStarted = false;
            any = false;
            if (expectedFields is int n && record.Fields.Length != n)
            {
                throw new DatasetException(
                    $"{sourceName}, line {record.Line}: expected {n} fields, found {record.Fields.Length}.",
                    sourceName
                );
            }
            return record;
        }

        int c;
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                        quotedField = true;
                    }
                }
                else
                {
                    if (ch == '\n')
                        line++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quotedField = false;
                    fieldStarted = false;
                    any = true;
                    break;
                case '\r' when reader.Peek() == '\n':
                    break;
                case '\n' when !any && field.Length == 0:
                    line++; // a blank line is not a record
                    recordLine = line;
                    break;
                case '\n':
                    yield return FinishRecord();
                    line++;
                    recordLine = line;
                    break;
                case '"':
                    if (fieldStarted)
                        throw Error(
                            $"a double quote inside an unquoted field (field {fields.Count + 1}); quote the whole field and double the quote."
                        );
                    inQuotes = true;
                    fieldStarted = true;
                    any = true;
                    break;
                default:
                    if (quotedField)
                        throw Error($"text after the closing quote of field {fields.Count + 1}.");
                    field.Append(ch);
                    fieldStarted = true;
                    any = true;
                    break;
            }
        }
        if (inQuotes)
            throw new DatasetException(
                $"{sourceName}, line {recordLine}: a quoted field opened on this line is never closed (end of file reached).",
                sourceName
            );
        if (any || field.Length > 0)
            yield return FinishRecord();
    }
}
