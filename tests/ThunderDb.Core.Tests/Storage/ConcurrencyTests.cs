using System.Buffers;
using System.Buffers.Binary;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage;

public class ConcurrencyTests
{
    /// <summary>
    /// One writer inserts, updates and deletes (with checkpoints) while readers do point lookups and scans.
    /// Keys below the published watermark always exist, and every value must name its own key.
    /// </summary>
    [Test]
    public async Task Readers_see_consistent_data_while_one_writer_splits_merges_and_checkpoints()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options(poolBytes: 128 * 4096));
        long watermark = -1;
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        static byte[] Key(long i)
        {
            var key = new byte[8 + (int)(i % 50)];
            BinaryPrimitives.WriteInt64BigEndian(key, i);
            return key;
        }

        static byte[] Value(long i, int version)
        {
            var value = new byte[16 + ((i + version) % 300)];
            BinaryPrimitives.WriteInt64BigEndian(value, i);
            return value;
        }

        var writer = Task.Run(() =>
        {
            var random = new Random(6);
            long next = 0;
            var version = 0;
            while (DateTime.UtcNow < stop)
            {
                for (var n = 0; n < 200; n++, next++)
                {
                    store.Put(Key(next), Value(next, 0));
                }

                Volatile.Write(ref watermark, next - 1);
                for (var n = 0; n < 100; n++)
                {
                    var i = random.NextInt64(next);
                    store.Put(Key(i), Value(i, ++version));
                }

                // Churn above the watermark: inserted then deleted keys exercise merges.
                for (var n = 0; n < 100; n++)
                {
                    store.Put(Key(next + 1_000_000 + n), Value(n, 1));
                }

                for (var n = 0; n < 100; n++)
                {
                    store.Delete(Key(next + 1_000_000 + n));
                }

                if (next % 2000 == 0)
                {
                    store.Checkpoint((ulong)next, 0);
                }
            }
        });

        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(100 + r);
            var buffer = new ArrayBufferWriter<byte>();
            using var cursor = store.OpenCursor();
            while (DateTime.UtcNow < stop)
            {
                var high = Volatile.Read(ref watermark);
                if (high < 0)
                {
                    continue;
                }

                var i = random.NextInt64(high + 1);
                buffer.Clear();
                if (!store.TryGet(Key(i), buffer) || BinaryPrimitives.ReadInt64BigEndian(buffer.WrittenSpan) != i)
                {
                    failures.Enqueue($"lookup of {i} (watermark {high}) failed");
                }

                var expected = i;
                var ok = r == 0 ? cursor.Seek(Key(i)) : cursor.SeekForPrev(Key(i));
                for (var steps = 0; ok && steps < 50 && expected >= 0 && expected <= high; steps++)
                {
                    var key = BinaryPrimitives.ReadInt64BigEndian(cursor.Key);
                    if (key != expected || BinaryPrimitives.ReadInt64BigEndian(cursor.Value) != key)
                    {
                        failures.Enqueue($"scan from {i}: expected {expected}, got {key}");
                        break;
                    }

                    expected += r == 0 ? 1 : -1;
                    ok = r == 0 ? cursor.Next() : cursor.Prev();
                }
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(failures.IsEmpty ? "" : string.Join("; ", failures.Take(5))).IsEqualTo("");
        await Assert.That(Volatile.Read(ref watermark)).IsGreaterThan(1000);
    }

    /// <summary>
    /// Hot leaves: the writer rewrites a few hundred keys with changing value sizes (compactions, splits,
    /// merges of the same pages) while readers look the same keys up; every lookup must find its key.
    /// </summary>
    [Test]
    public async Task Readers_never_miss_a_key_that_the_writer_is_rewriting()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options());
        const int Keys = 400;
        static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"hot{i:D5}");
        for (var i = 0; i < Keys; i++)
        {
            store.Put(Key(i), BitConverter.GetBytes(i));
        }

        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        long lookups = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var writer = Task.Run(() =>
        {
            var random = new Random(8);
            var churn = 0;
            while (DateTime.UtcNow < stop)
            {
                var i = random.Next(Keys);
                var value = new byte[4 + random.Next(0, 600)];
                BitConverter.TryWriteBytes(value, i);
                store.Put(Key(i), value);
                var c = System.Text.Encoding.ASCII.GetBytes($"hot{random.Next(Keys):D5}x{churn++ % 7}");
                if (random.Next(2) == 0)
                {
                    store.Put(c, new byte[random.Next(0, 300)]);
                }
                else
                {
                    store.Delete(c);
                }
            }
        });

        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(200 + r);
            var buffer = new ArrayBufferWriter<byte>();
            while (DateTime.UtcNow < stop)
            {
                var i = random.Next(Keys);
                buffer.Clear();
                if (!store.TryGet(Key(i), buffer) || BitConverter.ToInt32(buffer.WrittenSpan) != i)
                {
                    failures.Enqueue($"lookup of hot key {i} failed");
                }

                Interlocked.Increment(ref lookups);
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(failures.IsEmpty ? "" : string.Join("; ", failures.Take(5))).IsEqualTo("");
        await Assert.That(Interlocked.Read(ref lookups)).IsGreaterThan(1000);
    }
}
