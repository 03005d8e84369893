using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage;

public class BufferPoolMetricsTests
{
    [Test]
    public async Task Page_io_and_pool_hits_reach_the_prometheus_counters()
    {
        using var dir = new TempDataDir();
        using (var store = BTreeStore.Open(dir.Options(poolBytes: 64 * 4096) with { DirectIo = true }))
        {
            // O_DIRECT really is used where the filesystem allows it (tmpfs refuses it: buffered fallback).
            var filesystem = new DriveInfo(dir.Path).DriveFormat;
            await Assert.That(store.Pager.IsDirectIo || filesystem == "tmpfs").IsTrue();
            await Assert.That(store.Pager.Pool.FrameCount).IsEqualTo(64);
            for (var i = 0; i < 3000; i++)
            {
                store.Put(BitConverter.GetBytes(i), new byte[100]);
            }

            store.Checkpoint(0, 0);
        }

        var written = ThunderMetrics.PagesWrittenTotal.Value;
        await Assert.That(written).IsGreaterThan(0);
        var readBefore = ThunderMetrics.PagesReadTotal.Value;
        var bytesBefore = ThunderMetrics.BytesReadTotal.Value;
        var hitsBefore = ThunderMetrics.BufferPoolHitsTotal.Value;
        var missesBefore = ThunderMetrics.BufferPoolMissesTotal.Value;
        using (var store = BTreeStore.Open(dir.Options(poolBytes: 64 * 4096)))
        {
            for (var i = 0; i < 3000; i++)
            {
                await Assert.That(StoreAssert.Get(store, BitConverter.GetBytes(i))).IsNotNull();
            }

            var (hits, misses) = store.BufferPoolCounters;
            await Assert.That(misses).IsGreaterThan(10);
            await Assert.That(hits).IsGreaterThan(misses);

            // Prometheus collection publishes the striped counters first.
            using var stream = new MemoryStream();
            await ThunderMetrics.Registry.CollectAndExportAsTextAsync(stream);
            var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
            await Assert.That(text).Contains("thunderdb_buffer_pool_hit_ratio");
            await Assert.That(ThunderMetrics.BufferPoolHitsTotal.Value - hitsBefore).IsGreaterThanOrEqualTo(hits);
            await Assert.That(ThunderMetrics.BufferPoolMissesTotal.Value - missesBefore).IsGreaterThanOrEqualTo(misses);
        }

        await Assert.That(ThunderMetrics.PagesReadTotal.Value - readBefore).IsGreaterThan(10);
        await Assert.That(ThunderMetrics.BytesReadTotal.Value - bytesBefore).IsGreaterThan(10 * 4096);
    }
}
