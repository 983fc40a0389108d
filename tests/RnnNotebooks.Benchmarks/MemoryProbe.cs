using System.Diagnostics;

namespace RnnNotebooks.Benchmarks;

/// <summary>What a <see cref="MemoryProbe"/> saw between its start and its stop.</summary>
/// <param name="AllocatedBytes">Bytes allocated on the managed heap by every thread (GC.GetTotalAllocatedBytes, precise),
/// less the probe's own sampler thread.</param>
/// <param name="Collections">Garbage collections of generation 0, 1 and 2 (a gen-1 collection also counts as gen 0, …).</param>
/// <param name="WorkingSetBeforeBytes">Resident set at the start, after a full collection (data and runtime included).</param>
/// <param name="PeakWorkingSetBytes">The kernel's high-water mark of the resident set (VmHWM, Process.PeakWorkingSet64)
/// over the window when <paramref name="PeakWasReset"/>, else over the whole process so far.</param>
/// <param name="PeakWasReset">Whether the high-water mark could be reset at the start (Linux: /proc/self/clear_refs).</param>
/// <param name="SampledMaxWorkingSetBytes">The highest resident set a sampler thread read every 10 ms in the window.</param>
public sealed record MemoryUse(
    long AllocatedBytes,
    int[] Collections,
    long WorkingSetBeforeBytes,
    long PeakWorkingSetBytes,
    bool PeakWasReset,
    long SampledMaxWorkingSetBytes
);

/// <summary>
/// Measures the memory one timed region uses: managed allocations, GC collections and the process's
/// peak working set. On Linux the kernel's peak (VmHWM) is reset at the start by writing 5 to
/// /proc/self/clear_refs, so each model's peak is its own and not the largest of the run so far; a
/// sampler thread also records the largest resident set it sees, as a cross-check and the fallback
/// where the reset is not allowed. The sampler's own (small) allocations are subtracted.
/// </summary>
public sealed class MemoryProbe
{
    private const string StatmPath = "/proc/self/statm";
    private readonly Thread _sampler;
    private readonly long _startAllocated;
    private readonly int[] _startCollections;
    private readonly long _before;
    private readonly bool _peakReset;
    private volatile bool _stopping;
    private long _sampledMax;
    private long _samplerAllocated;

    private MemoryProbe()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _peakReset = TryResetPeak();
        _before = ResidentBytes();
        _sampledMax = _before;
        _sampler = new Thread(Sample) { IsBackground = true, Name = "working-set sampler" };
        _sampler.Start();
        _startCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _startAllocated = GC.GetTotalAllocatedBytes(precise: true);
    }

    /// <summary>Collects garbage, resets the peak and starts measuring.</summary>
    public static MemoryProbe Start() => new();

    /// <summary>Stops measuring and returns what was seen.</summary>
    public MemoryUse Stop()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _startAllocated;
        int[] collections =
        [
            GC.CollectionCount(0) - _startCollections[0],
            GC.CollectionCount(1) - _startCollections[1],
            GC.CollectionCount(2) - _startCollections[2],
        ];
        _stopping = true;
        _sampler.Join();
        using var self = Process.GetCurrentProcess();
        return new MemoryUse(
            allocated - Interlocked.Read(ref _samplerAllocated),
            collections,
            _before,
            self.PeakWorkingSet64,
            _peakReset,
            Interlocked.Read(ref _sampledMax)
        );
    }

    private void Sample()
    {
        long start = GC.GetAllocatedBytesForCurrentThread();
        while (!_stopping)
        {
            long resident = ResidentBytes();
            if (resident > _sampledMax)
                Interlocked.Exchange(ref _sampledMax, resident);
            Thread.Sleep(10);
        }
        long last = ResidentBytes();
        if (last > _sampledMax)
            Interlocked.Exchange(ref _sampledMax, last);
        Interlocked.Exchange(ref _samplerAllocated, GC.GetAllocatedBytesForCurrentThread() - start);
    }

    /// <summary>The resident set now: /proc/self/statm's second field (pages) where it exists.</summary>
    private static long ResidentBytes()
    {
        try
        {
            if (File.Exists(StatmPath))
            {
                var fields = File.ReadAllText(StatmPath).Split(' ');
                return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture)
                    * Environment.SystemPageSize;
            }
        }
        catch (IOException) { }
        return Environment.WorkingSet;
    }

    /// <summary>Linux: writing 5 to clear_refs resets the process's peak resident set (VmHWM) to the current one.</summary>
    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }
}
