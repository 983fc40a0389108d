using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Execution;

/// <summary>How a notebook is run.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Papermill-style parameters (name, raw text), injected after the cell tagged "parameters".</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    /// <summary>A cell running longer than this fails the notebook; null: no limit.</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>
    /// Run with the current directory set to the notebook's folder, as VS Code and Jupyter do (the process
    /// has one current directory, so only one notebook at a time should run with this on).
    /// </summary>
    public bool UseNotebookDirectory { get; init; } = true;
}

/// <summary>What happened when a notebook ran.</summary>
/// <param name="FailedCell">1-based index of the failing cell (every cell counts), or null.</param>
/// <param name="Message">The failure, as "cell N: message", or null.</param>
public sealed record NotebookRunResult(
    bool Succeeded,
    int CellsExecuted,
    int? FailedCell,
    string? Message,
    TimeSpan Elapsed
);

/// <summary>
/// Executes a notebook's C# cells top to bottom in one fresh script state, as the .NET Interactive C#
/// kernel would: default imports (System, System.Text, System.Collections, System.Collections.Generic,
/// System.Threading.Tasks, System.Linq), <c>#r "path.dll"</c> resolved against the notebook's folder with
/// the DLL's dependencies found beside it, a <c>display</c> function, the trailing expression shown as
/// the cell's result, stdout/stderr captured per cell. Code is compiled with optimisations on. Outputs
/// and execution counts are written into the notebook's JSON; the first failing cell gets an error
/// output and stops the run.
/// </summary>
public static class NotebookExecutor
{
    public static readonly ImmutableArray<string> DefaultImports =
    [
        "System",
        "System.Text",
        "System.Collections",
        "System.Collections.Generic",
        "System.Threading.Tasks",
        "System.Linq",
    ];

    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(LoadFrameworkReferences);

    /// <summary>Runs the notebook and records outputs in it (the caller decides where to save it).</summary>
    public static async Task<NotebookRunResult> ExecuteAsync(
        NotebookDocument notebook,
        NotebookRunOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        options ??= new NotebookRunOptions();
        var clock = Stopwatch.StartNew();
        string directory = Path.GetDirectoryName(notebook.Path) ?? Directory.GetCurrentDirectory();

        Prepare(notebook, options);

        string? previousDirectory = null;
        if (options.UseNotebookDirectory)
        {
            previousDirectory = Directory.GetCurrentDirectory();
            Directory.SetCurrentDirectory(directory);
        }
        try
        {
            using var loader = new InteractiveAssemblyLoader();
            var scriptOptions = ScriptOptionsFor(directory);
            var globals = new NotebookGlobals();
            var state = await CSharpScript
                .Create("", scriptOptions, typeof(NotebookGlobals), loader)
                .RunAsync(globals, cancellationToken)
                .ConfigureAwait(false);

            string defaultKernel = DefaultKernel(notebook);
            int executed = 0;
            bool injected = false;
            for (int position = 0; position < notebook.CellArray.Count; position++)
            {
                var cell = new NotebookCell((JsonObject)notebook.CellArray[position]!, position + 1);
                if (!cell.IsCode || string.IsNullOrWhiteSpace(cell.Source))
                    continue;
                executed++;
                var outputs = new CellOutputs();
                var (next, failure) = await RunCellAsync(
                        cell,
                        KernelOf(cell, defaultKernel),
                        state,
                        scriptOptions,
                        outputs,
                        options.CellTimeout,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                cell.ExecutionCount = executed;
                cell.Node["outputs"] = outputs.ToJson(executed);
                if (failure is not null)
                    return new NotebookRunResult(
                        false,
                        executed,
                        cell.Index,
                        $"cell {cell.Index}: {failure}",
                        clock.Elapsed
                    );
                state = next!;

                if (!injected && options.Parameters.Count > 0 && cell.Tags.Contains(ParameterInjection.ParametersTag))
                {
                    InsertParameters(notebook, position + 1, options.Parameters, state);
                    injected = true;
                }
            }
            return new NotebookRunResult(true, executed, null, null, clock.Elapsed);
        }
        finally
        {
            ConsoleCapture.Route(null);
            if (previousDirectory is not null)
                Directory.SetCurrentDirectory(previousDirectory);
        }
    }

    /// <summary>
    /// nbformat 4.5 with ids; earlier injected-parameters cells removed; every code cell reset to "not run"
    /// (a cell after a failure must not show outputs of an earlier run); parameters injected at the top
    /// when no cell is tagged "parameters", as papermill does.
    /// </summary>
    private static void Prepare(NotebookDocument notebook, NotebookRunOptions options)
    {
        for (int i = notebook.CellArray.Count - 1; i >= 0; i--)
            if (notebook.Cells[i].Tags.Contains(ParameterInjection.InjectedTag))
                notebook.RemoveCellAt(i);
        notebook.UpgradeToNbformat45();
        foreach (var cell in notebook.Cells)
            if (cell.IsCode)
                cell.ClearOutputs();
        if (
            options.Parameters.Count > 0
            && !notebook.Cells.Any(c => c.IsCode && c.Tags.Contains(ParameterInjection.ParametersTag))
        )
            InsertParameters(notebook, 0, options.Parameters, state: null);
    }

    private static void InsertParameters(
        NotebookDocument notebook,
        int position,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        ScriptState? state
    )
    {
        var (source, error) = ParameterInjection.BuildSource(
            parameters,
            name => state?.Variables.LastOrDefault(v => v.Name == name)?.Type
        );
        string id = ParameterInjection.InjectedTag;
        var ids = notebook.Cells.Select(c => c.Id).ToHashSet();
        for (int n = 2; ids.Contains(id); n++)
            id = $"{ParameterInjection.InjectedTag}-{n}";
        var cell = notebook.InsertCell(
            position,
            new JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["id"] = id,
                ["metadata"] = new JsonObject
                {
                    ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                    ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
                    ["tags"] = new JsonArray(ParameterInjection.InjectedTag),
                },
                ["outputs"] = new JsonArray(),
                ["source"] = NotebookCell.SplitLines(source),
            }
        );
        if (error is not null)
        {
            // The cell is still shown, and fails with the reason as soon as the run reaches it.
            cell.Source = source + $"#error {error}\n";
        }
    }

    private static async Task<(ScriptState<object>? State, string? Failure)> RunCellAsync(
        NotebookCell cell,
        string kernel,
        ScriptState<object> state,
        ScriptOptions scriptOptions,
        CellOutputs outputs,
        TimeSpan? timeout,
        CancellationToken cancellationToken
    )
    {
        var (code, refusal) = CellSource.Prepare(cell.Source, kernel);
        if (code is null)
        {
            outputs.AddError("UnsupportedCell", refusal!, [refusal!]);
            return (null, refusal);
        }

        var script = state.Script.ContinueWith(code, scriptOptions);
        string[] errors;
        try
        {
            errors = script
                .Compile(cancellationToken)
                .Where(d => d.Severity == DiagnosticSeverity.Error)
                .Select(FormatDiagnostic)
                .ToArray();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outputs.AddError("Interrupted", "interrupted", ["interrupted"]);
            return (null, "interrupted");
        }
        if (errors.Length > 0)
        {
            outputs.AddError("CompilationError", string.Join("\n", errors), errors);
            return (null, errors[0]);
        }

        ScriptState<object> next;
        ConsoleCapture.Route(outputs);
        try
        {
            var run = Task.Run(() => script.RunFromAsync(state, _ => true, cancellationToken), CancellationToken.None);
            if (timeout is { } limit)
            {
                var finished = await Task.WhenAny(run, Task.Delay(limit, cancellationToken)).ConfigureAwait(false);
                if (finished != run)
                {
                    string why = cancellationToken.IsCancellationRequested
                        ? "interrupted"
                        : $"the cell ran longer than the limit of {limit.TotalSeconds:0.###} s (--timeout-per-cell)";
                    outputs.AddError(cancellationToken.IsCancellationRequested ? "Interrupted" : "Timeout", why, [why]);
                    return (null, why);
                }
            }
            next = await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outputs.AddError("Interrupted", "interrupted", ["interrupted"]);
            return (null, "interrupted");
        }
        finally
        {
            ConsoleCapture.Route(null);
        }

        if (next.Exception is { } thrown)
        {
            var exception = Unwrap(thrown);
            string name = exception.GetType().FullName ?? exception.GetType().Name;
            outputs.AddError(name, exception.Message, Traceback(exception));
            return (null, $"{name}: {exception.Message}");
        }
        if (next.ReturnValue is not null || HasTrailingValue(script))
            outputs.SetResult(DisplayFormatting.Format(next.ReturnValue));
        return (next, null);
    }

    private static string FormatDiagnostic(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        string where = d.Location.IsInSource
            ? $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): "
            : "";
        string message = $"{where}error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        // CS0006: a #r path that does not exist, most often the library not built yet.
        return d.Id == "CS0006"
            ? message
                + " (#r paths are relative to the notebook's folder; build the library with: dotnet build -c Release lib/RnnNotebooks)"
            : message;
    }

    /// <summary>Does the cell end in an expression without a semicolon whose type is not void?</summary>
    private static bool HasTrailingValue(Script script)
    {
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not CompilationUnitSyntax root)
            return false;
        if (
            root.Members.LastOrDefault()
            is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } e }
        )
            return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(e.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException { InnerException: { } inner }:
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

    /// <summary>The exception as .NET prints it, without the runner's and Roslyn's own frames.</summary>
    private static string[] Traceback(Exception e) =>
        e.ToString()
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split('\n')
            .Where(line =>
                !line.Contains(" at Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal)
                && !line.Contains(" at RnnNotebooks.Runner.", StringComparison.Ordinal)
                && !line.Contains(" at System.Runtime.CompilerServices.", StringComparison.Ordinal)
                && !line.Contains(" at System.Threading.", StringComparison.Ordinal)
                && !line.StartsWith("--- End of stack trace", StringComparison.Ordinal)
            )
            .ToArray();

    private static string DefaultKernel(NotebookDocument notebook)
    {
        var metadata = notebook.Metadata;
        if (
            metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"] is JsonValue v
            && v.TryGetValue<string>(out var name)
        )
            return name;
        if (metadata["kernelspec"]?["language"] is JsonValue l && l.TryGetValue<string>(out var language))
            return language switch
            {
                "C#" => "csharp",
                "F#" => "fsharp",
                "PowerShell" => "pwsh",
                _ => language,
            };
        return "csharp";
    }

    private static string KernelOf(NotebookCell cell, string defaultKernel)
    {
        var metadata = cell.Node["metadata"];
        if (metadata?["polyglot_notebook"]?["kernelName"] is JsonValue k && k.TryGetValue<string>(out var kernel))
            return kernel;
        if (metadata?["dotnet_interactive"]?["language"] is JsonValue l && l.TryGetValue<string>(out var language))
            return language;
        return defaultKernel;
    }

    private static ScriptOptions ScriptOptionsFor(string directory) =>
        ScriptOptions
            .Default.WithReferences(FrameworkReferences.Value)
            .AddReferences(typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithAllowUnsafe(true)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(false)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(directory));

    /// <summary>Every managed assembly of the shared framework, as the .NET Interactive kernel references.</summary>
    private static ImmutableArray<MetadataReference> LoadFrameworkReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        var builder = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!string.Equals(Path.GetDirectoryName(path), runtimeDirectory, StringComparison.Ordinal))
                continue;
            if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                continue;
            builder.Add(MetadataReference.CreateFromFile(path));
        }
        return builder.ToImmutable();
    }
}
