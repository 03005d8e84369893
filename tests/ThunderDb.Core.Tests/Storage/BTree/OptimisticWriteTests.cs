using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage.BTree;

/// <summary>
/// Writes that fit in their leaf descend optimistically and latch only the leaf. These run readers (lookups and
/// cursor scans) against a writer that mixes such in-place writes with splits, merges, overflow values and
/// checkpoints (after which every path is copied again), in a big pool and in one so small that the readers'
/// misses keep evicting frames under the writer's optimistic descent.
/// </summary>
public class OptimisticWriteTests
{
    private const int Users = 2000;

    private static byte[] Prefix(int user) => Encoding.ASCII.GetBytes($"key:{user:D12}\0\0");

    private static byte[] Versioned(int user, ulong commitTs)
    {
        var prefix = Prefix(user);
        var key = new byte[prefix.Length + 8];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), ~commitTs);
        return key;
    }

    private static int UserOf(ReadOnlySpan<byte> key) => int.Parse(Encoding.ASCII.GetString(key[4..16]), System.Globalization.CultureInfo.InvariantCulture);

    private static ulong CommitTsOf(ReadOnlySpan<byte> key) => ~BinaryPrimitives.ReadUInt64BigEndian(key[^8..]);

    /// <summary>Version 1 of a user key: rewritten in place with a new generation; every field depends on both.</summary>
    private static byte[] StableValue(int user, uint generation)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(value, user);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(4), generation);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(8), (uint)user * 2654435761u ^ generation);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(12), ~generation);
        return value;
    }

    private static bool IsStableValue(int user, ReadOnlySpan<byte> value) =>
        value.Length == 16 && value.SequenceEqual(StableValue(user, BinaryPrimitives.ReadUInt32LittleEndian(value[4..])));

    /// <summary>Newer versions: the bytes follow from the commit timestamp, so a torn or misplaced value shows.</summary>
    private static byte[] VersionValue(ulong commitTs, int length)
    {
        var value = new byte[length];
        for (var i = 0; i < length; i++)
        {
            value[i] = (byte)(commitTs + (ulong)i);
        }

        return value;
    }

    private static bool IsValueOf(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var commitTs = CommitTsOf(key);
        if (commitTs == 1)
        {
            return IsStableValue(UserOf(key), value);
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != (byte)(commitTs + (ulong)i))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    [Test]
    [Arguments(64L << 20)]
    [Arguments(256L << 10)]
    public async Task Readers_stay_exact_while_leaf_only_writes_mix_with_splits_merges_and_checkpoints(long poolBytes)
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options(pageSize: 4096, poolBytes: poolBytes));
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        for (var u = 0; u < Users; u++)
        {
            var key = Versioned(u, 1);
            model[key] = StableValue(u, 0);
            store.Put(key, model[key]);
        }

        var fastBefore = store.LeafOnlyWrites;
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        long reads = 0;
        long writes = 0; // puts and deletes of live keys
        long iterations = 0;
        var failures = new ConcurrentQueue<string>();
        var writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(17);
            ulong commitTs = 2;
            var live = new Queue<byte[]>();
            while (DateTime.UtcNow < stop)
            {
                var u = random.Next(Users);
                var roll = random.Next(100);
                if (roll < 40)
                {
                    // Same-size rewrite of version 1: almost always in place.
                    var key = Versioned(u, 1);
                    model[key] = StableValue(u, (uint)commitTs++);
                    store.Put(key, model[key]);
                    writes++;
                }
                else
                {
                    var key = Versioned(u, commitTs);
                    var length = roll < 42 ? 3000 + random.Next(3000) : 4 + random.Next(120); // a few overflow values
                    model[key] = VersionValue(commitTs++, length);
                    store.Put(key, model[key]);
                    writes++;
                    live.Enqueue(key);
                }

                if (live.Count > 1000)
                {
                    // Bursts of deletes: most stay in their leaf, the rest merge up the path.
                    for (var n = 0; n < 500; n++)
                    {
                        var key = live.Dequeue();
                        model.Remove(key);
                        writes++;
                        if (!store.Delete(key))
                        {
                            failures.Enqueue("delete of a live key found nothing");
                        }
                    }
                }

                if (random.Next(20) == 0 && store.Delete(Versioned(u, 0)))
                {
                    failures.Enqueue("delete of an absent key found something");
                }

                if (++iterations % 700 == 0)
                {
                    store.Checkpoint(commitTs, commitTs); // the next writes copy their paths again
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(500 + r);
            var buffer = new ArrayBufferWriter<byte>();
            using var cursor = store.OpenCursor();
            while (DateTime.UtcNow < stop)
            {
                var u = random.Next(Users);
                buffer.Clear();
                if (!store.TryGet(Versioned(u, 1), buffer) || !IsStableValue(u, buffer.WrittenSpan))
                {
                    failures.Enqueue($"get of user {u}: {Convert.ToHexString(buffer.WrittenSpan)}");
                }

                // A short scan: ascending keys, each value belongs to its key, and version 1 of every user on
                // the way (each user's newer versions sort before it), none skipped.
                if (!cursor.Seek(Prefix(u)))
                {
                    failures.Enqueue($"seek to user {u} found nothing");
                    continue;
                }

                var expectedUser = u;
                var previous = Array.Empty<byte>();
                for (var step = 0; step < 24; step++)
                {
                    var key = cursor.Key;
                    if (key.SequenceCompareTo(previous) <= 0 || !IsValueOf(key, cursor.Value))
                    {
                        failures.Enqueue($"scan from user {u}: key {Convert.ToHexString(key)} out of order or with a foreign value");
                        break;
                    }

                    if (UserOf(key) != expectedUser)
                    {
                        failures.Enqueue($"scan from user {u}: reached user {UserOf(key)}, expected {expectedUser}");
                        break;
                    }

                    if (CommitTsOf(key) == 1)
                    {
                        expectedUser++;
                    }

                    previous = key.ToArray();
                    if (!cursor.Next())
                    {
                        if (expectedUser != Users)
                        {
                            failures.Enqueue($"scan from user {u} ended before user {expectedUser}");
                        }

                        break;
                    }
                }

                Interlocked.Increment(ref reads);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(failures.IsEmpty ? "" : string.Join("; ", failures.Take(5))).IsEqualTo("");
        await Assert.That(Interlocked.Read(ref reads)).IsGreaterThan(500);
        await Assert.That(store.Depth()).IsGreaterThanOrEqualTo(2);

        // Both paths ran: most writes stayed in their leaf, and the rest split, merged and copied.
        await Assert.That(writes).IsGreaterThan(1000); // the writer really ran (dedicated thread: readers cannot starve it)
        var fast = store.LeafOnlyWrites - fastBefore;
        await Assert.That(fast).IsGreaterThan(writes / 4);
        await Assert.That(fast).IsLessThan(writes);

        // The tree holds exactly the model, in order.
        var mismatches = 0;
        using (var scan = store.OpenCursor())
        {
            using var expected = model.GetEnumerator();
            var more = scan.SeekFirst();
            while (expected.MoveNext())
            {
                if (!more || !scan.Key.SequenceEqual(expected.Current.Key) || !scan.Value.SequenceEqual(expected.Current.Value))
                {
                    mismatches++;
                }

                more = more && scan.Next();
            }

            if (more)
            {
                mismatches++;
            }
        }

        await Assert.That(mismatches).IsEqualTo(0);
    }
}
