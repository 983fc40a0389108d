namespace RnnNotebooks.Runner.Ipynb;

/// <summary>A file that is not a readable Jupyter notebook (malformed JSON, wrong structure, old nbformat).</summary>
public sealed class NotebookFormatException : Exception
{
    public NotebookFormatException(string message)
        : base(message) { }

    public NotebookFormatException(string message, Exception inner)
        : base(message, inner) { }
}
