using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using RnnNotebooks.Runner.Export;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Runner;

/// <summary>
/// Runs when headless Chromium is installed (.ci/run installs Debian's chromium and sets
/// RNN_REQUIRE_BROWSER=1, which turns a missing browser into a failure instead of a skip).
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null && Environment.GetEnvironmentVariable("RNN_REQUIRE_BROWSER") != "1")
            Skip = "headless Chromium is not installed (apt-get install chromium); CI requires it";
    }
}

internal static class Chromium
{
    public static readonly string? Path = Find();

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("RNN_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured))
            return configured;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(System.IO.Path.Combine(dir, name)))
                return System.IO.Path.Combine(dir, name);
        return null;
    }

    public static string Run(params string[] args)
    {
        var start = new ProcessStartInfo(
            Path ?? throw new InvalidOperationException("RNN_REQUIRE_BROWSER=1 but no chromium on PATH")
        )
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var a in new[]
            {
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--no-first-run",
            }.Concat(args)
        )
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(90_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish in 90 s");
        }
        _ = stderr.Result;
        return stdout.Result;
    }
}

[Collection("Runner")]
public class BrowserRenderingTests
{
    [ChromiumFact]
    public async Task An_exported_page_shows_its_chart_in_a_real_browser()
    {
        using var dir = new TempDirectory();
        LayOutLibrary(dir);
        string path = WriteNotebook(
            dir["notebooks/curves.ipynb"],
            Markdown("# Training curves\n\nAccuracy and loss per epoch."),
            Code("#r \"../lib/RnnNotebooks/bin/Release/net8.0/RnnNotebooks.dll\"\nusing RnnNotebooks.Charts;"),
            Code(
                """
                var history = new Dictionary<string, IReadOnlyList<double>>
                {
                    ["acc"] = [0.55, 0.74, 0.82, 0.86, 0.89, 0.91, 0.93, 0.94],
                    ["val_acc"] = [0.68, 0.79, 0.82, 0.84, 0.845, 0.85, 0.848, 0.846],
                    ["loss"] = [0.69, 0.52, 0.41, 0.33, 0.27, 0.22, 0.18, 0.15],
                    ["val_loss"] = [0.60, 0.47, 0.42, 0.40, 0.41, 0.43, 0.47, 0.52],
                };
                Charts.TrainingHistory(history)
                """
            )
        );
        var (notebook, result) = await RunAsync(path);
        result.Succeeded.Should().BeTrue(result.Message);
        string page = dir["page.html"];
        File.WriteAllText(page, HtmlExporter.Export(notebook));

        // Layout as the browser computes it: a measuring copy of the page reports the SVG's box.
        string measuring = dir["measure.html"];
        File.WriteAllText(
            measuring,
            File.ReadAllText(page)
                .Replace(
                    "</body>",
                    """
                    <script>
                    const svg = document.querySelector('svg.rnn-chart-svg');
                    const r = svg.getBoundingClientRect();
                    const box = svg.closest('.outputs').getBoundingClientRect();
                    document.body.setAttribute('data-measure', [r.left, r.top, r.width, r.height, box.width].join(','));
                    </script></body>
                    """,
                    StringComparison.Ordinal
                )
        );
        string dom = Chromium.Run("--dump-dom", new Uri(measuring).AbsoluteUri);
        var measure = Regex.Match(dom, "data-measure=\"([^\"]+)\"");
        measure.Success.Should().BeTrue("the browser laid out the page and found the chart");
        var m = measure.Groups[1].Value.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var (left, top, width, height, container) = (m[0], m[1], m[2], m[3], m[4]);
        width
            .Should()
            .BeApproximately(
                Math.Min(960, container - 16),
                16,
                "the 960 px chart fills its output column or shows at full size"
            );
        (height / width).Should().BeApproximately(340.0 / 960, 0.01, "the chart keeps its aspect ratio");

        string screenshot = dir["page.png"];
        Chromium.Run("--window-size=1100,1400", $"--screenshot={screenshot}", new Uri(page).AbsoluteUri);
        var image = Png.Decode(File.ReadAllBytes(screenshot));
        image.Width.Should().Be(1100);

        int inked = 0,
            blue = 0,
            orange = 0,
            total = 0;
        for (int y = (int)top; y < Math.Min(image.Height, top + height); y++)
        {
            for (int x = (int)left; x < Math.Min(image.Width, left + width); x++)
            {
                var (r, g, b) = image.Pixel(x, y);
                total++;
                if (r < 235 || g < 235 || b < 235)
                    inked++;
                if (Near(r, g, b, 0x4e, 0x79, 0xa7))
                    blue++;
                if (Near(r, g, b, 0xf2, 0x8e, 0x2b))
                    orange++;
            }
        }
        total.Should().BeGreaterThan(100_000);
        ((double)inked / total).Should().BeInRange(0.03, 0.5, "the plot area shows axes, text and curves on white");
        blue.Should().BeGreaterThan(100, "the training dots are drawn");
        orange.Should().BeGreaterThan(100, "the validation lines are drawn");
    }

    private static bool Near(int r, int g, int b, int r0, int g0, int b0) =>
        Math.Abs(r - r0) < 24 && Math.Abs(g - g0) < 24 && Math.Abs(b - b0) < 24;
}

/// <summary>Just enough of PNG to read a browser screenshot: 8-bit RGB or RGBA, non-interlaced.</summary>
internal sealed class Png
{
    private readonly byte[] _pixels;
    private readonly int _channels;

    private Png(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public (int R, int G, int B) Pixel(int x, int y)
    {
        int at = (y * Width + x) * _channels;
        return (_pixels[at], _pixels[at + 1], _pixels[at + 2]);
    }

    public static Png Decode(byte[] file)
    {
        int position = 8;
        int width = 0,
            height = 0,
            channels = 0;
        using var idat = new MemoryStream();
        while (position < file.Length)
        {
            int length =
                (file[position] << 24) | (file[position + 1] << 16) | (file[position + 2] << 8) | file[position + 3];
            string type = System.Text.Encoding.ASCII.GetString(file, position + 4, 4);
            var data = file.AsSpan(position + 8, length);
            if (type == "IHDR")
            {
                width = (data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3];
                height = (data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7];
                if (data[8] != 8 || data[12] != 0)
                    throw new NotSupportedException("only 8-bit non-interlaced PNG");
                channels = data[9] switch
                {
                    2 => 3,
                    6 => 4,
                    _ => throw new NotSupportedException($"PNG colour type {data[9]}"),
                };
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            position += 12 + length;
        }
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            z.CopyTo(inflated);
        var raw = inflated.ToArray();
        int stride = width * channels;
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            for (int x = 0; x < stride; x++)
            {
                int value = raw[y * (stride + 1) + 1 + x];
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                pixels[y * stride + x] = (byte)(
                    filter switch
                    {
                        0 => value,
                        1 => value + a,
                        2 => value + b,
                        3 => value + (a + b) / 2,
                        4 => value + Paeth(a, b, c),
                        _ => throw new NotSupportedException($"PNG filter {filter}"),
                    }
                );
            }
        }
        return new Png(width, height, channels, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a),
            pb = Math.Abs(p - b),
            pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a
            : pb <= pc ? b
            : c;
    }
}
