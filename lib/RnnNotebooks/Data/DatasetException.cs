namespace RnnNotebooks.Data;

/// <summary>
/// A dataset file is missing, damaged or not what it should be. The message names the file (and the entry, line or
/// record where that applies) and says what is wrong.
/// </summary>
public sealed class DatasetException : IOException
{
    public DatasetException(string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = path;
    }

    /// <summary>The file or folder concerned, when there is one.</summary>
    public string? FilePath { get; }
}
