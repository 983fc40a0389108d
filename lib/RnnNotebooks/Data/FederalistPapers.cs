using System.Text;
using System.Text.RegularExpressions;

namespace RnnNotebooks.Data;

/// <summary>
/// One Federalist paper of the author-attribution activity, with its header removed: <see cref="Text"/> starts with
/// the first sentence of the essay.
/// </summary>
/// <param name="Folder">"A" (Hamilton), "B" (Madison) or "Unknown".</param>
/// <param name="FileNumber">N of the file paper_N.txt within its folder.</param>
/// <param name="FederalistNumber">The essay's number in The Federalist (from the header).</param>
/// <param name="Title">The essay's title as printed under the number.</param>
/// <param name="Text">The essay from its first sentence on (still signed PUBLIUS, the pseudonym shared by all).</param>
public sealed record FederalistPaper(string Folder, int FileNumber, int FederalistNumber, string Title, string Text);

/// <summary>The papers by folder.</summary>
public sealed record FederalistCorpus(
    IReadOnlyList<FederalistPaper> A,
    IReadOnlyList<FederalistPaper> B,
    IReadOnlyList<FederalistPaper> Unknown
);

/// <summary>
/// The Federalist papers of seed 003's Activity 6 (Packt): folder A = Hamilton, B = Madison, Unknown = to attribute.
/// <para>
/// Each file opens with a header that gives the answer away: the number, the title, the newspaper and date, the
/// author byline (HAMILTON, MADISON, HAMILTON AND MADISON) and the salutation "To the People of the State of New
/// York:". <see cref="StripHeader"/> removes all of it, so a model only sees the essay. The true authors of the
/// Unknown papers are kept apart in <see cref="UnknownTruth"/> for checking predictions.
/// </para>
/// </summary>
public static partial class FederalistPapers
{
    /// <summary>
    /// Who wrote each Unknown paper, by file number, as its byline says: paper_1 (No. 43) and paper_2 (No. 38) are
    /// Madison's ("B"); paper_3 (No. 60), paper_4 (No. 17) and paper_5 (No. 30) are Hamilton's ("A").
    /// </summary>
    public static IReadOnlyDictionary<int, string> UnknownTruth { get; } =
        new Dictionary<int, string>
        {
            [1] = "B",
            [2] = "B",
            [3] = "A",
            [4] = "A",
            [5] = "A",
        };

    /// <summary>Finds the 37 files through <paramref name="cache"/> (downloading missing ones) and reads them.</summary>
    public static FederalistCorpus Load(DataCache? cache = null)
    {
        cache ??= DataCache.Default;
        var papers = DatasetCatalog
            .FederalistPaperFiles.Select(f => (File: f, Path: cache.GetFile(f, DatasetCatalog.AuthorAttribution)))
            .Select(x => Read(x.Path, FolderOf(x.File.RelativePath)))
            .ToList();
        return Group(papers);
    }

    /// <summary>Reads every paper_N.txt under <c>{papersFolder}/A</c>, <c>B</c> and <c>Unknown</c>.</summary>
    public static FederalistCorpus ReadFolder(string papersFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(papersFolder);
        var papers = new List<FederalistPaper>();
        foreach (var folder in new[] { "A", "B", "Unknown" })
        {
            var dir = Path.Combine(papersFolder, folder);
            if (!Directory.Exists(dir))
                throw new DatasetException($"{papersFolder} has no folder {folder}/.", papersFolder);
            papers.AddRange(Directory.EnumerateFiles(dir, "paper_*.txt").Select(p => Read(p, folder)));
        }
        return Group(papers);
    }

    /// <summary>Reads one file and strips its header.</summary>
    public static FederalistPaper Read(string path, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = Path.GetFileNameWithoutExtension(path);
        var m = FileName().Match(name);
        if (!m.Success)
            throw new DatasetException($"{path}: expected a file named paper_N.txt.", path);
        var (number, title, text) = StripHeader(File.ReadAllText(path, Encoding.UTF8), path);
        return new FederalistPaper(folder, int.Parse(m.Groups[1].ValueSpan), number, title, text);
    }

    /// <summary>
    /// Splits a paper into its Federalist number, title and essay text, dropping the header: number, title, newspaper
    /// and date, author byline and salutation. Throws when there is no byline in the first 40 lines (then the header
    /// cannot be recognised and might leak the author).
    /// </summary>
    public static (int FederalistNumber, string Title, string Text) StripHeader(string raw, string sourceName = "text")
    {
        ArgumentNullException.ThrowIfNull(raw);
        var lines = raw.Replace("\r\n", "\n").Split('\n');
        int first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0 || !int.TryParse(lines[first].Trim(), out int number))
            throw new DatasetException($"{sourceName}: the first line is not the paper's number.", sourceName);

        int byline = -1;
        for (int i = first + 1; i < Math.Min(lines.Length, 40); i++)
        {
            if (Byline().IsMatch(lines[i].Trim()))
            {
                byline = i;
                break;
            }
        }
        if (byline < 0)
            throw new DatasetException(
                $"{sourceName}: no author byline (HAMILTON, MADISON, JAY …) in the first 40 lines.",
                sourceName
            );

        var headerLines = lines[(first + 1)..byline].Select(l => l.Trim()).ToList();
        int newspaper = headerLines.FindIndex(l =>
            l.StartsWith("For the ", StringComparison.Ordinal) || l.StartsWith("From the ", StringComparison.Ordinal)
        );
        var titleLines = (newspaper < 0 ? headerLines : headerLines[..newspaper]).Where(l => l.Length > 0);
        string title = string.Join(" ", titleLines);

        int start = byline + 1;
        while (start < lines.Length && lines[start].Trim().Length == 0)
            start++;
        if (
            start < lines.Length
            && lines[start].TrimStart().StartsWith("To the People of the State of New York", StringComparison.Ordinal)
        )
            start++;
        var body = string.Join("\n", lines[start..]).Trim();
        if (body.Length == 0)
            throw new DatasetException($"{sourceName}: nothing follows the header.", sourceName);
        return (number, title, body);
    }

    /// <summary>
    /// The activity's normalisation: lower case, and every run of whitespace (newlines included) becomes one space.
    /// </summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Whitespace().Replace(text.ToLowerInvariant(), " ").Trim();
    }

    private static FederalistCorpus Group(List<FederalistPaper> papers)
    {
        List<FederalistPaper> In(string folder) =>
            papers.Where(p => p.Folder == folder).OrderBy(p => p.FileNumber).ToList();
        return new FederalistCorpus(In("A"), In("B"), In("Unknown"));
    }

    private static string FolderOf(string relativePath) => relativePath.Split('/')[^2];

    [GeneratedRegex(@"^(?:HAMILTON|MADISON|JAY)(?:\s+(?:AND|OR)\s+(?:HAMILTON|MADISON|JAY))*$")]
    private static partial Regex Byline();

    [GeneratedRegex(@"^paper_(\d+)$")]
    private static partial Regex FileName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
