using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnNotebooks.Tensors;

/// <summary>
/// A float buffer whose element 0 sits on a 64-byte boundary: one cache line, one AVX-512 vector.
/// The engine's scratch buffers and weight copies use it so that the GEMM kernels' 64-byte loads and
/// stores of B and C rows never straddle two cache lines (for row widths that are multiples of 16
/// floats, units = 32 say): measured on the per-step product (32 × 32 · 32 × 32), misaligned rows
/// cost half as much time again. A plain <c>float[]</c> is only 8-byte aligned, and the GC may move
/// it, so the array here is allocated pinned and the span starts at the first boundary inside it.
/// </summary>
internal sealed class AlignedArray
{
    /// <summary>Bytes: a cache line, and the width of an AVX-512 vector.</summary>
    public const int Alignment = 64;

    private readonly float[] _array;
    private readonly int _offset;

    public static readonly AlignedArray Empty = new(0);

    public unsafe AlignedArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        // Pinned (on the pinned object heap), so the boundary found now stays a boundary.
        _array = GC.AllocateArray<float>(length + Alignment / sizeof(float) - 1, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _offset = (int)((Alignment - address % Alignment) % Alignment) / sizeof(float);
    }

    /// <summary>Usable floats.</summary>
    public int Length { get; }

    /// <summary><paramref name="length"/> floats from <paramref name="start"/>.</summary>
    /// <remarks>Inlined: the time loop asks for a few blocks per step (0.8 % of an LSTM epoch as a call).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> AsSpan(int start, int length)
    {
        if ((uint)start > (uint)Length || (uint)length > (uint)(Length - start))
            ThrowOutside(start, length);
        return _array.AsSpan(_offset + start, length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutside(int start, int length) =>
        throw new ArgumentOutOfRangeException(
            nameof(start),
            $"[{start}, {start + length}) is outside the buffer's {Length} floats"
        );

    /// <summary>Everything from <paramref name="start"/> to the end.</summary>
    public Span<float> AsSpan(int start = 0) => AsSpan(start, Length - start);

    /// <summary>A buffer of at least <paramref name="length"/> floats: <paramref name="buffer"/> itself if it is long enough.</summary>
    public static void Ensure(ref AlignedArray buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new AlignedArray(length);
    }
}
