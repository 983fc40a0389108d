using System.Text;
using System.Text.Json.Nodes;
using RnnNotebooks.Runner.Ipynb;

namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// Collects one cell's outputs in the order they happen: text written to stdout/stderr (consecutive
/// writes to the same stream merge into one stream output, as Jupyter does), displayed values, the
/// trailing expression's result, and an error. Thread-safe: a cell may print from worker threads.
/// </summary>
public sealed class CellOutputs
{
    private readonly object _gate = new();
    private readonly List<Output> _outputs = new();

    public CellOutputs()
    {
        Stdout = new StreamCapture(this, "stdout");
        Stderr = new StreamCapture(this, "stderr");
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public void AppendStream(string name, string text)
    {
        if (text.Length == 0)
            return;
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        lock (_gate)
        {
            if (_outputs.Count > 0 && _outputs[^1] is { Kind: OutputKind.Stream } last && last.Name == name)
                last.Text.Append(text);
            else
                _outputs.Add(new Output(OutputKind.Stream) { Name = name, Text = new StringBuilder(text) });
        }
    }

    public void AddDisplay(IReadOnlyDictionary<string, string> bundle)
    {
        lock (_gate)
            _outputs.Add(new Output(OutputKind.Display) { Data = bundle });
    }

    public void SetResult(IReadOnlyDictionary<string, string> bundle)
    {
        lock (_gate)
            _outputs.Add(new Output(OutputKind.Result) { Data = bundle });
    }

    public void AddError(string name, string value, IReadOnlyList<string> traceback)
    {
        lock (_gate)
            _outputs.Add(
                new Output(OutputKind.Error)
                {
                    Name = name,
                    Text = new StringBuilder(value),
                    Traceback = traceback,
                }
            );
    }

    /// <summary>The outputs as nbformat 4 JSON, multi-line text split into lines as Jupyter writes it.</summary>
    public JsonArray ToJson(int executionCount)
    {
        var array = new JsonArray();
        lock (_gate)
        {
            foreach (var o in _outputs)
            {
                switch (o.Kind)
                {
                    case OutputKind.Stream:
                        array.Add(
                            new JsonObject
                            {
                                ["name"] = o.Name,
                                ["output_type"] = "stream",
                                ["text"] = NotebookCell.SplitLines(o.Text.ToString()),
                            }
                        );
                        break;
                    case OutputKind.Display:
                        array.Add(
                            new JsonObject
                            {
                                ["data"] = BundleJson(o.Data!),
                                ["metadata"] = new JsonObject(),
                                ["output_type"] = "display_data",
                            }
                        );
                        break;
                    case OutputKind.Result:
                        array.Add(
                            new JsonObject
                            {
                                ["data"] = BundleJson(o.Data!),
                                ["execution_count"] = executionCount,
                                ["metadata"] = new JsonObject(),
                                ["output_type"] = "execute_result",
                            }
                        );
                        break;
                    case OutputKind.Error:
                        var traceback = new JsonArray();
                        foreach (var line in o.Traceback!)
                            traceback.Add(line);
                        array.Add(
                            new JsonObject
                            {
                                ["ename"] = o.Name,
                                ["evalue"] = o.Text.ToString(),
                                ["output_type"] = "error",
                                ["traceback"] = traceback,
                            }
                        );
                        break;
                }
            }
        }
        return array;
    }

    /// <summary>
    /// nbformat splits text/* and SVG into lines (and leaves JSON and base64 images whole), so the written
    /// notebook matches what Jupyter would write for the same outputs.
    /// </summary>
    private static JsonObject BundleJson(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, text) in bundle)
        {
            bool split =
                mime.StartsWith("text/", StringComparison.Ordinal)
                || mime is "image/svg+xml" or "application/javascript";
            data[mime] = split ? NotebookCell.SplitLines(text) : JsonValue.Create(text);
        }
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
        public IReadOnlyDictionary<string, string>? Data { get; init; }
        public IReadOnlyList<string>? Traceback { get; init; }
    }

    private sealed class StreamCapture(CellOutputs owner, string name) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => owner.AppendStream(name, value.ToString());

        public override void Write(string? value) => owner.AppendStream(name, value ?? "");

        public override void Write(char[] buffer, int index, int count) =>
            owner.AppendStream(name, new string(buffer, index, count));

        public override void Write(ReadOnlySpan<char> buffer) => owner.AppendStream(name, new string(buffer));

        public override void WriteLine(string? value) => owner.AppendStream(name, (value ?? "") + "\n");
    }
}
