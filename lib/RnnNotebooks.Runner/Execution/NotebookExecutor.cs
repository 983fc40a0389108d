using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Execution;

/// <summary>Options for one notebook run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Papermill-style parameters (name, raw text), injected after the cell tagged "parameters".</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    /// <summary>A cell running longer than this is cancelled through the kernel and fails the notebook.</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>
    /// How long a cancelled cell may take to stop before rnnbook stops waiting for it (C# code that never
    /// looks at a cancellation token cannot be stopped by the kernel; the run goes on without it).
    /// </summary>
    public TimeSpan CancellationGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Run with the notebook's folder as the current directory, as VS Code and Jupyter do (#r paths and files resolve there).</summary>
    public bool UseNotebookDirectory { get; init; } = true;
}

/// <summary>The outcome of running one notebook.</summary>
/// <param name="FailedCell">1-based index of the failing cell (counting every cell), or null.</param>
/// <param name="Message">Why it failed, starting with "cell N: ", or null.</param>
/// <param name="KernelStartup">Time to create the kernel.</param>
public sealed record NotebookRunResult(
    bool Succeeded,
    int CellsExecuted,
    int? FailedCell,
    string? Message,
    TimeSpan Elapsed,
    TimeSpan KernelStartup = default
);

/// <summary>
/// Runs a notebook top to bottom in a new .NET Interactive C# kernel (Microsoft.DotNet.Interactive.CSharp,
/// the kernel VS Code and Jupyter use), hosted in-process: <c>#r</c> of DLL paths and of
/// <c>"nuget: Package, version"</c>, <c>#i</c> package sources, <c>display(...)</c> and the kernel's formatters
/// all behave as in a notebook editor. Outputs and execution counts are written into the notebook's cells; the
/// first failing cell gets an error output and stops the run.
/// </summary>
public static class NotebookExecutor
{
    private static readonly object FormatterGate = new();
    private static bool _formattersSet;

    /// <summary>The C# kernel as the dotnet-interactive tool builds it (#r nuget, kernel helpers such as display, value sharing).</summary>
    public static CompositeKernel CreateKernel()
    {
        UseNotebookFormatting();
        var csharp = new CSharpKernel()
            .UseNugetDirective(
                (kernel, references) =>
                {
                    kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                    return Task.CompletedTask;
                }
            )
            .UseKernelHelpers()
            .UseValueSharing();
        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = csharp.Name;
        return composite;
    }

    /// <summary>What the tool sets up for notebook front ends (Jupyter, VS Code): HTML by default, strings as plain text.</summary>
    internal static void UseNotebookFormatting()
    {
        lock (FormatterGate)
        {
            if (_formattersSet)
                return;
            Formatter.DefaultMimeType = HtmlFormatter.MimeType;
            Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
            _formattersSet = true;
        }
    }

    /// <summary>Runs the notebook and records outputs in it (the caller decides where to save it).</summary>
    public static async Task<NotebookRunResult> ExecuteAsync(
        NotebookFile notebook,
        NotebookRunOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        options ??= new NotebookRunOptions();
        var clock = Stopwatch.StartNew();
        string directory = Path.GetDirectoryName(notebook.Path) ?? Directory.GetCurrentDirectory();

        int parametersCell = Prepare(notebook, options);

        string? previousDirectory = null;
        if (options.UseNotebookDirectory)
        {
            previousDirectory = Directory.GetCurrentDirectory();
            Directory.SetCurrentDirectory(directory);
        }
        var outputs = new CellOutputs();
        CompositeKernel? kernel = null;
        bool abandoned = false;
        try
        {
            kernel = CreateKernel();
            var startup = clock.Elapsed;
            var csharp = kernel.ChildKernels.OfType<CSharpKernel>().Single();
            using var subscription = kernel.KernelEvents.Subscribe(new EventSink(outputs));

            string defaultKernel = notebook.DefaultKernel;
            int executed = 0;
            for (int position = 0; position < notebook.Elements.Count; position++)
            {
                var cell = notebook.Elements[position];
                if (!NotebookFile.IsCode(cell) || string.IsNullOrWhiteSpace(cell.Contents))
                    continue;
                executed++;
                cell.ExecutionOrder = executed;
                outputs.Begin(cell);
                var failure = await RunCellAsync(
                        kernel,
                        cell,
                        KernelOf(cell, defaultKernel),
                        outputs,
                        options,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                if (failure is not null)
                {
                    abandoned = failure.Abandoned;
                    Finish(notebook, outputs);
                    return new NotebookRunResult(
                        false,
                        executed,
                        position + 1,
                        $"cell {position + 1}: {failure.Message}",
                        clock.Elapsed,
                        startup
                    );
                }

                if (position == parametersCell && options.Parameters.Count > 0)
                {
                    var injected = InjectParameters(notebook, position, options.Parameters, csharp);
                    if (injected is not null)
                    {
                        Finish(notebook, outputs);
                        return new NotebookRunResult(
                            false,
                            executed,
                            position + 1,
                            $"cell {position + 1}: {injected}",
                            clock.Elapsed,
                            startup
                        );
                    }
                }
            }
            Finish(notebook, outputs);
            return new NotebookRunResult(true, executed, null, null, clock.Elapsed, startup);
        }
        finally
        {
            // A cell that ignored cancellation may still be running on its thread: leave that kernel to it.
            if (!abandoned)
                kernel?.Dispose();
            if (previousDirectory is not null)
                Directory.SetCurrentDirectory(previousDirectory);
        }
    }

    private static void Finish(NotebookFile notebook, CellOutputs outputs)
    {
        foreach (var cell in notebook.Elements)
            if (NotebookFile.IsCode(cell) && cell.ExecutionOrder > 0)
                outputs.WriteTo(cell);
    }

    /// <summary>
    /// Ids for every cell; earlier injected-parameters cells removed; every code cell reset to "not run" (a cell
    /// after a failure must not show outputs of an earlier run). Returns the position of the parameters cell.
    /// </summary>
    /// <exception cref="NotebookFormatException">Parameters are given but no cell is tagged "parameters".</exception>
    private static int Prepare(NotebookFile notebook, NotebookRunOptions options)
    {
        for (int i = notebook.Elements.Count - 1; i >= 0; i--)
            if (NotebookFile.Tags(notebook.Elements[i]).Contains(ParameterInjection.InjectedTag))
                notebook.Elements.RemoveAt(i);
        notebook.EnsureIds();
        foreach (var cell in notebook.Elements)
        {
            if (!NotebookFile.IsCode(cell))
                continue;
            cell.Outputs.Clear();
            cell.ExecutionOrder = 0;
        }
        int parameters = -1;
        for (int i = 0; i < notebook.Elements.Count; i++)
        {
            var cell = notebook.Elements[i];
            if (NotebookFile.IsCode(cell) && NotebookFile.Tags(cell).Contains(ParameterInjection.ParametersTag))
            {
                parameters = i;
                break;
            }
        }
        if (options.Parameters.Count > 0 && parameters < 0)
            throw new NotebookFormatException(
                $"{notebook.SourceName}: -p {options.Parameters[0].Key}=… was given, but no code cell is tagged \"parameters\" "
                    + "(tag the cell that declares the notebook's parameters: in VS Code, the cell's … menu > Add Cell Tag; "
                    + "in Jupyter, View > Cell Toolbar > Tags)."
            );
        return parameters;
    }

    /// <summary>Inserts the injected-parameters cell after the parameters cell; returns why it cannot, or null.</summary>
    private static string? InjectParameters(
        NotebookFile notebook,
        int parametersPosition,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CSharpKernel csharp
    )
    {
        var variables = csharp.ScriptState?.Variables ?? [];
        Type? Declared(string name) => variables.LastOrDefault(v => v.Name == name)?.Type;
        var unknown = parameters.Where(p => Declared(p.Key) is null).Select(p => p.Key).ToList();
        if (unknown.Count > 0)
        {
            var declared = variables.Select(v => v.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal);
            return $"unknown parameter{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown)} (-p): "
                + $"the notebook declares {string.Join(", ", declared)} by its \"parameters\" cell";
        }
        var (source, error) = ParameterInjection.BuildSource(parameters, Declared);
        string id = ParameterInjection.InjectedTag;
        var ids = notebook.Elements.Select(c => c.Id).ToHashSet();
        for (int n = 2; ids.Contains(id); n++)
            id = $"{ParameterInjection.InjectedTag}-{n}";
        var cell = new InteractiveDocumentElement(source, NotebookFile.CSharp)
        {
            Id = id,
            Metadata = new Dictionary<string, object> { ["tags"] = new object[] { ParameterInjection.InjectedTag } },
        };
        // A value that does not fit its type: the cell is still shown, and fails with the reason when run.
        if (error is not null)
            cell.Contents = source + $"#error {error}\n";
        notebook.Elements.Insert(parametersPosition + 1, cell);
        return null;
    }

    private sealed record Failure(string Message, bool Abandoned = false);

    private static async Task<Failure?> RunCellAsync(
        CompositeKernel kernel,
        InteractiveDocumentElement cell,
        string kernelName,
        CellOutputs outputs,
        NotebookRunOptions options,
        CancellationToken cancellationToken
    )
    {
        if (Refusal(cell.Contents, kernelName) is { } refusal)
        {
            outputs.AddError("UnsupportedCell", refusal, [refusal]);
            return new Failure(refusal);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.CellTimeout is { } timeout)
            limit.CancelAfter(timeout);
        var command = new SubmitCode(cell.Contents, NotebookFile.CSharp);
        var run = kernel.SendAsync(command, limit.Token);
        KernelCommandResult? result = null;
        bool stopped = true;
        try
        {
            // Wait for the cell; once it is cancelled, give it a grace period to stop, then move on without it.
            var cancelled = new TaskCompletionSource();
            using var registration = limit.Token.Register(() => cancelled.TrySetResult());
            var first = await Task.WhenAny(run, cancelled.Task).ConfigureAwait(false);
            if (first != run)
            {
                // Cancel through the kernel too, as a front end's stop button does.
                _ = kernel.SendAsync(new Cancel(), CancellationToken.None);
                stopped =
                    await Task.WhenAny(run, Task.Delay(options.CancellationGrace, CancellationToken.None))
                        .ConfigureAwait(false) == run;
            }
            if (run.IsCompletedSuccessfully)
                result = run.Result;
        }
        catch (OperationCanceledException) { }

        if (limit.IsCancellationRequested)
        {
            bool interrupted = cancellationToken.IsCancellationRequested;
            string why = interrupted
                ? "interrupted"
                : $"cancelled after the time limit of {options.CellTimeout!.Value.TotalSeconds:0.###} s (--timeout-per-cell)";
            if (!stopped)
                why += "; the cell did not stop when cancelled (it never checks for cancellation) and was abandoned";
            outputs.AddError(interrupted ? "Interrupted" : "Timeout", why, [why]);
            return new Failure(why, Abandoned: !stopped);
        }
        if (result is null)
        {
            string why = "the kernel did not return a result";
            outputs.AddError("KernelError", why, [why]);
            return new Failure(why);
        }
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
            return Failed(failed, outputs);
        return null;
    }

    private static Failure Failed(CommandFailed failed, CellOutputs outputs)
    {
        switch (failed.Exception)
        {
            case CodeSubmissionCompilationErrorException:
            case null when failed.Message.Contains("error CS", StringComparison.Ordinal):
            {
                var errors = failed
                    .Message.Replace("\r\n", "\n", StringComparison.Ordinal)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var hinted = errors.Select(Hint).ToArray();
                outputs.AddError("CompilationError", string.Join("\n", hinted), hinted);
                return new Failure(
                    hinted.FirstOrDefault(e => e.Contains(": error ", StringComparison.Ordinal)) ?? hinted[0]
                );
            }
            case null:
                outputs.AddError("Error", failed.Message, [failed.Message]);
                return new Failure(failed.Message);
            default:
                var exception = Unwrap(failed.Exception);
                string name = exception.GetType().FullName ?? exception.GetType().Name;
                outputs.AddError(name, exception.Message, Traceback(exception));
                return new Failure($"{name}: {exception.Message}");
        }
    }

    /// <summary>CS0006, a #r path that does not exist: most often the library has not been built yet.</summary>
    private static string Hint(string error) =>
        error.Contains("error CS0006", StringComparison.Ordinal)
            ? error
                + " (#r paths are relative to the notebook's folder; build the library with: dotnet build -c Release lib/RnnNotebooks)"
            : error;

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case System.Reflection.TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    continue;
                default:
                    return e;
            }
        }
    }

    /// <summary>The exception as .NET prints it, without the kernel's and the runner's own frames.</summary>
    private static string[] Traceback(Exception e) =>
        e.ToString()
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split('\n')
            .Where(line =>
                !line.Contains(" at Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal)
                && !line.Contains(" at Microsoft.DotNet.Interactive.", StringComparison.Ordinal)
                && !line.Contains(" at RnnNotebooks.Runner.", StringComparison.Ordinal)
                && !line.Contains(" at System.Runtime.CompilerServices.", StringComparison.Ordinal)
                && !line.Contains(" at System.Threading.", StringComparison.Ordinal)
                && !line.StartsWith("--- End of stack trace", StringComparison.Ordinal)
            )
            .ToArray();

    private static readonly HashSet<string> CSharpNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "csharp",
        "c#",
        "cs",
    };

    /// <summary>Why a cell cannot run in the C# kernel (another language), or null.</summary>
    private static string? Refusal(string source, string kernelName)
    {
        if (!CSharpNames.Contains(kernelName))
            return RefuseKernel(kernelName);
        string first = source.TrimStart();
        if (first.StartsWith("#!", StringComparison.Ordinal))
        {
            string name = first[2..].Split((char[])[' ', '\t', '\r', '\n'], 2)[0];
            if (!CSharpNames.Contains(name) && KnownKernels.Contains(name))
                return RefuseKernel(name);
        }
        return null;
    }

    private static readonly HashSet<string> KnownKernels = new(StringComparer.OrdinalIgnoreCase)
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

    private static string RefuseKernel(string kernel) =>
        $"this is a #!{kernel.ToLowerInvariant()} cell; rnnbook runs C# cells only (open the notebook in VS Code with Polyglot Notebooks for other kernels)";

    /// <summary>The cell's kernel: its metadata, else the notebook's default kernel.</summary>
    private static string KernelOf(InteractiveDocumentElement cell, string defaultKernel) =>
        NotebookFile.Lookup(cell.Metadata, "polyglot_notebook", "kernelName") as string
        ?? NotebookFile.Lookup(cell.Metadata, "dotnet_interactive", "language") as string
        ?? defaultKernel;

    private sealed class EventSink(CellOutputs outputs) : IObserver<KernelEvent>
    {
        public void OnNext(KernelEvent value) => outputs.OnEvent(value);

        public void OnError(Exception error) { }

        public void OnCompleted() { }
    }
}
