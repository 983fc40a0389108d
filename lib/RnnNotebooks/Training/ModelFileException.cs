namespace RnnNotebooks.Training;

/// <summary>A model or weights file that cannot be read: not a model file, truncated, corrupt, or for another architecture.</summary>
public sealed class ModelFileException : IOException
{
    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"'{path}': {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>The message without the file name.</summary>
    public string Problem { get; }
}
