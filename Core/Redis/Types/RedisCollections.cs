using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>
/// The element-record mechanics every collection shares (hash fields, set members): one record per element under
/// the key's element prefix, the count in the metadata. HDEL and SREM, HEXISTS and SISMEMBER, HLEN and SCARD are the
/// same operation over a different type.
/// </summary>
public static class RedisCollections
{
    /// <summary>How many elements the collection holds (0 when missing).</summary>
    public static RedisError Count(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisType type, out long count)
    {
        RedisError error = ks.Find(key, type, out KeyMeta meta);
        count = meta.Count;
        return error;
    }

    /// <summary>Whether the collection has <paramref name="element"/>.</summary>
    public static RedisError Contains(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisType type, ReadOnlySpan<byte> element, out bool contains)
    {
        RedisError error = ks.Find(key, type, out KeyMeta meta);
        contains = meta.Type == type && ks.TryGetElement(key, element, default, out _);
        return error;
    }

    /// <summary>Removes the given elements (repeats count once); an emptied collection is deleted, as Redis does.</summary>
    public static RedisError Remove(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisType type, RedisArgs elements, out long removed)
    {
        removed = 0;
        RedisError error = ks.Find(key, type, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        for (int i = 0; i < elements.Count; i++)
        {
            if (ks.TryGetElement(key, elements[i], default, out _))
            {
                ks.DeleteElement(key, elements[i]);
                removed++;
            }
        }

        if (removed > 0)
        {
            meta.Count -= removed;
            ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        return RedisError.None;
    }

    /// <summary>
    /// Opens the collection's elements in byte order (<paramref name="count"/> of them); a missing key gives an
    /// empty reader. Dispose the reader.
    /// </summary>
    public static RedisError Read(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisType type, out long count, out ElementReader reader)
    {
        RedisError error = ks.Find(key, type, out KeyMeta meta);
        count = meta.Count;
        reader = meta.Type == type && count > 0 ? new ElementReader(ks.ScanElements(key, default, default), ks.ElementPrefixLength(key)) : default;
        return error;
    }

    /// <summary>All element records of a key as (element, value) copies, in key order; stops early when the deadline passes.</summary>
    public static RedisError Load(RedisKeyspace ks, ReadOnlySpan<byte> key, List<(byte[] Element, byte[] Value)> into,
        ReadOnlySpan<byte> from = default, ReadOnlySpan<byte> to = default)
    {
        int prefix = ks.ElementPrefixLength(key) + from.Length;
        using IKvCursor cursor = ks.ScanElements(key, from, to);
        while (cursor.MoveNext())
        {
            if (ks.DeadlinePassed())
            {
                return RedisError.DeadlineExceeded;
            }

            into.Add((cursor.Key[prefix..].ToArray(), cursor.Value.ToArray()));
        }

        return RedisError.None;
    }

    /// <summary>Counts the element records (after a call that may have added one element twice).</summary>
    public static long CountRecords(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        long n = 0;
        using IKvCursor cursor = ks.ScanElements(key, default, default);
        while (cursor.MoveNext())
        {
            n++;
        }

        return n;
    }
}

/// <summary>The elements of one collection in byte order: <see cref="Element"/> (field or member) and its <see cref="Value"/>.</summary>
public struct ElementReader(IKvCursor? cursor, int prefixLength) : IDisposable
{
    public readonly bool MoveNext() => cursor is not null && cursor.MoveNext();

    public readonly ReadOnlySpan<byte> Element => cursor!.Key[prefixLength..];

    public readonly ReadOnlySpan<byte> Value => cursor!.Value;

    public readonly void Dispose() => cursor?.Dispose();
}
