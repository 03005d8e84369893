using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Transport;

public class ReceiveBufferTests
{
    private static void Fill(ReceiveBuffer buffer, int count, byte value = 7)
    {
        for (int i = 0; i < count; i++)
        {
            buffer.Free.Span[0] = value;
            buffer.Received(1);
        }
    }

    [Test]
    public async Task A_large_frame_grows_the_buffer_only_as_its_bytes_fill_it_and_gives_it_back_when_consumed()
    {
        using var buffer = new ReceiveBuffer();
        int home = buffer.Bytes.Length;
        await Assert.That(buffer.Reserve(512L << 20, 1L << 30)).IsTrue();
        await Assert.That(buffer.Bytes.Length).IsEqualTo(home); // announced, not arrived: no growth

        Fill(buffer, home);
        await Assert.That(buffer.Reserve(512L << 20, 1L << 30)).IsTrue();
        await Assert.That(buffer.IsLarge).IsTrue();
        await Assert.That(buffer.Bytes.Length).IsGreaterThanOrEqualTo(home + 1);
        await Assert.That(buffer.Bytes.Length).IsLessThanOrEqualTo(2 * home);
        await Assert.That(buffer.Length).IsEqualTo(home); // the bytes moved with the window

        buffer.Consume(buffer.Length);
        buffer.Settle();
        await Assert.That(buffer.IsLarge).IsFalse();
        await Assert.That(buffer.Start).IsEqualTo(0);
        await Assert.That(buffer.End).IsEqualTo(0);
    }

    [Test]
    public async Task A_frame_past_the_limit_is_refused_and_a_full_buffer_at_the_limit_has_no_room()
    {
        using var buffer = new ReceiveBuffer();
        await Assert.That(buffer.Reserve(1025, 1024)).IsFalse();
        Fill(buffer, 1024);
        await Assert.That(buffer.Reserve(0, 1024)).IsFalse(); // one more byte would pass the limit
        await Assert.That(buffer.Reserve(0, 1025)).IsTrue();
    }

    [Test]
    public async Task Consumed_bytes_make_room_at_the_front_and_the_window_keeps_its_bytes()
    {
        using var buffer = new ReceiveBuffer();
        int home = buffer.Bytes.Length;
        Fill(buffer, home - 3, 1);
        buffer.Consume(home - 10);
        Fill(buffer, 3, 2);
        await Assert.That(buffer.Free.Length).IsEqualTo(0);

        await Assert.That(buffer.Reserve(100, 1 << 20)).IsTrue();
        await Assert.That(buffer.IsLarge).IsFalse(); // compacted, not grown
        await Assert.That(buffer.Start).IsEqualTo(0);
        await Assert.That(buffer.Span.ToArray()).IsEquivalentTo(new byte[] { 1, 1, 1, 1, 1, 1, 1, 2, 2, 2 });

        buffer.Consume(4);
        buffer.Start = 0; // a protocol may parse the window again (RESP replays a pipeline group)
        await Assert.That(buffer.Length).IsEqualTo(10);
        buffer.Settle();
        await Assert.That(buffer.Length).IsEqualTo(10); // not empty: nothing moves
    }

    [Test]
    public async Task Disposing_twice_gives_the_home_buffer_back_once()
    {
        var pool = PinnedBufferPool.Shared;
        var buffer = new ReceiveBuffer();
        byte[] home = buffer.Bytes;
        buffer.Dispose();
        buffer.Dispose();
        var first = pool.Rent();
        var second = pool.Rent();
        await Assert.That(ReferenceEquals(first, home) && ReferenceEquals(second, home)).IsFalse();
        pool.Return(first);
        pool.Return(second);
    }
}
