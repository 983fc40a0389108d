using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RnnNotebooks.Tests.Runner;

/// <summary>
/// Builds, at test time, a tiny library that depends on a second tiny library placed beside it (no
/// binaries in the repository). The library also declares its own TypeFormatterSourceAttribute, to show
/// that formatters are found by the attribute's name, as .NET Interactive does.
/// </summary>
internal static class FixtureAssemblies
{
    public static void BuildLibraryWithDependency(string directory, string unique)
    {
        Directory.CreateDirectory(directory);
        string dependency = Path.Combine(directory, $"FixtureDep{unique}.dll");
        Compile(
            $"FixtureDep{unique}",
            $$"""
            namespace FixtureDep{{unique}};
            public static class Greeter
            {
                public static string Greet(string name) => $"Hello, {name}!";
            }
            """,
            dependency,
            []
        );
        Compile(
            $"FixtureLib{unique}",
            $$"""
            using System;
            using System.Collections.Generic;
            using System.IO;
            namespace FixtureLib{{unique}};
            public static class Api
            {
                public static string Hello(string name) => FixtureDep{{unique}}.Greeter.Greet(name) + " (from the dependency)";
            }
            [AttributeUsage(AttributeTargets.Class)]
            public sealed class TypeFormatterSourceAttribute : Attribute
            {
                public TypeFormatterSourceAttribute(Type formatterSourceType) => FormatterSourceType = formatterSourceType;
                public Type FormatterSourceType { get; }
            }
            [TypeFormatterSource(typeof(ThingFormatterSource))]
            public sealed class Thing
            {
                public Thing(string name) => Name = name;
                public string Name { get; }
                public override string ToString() => $"Thing({Name})";
            }
            public sealed class ThingFormatterSource
            {
                public IEnumerable<object> CreateTypeFormatters() { yield return new ThingHtml(); }
            }
            public sealed class ThingHtml
            {
                public string MimeType => "text/html";
                public Type Type => typeof(Thing);
                public bool Format(object instance, TextWriter writer)
                {
                    writer.Write("<b>thing " + ((Thing)instance).Name + "</b>");
                    return true;
                }
            }
            """,
            Path.Combine(directory, $"FixtureLib{unique}.dll"),
            [MetadataReference.CreateFromFile(dependency)]
        );
    }

    private static void Compile(string name, string source, string output, IEnumerable<MetadataReference> extra)
    {
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            FrameworkReferences().Concat(extra),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var stream = File.Create(output);
        var result = compilation.Emit(stream);
        if (!result.Success)
            throw new InvalidOperationException(
                $"Fixture {name} does not compile: "
                    + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            );
    }

    private static IEnumerable<MetadataReference> FrameworkReferences()
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == runtime && p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
    }
}
