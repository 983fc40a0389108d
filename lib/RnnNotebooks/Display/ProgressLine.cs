using System.Diagnostics;
using System.Reflection;

namespace RnnNotebooks.Display;

/// <summary>
/// One line of progress that updates in place in a notebook and leaves only its final text behind. Notebooks use it
/// as RnnNotebooks.Notebooks' <c>LiveLine</c>; it lives here, in the lowest namespace, because the engine's own
/// progress (Fit's epoch bar) needs it too.
/// <para>
/// Inside a .NET Interactive kernel (VS Code's Polyglot Notebooks, Jupyter's .NET kernel, rnnbook) the first
/// <see cref="Report"/> displays the text as an output of the running cell and later reports replace it in place
/// (<c>KernelInvocationContext.Current.Display(…)</c> and <c>DisplayedValue.Update</c>; Jupyter's
/// <c>update_display_data</c>), at most once per <see cref="UpdateInterval"/>; <see cref="Complete(string?)"/> shows
/// the final text, which is what the saved notebook keeps: one tidy line.
/// </para>
/// <para>
/// Anywhere else (a console, tests, scripts) reports are not shown and <see cref="Complete(string?)"/> writes the
/// final text as one line to the writer (Console.Out by default).
/// </para>
/// The kernel is found at run time by reflection, so the library does not depend on Microsoft.DotNet.Interactive.
/// <example><code>
/// using var line = new LiveLine();   // RnnNotebooks.Notebooks.LiveLine, this class under its notebook name
/// trainer.Log = line.Report;          // each progress line replaces the last
/// var vectors = trainer.Train(tokens); // Dispose (or Complete) keeps the last line
/// </code></example>
/// </summary>
public class ProgressLine : IProgress<string>, IDisposable
{
    private readonly object _gate = new();
    private readonly TextWriter? _writer;
    private readonly Stopwatch _sinceShown = new();
    private object? _display; // the kernel's DisplayedValue, once shown
    private string? _last;
    private string? _shown;
    private bool _completed;

    /// <param name="writer">Where the final line goes outside a kernel (default: Console.Out at completion).</param>
    public ProgressLine(TextWriter? writer = null) => _writer = writer;

    /// <summary>At most one in-place update per this interval (the first and the final text are always shown). Default 0.25 s.</summary>
    public static TimeSpan UpdateInterval { get; set; } = TimeSpan.FromSeconds(0.25);

    /// <summary>True when the calling code runs in a cell of a .NET Interactive kernel.</summary>
    public static bool InKernel => KernelDisplay.CurrentContext() is not null;

    /// <summary>The last text reported or completed, or null.</summary>
    public string? Text
    {
        get
        {
            lock (_gate)
                return _last;
        }
    }

    /// <summary>True when this line shows in a kernel display (its first report found a kernel).</summary>
    public bool IsLive
    {
        get
        {
            lock (_gate)
                return _display is not null;
        }
    }

    /// <summary>
    /// True when a <see cref="Report"/> now would be shown: the line is live in a kernel, not completed, and
    /// <see cref="UpdateInterval"/> has passed. Lets callers skip formatting text nobody will see.
    /// </summary>
    public bool WantsReport
    {
        get
        {
            lock (_gate)
                return !_completed && (_shown is null || _display is not null && _sinceShown.Elapsed >= UpdateInterval);
        }
    }

    /// <summary>Shows <paramref name="text"/> in place of the previous one (in a kernel; throttled); elsewhere only remembers it.</summary>
    public void Report(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            if (_completed)
                return;
            _last = text;
            if (_display is null)
            {
                if (_shown is not null)
                    return; // no kernel was found at the first report
                _shown = text;
                _display = KernelDisplay.TryShow(text);
                _sinceShown.Restart();
                return;
            }
            if (_sinceShown.Elapsed < UpdateInterval)
                return;
            Show(text);
        }
    }

    /// <summary>
    /// Ends the line with <paramref name="finalText"/> (null: the last reported text): in a kernel the display shows
    /// it for good; elsewhere it is written as one line. Later reports and completions are ignored.
    /// </summary>
    public void Complete(string? finalText = null)
    {
        lock (_gate)
        {
            if (_completed)
                return;
            _completed = true;
            finalText ??= _last;
            if (finalText is null)
                return;
            _last = finalText;
            if (_display is null && _shown is null)
                _display = KernelDisplay.TryShow(finalText);
            if (_display is not null)
            {
                if (_shown != finalText)
                    Show(finalText);
                return;
            }
            var writer = _writer ?? Console.Out;
            writer.WriteLine(finalText);
            writer.Flush();
        }
    }

    /// <summary>Completes the line with its last text.</summary>
    public void Dispose() => Complete();

    private void Show(string text)
    {
        KernelDisplay.Update(_display!, text);
        _shown = text;
        _sinceShown.Restart();
    }

    /// <summary>The kernel's display API, looked up once by reflection.</summary>
    private static class KernelDisplay
    {
        private const string AssemblyName = "Microsoft.DotNet.Interactive";
        private static readonly object Gate = new();
        private static Api? _api;

        private sealed record Api(PropertyInfo Current, MethodInfo Display, MethodInfo Update);

        public static object? CurrentContext() => Find() is { } api ? api.Current.GetValue(null) : null;

        /// <summary>Displays <paramref name="text"/> as text/plain in the current cell; null outside a kernel.</summary>
        public static object? TryShow(string text)
        {
            if (Find() is not { } api || api.Current.GetValue(null) is not { } context)
                return null;
            try
            {
                return api.Display.Invoke(null, [context, text, new[] { "text/plain" }]);
            }
            catch (TargetInvocationException)
            {
                return null; // the kernel refused (e.g. the cell is ending): the line goes to the console instead
            }
        }

        /// <summary>Progress never stops the work it reports on: a failed update is skipped.</summary>
        public static void Update(object displayed, string text)
        {
            try
            {
                Find()!.Update.Invoke(displayed, [text]);
            }
            catch (TargetInvocationException) { }
        }

        private static Api? Find()
        {
            if (Volatile.Read(ref _api) is { } found)
                return found;
            lock (Gate)
            {
                if (_api is not null)
                    return _api;
                var assembly = AppDomain
                    .CurrentDomain.GetAssemblies()
                    .FirstOrDefault(a => a.GetName().Name == AssemblyName);
                if (assembly is null)
                    return null; // not loaded (yet): looked for again next time
                var context = assembly.GetType(AssemblyName + ".KernelInvocationContext");
                var current = context?.GetProperty("Current", BindingFlags.Public | BindingFlags.Static);
                var display = assembly
                    .GetType(AssemblyName + ".KernelInvocationContextExtensions")
                    ?.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .FirstOrDefault(m =>
                        m.Name == "Display"
                        && m.GetParameters() is [var c, var v, var mimes]
                        && c.ParameterType == context
                        && v.ParameterType == typeof(object)
                        && mimes.ParameterType == typeof(string[])
                    );
                var update = display?.ReturnType.GetMethod("Update", [typeof(object)]);
                if (current is null || display is null || update is null)
                    return null; // another release without this API: progress goes to the console
                _api = new Api(current, display, update);
                return _api;
            }
        }
    }
}
