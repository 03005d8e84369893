using System.Buffers;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>
/// Model-based tests: thousands of random operations on the B+tree and on a SortedDictionary, compared
/// after every step, with checkpoints and close/reopen in the middle.
/// </summary>
public class BTreeModelTests
{
    private static byte[] RandomKey(Random random, int keySpace)
    {
        // Dense numbers (so updates and deletes hit) with a length fixed per number, up to ~480 bytes:
        // long keys keep the branch fan-out small, so a few thousand keys already make a 3-level tree.
        var n = random.Next(keySpace);
        var length = 4 + ((n % 5) * 120);
        var key = new byte[length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(key, n);
        for (var i = 4; i < length; i++)
        {
            key[i] = (byte)(n * 31 + i);
        }

        return key;
    }

    private static byte[] RandomValue(Random random, int pageSize)
    {
        var roll = random.Next(100);
        var length = roll switch
        {
            < 80 => random.Next(0, 60),
            < 95 => random.Next(60, pageSize / 5),
            _ => random.Next(pageSize / 3, pageSize * 3), // overflow pages
        };
        var value = new byte[length];
        if (random.Next(2) == 0)
        {
            random.NextBytes(value); // incompressible
        }
        else
        {
            value.AsSpan().Fill((byte)random.Next(256)); // compresses well
        }

        return value;
    }

    private static async Task RunModel(int seed, int operations, int keySpace, long poolBytes, CompressionAlgorithm algorithm, bool directIo = false)
    {
        using var dir = new TempDataDir();
        var options = dir.Options(pageSize: 4096, poolBytes: poolBytes, algorithm: algorithm) with { DirectIo = directIo };
        var random = new Random(seed);
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var store = BTreeStore.Open(options);
        try
        {
            var writer = new ArrayBufferWriter<byte>();
            var maxDepth = 0;
            for (var step = 0; step < operations; step++)
            {
                var key = RandomKey(random, keySpace);
                var roll = random.Next(100);
                if (roll < 55)
                {
                    var value = RandomValue(random, options.PageSize);
                    store.Put(key, value);
                    model[key] = value;
                }
                else if (roll < 80)
                {
                    var deleted = store.Delete(key);
                    await Assert.That(deleted).IsEqualTo(model.Remove(key));
                }
                else
                {
                    await CheckRange(store, model, key, forward: roll < 90, random.Next(1, 30));
                }

                writer.Clear();
                var found = store.TryGet(key, writer);
                await Assert.That(found).IsEqualTo(model.ContainsKey(key));
                if (found)
                {
                    await Assert.That(writer.WrittenSpan.SequenceEqual(model[key])).IsTrue();
                }

                if (step % 500 == 499)
                {
                    maxDepth = Math.Max(maxDepth, store.Depth());
                    await Assert.That(StoreAssert.CompareAll(store, model)).IsNull();
                    store.Checkpoint((ulong)step, (ulong)step * 10);
                }

                if (step % 1500 == 1499)
                {
                    store.Dispose();
                    store = BTreeStore.Open(options);
                    await Assert.That(store.CheckpointWalLsn).IsEqualTo((ulong)step);
                    await Assert.That(store.CheckpointMaxCommitTs).IsEqualTo((ulong)step * 10);
                    await Assert.That(StoreAssert.CompareAll(store, model)).IsNull();
                }
            }

            // Enough data for branch levels, so splits and merges of branches ran too.
            await Assert.That(maxDepth).IsGreaterThanOrEqualTo(3);
            Console.WriteLine($"model seed {seed}: max depth {maxDepth}, pool hits {store.BufferPoolCounters.Hits}, misses {store.BufferPoolCounters.Misses}");

            // Delete everything: merges all the way down to an empty root, then refill.
            foreach (var key in model.Keys.ToList())
            {
                await Assert.That(store.Delete(key)).IsTrue();
                model.Remove(key);
            }

            await Assert.That(StoreAssert.CompareAll(store, model)).IsNull();
            await Assert.That(store.Depth()).IsEqualTo(1);
            store.Checkpoint(1, 1);
            var pagesBefore = store.Pager.PageCount;
            for (var i = 0; i < 200; i++)
            {
                var key = RandomKey(random, keySpace);
                var value = RandomValue(random, options.PageSize);
                store.Put(key, value);
                model[key] = value;
            }

            await Assert.That(StoreAssert.CompareAll(store, model)).IsNull();

            // Freed pages were reused instead of growing the file much.
            await Assert.That(store.Pager.PageCount).IsLessThanOrEqualTo(pagesBefore + 50);
        }
        finally
        {
            store.Dispose();
        }
    }

    private static async Task CheckRange(BTreeStore store, SortedDictionary<byte[], byte[]> model, byte[] from, bool forward, int count)
    {
        using var cursor = store.OpenCursor();
        var expected = forward
            ? model.Where(kv => ByteArrayComparer.Instance.Compare(kv.Key, from) >= 0).Take(count).ToList()
            : model.Reverse().Where(kv => ByteArrayComparer.Instance.Compare(kv.Key, from) <= 0).Take(count).ToList();
        var ok = forward ? cursor.Seek(from) : cursor.SeekForPrev(from);
        for (var i = 0; i < expected.Count; i++)
        {
            await Assert.That(ok).IsTrue();
            await Assert.That(cursor.Key.SequenceEqual(expected[i].Key)).IsTrue();
            await Assert.That(cursor.Value.SequenceEqual(expected[i].Value)).IsTrue();
            ok = forward ? cursor.Next() : cursor.Prev();
        }

        if (expected.Count < count)
        {
            await Assert.That(ok).IsFalse();
        }
    }

    [Test]
    public async Task Random_operations_match_a_sorted_dictionary_across_checkpoints_and_reopen()
    {
        await RunModel(seed: 1, operations: 4500, keySpace: 1500, poolBytes: 8L << 20, CompressionAlgorithm.Lz4);
    }

    [Test]
    public async Task Random_operations_match_with_a_pool_far_smaller_than_the_data()
    {
        // 64 frames of 4 KiB = 256 KiB against several MiB of data: eviction runs constantly. O_DIRECT is asked
        // for (the temp directory's filesystem normally supports it; tmpfs falls back to buffered I/O).
        await RunModel(seed: 2, operations: 4500, keySpace: 3000, poolBytes: 64 * 4096, CompressionAlgorithm.Zstd, directIo: true);
    }

    [Test]
    public async Task Reopen_without_checkpoint_returns_the_last_checkpoint_exactly()
    {
        using var dir = new TempDataDir();
        var options = dir.Options(poolBytes: 64 * 4096);
        var random = new Random(3);
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        for (var round = 0; round < 3; round++)
        {
            using (var store = BTreeStore.Open(options))
            {
                await Assert.That(StoreAssert.CompareAll(store, model)).IsNull();
                for (var i = 0; i < 800; i++)
                {
                    var key = RandomKey(random, 2000);
                    if (random.Next(4) == 0)
                    {
                        store.Delete(key);
                        model.Remove(key);
                    }
                    else
                    {
                        var value = RandomValue(random, options.PageSize);
                        store.Put(key, value);
                        model[key] = value;
                    }
                }

                store.Checkpoint((ulong)round + 1, 0);

                // Work after the checkpoint that is lost in the "crash": with a small pool many of these
                // pages are written to the file by eviction before the process dies.
                for (var i = 0; i < 800; i++)
                {
                    var key = RandomKey(random, 2000);
                    if (random.Next(3) == 0)
                    {
                        store.Delete(key);
                    }
                    else
                    {
                        store.Put(key, RandomValue(random, options.PageSize));
                    }
                }

                await Assert.That(store.BufferPoolCounters.Misses).IsGreaterThan(0);
            } // Dispose does not checkpoint: same as a crash after the evictions.

            using var reopened = BTreeStore.Open(options);
            await Assert.That(reopened.CheckpointWalLsn).IsEqualTo((ulong)round + 1);
            await Assert.That(StoreAssert.CompareAll(reopened, model)).IsNull();
        }
    }

    [Test]
    public async Task Large_values_round_trip_through_overflow_pages_with_each_codec()
    {
        foreach (var (compression, algorithm) in new[] { (false, CompressionAlgorithm.Lz4), (true, CompressionAlgorithm.Lz4), (true, CompressionAlgorithm.Zstd) })
        {
            using var dir = new TempDataDir();
            var options = dir.Options(compression: compression, algorithm: algorithm);
            var compressible = new byte[200_000];
            for (var i = 0; i < compressible.Length; i++)
            {
                compressible[i] = (byte)(i / 1000);
            }

            var random = new byte[50_000];
            new Random(4).NextBytes(random);
            using (var store = BTreeStore.Open(options))
            {
                store.Put("big"u8, compressible);
                store.Put("rnd"u8, random);
                store.Put("big"u8, compressible.AsSpan(0, 150_000)); // update frees the old chain
                store.Checkpoint(0, 0);
            }

            using (var store = BTreeStore.Open(options))
            {
                await Assert.That(StoreAssert.Get(store, "big"u8.ToArray())!.AsSpan().SequenceEqual(compressible.AsSpan(0, 150_000))).IsTrue();
                await Assert.That(StoreAssert.Get(store, "rnd"u8.ToArray())!.AsSpan().SequenceEqual(random)).IsTrue();
            }

            var fileSize = new FileInfo(dir.DataFile).Length;
            if (compression)
            {
                await Assert.That(fileSize).IsLessThan(150_000);
            }
            else
            {
                await Assert.That(fileSize).IsGreaterThan(200_000);
            }
        }
    }

    [Test]
    public async Task Too_long_keys_are_refused()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options());
        var key = new byte[store.MaxKeySize + 1];
        await Assert.That(() => store.Put(key, [])).Throws<ArgumentException>();
        store.Put(key.AsSpan(0, store.MaxKeySize), [1]);
        await Assert.That(StoreAssert.Get(store, key[..store.MaxKeySize])).IsNotNull();

        // The empty key is a key like any other (the smallest).
        store.Put([], [7]);
        await Assert.That(StoreAssert.Get(store, [])!.Single()).IsEqualTo((byte)7);
        using var cursor = store.OpenCursor();
        await Assert.That(cursor.SeekFirst() && cursor.Key.IsEmpty).IsTrue();
    }

    [Test]
    public async Task In_order_loads_fill_pages_instead_of_halving_them()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options());
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        for (var i = 0; i < 20_000; i++)
        {
            var key = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key, i);
            store.Put(key, new byte[40]);
            model[key] = new byte[40];
        }

        await Assert.That(StoreAssert.CompareAll(store, model)).IsNull();

        // 20,000 cells of 57 bytes + slot = ~1.2 MB: about 290 full 4 KiB pages, ~580 if each split halved.
        await Assert.That(store.Pager.PageCount).IsLessThan(360ul);
    }

    [Test]
    public async Task Freed_pages_survive_reopen_on_the_free_list_and_are_reused()
    {
        using var dir = new TempDataDir();
        var options = dir.Options();
        ulong highWater;
        using (var store = BTreeStore.Open(options))
        {
            for (var i = 0; i < 5000; i++)
            {
                store.Put(BitConverter.GetBytes(i), new byte[60]);
            }

            store.Checkpoint(1, 1);
            for (var i = 0; i < 5000; i++)
            {
                store.Delete(BitConverter.GetBytes(i));
            }

            store.Checkpoint(2, 2); // the tree's pages become free in this checkpoint's free list
            highWater = store.Pager.PageCount;
            await Assert.That(store.Pager.FreePageCount).IsGreaterThan(100);
        }

        using (var store = BTreeStore.Open(options))
        {
            await Assert.That(store.Pager.FreePageCount).IsGreaterThan(100);
            for (var i = 0; i < 5000; i++)
            {
                store.Put(BitConverter.GetBytes(i + 10_000), new byte[60]);
            }

            store.Checkpoint(3, 3);

            // The same amount of data fits in the freed pages: the file barely grows.
            await Assert.That(store.Pager.PageCount).IsLessThanOrEqualTo(highWater + 10);
            await Assert.That(StoreAssert.Get(store, BitConverter.GetBytes(14_999))).IsNotNull();
        }
    }
}
