using ThunderDb.Io.Files;
using ThunderDb.Io.Native;
using ThunderDb.Io.Uring;

namespace ThunderDb.Io.Tests.Uring;

public class IoUringRingTests
{
    private static IoUringRing CreateRing(uint entries) =>
        IoUringRing.TryCreate(entries, out var ring, out var errno, out var failure)
            ? ring
            : throw new InvalidOperationException($"{failure} failed with errno {errno}");

    [Test]
    public async Task A_ring_sets_up_and_shuts_down_cleanly()
    {
        var created = IoUringRing.TryCreate(8, out var ring, out var errno, out var failure);
        await Assert.That(created).IsTrue().Because($"{failure}: errno {errno}");
        await Assert.That(ring!.SubmissionEntries).IsEqualTo(8u);
        await Assert.That(ring.MaxInFlight).IsEqualTo((int)ring.CqEntries);
        ring.Dispose();
        ring.Dispose(); // idempotent
    }

    [Test]
    public async Task Many_async_writes_and_reads_from_many_threads_round_trip()
    {
        using var dir = new TempDirectory();
        var ring = CreateRing(4);
        using (ring)
        {
            using var file = StorageFileFactory.Open(dir.Combine("a.db"), new FileOpenOptions { Backend = IoBackendKind.IoUring }, ring, IoBackendProbe.Result);
            const int count = 200;
            const int size = 1000;
            var expected = new byte[count * size];
            new Random(9).NextBytes(expected);
            var writes = Enumerable.Range(0, count)
                .Select(i => Task.Run(async () => await file.WriteAsync((long)i * size, expected.AsMemory(i * size, size))))
                .ToArray();
            await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));
            await file.FlushAsync();

            var back = new byte[expected.Length];
            var reads = Enumerable.Range(0, count)
                .Select(i => Task.Run(async () => await file.ReadAsync((long)i * size, back.AsMemory(i * size, size))))
                .ToArray();
            var lengths = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(10));
            await Assert.That(lengths.All(n => n == size)).IsTrue();
            await Assert.That(back.AsSpan().SequenceEqual(expected)).IsTrue();
            await Assert.That(ring.PeakInFlight).IsLessThanOrEqualTo(ring.MaxInFlight);
        }
    }

    [Test]
    public async Task More_requests_than_ring_slots_wait_for_a_slot_and_all_complete()
    {
        using var dir = new TempDirectory();
        var ring = CreateRing(4);
        using (ring)
        {
            const int count = 300;
            const int size = 512;
            var expected = new byte[count * size];
            new Random(5).NextBytes(expected);
            await File.WriteAllBytesAsync(dir.Combine("a.db"), expected);

            using var file = StorageFileFactory.Open(dir.Combine("a.db"), new FileOpenOptions { Backend = IoBackendKind.IoUring }, ring, IoBackendProbe.Result);
            var buffers = new byte[count][];
            var reads = new Task<int>[count];
            for (var i = 0; i < count; i++)
            {
                buffers[i] = new byte[size];
                reads[i] = file.ReadAsync((long)i * size, buffers[i]).AsTask();
            }

            var lengths = await Task.WhenAll(reads);
            await Assert.That(lengths.All(n => n == size)).IsTrue();
            for (var i = 0; i < count; i++)
            {
                await Assert.That(buffers[i].AsSpan().SequenceEqual(expected.AsSpan(i * size, size))).IsTrue();
            }

            // The ring never exceeded its completion capacity.
            await Assert.That(ring.PeakInFlight).IsLessThanOrEqualTo(ring.MaxInFlight);
        }
    }

    [Test]
    [Arguments(64u, 32, 32)] // queue depth 32 is real: all 32 reads are in the kernel at once
    [Arguments(4u, 20, 8)] // a ring of 4 SQ / 8 CQ entries holds 8; the other 12 wait for a slot
    public async Task Reads_that_cannot_complete_yet_are_all_in_flight_at_once(uint entries, int reads, int expectedInFlight)
    {
        // A pipe's reads stay pending until someone writes, which makes the queue depth observable.
        var (readEnd, writeEnd) = CreatePipe();
        try
        {
            using var ring = CreateRing(entries);
            using var buffer = new ThunderDb.Io.Buffers.AlignedBuffer((nuint)reads);
            var pending = new Task<int>[reads];
            for (var i = 0; i < reads; i++)
            {
                pending[i] = SubmitRead(ring, readEnd, buffer, i).AsTask();
            }

            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (ring.PeakInFlight < expectedInFlight && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            await Assert.That(ring.PeakInFlight).IsEqualTo(expectedInFlight);
            await Assert.That(pending.Any(t => t.IsCompleted)).IsFalse();

            WriteBytes(writeEnd, reads);
            var results = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5));
            await Assert.That(results.Sum()).IsEqualTo(reads);
            await Assert.That(buffer.Span.ToArray().All(b => b == 0x5A)).IsTrue();
        }
        finally
        {
            _ = Libc.Close(readEnd);
            _ = Libc.Close(writeEnd);
        }
    }

    [Test]
    public async Task A_short_read_is_continued_until_the_buffer_is_full()
    {
        // A pipe hands a read whatever has been written so far: the file must resubmit for the rest.
        var (readEnd, writeEnd) = CreatePipe();
        try
        {
            using var file = StorageFile.Open($"/proc/self/fd/{readEnd}", new FileOpenOptions { Backend = IoBackendKind.IoUring, CreateIfMissing = false });
            var buffer = new byte[8];
            var read = file.ReadAsync(0, buffer).AsTask();
            WriteBytes(writeEnd, 3);
            await Task.Delay(50);
            await Assert.That(read.IsCompleted).IsFalse();
            WriteBytes(writeEnd, 5);
            await Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(5))).IsEqualTo(8);
            await Assert.That(buffer.All(b => b == 0x5A)).IsTrue();
        }
        finally
        {
            _ = Libc.Close(readEnd);
            _ = Libc.Close(writeEnd);
        }
    }

    private static unsafe ValueTask<int> SubmitRead(IoUringRing ring, int fd, ThunderDb.Io.Buffers.AlignedBuffer buffer, int index) =>
        ring.SubmitAsync(IoUringNative.OpRead, fd, (nint)(buffer.Pointer + index), 1, 0, 0);

    private static unsafe (int ReadEnd, int WriteEnd) CreatePipe()
    {
        var fds = stackalloc int[2];
        return Libc.Pipe2(fds, Libc.O_CLOEXEC) == 0 ? (fds[0], fds[1]) : throw new InvalidOperationException("pipe2 failed");
    }

    private static unsafe void WriteBytes(int fd, int count)
    {
        var bytes = stackalloc byte[count];
        new Span<byte>(bytes, count).Fill(0x5A);
        if (Libc.WriteFd(fd, bytes, (nuint)count) != count)
        {
            throw new InvalidOperationException("write to pipe failed");
        }
    }

    [Test]
    public async Task Submitting_after_dispose_throws()
    {
        var ring = CreateRing(4);
        ring.Dispose();
        await Assert.That(async () => await ring.SubmitAsync(0, -1, 0, 0, 0, 0)).Throws<ObjectDisposedException>();
    }
}
