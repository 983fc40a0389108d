using System.Text;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// The outputs of a notebook's cells, built from the kernel's events the way Jupyter's client (nbclient)
/// records them: text on stdout/stderr (consecutive writes to one stream merge into one output), displayed
/// values, the cell's return value, and an error. A displayed value that is updated later
/// (<c>DisplayedValue.Update</c>, even from a later cell) keeps one output that holds the last value, as
/// Jupyter's <c>update_display_data</c> does. Thread-safe: a cell may print from worker threads.
/// </summary>
internal sealed class CellOutputs
{
    private readonly object _gate = new();
    private readonly Dictionary<InteractiveDocumentElement, List<Output>> _byCell = new();
    private readonly Dictionary<string, List<Output>> _displays = new(StringComparer.Ordinal);
    private InteractiveDocumentElement? _current;

    /// <summary>The cell that receives the events from now on.</summary>
    public void Begin(InteractiveDocumentElement cell)
    {
        lock (_gate)
        {
            _current = cell;
            _byCell[cell] = [];
        }
    }

    public void OnEvent(KernelEvent e)
    {
        switch (e)
        {
            case StandardOutputValueProduced o:
                AppendStream("stdout", PlainText(o));
                break;
            case StandardErrorValueProduced o:
                AppendStream("stderr", PlainText(o));
                break;
            case DisplayedValueProduced d:
                Add(new Output(OutputKind.Display) { Data = Bundle(d) }, d.ValueId);
                break;
            case DisplayedValueUpdated u:
                Update(u);
                break;
            case ReturnValueProduced r when r.Value is not DisplayedValue:
                Add(new Output(OutputKind.Result) { Data = Bundle(r) }, r.ValueId);
                break;
        }
    }

    public void AddError(string name, string value, IReadOnlyList<string> traceback) =>
        Add(
            new Output(OutputKind.Error)
            {
                Name = name,
                Text = new StringBuilder(value),
                Traceback = traceback,
            },
            null
        );

    /// <summary>Writes the recorded outputs into each cell (a cell's execution count goes to its result).</summary>
    public void WriteTo(InteractiveDocumentElement cell)
    {
        lock (_gate)
        {
            cell.Outputs.Clear();
            if (!_byCell.TryGetValue(cell, out var outputs))
                return;
            foreach (var o in outputs)
            {
                switch (o.Kind)
                {
                    case OutputKind.Stream:
                        cell.Outputs.Add(new TextElement(o.Text.ToString(), o.Name));
                        break;
                    case OutputKind.Display:
                        cell.Outputs.Add(new DisplayElement(Data(o.Data!)));
                        break;
                    case OutputKind.Result:
                        var result = new ReturnValueElement { ExecutionOrder = cell.ExecutionOrder };
                        foreach (var (mime, text) in o.Data!)
                            result.Data[mime] = text;
                        cell.Outputs.Add(result);
                        break;
                    case OutputKind.Error:
                        cell.Outputs.Add(new ErrorElement(o.Text.ToString(), o.Name, o.Traceback!.ToArray()));
                        break;
                }
            }
        }
    }

    private void AppendStream(string name, string text)
    {
        if (text.Length == 0)
            return;
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        lock (_gate)
        {
            if (Current() is not { } outputs)
                return;
            if (outputs.Count > 0 && outputs[^1] is { Kind: OutputKind.Stream } last && last.Name == name)
                last.Text.Append(text);
            else
                outputs.Add(new Output(OutputKind.Stream) { Name = name, Text = new StringBuilder(text) });
        }
    }

    private void Add(Output output, string? displayId)
    {
        lock (_gate)
        {
            if (Current() is not { } outputs)
                return;
            outputs.Add(output);
            if (displayId is not null && output.Kind == OutputKind.Display)
            {
                if (!_displays.TryGetValue(displayId, out var shown))
                    _displays[displayId] = shown = [];
                shown.Add(output);
            }
        }
    }

    /// <summary>Every output shown with this display id now holds the new value; an unknown id changes nothing.</summary>
    private void Update(DisplayedValueUpdated update)
    {
        lock (_gate)
        {
            if (update.ValueId is { } id && _displays.TryGetValue(id, out var shown))
                foreach (var output in shown)
                    output.Data = Bundle(update);
        }
    }

    private List<Output>? Current() => _current is { } cell ? _byCell[cell] : null;

    private static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value
        ?? e.Value?.ToString()
        ?? "";

    private static List<KeyValuePair<string, string>> Bundle(DisplayEvent e) =>
        e.FormattedValues.Select(v => new KeyValuePair<string, string>(v.MimeType, v.Value)).ToList();

    private static Dictionary<string, object> Data(List<KeyValuePair<string, string>> bundle)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (mime, text) in bundle)
            data[mime] = text;
        return data;
    }

    private enum OutputKind
    {
        Stream,
        Display,
        Result,
        Error,
    }

    private sealed class Output(OutputKind kind)
    {
        public OutputKind Kind { get; } = kind;
        public string Name { get; init; } = "";
        public StringBuilder Text { get; init; } = new();
        public List<KeyValuePair<string, string>>? Data { get; set; }
        public IReadOnlyList<string>? Traceback { get; init; }
    }
}
