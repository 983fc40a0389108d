using System.Globalization;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Execution;

/// <summary>Where executed notebooks go.</summary>
public enum OutputMode
{
    /// <summary>Run only; nothing is written.</summary>
    None,

    /// <summary>Each notebook is overwritten (atomically) with its outputs.</summary>
    InPlace,

    /// <summary>Executed copies go to a folder; the originals are never touched.</summary>
    Folder,
}

/// <summary>The outcome for one notebook of a batch.</summary>
/// <param name="OutputPath">Where the executed notebook was written, or null.</param>
public sealed record NotebookOutcome(string Path, bool Succeeded, string? Message, TimeSpan Elapsed, string? OutputPath)
{
    /// <summary>Time to create the notebook's kernel.</summary>
    public TimeSpan KernelStartup { get; init; }
}

/// <summary>
/// Runs a list of notebooks one after the other (folders expand to the .ipynb files under them, in
/// ordinal path order), writes the executed notebooks where asked, and reports each one and a summary.
/// </summary>
public sealed class NotebookBatch
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;

    public NotebookBatch(TextWriter output, TextWriter error)
    {
        _out = output;
        _error = error;
    }

    public OutputMode Mode { get; init; } = OutputMode.None;

    /// <summary>The folder for <see cref="OutputMode.Folder"/>.</summary>
    public string? OutputDirectory { get; init; }

    public NotebookRunOptions RunOptions { get; init; } = new();

    /// <summary>The .ipynb files named by <paramref name="inputs"/>: files as given, folders searched recursively.</summary>
    /// <returns>Each notebook with the path it gets under an output folder.</returns>
    public static IReadOnlyList<(string Path, string RelativeOutput)> Expand(IEnumerable<string> inputs)
    {
        var found = new List<(string, string)>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var files = Directory
                    .EnumerateFiles(input, "*.ipynb", SearchOption.AllDirectories)
                    .Where(f => !Path.GetRelativePath(input, f).Split(Path.DirectorySeparatorChar).Any(IsHidden))
                    .OrderBy(f => f, StringComparer.Ordinal);
                foreach (var file in files)
                    found.Add((file, Path.GetRelativePath(input, file)));
            }
            else if (File.Exists(input))
            {
                found.Add((input, Path.GetFileName(input)));
            }
            else
            {
                throw new FileNotFoundException($"{input}: no such notebook or folder.", input);
            }
        }
        return found;
    }

    private static bool IsHidden(string segment) =>
        segment.StartsWith('.') && segment is not "." and not ".." || segment == ".ipynb_checkpoints";

    /// <summary>Runs every notebook; stops early only when cancelled (Ctrl+C).</summary>
    public async Task<IReadOnlyList<NotebookOutcome>> RunAsync(
        IReadOnlyList<(string Path, string RelativeOutput)> notebooks,
        CancellationToken cancellationToken = default
    )
    {
        var outcomes = new List<NotebookOutcome>();
        foreach (var (path, relative) in notebooks)
        {
            if (cancellationToken.IsCancellationRequested)
                break;
            var outcome = await RunOneAsync(path, relative, cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
            _out.WriteLine(
                $"{(outcome.Succeeded ? "passed" : "FAILED")}  {path}  {Seconds(outcome.Elapsed)}"
                    + (outcome.OutputPath is { } o && Mode == OutputMode.Folder ? $"  -> {o}" : "")
            );
            if (!outcome.Succeeded)
                _error.WriteLine($"{path}, {outcome.Message}");
        }
        _out.WriteLine(Summary(outcomes));
        return outcomes;
    }

    /// <summary>"rnnbook: 3 notebooks run, 2 passed, 1 failed (a.ipynb 1.2 s, b.ipynb 0.4 s FAILED, …)".</summary>
    public static string Summary(IReadOnlyList<NotebookOutcome> outcomes)
    {
        int passed = outcomes.Count(o => o.Succeeded);
        string each = string.Join(
            ", ",
            outcomes.Select(o => $"{Path.GetFileName(o.Path)} {Seconds(o.Elapsed)}{(o.Succeeded ? "" : " FAILED")}")
        );
        return $"rnnbook: {outcomes.Count} notebook{(outcomes.Count == 1 ? "" : "s")} run, {passed} passed, "
            + $"{outcomes.Count - passed} failed"
            + (outcomes.Count > 0 ? $" ({each})" : "");
    }

    private async Task<NotebookOutcome> RunOneAsync(string path, string relative, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        NotebookFile notebook;
        NotebookRunResult result;
        try
        {
            notebook = NotebookFile.Load(path);
            result = await NotebookExecutor.ExecuteAsync(notebook, RunOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (NotebookFormatException e)
        {
            // The message already names the file; drop it so "path, message" reads once.
            string message =
                e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..]
                : e.Message.StartsWith(path + ", ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..]
                : e.Message;
            return new NotebookOutcome(path, false, message, clock.Elapsed, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted between cells (while compiling): nothing half-done is written.
            return new NotebookOutcome(path, false, "interrupted", clock.Elapsed, null);
        }
        string? target = Mode switch
        {
            OutputMode.InPlace => path,
            OutputMode.Folder => Path.Combine(OutputDirectory!, relative),
            _ => null,
        };
        if (target is not null)
            notebook.Save(target);
        return new NotebookOutcome(path, result.Succeeded, result.Message, clock.Elapsed, target)
        {
            KernelStartup = result.KernelStartup,
        };
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
