using System.Text;

namespace RnnNotebooks.Runner.Ipynb;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new one: the text goes to
/// a temporary file in the same folder, is flushed to disk, and is then renamed over the target (an atomic
/// replace on the same file system). A crash or Ctrl+C before the rename leaves the target untouched.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string text) => Write(path, stream => WriteText(stream, text));

    /// <summary>Writes what <paramref name="writeContent"/> produces; if it throws, the target is not touched.</summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(
            directory,
            $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"
        );
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    private static void WriteText(Stream stream, string text)
    {
        var bytes = Utf8NoBom.GetBytes(text);
        stream.Write(bytes, 0, bytes.Length);
    }
}
