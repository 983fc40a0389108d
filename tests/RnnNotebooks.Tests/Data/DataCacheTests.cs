using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class DataCacheTests
{
    /// <summary>Serves fixed bytes per URL, in process; counts requests.</summary>
    private sealed class FakeServer(Dictionary<string, byte[]> files) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request,
            CancellationToken cancellationToken
        )
        {
            Requests++;
            if (!files.TryGetValue(request.RequestUri!.ToString(), out var bytes))
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" });
            return Task.FromResult(
                new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) }
            );
        }
    }

    private sealed class RecordingProgress : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = new();

        public void Report(DownloadProgress value) => Reports.Add(value);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static readonly byte[] Payload = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Repeat("payload line\n", 20000))
    );

    [Fact]
    public void Finds_files_in_the_override_folder_before_the_data_folder()
    {
        using var tmp = new TempFolder();
        tmp.Write("override/x/file.txt", "override");
        tmp.Write("data/x/file.txt", "data");
        tmp.Write("data/x/only-data.txt", "data");
        var cache = new DataCache(tmp.File("override"), tmp.File("data"));
        File.ReadAllText(cache.TryFindLocal("x/file.txt")!).Should().Be("override");
        File.ReadAllText(cache.TryFindLocal("x/only-data.txt")!).Should().Be("data");
        cache.TryFindLocal("x/missing.txt").Should().BeNull();
        new DataCache(null, tmp.File("data")).SearchFolders.Should().Equal(tmp.File("data"));
    }

    [Fact]
    public void Downloads_verify_the_checksum_report_progress_and_land_in_the_data_folder()
    {
        using var tmp = new TempFolder();
        var url = "https://example.test/files/big.bin";
        var server = new FakeServer(new() { [url] = Payload });
        var progress = new RecordingProgress();
        var cache = new DataCache(null, tmp.File("data"), server) { Progress = progress };
        var file = new DatasetFile("sub/big.bin", url, Sha(Payload), Payload.Length);

        var path = cache.GetFile(file);

        path.Should().Be(tmp.File(Path.Combine("data", "sub", "big.bin")));
        File.ReadAllBytes(path).Should().Equal(Payload);
        tmp.AllFiles().Should().Equal("data/sub/big.bin");
        progress.Reports.Should().NotBeEmpty();
        progress.Reports[^1].Should().Be(new DownloadProgress("big.bin", Payload.Length, Payload.Length, true));
        progress.Reports.Select(r => r.BytesReceived).Should().BeInAscendingOrder();

        cache.GetFile(file).Should().Be(path);
        server.Requests.Should().Be(1, "a cached file is not downloaded again");
    }

    [Fact]
    public void A_wrong_checksum_is_an_error_and_leaves_nothing_in_the_cache()
    {
        using var tmp = new TempFolder();
        var url = "https://example.test/files/big.bin";
        var cache = new DataCache(null, tmp.File("data"), new FakeServer(new() { [url] = Payload }))
        {
            Progress = null,
        };
        var file = new DatasetFile("sub/big.bin", url, new string('0', 64), Payload.Length);

        var act = () => cache.GetFile(file);

        act.Should()
            .Throw<DatasetException>()
            .WithMessage($"Checksum mismatch for {url}: expected SHA-256 0000*got {Sha(Payload)}*nothing was written*");
        tmp.AllFiles().Should().BeEmpty();
        cache.TryFindLocal(file).Should().BeNull();
    }

    [Fact]
    public void Http_errors_and_disabled_downloads_explain_where_to_put_the_file()
    {
        using var tmp = new TempFolder();
        var cache = new DataCache(tmp.File("override"), tmp.File("data"), new FakeServer(new())) { Progress = null };
        var file = new DatasetFile("a/b.txt", "https://example.test/missing", null, null);

        ((Action)(() => cache.GetFile(file))).Should().Throw<DatasetException>().WithMessage("*HTTP 404 Not Found*");
        tmp.AllFiles().Should().BeEmpty();

        cache.AllowDownloads = false;
        ((Action)(() => cache.GetFile(file)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage(
                $"a/b.txt was not found in {Path.Combine(tmp.File("override"), "a/b.txt")}*downloads are turned off*"
            );
    }

    [Fact]
    public void A_dataset_without_a_url_gives_its_manual_instructions()
    {
        using var tmp = new TempFolder();
        var cache = new DataCache(null, tmp.File("data"));
        var act = () => cache.GetFile(DatasetCatalog.AirlineTweetsCsv, DatasetCatalog.AirlineTweets);
        act.Should()
            .Throw<DatasetException>()
            .WithMessage("*Tweets.csv was not found*RNN_NOTEBOOKS_DATA*no automatic download*kaggle.com*");
    }

    [Fact]
    public void File_urls_are_copied_and_checked_too()
    {
        using var tmp = new TempFolder();
        var source = tmp.File("source.bin");
        File.WriteAllBytes(source, Payload);
        var cache = new DataCache(null, tmp.File("data")) { Progress = null };
        var path = cache.GetFile(new DatasetFile("copy.bin", new Uri(source).AbsoluteUri, Sha(Payload), null));
        File.ReadAllBytes(path).Should().Equal(Payload);

        var bad = () => cache.Download(new DatasetFile("bad.bin", new Uri(source).AbsoluteUri, Sha([1, 2, 3]), null));
        bad.Should().Throw<DatasetException>().WithMessage("*Checksum mismatch*");
        tmp.AllFiles().Should().Equal("data/copy.bin", "source.bin");
    }

    [Fact]
    public void A_zip_member_is_extracted_and_its_checksum_checked()
    {
        using var tmp = new TempFolder();
        var member = Encoding.UTF8.GetBytes("i\nme\nmy\n");
        var zipBytes = new MemoryStream();
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("stopwords/english").Open();
            s.Write(member);
        }
        var bytes = zipBytes.ToArray();
        var url = "https://example.test/stopwords.zip";
        var cache = new DataCache(null, tmp.File("data"), new FakeServer(new() { [url] = bytes })) { Progress = null };

        var good = new DatasetFile("nltk/english", url, Sha(bytes), bytes.Length, "stopwords/english", Sha(member));
        File.ReadAllBytes(cache.GetFile(good)).Should().Equal(member);
        tmp.AllFiles().Should().Equal("data/nltk/english");

        var wrongMember = good with { RelativePath = "nltk/other", MemberSha256 = new string('f', 64) };
        ((Action)(() => cache.GetFile(wrongMember)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*member stopwords/english*");
        var missingMember = good with { RelativePath = "nltk/third", ZipMember = "stopwords/french" };
        ((Action)(() => cache.GetFile(missingMember)))
            .Should()
            .Throw<DatasetException>()
            .WithMessage("*has no member stopwords/french*");
        tmp.AllFiles().Should().Equal("data/nltk/english");
    }

    [Fact]
    public void Repository_root_is_found_by_walking_up_to_the_solution()
    {
        var root = DataCache.FindRepositoryRoot(AppContext.BaseDirectory);
        root.Should().NotBeNull();
        File.Exists(Path.Combine(root!, "RnnNotebooks.sln")).Should().BeTrue();
        DataCache.FromEnvironment().DataFolder.Should().Be(Path.Combine(root!, "data"));
        using var tmp = new TempFolder();
        DataCache.FindRepositoryRoot(tmp.Path).Should().BeNull();
    }

    [Fact]
    public void Console_progress_prints_one_updating_line_and_ends_it()
    {
        var writer = new StringWriter();
        var progress = new ConsoleDownloadProgress(writer, interactive: false);
        progress.Report(new DownloadProgress("f.bin", 0, 2_000_000, false));
        for (int i = 1; i <= 100; i++)
            progress.Report(new DownloadProgress("f.bin", i * 20_000, 2_000_000, false));
        progress.Report(new DownloadProgress("f.bin", 2_000_000, 2_000_000, true));
        var text = writer.ToString();
        text.Should().StartWith("\rf.bin [------------------------------]   0%  0.0/2.0 MB");
        text.Should().EndWith("\rf.bin [##############################] 100%  2.0/2.0 MB" + Environment.NewLine);
        text.Count(c => c == '\r').Should().BeInRange(3, 25, "updates are throttled to about one per 5%");
        text.Count(c => c == '\n').Should().Be(1);
    }

    [Fact]
    public void Manifest_json_lists_exactly_the_catalog()
    {
        var root = DataCache.FindRepositoryRoot(AppContext.BaseDirectory)!;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "data", "manifest.json")));
        var datasets = doc.RootElement.GetProperty("datasets").EnumerateArray().ToList();
        datasets.Select(d => d.GetProperty("id").GetString()).Should().Equal(DatasetCatalog.All.Select(d => d.Id));
        foreach (var (json, info) in datasets.Zip(DatasetCatalog.All))
        {
            json.GetProperty("licence").GetString().Should().Be(info.Licence);
            json.GetProperty("source").GetString().Should().Be(info.SourcePage);
            json.GetProperty("title").GetString().Should().Be(info.Title);
            json.GetProperty("notes").GetString().Should().Be(info.Notes, info.Id);
            json.GetProperty("manualInstructions").GetString().Should().Be(info.ManualInstructions, info.Id);
            var files = json.GetProperty("files").EnumerateArray().ToList();
            files.Should().HaveCount(info.Files.Count, info.Id);
            foreach (var (f, file) in files.Zip(info.Files))
            {
                f.GetProperty("path").GetString().Should().Be(file.RelativePath);
                f.GetProperty("url").GetString().Should().Be(file.Url);
                f.GetProperty("sha256").GetString().Should().Be(file.Sha256);
                (f.GetProperty("size").ValueKind == JsonValueKind.Null ? (long?)null : f.GetProperty("size").GetInt64())
                    .Should()
                    .Be(file.Size);
            }
        }
        var readme = File.ReadAllText(Path.Combine(root, "data", "README.md"));
        foreach (var info in DatasetCatalog.All)
            readme.Should().Contain(info.Id).And.Contain(info.SourcePage);
    }

    [RealDataFact]
    public void The_shared_datasets_match_the_catalog_checksums_except_the_rebuilt_tarball()
    {
        var cache = new DataCache(RealData.Folder, Path.Combine(Path.GetTempPath(), "unused-data-folder"));
        foreach (var file in DatasetCatalog.FederalistPaperFiles)
            DataCache.Sha256Of(cache.TryFindLocal(file)!).Should().Be(file.Sha256, file.RelativePath);
        DataCache
            .Sha256Of(cache.TryFindLocal(DatasetCatalog.NltkStopwordsEnglish)!)
            .Should()
            .Be(DatasetCatalog.NltkStopwordsEnglish.MemberSha256);
        new FileInfo(cache.TryFindLocal(DatasetCatalog.AirlineTweetsCsv)!)
            .Length.Should()
            .Be(DatasetCatalog.AirlineTweetsCsv.Size);
    }
}
