using System.Diagnostics;
using System.Globalization;

namespace RnnNotebooks.Data;

/// <summary>How far a download has got.</summary>
/// <param name="Name">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">Expected size, when the server or the manifest says.</param>
/// <param name="Completed">True on the last report of a download (successful or not).</param>
public readonly record struct DownloadProgress(string Name, long BytesReceived, long? TotalBytes, bool Completed)
{
    /// <summary>Fraction done in [0, 1], or null when the size is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? Math.Min(1.0, (double)BytesReceived / TotalBytes.Value) : null;

    /// <summary>A one-line text bar: <c>aclImdb_v1.tar.gz [##########----------]  50%  42.1/84.1 MB</c>.</summary>
    public override string ToString()
    {
        const int width = 30;
        var mb = (long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
        if (Fraction is double f)
        {
            int filled = (int)Math.Round(f * width);
            return $"{Name} [{new string('#', filled)}{new string('-', width - filled)}] {f * 100, 3:0}%  {mb(BytesReceived)}/{mb(TotalBytes!.Value)} MB";
        }
        return $"{Name} {mb(BytesReceived)} MB";
    }
}

/// <summary>
/// Prints download progress as one text line that updates in place with a carriage return — in a terminal, and in a
/// notebook (Jupyter and VS Code render <c>\r</c> in cell output the same way). Updates are throttled (10 per second
/// in a terminal, one per 5% or per 2 s when the output is redirected, e.g. a notebook or a log) and the line ends
/// with a newline when the download completes.
/// <para>A notebook that prefers its own display can set <see cref="DataCache.Progress"/> to any
/// <see cref="IProgress{T}"/>, e.g. one that updates a displayed value.</para>
/// </summary>
public sealed class ConsoleDownloadProgress : IProgress<DownloadProgress>
{
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private double _lastFraction = -1;
    private bool _anyWritten;

    public ConsoleDownloadProgress(TextWriter? writer = null, bool? interactive = null)
    {
        _writer = writer ?? Console.Out;
        _interactive = interactive ?? (writer is null && !Console.IsOutputRedirected);
    }

    public void Report(DownloadProgress value)
    {
        lock (_sinceLast)
        {
            if (!value.Completed && _anyWritten && !Due(value))
                return;
            _writer.Write("\r" + value);
            _anyWritten = true;
            _lastFraction = value.Fraction ?? _lastFraction;
            _sinceLast.Restart();
            if (value.Completed)
            {
                _writer.WriteLine();
                _anyWritten = false;
                _lastFraction = -1;
            }
            _writer.Flush();
        }
    }

    private bool Due(DownloadProgress value)
    {
        if (_interactive)
            return _sinceLast.ElapsedMilliseconds >= 100;
        return _sinceLast.ElapsedMilliseconds >= 2000 || (value.Fraction is double f && f - _lastFraction >= 0.05);
    }
}
