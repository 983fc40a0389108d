using System.Text;

namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// Routes Console.Out and Console.Error to the outputs of the cell being run. The console writers are
/// replaced once by routers that look up the current cell through an AsyncLocal, so output written
/// from tasks and parallel loops a cell starts lands in that cell, and notebooks run side by side in
/// one process (tests) don't see each other's text. Outside a cell, text goes to the real console.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly AsyncLocal<CellOutputs?> Current = new();
    private static readonly object Gate = new();
    private static TextWriter? _installedOut;
    private static TextWriter? _installedError;

    public static CellOutputs? CurrentCell => Current.Value;

    /// <summary>Directs console output of the current async flow to <paramref name="cell"/> (null: to the console).</summary>
    public static void Route(CellOutputs? cell)
    {
        EnsureInstalled();
        Current.Value = cell;
    }

    private static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (!ReferenceEquals(Console.Out, _installedOut))
            {
                Console.SetOut(new Router(Console.Out, c => c.Stdout));
                _installedOut = Console.Out;
            }
            if (!ReferenceEquals(Console.Error, _installedError))
            {
                Console.SetError(new Router(Console.Error, c => c.Stderr));
                _installedError = Console.Error;
            }
        }
    }

    private sealed class Router(TextWriter fallback, Func<CellOutputs, TextWriter> select) : TextWriter
    {
        private TextWriter Target => Current.Value is { } cell ? select(cell) : fallback;

        public override Encoding Encoding => fallback.Encoding;

        public override void Write(char value) => Target.Write(value);

        public override void Write(string? value) => Target.Write(value);

        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);

        public override void Write(ReadOnlySpan<char> buffer) => Target.Write(buffer);

        public override void WriteLine(string? value) => Target.WriteLine(value);

        public override void WriteLine() => Target.WriteLine();

        public override void Flush() => Target.Flush();
    }
}
