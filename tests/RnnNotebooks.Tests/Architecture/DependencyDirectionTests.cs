using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnNotebooks.Display;
using RnnNotebooks.Tests.Runner;

namespace RnnNotebooks.Tests.Architecture;

/// <summary>
/// The library's folders are namespaces layered one way (lib/RnnNotebooks/README.md): each may use the ones
/// below it and never one above, so that, e.g., the tensor engine builds and reads without the notebook display
/// code. The library's sources are compiled here with Roslyn and every name in them is bound to its symbol, so a
/// reference counts however it is written (a using, a qualified name, a member reached through a property);
/// comments and strings do not count.
/// </summary>
public class DependencyDirectionTests
{
    /// <summary>What each namespace RnnNotebooks.X may use directly; it may also use whatever those may use.</summary>
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Display"] = [],
        ["Tensors"] = ["Display"],
        ["Layers"] = ["Tensors"],
        ["Training"] = ["Layers", "Display"],
        ["Serialization"] = ["Training"],
        ["Models"] = ["Serialization"],
        ["Data"] = ["Training"],
        ["Text"] = ["Data"],
        ["Notebooks"] = ["Models"],
        ["Charts"] = ["Notebooks"],
    };

    private static readonly Lazy<Dictionary<string, HashSet<string>>> Used = new(FindUsedNamespaces);

    [Fact]
    public void The_allowed_dependencies_have_no_cycle()
    {
        foreach (var name in MayUse.Keys)
            Below(name)
                .Should()
                .NotContain(name, $"RnnNotebooks.{name} must not reach itself through its dependencies");
    }

    [Fact]
    public void Every_folder_of_the_library_is_a_namespace_with_a_place_in_the_layers()
    {
        string library = Path.Combine(RunnerTestFiles.RepositoryRoot(), "lib", "RnnNotebooks");
        var folders = Directory
            .GetDirectories(library)
            .Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj"))
            .ToList();
        folders.Should().BeEquivalentTo(MayUse.Keys);
        foreach (var file in LibrarySources())
        {
            string folder = Path.GetFileName(Path.GetDirectoryName(file))!;
            CSharpSyntaxTree
                .ParseText(File.ReadAllText(file))
                .GetRoot()
                .DescendantNodes()
                .OfType<BaseNamespaceDeclarationSyntax>()
                .Select(n => n.Name.ToString())
                .Should()
                .Equal([$"RnnNotebooks.{folder}"], $"{Path.GetRelativePath(library, file)} is in folder {folder}");
        }
    }

    [Fact]
    public void No_namespace_uses_one_above_it()
    {
        var offences = Used
            .Value.SelectMany(kv =>
                kv.Value.Where(used => used != kv.Key && !Below(kv.Key).Contains(used))
                    .Select(used => $"RnnNotebooks.{kv.Key} uses RnnNotebooks.{used}")
            )
            .ToList();
        offences.Should().BeEmpty();
    }

    [Fact]
    public void The_check_sees_the_references_it_must_see()
    {
        // A guard against a check that cannot fail: known references below are found.
        Used.Value["Models"].Should().Contain(["Serialization", "Training", "Layers", "Tensors", "Display"]);
        Used.Value["Text"].Should().Contain("Data", "Stopwords reads NLTK's list from the data cache");
        Used.Value["Charts"].Should().Contain("Notebooks");
        Used.Value["Tensors"].Should().BeEquivalentTo(["Tensors", "Display"]);
    }

    [Fact]
    public void Types_below_the_notebooks_are_displayed_by_formatter_sources_in_the_notebooks()
    {
        // Tensor, History and ModelSummary name their formatter source by string so that their namespaces need not
        // reference RnnNotebooks.Notebooks: every such name must resolve, to a source the kernel can call.
        var displayed = typeof(TypeFormatterSourceAttribute)
            .Assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<TypeFormatterSourceAttribute>(inherit: false)))
            .Where(x => x.Attribute is not null)
            .ToList();
        displayed
            .Select(x => x.Type.FullName)
            .Should()
            .Contain([
                "RnnNotebooks.Tensors.Tensor",
                "RnnNotebooks.Training.History",
                "RnnNotebooks.Models.ModelSummary",
                "RnnNotebooks.Charts.Chart",
            ]);
        foreach (var (type, attribute) in displayed)
        {
            var source = attribute!.FormatterSourceType;
            source.GetMethod("CreateTypeFormatters").Should().NotBeNull($"{source} displays {type}");
            source.GetConstructor(Type.EmptyTypes).Should().NotBeNull();
            source.Namespace.Should().BeOneOf("RnnNotebooks.Notebooks", "RnnNotebooks.Charts");
        }
    }

    private static HashSet<string> Below(string name)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(MayUse[name]);
        while (stack.Count > 0)
        {
            string next = stack.Pop();
            if (seen.Add(next) && next != name)
                foreach (var further in MayUse[next])
                    stack.Push(further);
        }
        return seen;
    }

    private static IEnumerable<string> LibrarySources()
    {
        string library = Path.Combine(RunnerTestFiles.RepositoryRoot(), "lib", "RnnNotebooks");
        return Directory
            .EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
            )
            .Order(StringComparer.Ordinal);
    }

    /// <summary>For each namespace RnnNotebooks.X (by X), the RnnNotebooks namespaces its code binds names to.</summary>
    private static Dictionary<string, HashSet<string>> FindUsedNamespaces()
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = LibrarySources()
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, path: f))
            .Append(
                // The library's ImplicitUsings.
                CSharpSyntaxTree.ParseText(
                    "global using System; global using System.Collections.Generic; global using System.IO; "
                        + "global using System.Linq; global using System.Net.Http; global using System.Threading; "
                        + "global using System.Threading.Tasks;",
                    options
                )
            )
            .ToList();
        // The framework and the library's three packages; not the library itself (compiled here from source).
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = Directory
            .GetFiles(framework, "*.dll")
            .Concat(
                new[] { "CsvHelper.dll", "System.IO.Hashing.dll", "System.Numerics.Tensors.dll" }.Select(f =>
                    Path.Combine(AppContext.BaseDirectory, f)
                )
            )
            .Where(p => !Path.GetFileName(p).StartsWith("RnnNotebooks", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "RnnNotebooks",
            trees,
            references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable
            )
        );
        var used = MayUse.Keys.ToDictionary(k => k, _ => new HashSet<string>());
        var unbound = new List<string>();
        foreach (var tree in trees.Where(t => t.FilePath.Length > 0))
        {
            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();
            string owner = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Single().Name.ToString()[
                "RnnNotebooks.".Length..
            ];
            foreach (var node in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(node);
                if (
                    info.Symbol is null
                    && info.CandidateSymbols.IsEmpty
                    && node.ToString() != "nameof"
                    && node.Parent is not NameEqualsSyntax
                )
                    unbound.Add(
                        $"{Path.GetFileName(tree.FilePath)}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {node}"
                    );
                foreach (var symbol in info.Symbol is { } s ? [s] : info.CandidateSymbols)
                    if (LibraryNamespace(symbol) is { } name)
                        used[owner].Add(name);
            }
        }
        unbound.Should().BeEmpty("every name must bind to a symbol for the check to see it");
        return used;
    }

    /// <summary>X for a symbol declared in (or being) the namespace RnnNotebooks.X; null for anything else.</summary>
    private static string? LibraryNamespace(ISymbol symbol)
    {
        // A member's ContainingNamespace is its type's (the nearest enclosing namespace).
        var ns = symbol as INamespaceSymbol ?? symbol.ContainingNamespace;
        if (ns is null || ns.ContainingNamespace is not { } parent || parent.Name != "RnnNotebooks")
            return null;
        return parent.ContainingNamespace.IsGlobalNamespace ? ns.Name : null;
    }
}
