using RnnNotebooks.Display;

namespace RnnNotebooks.Notebooks;

/// <summary>
/// One line of progress that updates in place in a notebook and leaves only its final text behind: a
/// <see cref="ProgressLine"/> under the name notebooks use (everything, including the static
/// <see cref="ProgressLine.UpdateInterval"/> and <see cref="ProgressLine.InKernel"/>, is inherited).
/// <example><code>
/// using var line = new LiveLine();
/// trainer.Log = line.Report;          // each progress line replaces the last
/// var vectors = trainer.Train(tokens); // Dispose (or Complete) keeps the last line
/// </code></example>
/// </summary>
public sealed class LiveLine : ProgressLine
{
    /// <param name="writer">Where the final line goes outside a kernel (default: Console.Out at completion).</param>
    public LiveLine(TextWriter? writer = null)
        : base(writer) { }
}
