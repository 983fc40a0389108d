using System.IO.Compression;
using System.Security.Cryptography;

namespace RnnNotebooks.Data;

/// <summary>
/// Finds dataset files, in this order:
/// <list type="number">
/// <item>the override folder named by the environment variable <c>RNN_NOTEBOOKS_DATA</c> (CI points it at its
/// datasets folder; same layout, see <see cref="DatasetFile.RelativePath"/>). Files there are trusted as
/// they are: the loaders check their structure, not their checksum;</item>
/// <item>the repository's <c>data/</c> folder (found by walking up to <c>RnnNotebooks.sln</c> from the library's
/// location or the current directory), where downloads land;</item>
/// <item>a download from the official URL: streamed into a temporary file beside the target, SHA-256 checked, then
/// moved into place in one rename — so a failed or corrupt download leaves nothing behind.</item>
/// </list>
/// </summary>
public sealed class DataCache : IDisposable
{
    /// <summary>The environment variable naming the override folder.</summary>
    public const string OverrideVariable = "RNN_NOTEBOOKS_DATA";

    private static DataCache? _default;
    private readonly HttpMessageHandler? _handler;
    private HttpClient? _http;

    /// <param name="overrideFolder">Folder searched first (null: none).</param>
    /// <param name="dataFolder">Writable folder searched second, where downloads go.</param>
    /// <param name="httpHandler">Handler for downloads (tests pass an in-process one); null uses the network.</param>
    public DataCache(string? overrideFolder, string dataFolder, HttpMessageHandler? httpHandler = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataFolder);
        OverrideFolder = string.IsNullOrEmpty(overrideFolder) ? null : Path.GetFullPath(overrideFolder);
        DataFolder = Path.GetFullPath(dataFolder);
        _handler = httpHandler;
    }

    /// <summary>The cache every loader uses unless given another: <see cref="FromEnvironment"/>. Settable (e.g. in tests or a notebook).</summary>
    public static DataCache Default
    {
        get => _default ??= FromEnvironment();
        set => _default = value;
    }

    /// <summary>
    /// The override folder from <c>RNN_NOTEBOOKS_DATA</c> and <c>data/</c> under <paramref name="repositoryRoot"/>
    /// (default: the folder holding RnnNotebooks.sln above the library or the current directory; failing that,
    /// a per-user folder <c>RnnNotebooks/data</c> under the local application data folder).
    /// </summary>
    public static DataCache FromEnvironment(string? repositoryRoot = null)
    {
        string? root =
            repositoryRoot
            ?? FindRepositoryRoot(AppContext.BaseDirectory)
            ?? FindRepositoryRoot(Environment.CurrentDirectory);
        string dataFolder = root is not null
            ? Path.Combine(root, "data")
            : Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData),
                "RnnNotebooks",
                "data"
            );
        return new DataCache(Environment.GetEnvironmentVariable(OverrideVariable), dataFolder);
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that contains RnnNotebooks.sln, or null.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RnnNotebooks.sln")))
                return dir.FullName;
        }
        return null;
    }

    public string? OverrideFolder { get; }

    public string DataFolder { get; }

    /// <summary>Where download progress goes (default: a text line on the console). Null for silence.</summary>
    public IProgress<DownloadProgress>? Progress { get; set; } = new ConsoleDownloadProgress();

    /// <summary>False stops any download: a missing file is then an error that says where to put it.</summary>
    public bool AllowDownloads { get; set; } = true;

    /// <summary>The folders searched, in order.</summary>
    public IEnumerable<string> SearchFolders
    {
        get
        {
            if (OverrideFolder is not null)
                yield return OverrideFolder;
            yield return DataFolder;
        }
    }

    /// <summary>The first existing file or folder named <paramref name="relativePath"/> in the search folders, or null. Never downloads.</summary>
    public string? TryFindLocal(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        foreach (var folder in SearchFolders)
        {
            var candidate = Path.Combine(folder, relativePath.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(candidate) || Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <inheritdoc cref="TryFindLocal(string)"/>
    public string? TryFindLocal(DatasetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return TryFindLocal(file.RelativePath);
    }

    /// <summary>The file's local path, downloading it first if no search folder has it.</summary>
    public string GetFile(DatasetFile file, DatasetInfo? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        return TryFindLocal(file) ?? Download(file, dataset);
    }

    /// <summary>Every file of <paramref name="dataset"/>, downloading the missing ones.</summary>
    public IReadOnlyList<string> GetFiles(DatasetInfo dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.Files.Select(f => GetFile(f, dataset)).ToArray();
    }

    /// <summary>Downloads <paramref name="file"/> into <see cref="DataFolder"/> (replacing any copy there) and returns its path.</summary>
    public string Download(DatasetFile file, DatasetInfo? dataset = null) =>
        Task.Run(() => DownloadAsync(file, dataset)).GetAwaiter().GetResult();

    /// <inheritdoc cref="Download"/>
    public async Task<string> DownloadAsync(
        DatasetFile file,
        DatasetInfo? dataset = null,
        CancellationToken cancellation = default
    )
    {
        ArgumentNullException.ThrowIfNull(file);
        var destination = Path.Combine(DataFolder, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
        if (file.Url is null)
            throw new DatasetException(NotFoundMessage(file, dataset, "it has no automatic download."), destination);
        if (!AllowDownloads)
            throw new DatasetException(
                NotFoundMessage(file, dataset, "downloads are turned off (AllowDownloads = false)."),
                destination
            );

        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        string name = Path.GetFileName(new Uri(file.Url).LocalPath);
        string download = TempPathBeside(destination);
        string? member = null;
        try
        {
            string sha256;
            long length;
            await using (
                var output = new FileStream(
                    download,
                    FileMode.CreateNew,
                    FileAccess.Write,
                    FileShare.None,
                    1 << 16,
                    useAsync: true
                )
            )
            {
                (sha256, length) = await CopyUrlAsync(new Uri(file.Url), output, name, file.Size, cancellation)
                    .ConfigureAwait(false);
            }
            if (file.Sha256 is not null && !string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new DatasetException(
                    $"Checksum mismatch for {file.Url}: expected SHA-256 {file.Sha256}, got {sha256} ({length:N0} bytes). "
                        + "The download was discarded; nothing was written to the cache. Try again, or place a good copy at "
                        + destination
                        + ".",
                    destination
                );
            }
            if (file.Sha256 is null && file.Size is long size && size != length)
            {
                throw new DatasetException(
                    $"Size mismatch for {file.Url}: expected {size:N0} bytes, got {length:N0}. The download was discarded.",
                    destination
                );
            }
            string finished = download;
            if (file.ZipMember is not null)
            {
                member = TempPathBeside(destination);
                ExtractZipMember(download, file, member);
                finished = member;
            }
            File.Move(finished, destination, overwrite: true);
            return destination;
        }
        finally
        {
            TryDelete(download);
            if (member is not null)
                TryDelete(member);
        }
    }

    public void Dispose() => _http?.Dispose();

    /// <summary>SHA-256 of a file as lower-case hex.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    internal string NotFoundMessage(DatasetFile file, DatasetInfo? dataset, string reason)
    {
        var searched = string.Join(", ", SearchFolders.Select(f => Path.Combine(f, file.RelativePath)));
        var how = dataset?.ManualInstructions is string m ? " " + m : "";
        var env = OverrideFolder is null
            ? $" (the override folder is unset: set {OverrideVariable} to a folder with the same layout)"
            : "";
        return $"{file.RelativePath} was not found in {searched}{env}, and {reason}{how}";
    }

    private async Task<(string Sha256, long Length)> CopyUrlAsync(
        Uri url,
        Stream output,
        string name,
        long? expectedSize,
        CancellationToken cancellation
    )
    {
        Stream input;
        long? total = expectedSize;
        HttpResponseMessage? response = null;
        if (url.IsFile)
        {
            try
            {
                input = new FileStream(
                    url.LocalPath,
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.Read,
                    1 << 16,
                    useAsync: true
                );
            }
            catch (IOException e)
            {
                throw new DatasetException($"Cannot read {url}: {e.Message}", url.LocalPath, e);
            }
            total ??= input.Length;
        }
        else
        {
            _http ??= new HttpClient(_handler ?? new SocketsHttpHandler(), disposeHandler: _handler is null)
            {
                Timeout = Timeout.InfiniteTimeSpan, // large files; a stalled connection still fails in the socket layer
            };
            try
            {
                response = await _http
                    .GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation)
                    .ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new DatasetException(
                    $"Could not download {url}: {e.Message}. Without internet access, place the file in {DataFolder} "
                        + $"or in the folder named by {OverrideVariable}.",
                    url.ToString(),
                    e
                );
            }
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw new DatasetException(
                        $"Could not download {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.",
                        url.ToString()
                    );
                }
            }
            total ??= response.Content.Headers.ContentLength;
            input = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long received = 0;
        try
        {
            Progress?.Report(new DownloadProgress(name, 0, total, false));
            int read;
            while ((read = await input.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                received += read;
                Progress?.Report(new DownloadProgress(name, received, total, false));
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new DatasetException(
                $"Download of {url} broke off after {received:N0} bytes: {e.Message}",
                url.ToString(),
                e
            );
        }
        finally
        {
            Progress?.Report(new DownloadProgress(name, received, total, true));
            await input.DisposeAsync().ConfigureAwait(false);
            response?.Dispose();
        }
        return (Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), received);
    }

    private static void ExtractZipMember(string zipPath, DatasetFile file, string target)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var entry =
            zip.GetEntry(file.ZipMember!)
            ?? throw new DatasetException(
                $"The archive downloaded from {file.Url} has no member {file.ZipMember}.",
                file.Url
            );
        entry.ExtractToFile(target, overwrite: true);
        if (file.MemberSha256 is not null)
        {
            var sha = Sha256Of(target);
            if (!string.Equals(sha, file.MemberSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new DatasetException(
                    $"Checksum mismatch for member {file.ZipMember} of {file.Url}: expected SHA-256 {file.MemberSha256}, got {sha}.",
                    file.Url
                );
            }
        }
    }

    private static string TempPathBeside(string destination) => $"{destination}.{Guid.NewGuid():N}.part";

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
                File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
