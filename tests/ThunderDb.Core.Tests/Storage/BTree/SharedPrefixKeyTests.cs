using System.Buffers.Binary;
using System.Text;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Core.Tests.Storage.BTree;

/// <summary>
/// Point lookups and seeks on keys shaped like the MVCC keys of the Redis front end: long shared prefixes,
/// keys that are prefixes of other keys, several versions per user key. Checks the node binary search
/// (lower/upper bound, child choice in branches) against a sorted model at every probe.
/// </summary>
public class SharedPrefixKeyTests
{
    private static byte[] Versioned(string user, ulong commitTs)
    {
        var prefix = Encoding.ASCII.GetBytes(user);
        var key = new byte[prefix.Length + 2 + 8];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length + 2), ~commitTs);
        return key;
    }

    // A long prefix every key shares keeps the fan-out small, so a few thousand keys make a 3-level tree.
    private static readonly string Shared = "tenant:00000000:" + new string('p', 48);

    [Test]
    public async Task Lookups_and_seeks_on_versioned_keys_with_shared_prefixes_match_a_sorted_model()
    {
        using var dir = new TempDataDir();
        using var store = BTreeStore.Open(dir.Options(pageSize: 4096));
        var model = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var random = new Random(5);
        ulong commitTs = 1;
        for (var i = 0; i < 6000; i++)
        {
            // "key:7", "key:70", "key:700": user keys that are prefixes of each other, plus fixed-width ones.
            var n = random.Next(3000);
            var user = random.Next(2) == 0 ? Shared + "key:" + n : Shared + "key:" + n.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
            var key = Versioned(user, commitTs++);
            var value = BitConverter.GetBytes(i);
            store.Put(key, value);
            model[key] = value;
            if (random.Next(4) == 0)
            {
                store.Put(key.AsSpan(0, key.Length - 10), value); // the bare user key too
                model[key.AsSpan(0, key.Length - 10).ToArray()] = value;
            }
        }

        var keys = model.Keys.ToArray();
        var failures = new List<string>();
        foreach (var key in keys)
        {
            var got = StoreAssert.Get(store, key);
            if (got is null || !got.AsSpan().SequenceEqual(model[key]))
            {
                failures.Add($"get {Convert.ToHexString(key)}");
            }
        }

        using var cursor = store.OpenCursor();
        for (var probe = 0; probe < 3000; probe++)
        {
            // Existing keys, their prefixes, and existing keys with one byte changed or appended.
            var from = keys[random.Next(keys.Length)];
            from = random.Next(4) switch
            {
                0 => from,
                1 => from.AsSpan(0, random.Next(from.Length + 1)).ToArray(),
                2 => [.. from, (byte)random.Next(256)],
                _ => Mutate(from, random),
            };

            var lower = Array.BinarySearch(keys, from, ByteArrayComparer.Instance);
            var first = lower >= 0 ? lower : ~lower;
            var last = lower >= 0 ? lower : ~lower - 1;
            if (cursor.Seek(from) != first < keys.Length || (first < keys.Length && !cursor.Key.SequenceEqual(keys[first])))
            {
                failures.Add($"seek {Convert.ToHexString(from)}");
            }
            else if (first + 1 < keys.Length && (!cursor.Next() || !cursor.Key.SequenceEqual(keys[first + 1])))
            {
                failures.Add($"next after {Convert.ToHexString(from)}");
            }

            if (cursor.SeekForPrev(from) != last >= 0 || (last >= 0 && !cursor.Key.SequenceEqual(keys[last])))
            {
                failures.Add($"seek for prev {Convert.ToHexString(from)}");
            }
            else if (last > 0 && (!cursor.Prev() || !cursor.Key.SequenceEqual(keys[last - 1])))
            {
                failures.Add($"prev before {Convert.ToHexString(from)}");
            }
        }

        await Assert.That(store.Depth()).IsGreaterThanOrEqualTo(3);
        await Assert.That(string.Join("; ", failures.Take(5))).IsEqualTo("");
    }

    private static byte[] Mutate(byte[] key, Random random)
    {
        var copy = (byte[])key.Clone();
        if (copy.Length > 0)
        {
            copy[random.Next(copy.Length)] += (byte)(random.Next(2) == 0 ? 1 : 255);
        }

        return copy;
    }
}
