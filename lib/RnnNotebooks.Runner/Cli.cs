using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using RnnNotebooks.Runner.Execution;
using RnnNotebooks.Runner.Export;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner;

/// <summary>
/// The <c>rnnbook</c> command line (System.CommandLine). Exit codes: 0 success, 1 a notebook failed (or lint
/// found problems), 2 bad usage, 130 interrupted (Ctrl+C).
/// </summary>
public static class Cli
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Interrupted = 130;

    private const string Name = "rnnbook";

    private static readonly string[] Verbs = ["run", "export", "book", "lint", "new"];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int Guard(string verb, Func<int> action)
        {
            try
            {
                return action();
            }
            catch (UsageException e)
            {
                error.WriteLine($"rnnbook: {e.Message}");
                error.WriteLine($"Run 'rnnbook {verb} --help' for usage.");
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

        var root = BuildCommand(Guard);
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        if (args.Length == 0)
        {
            root.Parse(["--help"]).Invoke(configuration);
            return Usage;
        }
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            var command = parsed.CommandResult.Command;
            string help = command == root ? "rnnbook --help" : $"rnnbook {command.Name} --help";
            foreach (var e in parsed.Errors)
                error.WriteLine($"rnnbook: {Explain(e, command, root, parsed)}");
            error.WriteLine($"Run '{help}' for usage.");
            return Usage;
        }
        // An unknown option after a verb that takes paths arrives as a path: refuse it with the valid options.
        if (
            parsed.Action is not HelpAction
            && parsed.CommandResult.Command != root
            && parsed.CommandResult.Tokens.FirstOrDefault(t =>
                t.Type == TokenType.Argument && t.Value.StartsWith('-') && t.Value.Length > 1
            )
                is { } option
        )
        {
            var command = parsed.CommandResult.Command;
            error.WriteLine($"rnnbook: {UnknownOption(option.Value, command)}");
            error.WriteLine($"Run 'rnnbook {command.Name} --help' for usage.");
            return Usage;
        }
        return parsed.Invoke(configuration);
    }

    private static string UnknownOption(string token, Command command)
    {
        var valid = command
            .Options.Select(o => string.Join("/", o.Aliases.Append(o.Name).Distinct().OrderBy(a => a.Length)))
            .ToList();
        return $"unknown option '{token}' for {command.Name} (valid options: {string.Join(", ", valid)})";
    }

    /// <summary>The command line: every verb and option, with its help.</summary>
    public static Command BuildCommand(Func<string, Func<int>, int> guard)
    {
        // A root named rnnbook (a RootCommand takes the host's name: dotnet, or testhost under tests).
        var root = new Command(
            Name,
            "rnnbook: runs the workbook's C# notebooks headless in the .NET Interactive C# kernel, checks their "
                + "metadata, creates new ones, exports them as pages and builds the book (a static site).\n"
                + "Exit code: 0 all passed, 1 a notebook failed (or lint found problems), 2 bad usage, 130 interrupted."
        );

        var runInputs = new Argument<string[]>("notebooks")
        {
            Description = "Notebooks (.ipynb) or folders (searched recursively for *.ipynb).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var inPlace = new Option<bool>("--in-place")
        {
            Description = "Write the outputs back into each notebook (atomically).",
        };
        var runOut = new Option<string?>("--out")
        {
            Description = "Write executed copies to this folder (the originals stay untouched).",
            HelpName = "DIR",
        };
        var parameter = new Option<string[]>("--parameter", "-p")
        {
            Description =
                "Papermill-style parameter, assigned in a cell inserted after the cell tagged \"parameters\" (repeatable).",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var timeout = new Option<string?>("--timeout-per-cell")
        {
            Description = "Cancel a cell that runs longer (through the kernel) and fail the notebook.",
            HelpName = "SECONDS",
        };
        var run = new Command("run", "Execute each notebook top to bottom, each in a new .NET Interactive C# kernel.")
        {
            runInputs,
            inPlace,
            runOut,
            parameter,
            timeout,
        };
        run.SetAction(r =>
            guard(
                "run",
                () =>
                    RunNotebooks(
                        r.GetValue(runInputs) ?? [],
                        r.GetValue(inPlace),
                        r.GetValue(runOut),
                        r.GetValue(parameter) ?? [],
                        r.GetValue(timeout),
                        r.InvocationConfiguration.Output,
                        r.InvocationConfiguration.Error
                    )
            )
        );

        var exportInput = new Argument<string[]>("notebook")
        {
            Description = "The notebook to export.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var html = new Option<bool>("--html") { Description = "Write a static HTML page (the only format)." };
        var exportOut = new Option<string?>("--out")
        {
            Description = "The page to write (default: the notebook's path with .html).",
            HelpName = "FILE",
        };
        var export = new Command(
            "export",
            "Write a notebook as a static page (math by KaTeX, code by Roslyn) with its assets/ folder beside it."
        )
        {
            exportInput,
            html,
            exportOut,
        };
        export.SetAction(r =>
            guard(
                "export",
                () =>
                    Export(
                        r.GetValue(exportInput) ?? [],
                        r.GetValue(html),
                        r.GetValue(exportOut),
                        r.InvocationConfiguration.Output,
                        r.InvocationConfiguration.Error
                    )
            )
        );

        var bookInputs = new Argument<string[]>("notebooks")
        {
            Description = "Executed notebooks (.ipynb) or folders, in chapter order by file name.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var bookOut = new Option<string?>("--out")
        {
            Description =
                "The folder to write the site to (required): index.html, one page per notebook, assets/, img/.",
            HelpName = "DIR",
        };
        var bookTitle = new Option<string?>("--title")
        {
            Description = "The book's title (default: RnnNotebooks).",
            HelpName = "TEXT",
        };
        var book = new Command(
            "book",
            "Build a static site from executed notebooks: an index of the chapters, one page per notebook with its "
                + "contents and previous/next links; it reads from file:// with no network."
        )
        {
            bookInputs,
            bookOut,
            bookTitle,
        };
        book.SetAction(r =>
            guard(
                "book",
                () =>
                    Book(
                        r.GetValue(bookInputs) ?? [],
                        r.GetValue(bookOut),
                        r.GetValue(bookTitle),
                        r.InvocationConfiguration.Output,
                        r.InvocationConfiguration.Error
                    )
            )
        );

        var lintInputs = new Argument<string[]>("notebooks")
        {
            Description = "Notebooks (.ipynb) or folders.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var fix = new Option<bool>("--fix") { Description = "Repair what is reported (every other key is kept)." };
        var lint = new Command(
            "lint",
            "Check Polyglot/.NET Interactive metadata (kernelspec, kernelInfo, cell kernels), nbformat 4.5 and cell ids."
        )
        {
            lintInputs,
            fix,
        };
        lint.SetAction(r =>
            guard(
                "lint",
                () =>
                    Lint(
                        r.GetValue(lintInputs) ?? [],
                        r.GetValue(fix),
                        r.InvocationConfiguration.Output,
                        r.InvocationConfiguration.Error
                    )
            )
        );

        var newPath = new Argument<string[]>("path")
        {
            Description = "The notebook to create (.ipynb); an existing file is never overwritten.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var title = new Option<string?>("--title")
        {
            Description = "The title (default: the file name).",
            HelpName = "TEXT",
        };
        var create = new Command(
            "new",
            "Create a notebook with the workbook's metadata, set-up cell (#r of the library) and parameters cell."
        )
        {
            newPath,
            title,
        };
        create.SetAction(r =>
            guard("new", () => New(r.GetValue(newPath) ?? [], r.GetValue(title), r.InvocationConfiguration.Output))
        );

        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Subcommands.Add(run);
        root.Subcommands.Add(export);
        root.Subcommands.Add(book);
        root.Subcommands.Add(lint);
        root.Subcommands.Add(create);
        return root;
    }

    /// <summary>A parse error in words that say what is valid.</summary>
    private static string Explain(ParseError e, Command command, Command root, ParseResult parsed)
    {
        string? token = parsed.UnmatchedTokens.FirstOrDefault(t =>
            e.Message.Contains($"'{t}'", StringComparison.Ordinal)
        );
        if (token is null)
            return e.Message;
        if (command == root)
            return token.StartsWith('-')
                ? $"unknown option '{token}' (valid: --help, --version, or a command: {string.Join(", ", Verbs)})"
                : $"unknown command '{token}' (expected run, export, book, lint or new)";
        return token.StartsWith('-')
            ? UnknownOption(token, command)
            : $"unexpected argument '{token}' for {command.Name}";
    }

    private static int RunNotebooks(
        string[] inputs,
        bool inPlace,
        string? outDir,
        string[] parameterTexts,
        string? timeoutText,
        TextWriter output,
        TextWriter error
    )
    {
        var parameters = parameterTexts.Select(Parameter).ToList();
        TimeSpan? timeout = null;
        if (timeoutText is not null)
        {
            if (!double.TryParse(timeoutText, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || !(s > 0))
                throw new UsageException($"--timeout-per-cell needs a positive number of seconds, got '{timeoutText}'");
            timeout = TimeSpan.FromSeconds(s);
        }
        if (inputs.Length == 0)
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

    private static int Export(string[] inputs, bool html, string? outFile, TextWriter output, TextWriter error)
    {
        if (!html)
            throw new UsageException("export needs a format: --html");
        if (inputs.Length == 0)
            throw new UsageException("export needs a notebook");
        if (inputs.Length > 1)
            throw new UsageException("export takes one notebook");
        string input = inputs[0];
        if (!File.Exists(input))
            throw new FileNotFoundException($"{input}: no such notebook.", input);
        // The exporter reads the notebook's JSON itself (it renders every output kind Jupyter knows).
        var notebook = NotebookDocument.Load(input);
        outFile ??= Path.ChangeExtension(input, ".html");
        var problems = HtmlExporter.ExportFile(notebook, outFile);
        foreach (var problem in problems)
            error.WriteLine($"rnnbook: {problem}");
        output.WriteLine($"rnnbook: wrote {outFile} (and its assets/ folder)");
        return problems.Count == 0 ? Success : Failed;
    }

    private static int Book(string[] inputs, string? outDir, string? title, TextWriter output, TextWriter error)
    {
        if (outDir is null)
            throw new UsageException("book needs --out DIR, the folder to write the site to");
        if (inputs.Length == 0)
            throw new UsageException("book needs the executed notebooks or their folder (e.g. rnnbook book notebooks)");
        var paths = NotebookBatch.Expand(inputs).Select(n => n.Path).ToList();
        if (paths.Count == 0)
            throw new UsageException($"no notebooks (.ipynb) in {string.Join(", ", inputs)}");
        var result = BookBuilder.Build(paths, outDir, title ?? BookBuilder.DefaultTitle);
        foreach (var problem in result.Problems)
            error.WriteLine($"rnnbook: {problem}");
        output.WriteLine(
            $"rnnbook: wrote {result.Pages.Count} page{(result.Pages.Count == 1 ? "" : "s")} and "
                + $"{Path.Combine(outDir, "index.html")}; open it in a browser (no network needed)"
        );
        return result.Problems.Count == 0 ? Success : Failed;
    }

    private static int Lint(string[] inputs, bool fix, TextWriter output, TextWriter error)
    {
        if (inputs.Length == 0)
            throw new UsageException("lint needs at least one notebook or folder");
        int problems = 0;
        var notebooks = NotebookBatch.Expand(inputs);
        foreach (var (path, _) in notebooks)
        {
            NotebookFile notebook;
            try
            {
                notebook = NotebookFile.Load(path);
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

    private static int New(string[] paths, string? title, TextWriter output)
    {
        if (paths.Length == 0)
            throw new UsageException("new needs the path of the notebook to create");
        if (paths.Length > 1)
            throw new UsageException("new takes one path");
        string path = paths[0];
        if (File.Exists(path))
            throw new UsageException($"{path} already exists");
        var notebook = NotebookLinter.NewNotebook(title ?? Path.GetFileNameWithoutExtension(path), path);
        notebook.Save(path);
        output.WriteLine($"rnnbook: created {path}");
        return Success;
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
