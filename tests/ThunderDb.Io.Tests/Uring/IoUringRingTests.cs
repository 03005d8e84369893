using ThunderDb.Io.Files;
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
    public async Task More_requests_than_ring_slots_wait_for_a_slot_and_all_complete()
    {
        using var dir = TestDirectory.InTemp();
        var ring = CreateRing(4);
        using (ring)
        {
            const int count = 300;
            const int size = 512;
            var expected = new byte[count * size];
            new Random(5).NextBytes(expected);
            await File.WriteAllBytesAsync(dir.File("a.db"), expected);

            using var file = StorageFileFactory.Open(dir.File("a.db"), new FileOpenOptions { Backend = IoBackendKind.IoUring }, ring, IoBackendProbe.Result);
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

            // The ring never exceeded its completion capacity, and did use it.
            await Assert.That(ring.PeakInFlight).IsLessThanOrEqualTo(ring.MaxInFlight);
            await Assert.That(ring.PeakInFlight).IsGreaterThan(1);
        }
    }

    [Test]
    public async Task Async_reads_keep_32_requests_in_flight_at_once()
    {
        using var dir = TestDirectory.OnRepositoryDisk();
        var ring = CreateRing(64);
        using (ring)
        {
            using var file = StorageFileFactory.Open(dir.File("qd.db"), new FileOpenOptions { Backend = IoBackendKind.IoUring, DirectIo = true }, ring, IoBackendProbe.Result);
            file.SetLength(32 * 16384);
            using var buffer = new ThunderDb.Io.Buffers.AlignedBuffer(32 * 16384);
            var reads = new Task<int>[32];
            for (var i = 0; i < 32; i++)
            {
                reads[i] = file.ReadAsync(i * 16384L, buffer.Memory.Slice(i * 16384, 16384)).AsTask();
            }

            await Task.WhenAll(reads);

            // All 32 were submitted before the first completion could free a slot: submission does not wait for I/O.
            await Assert.That(ring.PeakInFlight).IsGreaterThanOrEqualTo(16);
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
