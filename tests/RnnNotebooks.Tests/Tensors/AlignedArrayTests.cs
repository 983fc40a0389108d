using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Tensors;

public class AlignedArrayTests
{
    private static unsafe long AddressOf(Span<float> span) =>
        (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(3_000_000)]
    public void Element_zero_sits_on_a_64_byte_boundary_after_collections(int length)
    {
        var buffers = Enumerable.Range(0, 8).Select(_ => new AlignedArray(length)).ToArray();
        for (int round = 0; round < 2; round++)
        {
            foreach (var buffer in buffers)
            {
                (AddressOf(buffer.AsSpan()) % AlignedArray.Alignment).Should().Be(0);
                buffer.AsSpan().Length.Should().Be(length);
            }
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    [Fact]
    public void Starts_zeroed_and_keeps_what_is_written()
    {
        var buffer = new AlignedArray(40);
        buffer.AsSpan().ToArray().Should().OnlyContain(v => v == 0f);
        buffer.AsSpan(10, 3).Fill(2.5f);
        buffer.AsSpan(9, 5).ToArray().Should().Equal(0f, 2.5f, 2.5f, 2.5f, 0f);
    }

    [Fact]
    public void Spans_outside_the_buffer_are_refused_even_inside_the_padding()
    {
        var buffer = new AlignedArray(10);
        Action pastTheEnd = () => _ = buffer.AsSpan(8, 3).Length;
        pastTheEnd.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[8, 11)*10 floats*");
        Action negative = () => _ = buffer.AsSpan(-1, 2).Length;
        negative.Should().Throw<ArgumentOutOfRangeException>();
        buffer.AsSpan(10, 0).Length.Should().Be(0);
    }

    [Fact]
    public void Ensure_keeps_a_long_enough_buffer_and_replaces_a_short_one()
    {
        var buffer = new AlignedArray(100);
        var same = buffer;
        AlignedArray.Ensure(ref same, 100);
        same.Should().BeSameAs(buffer);
        AlignedArray.Ensure(ref same, 101);
        same.Should().NotBeSameAs(buffer);
        same.Length.Should().Be(101);
    }
}
