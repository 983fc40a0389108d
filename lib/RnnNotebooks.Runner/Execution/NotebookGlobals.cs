namespace RnnNotebooks.Runner.Execution;

/// <summary>
/// What a notebook's C# code sees besides its own declarations: the same <c>display</c> function the
/// .NET Interactive C# kernel offers, so a notebook runs unchanged in VS Code and in the runner.
/// </summary>
public sealed class NotebookGlobals
{
    internal NotebookGlobals() { }

    /// <summary>
    /// Shows <paramref name="value"/> as an output of the running cell, formatted for the given MIME types
    /// (default: the value's preferred ones, text/html and text/plain for most values).
    /// </summary>
#pragma warning disable IDE1006 // the name is the kernel's
    public void display(object? value, params string[] mimeTypes)
#pragma warning restore IDE1006
    {
        var bundle = DisplayFormatting.Format(value, mimeTypes);
        if (ConsoleCapture.CurrentCell is { } cell)
            cell.AddDisplay(bundle);
        else
            Console.Out.WriteLine(bundle[DisplayFormatting.PlainText]);
    }
}
