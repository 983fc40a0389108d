using System.Text;

namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// Reads a code cell the way the .NET Interactive kernel would before handing it to C#: the cell's
/// kernel (from its metadata or a leading <c>#!csharp</c>), magic commands, and NuGet references.
/// The runner executes C# only and refuses anything else with a message that says why.
/// </summary>
internal static class CellSource
{
    private static readonly HashSet<string> CSharpNames = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#" };

    private static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp",
        "f#",
        "pwsh",
        "powershell",
        "javascript",
        "js",
        "html",
        "sql",
        "kql",
        "mermaid",
        "markdown",
        "md",
        "value",
        "http",
        "python",
        "r",
        "vbnet",
    };

    /// <summary>Is <paramref name="kernelName"/> (metadata or magic) the C# kernel?</summary>
    public static bool IsCSharp(string kernelName) => CSharpNames.Contains(kernelName);

    /// <summary>
    /// The C# code to compile, with kernel magic lines blanked (so diagnostics keep the cell's line
    /// numbers), or the reason the cell cannot run.
    /// </summary>
    public static (string? Code, string? Refusal) Prepare(string source, string kernel)
    {
        if (!IsCSharp(kernel))
            return (null, RefuseKernel(kernel));
        var lines = source.Split('\n');
        var code = new StringBuilder(source.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                string name = trimmed[2..].Split((char[])[' ', '\t', '\r'], 2)[0];
                if (IsCSharp(name))
                    line = "";
                else if (OtherKernels.Contains(name))
                    return (null, RefuseKernel(name));
                else
                    return (
                        null,
                        $"the magic command #!{name} (line {i + 1}) is not supported by rnnbook; it runs plain C# (with #r of DLL paths) only"
                    );
            }
            else if (
                IsDirective(trimmed, "#r")
                && trimmed[2..].TrimStart().StartsWith("\"nuget:", StringComparison.OrdinalIgnoreCase)
            )
            {
                return (
                    null,
                    $"NuGet references (line {i + 1}: {trimmed.Trim()}) are not supported by rnnbook; reference the DLL by its path, e.g. #r \"../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll\""
                );
            }
            else if (IsDirective(trimmed, "#i"))
            {
                return (null, $"package sources (line {i + 1}: {trimmed.Trim()}) are not supported by rnnbook");
            }
            if (i > 0)
                code.Append('\n');
            code.Append(line);
        }
        return (code.ToString(), null);
    }

    private static bool IsDirective(string trimmed, string directive) =>
        trimmed.StartsWith(directive, StringComparison.Ordinal)
        && (trimmed.Length == directive.Length || char.IsWhiteSpace(trimmed[directive.Length]));

    private static string RefuseKernel(string kernel) =>
        $"this is a #!{kernel.ToLowerInvariant()} cell; rnnbook runs C# cells only (open the notebook in VS Code with Polyglot Notebooks for other kernels)";
}
