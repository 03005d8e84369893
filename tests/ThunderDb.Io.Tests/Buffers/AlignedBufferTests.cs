using ThunderDb.Io.Buffers;

namespace ThunderDb.Io.Tests.Buffers;

public class AlignedBufferTests
{
    [Test]
    public async Task Address_is_aligned_and_memory_is_zeroed()
    {
        using var buffer = new AlignedBuffer(16384);
        nuint address;
        unsafe
        {
            address = (nuint)buffer.Pointer;
        }

        await Assert.That(address % AlignedBuffer.DefaultAlignment).IsEqualTo((nuint)0);

        await Assert.That(buffer.Span.ToArray().All(b => b == 0)).IsTrue();
    }

    [Test]
    public async Task Use_after_dispose_throws()
    {
        var buffer = new AlignedBuffer(4096);
        buffer.Dispose();
        await Assert.That(() => buffer.Span.Length).Throws<ObjectDisposedException>();
    }
}
