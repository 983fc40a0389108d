using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace RnnNotebooks.Tests.Data;

/// <summary>Runs only when RNN_NOTEBOOKS_DATA names the real datasets folder (CI sets it).</summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    public RealDataFactAttribute()
    {
        if (RealData.Folder is null)
            Skip = $"{RnnNotebooks.Data.DataCache.OverrideVariable} is not set (or has no aclImdb_v1.tar.gz)";
    }
}

public static class RealData
{
    /// <summary>The override folder when it holds the real data, else null.</summary>
    public static string? Folder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable(RnnNotebooks.Data.DataCache.OverrideVariable);
            return folder is not null && File.Exists(Path.Combine(folder, "aclImdb_v1.tar.gz")) ? folder : null;
        }
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(),
            "rnnnotebooks-tests-" + Guid.NewGuid().ToString("N")
        );
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string content)
    {
        var full = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content, new UTF8Encoding(false));
        return full;
    }

    /// <summary>Every file under the folder, relative, with '/' separators.</summary>
    public string[] AllFiles() =>
        Directory
            .EnumerateFiles(Path, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(Path, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}

/// <summary>Builds small gzip'd tarballs for the loader tests.</summary>
public static class TarFixtures
{
    /// <summary>A tiny aclImdb: 3 reviews per labelled folder, 2 unsup, plus README and a urls file.</summary>
    public static Dictionary<string, string> SmallAclImdb() =>
        new()
        {
            ["aclImdb/README"] = "Large Movie Review Dataset v1.0",
            ["aclImdb/train/urls_pos.txt"] = "http://example/1\n",
            ["aclImdb/train/pos/0_9.txt"] = "A great film.<br /><br />Loved it.",
            ["aclImdb/train/pos/10_7.txt"] = "Good, not great.",
            ["aclImdb/train/pos/2_10.txt"] = "Masterpiece!",
            ["aclImdb/train/neg/0_3.txt"] = "Dull and slow.",
            ["aclImdb/train/neg/1_1.txt"] = "The worst.",
            ["aclImdb/train/neg/5_4.txt"] = "Not good.",
            ["aclImdb/test/pos/3_8.txt"] = "Lovely – très bien.",
            ["aclImdb/test/pos/1_10.txt"] = "Superb acting.",
            ["aclImdb/test/pos/7_7.txt"] = "Fine.",
            ["aclImdb/test/neg/4_2.txt"] = "Awful plot.",
            ["aclImdb/test/neg/0_1.txt"] = "Terrible.",
            ["aclImdb/test/neg/9_4.txt"] = "Meh, boring.",
            ["aclImdb/train/unsup/0_0.txt"] = "Unrated one.",
            ["aclImdb/train/unsup/1_0.txt"] = "Unrated two.",
        };

    /// <summary>Writes <paramref name="files"/> (name → UTF-8 text) as a gzip'd tar, directories included.</summary>
    public static byte[] TarGz(IReadOnlyDictionary<string, string> files, TarEntryFormat format = TarEntryFormat.Gnu)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, format, leaveOpen: true))
        {
            var dirs = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var name in files.Keys)
            {
                var parts = name.Split('/');
                for (int i = 1; i < parts.Length; i++)
                {
                    var dir = string.Join("/", parts[..i]) + "/";
                    if (dir.StartsWith("aclImdb", StringComparison.Ordinal) && !dir.Contains(".."))
                        dirs.Add(dir);
                }
            }
            foreach (var dir in dirs)
                tar.WriteEntry(Entry(format, TarEntryType.Directory, dir));
            foreach (var (name, text) in files.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var entry = Entry(
                    format,
                    format == TarEntryFormat.V7 ? TarEntryType.V7RegularFile : TarEntryType.RegularFile,
                    name
                );
                entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text));
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name) =>
        format switch
        {
            TarEntryFormat.V7 => new V7TarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            _ => new GnuTarEntry(type, name),
        };

    /// <summary>Writes the files as an extracted folder tree under <paramref name="root"/>.</summary>
    public static void WriteTree(string root, IReadOnlyDictionary<string, string> files)
    {
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
        }
    }
}
