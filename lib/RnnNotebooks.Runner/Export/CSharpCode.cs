using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Classification;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// C# highlighted by Roslyn's classifier (syntactic and semantic) on a script document, as an editor colours it.
/// A notebook's cells form one script, so a name declared in one cell is known in the next, and the libraries the
/// cells <c>#r</c> are referenced, so their types are coloured as types.
/// </summary>
public static class CSharpCode
{
    private static readonly Lazy<IReadOnlyList<MetadataReference>> Framework = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p =>
                Path.GetFileName(p) is var name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll")
            )
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList()
    );

    /// <summary>One snippet, highlighted, as HTML.</summary>
    public static string Highlight(string source) => HighlightCells([source], [])[0];

    /// <summary>The cells of a notebook, highlighted together; one HTML string per cell.</summary>
    public static IReadOnlyList<string> HighlightCells(IReadOnlyList<string> cells, IEnumerable<string> references)
    {
        var text = new StringBuilder();
        var starts = new List<int>();
        foreach (var cell in cells)
        {
            starts.Add(text.Length);
            text.Append(cell).Append('\n');
        }
        string source = text.ToString();
        var spans = Classify(source, references);
        var result = new List<string>(cells.Count);
        for (int i = 0; i < cells.Count; i++)
            result.Add(Render(source, starts[i], cells[i].Length, spans));
        return result;
    }

    private static List<ClassifiedSpan> Classify(string source, IEnumerable<string> references)
    {
        using var workspace = new AdhocWorkspace();
        var metadata = Framework
            .Value.Concat(
                references.Where(File.Exists).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            )
            .ToList();
        var project = workspace.AddProject(
            ProjectInfo.Create(
                ProjectId.CreateNewId(),
                VersionStamp.Default,
                "notebook",
                "notebook",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    usings: ["System", "System.Collections.Generic", "System.Linq", "System.Threading.Tasks"]
                ),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script),
                metadataReferences: metadata
            )
        );
        var document = workspace.AddDocument(
            DocumentInfo.Create(
                DocumentId.CreateNewId(project.Id),
                "notebook.csx",
                sourceCodeKind: SourceCodeKind.Script,
                loader: TextLoader.From(TextAndVersion.Create(SourceText.From(source), VersionStamp.Default))
            )
        );
        var spans = Classifier
            .GetClassifiedSpansAsync(document, new TextSpan(0, source.Length))
            .GetAwaiter()
            .GetResult();
        // Additive classifications (static symbol, …) overlap a base one: keep the base, first one wins.
        return spans
            .Where(s => !ClassificationTypeNames.AdditiveTypeNames.Contains(s.ClassificationType))
            .OrderBy(s => s.TextSpan.Start)
            .ToList();
    }

    private static string Render(string source, int start, int length, List<ClassifiedSpan> spans)
    {
        // Runs of text with their CSS class (null: plain); touching runs of one class become one span.
        var runs = new List<(string? Css, int From, int To)>();
        void Add(string? css, int from, int to)
        {
            if (runs.Count > 0 && runs[^1].Css == css && runs[^1].To == from)
                runs[^1] = (css, runs[^1].From, to);
            else
                runs.Add((css, from, to));
        }
        int position = start,
            end = start + length;
        foreach (var span in spans)
        {
            int from = Math.Max(span.TextSpan.Start, position),
                to = Math.Min(span.TextSpan.End, end);
            if (to <= from)
                continue;
            if (from > position)
                Add(null, position, from);
            Add(CssClass(span.ClassificationType), from, to);
            position = to;
        }
        if (position < end)
            Add(null, position, end);
        var sb = new StringBuilder();
        foreach (var (css, from, to) in runs)
        {
            string text = HtmlText.Escape(source[from..to]);
            if (css is null)
                sb.Append(text);
            else
                sb.Append("<span class=\"").Append(css).Append("\">").Append(text).Append("</span>");
        }
        return sb.ToString();
    }

    /// <summary>The page's CSS class for a Roslyn classification, or null for plain text.</summary>
    public static string? CssClass(string classification) =>
        classification switch
        {
            ClassificationTypeNames.Keyword or ClassificationTypeNames.ControlKeyword => "keyword",
            ClassificationTypeNames.PreprocessorKeyword or ClassificationTypeNames.PreprocessorText => "directive",
            ClassificationTypeNames.StringLiteral
            or ClassificationTypeNames.VerbatimStringLiteral
            or ClassificationTypeNames.StringEscapeCharacter => "string",
            ClassificationTypeNames.NumericLiteral => "number",
            ClassificationTypeNames.Comment => "comment",
            ClassificationTypeNames.ClassName
            or ClassificationTypeNames.StructName
            or ClassificationTypeNames.InterfaceName
            or ClassificationTypeNames.EnumName
            or ClassificationTypeNames.RecordClassName
            or ClassificationTypeNames.RecordStructName
            or ClassificationTypeNames.DelegateName
            or ClassificationTypeNames.TypeParameterName => "type",
            ClassificationTypeNames.MethodName or ClassificationTypeNames.ExtensionMethodName => "method",
            ClassificationTypeNames.PropertyName
            or ClassificationTypeNames.FieldName
            or ClassificationTypeNames.EnumMemberName
            or ClassificationTypeNames.ConstantName => "member",
            _ when classification.StartsWith("xml doc comment", StringComparison.Ordinal) => "comment",
            _ => null,
        };
}
