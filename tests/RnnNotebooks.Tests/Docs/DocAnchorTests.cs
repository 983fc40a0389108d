using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Docs;

/// <summary>
/// Comments point readers at sections of the repository's documents (docs/keras-semantics.md and its
/// anchors). These tests keep those pointers from rotting: every docs/&lt;name&gt;.md#&lt;anchor&gt; written
/// anywhere in lib/, tests/ or notebooks/ must name an existing document and a section that the document
/// really has, by GitHub's heading-slug rule or an explicit &lt;a id="…"&gt;.
/// </summary>
public partial class DocAnchorTests
{
    /// <summary>The sections the shared brief promises; code comments are written against these names.</summary>
    private static readonly string[] PromisedSemanticsAnchors =
    [
        "simplernn",
        "lstm",
        "gru",
        "recurrent-layers",
        "masking",
        "bidirectional",
        "activations",
        "initializers",
        "embedding",
        "dense",
        "dropout",
        "losses",
        "optimizers",
        "fit",
        "model-summary",
        "model-config",
        "tokenizer",
        "pad-sequences",
        "treebank-tokenizer",
        "stopwords",
        "train-test-split",
        "pytorch-layout",
    ];

    private static readonly HashSet<string> ScannedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs",
        ".md",
        ".ipynb",
        ".py",
        ".json",
        ".txt",
    };

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal)
    {
        "bin",
        "obj",
        "node_modules",
    };

    private static string Root => DataCache.FindRepositoryRoot(AppContext.BaseDirectory)!;

    [Fact]
    public void Every_docs_anchor_referenced_in_lib_tests_and_notebooks_exists()
    {
        var references = FindReferences().ToList();
        references
            .Select(r => r.Document)
            .Should()
            .Contain(
                "keras-semantics.md",
                "the library's comments point at the spec; finding none means the scan is broken"
            );

        var anchorsByDocument = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var (file, line, document, anchor) in references)
        {
            string path = Path.Combine(Root, "docs", document);
            if (!anchorsByDocument.TryGetValue(document, out var anchors))
            {
                anchors = File.Exists(path) ? Anchors(File.ReadAllText(path)) : [];
                anchorsByDocument[document] = anchors;
            }
            if (!File.Exists(path))
                broken.Add($"{file}:{line}: docs/{document} does not exist");
            else if (!anchors.Contains(anchor))
                broken.Add($"{file}:{line}: docs/{document} has no section #{anchor}");
        }
        string.Join(Environment.NewLine, broken).Should().BeEmpty("every pointer names an existing section");
    }

    [Fact]
    public void The_spec_has_every_promised_section()
    {
        var anchors = Anchors(File.ReadAllText(Path.Combine(Root, "docs", "keras-semantics.md")));
        PromisedSemanticsAnchors.Where(a => !anchors.Contains(a)).Should().BeEmpty();
    }

    [Fact]
    public void Links_inside_each_document_to_its_own_sections_resolve()
    {
        var documents = Directory.GetFiles(Path.Combine(Root, "docs"), "*.md");
        documents.Should().NotBeEmpty();
        var broken = new List<string>();
        foreach (var document in documents)
        {
            string text = File.ReadAllText(document);
            var anchors = Anchors(text);
            foreach (Match m in LocalLink().Matches(text))
                if (!anchors.Contains(m.Groups[1].Value))
                    broken.Add($"{Path.GetFileName(document)}: link to #{m.Groups[1].Value}");
        }
        string.Join(Environment.NewLine, broken).Should().BeEmpty("every local link names an existing section");
    }

    [Theory]
    [InlineData("LSTM", "lstm")]
    [InlineData("Pad sequences", "pad-sequences")]
    [InlineData("Train-test split", "train-test-split")]
    [InlineData("`to_categorical`", "to_categorical")]
    [InlineData("numpy RandomState", "numpy-randomstate")]
    [InlineData("Model summary (Keras 2.x)", "model-summary-keras-2x")]
    [InlineData("Bidirectional: merge modes", "bidirectional-merge-modes")]
    [InlineData("x_t·W + h_{t−1}·U", "x_tw--h_t1u")]
    [InlineData("[PyTorch](pytorch-interop.md) layout", "pytorch-layout")]
    public void Headings_slugify_as_GitHub_does(string heading, string slug) => Slug(heading).Should().Be(slug);

    [Fact]
    public void Anchors_come_from_headings_outside_code_and_explicit_ids_with_GitHub_duplicate_suffixes()
    {
        const string text = """
            # Title
            ## Fit
            ```
            ## Not a heading
            ```
            ## Fit
            <a id="custom-id"></a>
            ### Fit ###
            """;
        Anchors(text).Should().BeEquivalentTo(["title", "fit", "fit-1", "fit-2", "custom-id"]);
    }

    /// <summary>Every docs/&lt;name&gt;.md#&lt;anchor&gt; in the scanned files: file (relative), line, document, anchor.</summary>
    private static IEnumerable<(string File, int Line, string Document, string Anchor)> FindReferences()
    {
        foreach (var folder in new[] { "lib", "tests", "notebooks" })
        {
            foreach (var path in Files(Path.Combine(Root, folder)))
            {
                var lines = File.ReadAllLines(path);
                for (int i = 0; i < lines.Length; i++)
                    foreach (Match m in DocReference().Matches(lines[i]))
                        yield return (Path.GetRelativePath(Root, path), i + 1, m.Groups[1].Value, m.Groups[2].Value);
            }
        }
    }

    private static IEnumerable<string> Files(string folder)
    {
        if (!Directory.Exists(folder))
            yield break;
        foreach (var file in Directory.EnumerateFiles(folder))
            if (ScannedExtensions.Contains(Path.GetExtension(file)))
                yield return file;
        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            string name = Path.GetFileName(sub);
            if (SkippedFolders.Contains(name) || name.StartsWith('.'))
                continue;
            foreach (var file in Files(sub))
                yield return file;
        }
    }

    /// <summary>
    /// The anchors GitHub gives a Markdown document: one per heading outside fenced code (its slug, with
    /// -1, -2, … for repeats) and every explicit <c>&lt;a id="…"&gt;</c> or <c>&lt;a name="…"&gt;</c>.
    /// </summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool inFence = false;
        foreach (var rawLine in markdown.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }
            if (inFence)
                continue;
            foreach (Match m in ExplicitAnchor().Matches(line))
                anchors.Add(m.Groups[1].Value);
            var heading = Heading().Match(line);
            if (!heading.Success)
                continue;
            string slug = Slug(heading.Groups[1].Value);
            string unique = seen.TryGetValue(slug, out int count) ? $"{slug}-{count}" : slug;
            seen[slug] = count + 1;
            anchors.Add(unique);
        }
        return anchors;
    }

    /// <summary>
    /// GitHub's heading slug: the heading's text (links and code marks reduced to their text), lower-cased,
    /// with everything but letters, marks, digits, '_', '-' and spaces removed and each space turned into '-'.
    /// </summary>
    private static string Slug(string heading)
    {
        string text = MarkdownLink().Replace(heading, "$1").Replace("`", "").Replace("*", "");
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (c == ' ')
                sb.Append('-');
            else if (
                c is '-' or '_'
                || char.IsLetterOrDigit(c)
                || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            )
                sb.Append(c);
        }
        return sb.ToString();
    }

    // "docs/" + name + ".md#" + anchor, written so that this file's own source does not match it.
    [GeneratedRegex(@"docs/([\w.\-]+\.md)#([\w\-]+)")]
    private static partial Regex DocReference();

    [GeneratedRegex(@"^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex Heading();

    [GeneratedRegex("""<a\s+(?:id|name)="([^"]+)"\s*>""")]
    private static partial Regex ExplicitAnchor();

    [GeneratedRegex(@"\]\(#([^)\s]+)\)")]
    private static partial Regex LocalLink();

    [GeneratedRegex(@"\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLink();
}
