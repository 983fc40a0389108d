using System.Diagnostics;

namespace RnnNotebooks.Runner.Export;

/// <summary>
/// The npm packages the pages use, installed (never committed) by <c>npm ci --prefix
/// lib/RnnNotebooks.Runner/book-assets</c>: KaTeX renders the math at export time (through Node) and its CSS and
/// fonts ship with the pages; plotly.js makes the charts interactive where scripts run. Nothing is loaded from a
/// CDN: a page and its <c>assets/</c> folder read the same from <c>file://</c> with no network.
/// </summary>
public static class BookAssets
{
    public const string InstallHint = "npm ci --prefix lib/RnnNotebooks.Runner/book-assets";

    /// <summary>The folder holding package.json, render-math.cjs and node_modules (RNNBOOK_ASSETS overrides).</summary>
    public static string Directory => _directory.Value;

    private static readonly Lazy<string> _directory = new(Find);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("RNNBOOK_ASSETS") is { Length: > 0 } configured)
            return Check(configured) ?? throw Missing(configured);
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { "book-assets", "lib/RnnNotebooks.Runner/book-assets" })
                    if (Check(Path.Combine(dir.FullName, candidate)) is { } found)
                        return found;
            }
        }
        throw Missing(null);
    }

    private static string? Check(string dir) =>
        File.Exists(Path.Combine(dir, "render-math.cjs")) && File.Exists(Path.Combine(dir, "package.json"))
            ? Path.GetFullPath(dir)
            : null;

    private static Exception Missing(string? configured) =>
        new InvalidOperationException(
            configured is null
                ? "rnnbook's page assets (lib/RnnNotebooks.Runner/book-assets) were not found above the program "
                    + "or the current folder: run rnnbook from the repository, or set RNNBOOK_ASSETS to that folder."
                : $"RNNBOOK_ASSETS={configured} has no render-math.cjs and package.json."
        );

    private static string Module(string relative)
    {
        string path = Path.Combine(Directory, "node_modules", relative);
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"{path} is missing: the page assets are not installed. Run: {InstallHint}"
            );
        return path;
    }

    public static string KatexScript => Path.Combine(Directory, "render-math.cjs");

    public static string PlotlyPath => Module("plotly.js-dist-min/plotly.min.js");

    /// <summary>Copies katex.min.css with its fonts and plotly.min.js into <paramref name="assetsDir"/>.</summary>
    public static void CopyTo(string assetsDir, bool plotly)
    {
        string css = Module("katex/dist/katex.min.css");
        string katexDir = Path.Combine(assetsDir, "katex");
        System.IO.Directory.CreateDirectory(Path.Combine(katexDir, "fonts"));
        File.Copy(css, Path.Combine(katexDir, "katex.min.css"), overwrite: true);
        foreach (var font in System.IO.Directory.GetFiles(Path.Combine(Path.GetDirectoryName(css)!, "fonts")))
            if (font.EndsWith(".woff2", StringComparison.Ordinal))
                File.Copy(font, Path.Combine(katexDir, "fonts", Path.GetFileName(font)), overwrite: true);
        if (plotly)
            File.Copy(PlotlyPath, Path.Combine(assetsDir, "plotly.min.js"), overwrite: true);
    }

    /// <summary>Runs Node on a script with JSON on stdin and returns its stdout.</summary>
    internal static string RunNode(string script, string stdin)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"rnnbook renders math with KaTeX through Node, and 'node' could not be started ({e.Message}). "
                    + $"Install Node.js 18 or later, then: {InstallHint}"
            );
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string message = stderr.Result.Trim();
                if (message.Contains("Cannot find module", StringComparison.Ordinal))
                    message = $"KaTeX is not installed. Run: {InstallHint}";
                throw new InvalidOperationException($"rendering math with KaTeX failed: {message}");
            }
            return stdout.Result;
        }
    }
}
