using System.Globalization;
using RnnNotebooks.Runner.Execution;
using RnnNotebooks.Runner.Export;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner;

/// <summary>
/// The <c>rnnbook</c> command line. Exit codes: 0 success, 1 a notebook failed (or lint found problems),
/// 2 bad usage, 130 interrupted (Ctrl+C).
/// </summary>
public static class Cli
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Interrupted = 130;

    public const string HelpText = """
        rnnbook: runs the workbook's C# notebooks headless, like the .NET Interactive kernel.

        Usage:
          rnnbook run <notebook or folder>... [--in-place | --out DIR] [-p NAME=VALUE]... [--timeout-per-cell SECONDS]
              Executes each notebook top to bottom in a fresh C# state. Folders are searched for *.ipynb.
              --in-place        write outputs back into each notebook (atomically)
              --out DIR         write executed copies to DIR (the originals stay untouched)
              -p NAME=VALUE     papermill parameter, injected after the cell tagged "parameters"
              --timeout-per-cell SECONDS   fail a cell that runs longer
          rnnbook export --html <notebook> [--out FILE]
              Writes a static HTML page (default: the notebook's path with .html).
          rnnbook lint <notebook or folder>... [--fix]
              Checks Polyglot/.NET Interactive metadata, nbformat 4.5 and cell ids; --fix repairs them.
          rnnbook new <path.ipynb> [--title TEXT]
              Creates a notebook with the workbook's metadata, set-up cell and parameters cell.

        Exit code: 0 all passed, 1 a notebook failed, 2 bad usage, 130 interrupted.
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                output.WriteLine(HelpText);
                return args.Length == 0 ? Usage : Success;
            }
            var rest = args[1..];
            return args[0] switch
            {
                "run" => RunNotebooks(rest, output, error),
                "export" => Export(rest, output),
                "lint" => Lint(rest, output, error),
                "new" => New(rest, output),
                _ => throw new UsageException($"unknown command '{args[0]}' (expected run, export, lint or new)"),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"rnnbook: {e.Message}");
            error.WriteLine("Run 'rnnbook --help' for usage.");
            return Usage;
        }
        catch (NotebookFormatException e)
        {
            error.WriteLine($"rnnbook: {e.Message}");
            return Failed;
        }
        catch (FileNotFoundException e)
        {
            error.WriteLine($"rnnbook: {e.Message}");
            return Usage;
        }
    }

    private static int RunNotebooks(string[] args, TextWriter output, TextWriter error)
    {
        var inputs = new List<string>();
        var parameters = new List<KeyValuePair<string, string>>();
        bool inPlace = false;
        string? outDir = null;
        TimeSpan? timeout = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--in-place":
                    inPlace = true;
                    break;
                case "--out":
                    outDir = Value(args, ref i);
                    break;
                case "-p":
                case "--parameter":
                    parameters.Add(Parameter(Value(args, ref i)));
                    break;
                case "--timeout-per-cell":
                    string seconds = Value(args, ref i);
                    if (
                        !double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
                        || !(s > 0)
                    )
                        throw new UsageException(
                            $"--timeout-per-cell needs a positive number of seconds, got '{seconds}'"
                        );
                    timeout = TimeSpan.FromSeconds(s);
                    break;
                default:
                    if (args[i].StartsWith('-'))
                        throw new UsageException($"unknown option '{args[i]}' for run");
                    inputs.Add(args[i]);
                    break;
            }
        }
        if (inputs.Count == 0)
            throw new UsageException("run needs at least one notebook or folder");
        if (inPlace && outDir is not null)
            throw new UsageException("--in-place and --out cannot be used together");
        if (parameters.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new UsageException($"parameter '{duplicate.Key}' is given twice");

        var notebooks = NotebookBatch.Expand(inputs);
        if (
            outDir is not null
            && notebooks.GroupBy(n => n.RelativeOutput).FirstOrDefault(g => g.Count() > 1) is { } clash
        )
            throw new UsageException($"two notebooks would be written to {Path.Combine(outDir, clash.Key)}");

        var batch = new NotebookBatch(output, error)
        {
            Mode =
                inPlace ? OutputMode.InPlace
                : outDir is not null ? OutputMode.Folder
                : OutputMode.None,
            OutputDirectory = outDir,
            RunOptions = new NotebookRunOptions { Parameters = parameters, CellTimeout = timeout },
        };

        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl+C: stop after recording the interruption and writing (atomically) what ran.
            // A second one ends the process the usual way; the notebook files are never half-written.
            if (!interrupt.IsCancellationRequested)
            {
                e.Cancel = true;
                interrupt.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var outcomes = batch.RunAsync(notebooks, interrupt.Token).GetAwaiter().GetResult();
            if (interrupt.IsCancellationRequested)
                return Interrupted;
            return outcomes.All(o => o.Succeeded) ? Success : Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Export(string[] args, TextWriter output)
    {
        string? input = null;
        string? outFile = null;
        bool html = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--html":
                    html = true;
                    break;
                case "--out":
                    outFile = Value(args, ref i);
                    break;
                default:
                    if (args[i].StartsWith('-'))
                        throw new UsageException($"unknown option '{args[i]}' for export");
                    if (input is not null)
                        throw new UsageException("export takes one notebook");
                    input = args[i];
                    break;
            }
        }
        if (!html)
            throw new UsageException("export needs a format: --html");
        if (input is null)
            throw new UsageException("export needs a notebook");
        if (!File.Exists(input))
            throw new FileNotFoundException($"{input}: no such notebook.", input);
        var notebook = NotebookDocument.Load(input);
        outFile ??= Path.ChangeExtension(input, ".html");
        AtomicFile.WriteAllText(outFile, HtmlExporter.Export(notebook));
        output.WriteLine($"rnnbook: wrote {outFile}");
        return Success;
    }

    private static int Lint(string[] args, TextWriter output, TextWriter error)
    {
        bool fix = args.Contains("--fix");
        var inputs = args.Where(a => a != "--fix").ToList();
        if (inputs.FirstOrDefault(a => a.StartsWith('-')) is { } unknown)
            throw new UsageException($"unknown option '{unknown}' for lint");
        if (inputs.Count == 0)
            throw new UsageException("lint needs at least one notebook or folder");
        int problems = 0;
        var notebooks = NotebookBatch.Expand(inputs);
        foreach (var (path, _) in notebooks)
        {
            NotebookDocument notebook;
            try
            {
                notebook = NotebookDocument.Load(path);
            }
            catch (NotebookFormatException e)
            {
                error.WriteLine(e.Message);
                problems++;
                continue;
            }
            var found = NotebookLinter.Check(notebook);
            if (found.Count > 0 && fix)
            {
                NotebookLinter.Fix(notebook);
                notebook.Save(path);
                output.WriteLine($"fixed  {path}  ({found.Count} problem{(found.Count == 1 ? "" : "s")})");
                continue;
            }
            foreach (var problem in found)
                error.WriteLine($"{path}: {problem}");
            problems += found.Count;
        }
        output.WriteLine(
            $"rnnbook lint: {notebooks.Count} notebook{(notebooks.Count == 1 ? "" : "s")} checked, {problems} problem{(problems == 1 ? "" : "s")}"
        );
        return problems == 0 ? Success : Failed;
    }

    private static int New(string[] args, TextWriter output)
    {
        string? path = null;
        string? title = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--title")
                title = Value(args, ref i);
            else if (args[i].StartsWith('-'))
                throw new UsageException($"unknown option '{args[i]}' for new");
            else if (path is null)
                path = args[i];
            else
                throw new UsageException("new takes one path");
        }
        if (path is null)
            throw new UsageException("new needs the path of the notebook to create");
        if (File.Exists(path))
            throw new UsageException($"{path} already exists");
        var notebook = NotebookLinter.NewNotebook(title ?? Path.GetFileNameWithoutExtension(path), path);
        notebook.Save(path);
        output.WriteLine($"rnnbook: created {path}");
        return Success;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
            throw new UsageException($"{args[i]} needs a value");
        return args[++i];
    }

    private static KeyValuePair<string, string> Parameter(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0)
            throw new UsageException($"-p needs NAME=VALUE, got '{text}'");
        string name = text[..eq].Trim();
        if (!ParameterInjection.IsValidName(name))
            throw new UsageException($"-p {text}: '{name}' is not a valid C# variable name");
        return new(name, text[(eq + 1)..]);
    }

    private sealed class UsageException(string message) : Exception(message);
}
