using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage.BTree;

/// <summary>
/// Reads descend resident branch nodes without latches, validating frame versions. These run them against a
/// writer that keeps splitting, merging and (through checkpoints) copying the very pages they pass through.
/// </summary>
public class OptimisticReadTests
{
    private static byte[] Prefix(int user) => Encoding.ASCII.GetBytes($"key:{user:D12}\0\0");

    private static byte[] Versioned(int user, ulong commitTs)
    {
        var prefix = Prefix(user);
        var key = new byte[prefix.Length + 8];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), ~commitTs);
        return key;
    }

    [Test]
    public async Task Lookups_and_seeks_stay_exact_while_the_writer_copies_splits_and_merges_the_path()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options(pageSize: 4096, poolBytes: 64L << 20));
        const int Users = 3000;

        // Version 1 of every user key stays forever; the writer adds and removes newer versions around it.
        for (var u = 0; u < Users; u++)
        {
            store.Put(Versioned(u, 1), BitConverter.GetBytes(u));
        }

        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        long reads = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(9);
            ulong commitTs = 2;
            var live = new Queue<byte[]>();
            var operations = 0;
            while (DateTime.UtcNow < stop)
            {
                var u = random.Next(Users);
                var key = Versioned(u, commitTs++);
                store.Put(key, new byte[4 + random.Next(200)]);
                live.Enqueue(key);
                if (live.Count > 2000)
                {
                    for (var n = 0; n < 1000; n++)
                    {
                        store.Delete(live.Dequeue()); // bursts of deletes: merges up the path
                    }
                }

                if (++operations % 500 == 0)
                {
                    store.Checkpoint(commitTs, commitTs); // next writes copy the root-to-leaf paths
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(300 + r);
            var buffer = new ArrayBufferWriter<byte>();
            using var cursor = store.OpenCursor();
            while (DateTime.UtcNow < stop)
            {
                var u = random.Next(Users);
                buffer.Clear();
                if (!store.TryGet(Versioned(u, 1), buffer) || BitConverter.ToInt32(buffer.WrittenSpan) != u)
                {
                    failures.Enqueue($"get of user {u} failed");
                }

                // The newest version sorts first; whichever it is, it belongs to this user key.
                if (!cursor.Seek(Prefix(u)) || !cursor.Key.StartsWith(Prefix(u)))
                {
                    failures.Enqueue($"seek to user {u} failed");
                }

                // Backwards from just past version 1: exactly version 1.
                var after = Versioned(u, 0);
                if (!cursor.SeekForPrev(after) || !cursor.Key.SequenceEqual(Versioned(u, 1)))
                {
                    failures.Enqueue($"seek for prev of user {u} failed");
                }

                Interlocked.Increment(ref reads);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(failures.IsEmpty ? "" : string.Join("; ", failures.Take(5))).IsEqualTo("");
        await Assert.That(Interlocked.Read(ref reads)).IsGreaterThan(1000);
        await Assert.That(store.Depth()).IsGreaterThanOrEqualTo(2);
    }

    [Test]
    public async Task A_cached_lookup_counts_one_buffer_pool_hit_per_level()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options(pageSize: 4096, poolBytes: 64L << 20));
        for (var u = 0; u < 20_000; u++)
        {
            store.Put(Versioned(u, 1), BitConverter.GetBytes(u));
        }

        var depth = store.Depth();
        var before = store.BufferPoolCounters;
        var buffer = new ArrayBufferWriter<byte>();
        for (var u = 0; u < 100; u++)
        {
            buffer.Clear();
            await Assert.That(store.TryGet(Versioned(u * 37, 1), buffer)).IsTrue();
        }

        var after = store.BufferPoolCounters;
        await Assert.That(depth).IsGreaterThanOrEqualTo(3);
        await Assert.That(after.Hits - before.Hits).IsEqualTo(100L * depth);
        await Assert.That(after.Misses).IsEqualTo(before.Misses);
    }
}
