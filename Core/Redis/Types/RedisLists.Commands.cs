using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>
/// List commands over the slot layout of <see cref="RedisLists"/>: pushes, moves between lists, pops from the first
/// non-empty of several lists (LMPOP, BLPOP, BRPOP), LPOS, LINSERT and LREM. Each type-checks its keys and returns a
/// <see cref="RedisError"/> value.
/// </summary>
public static partial class RedisLists
{
    /// <summary>Looks up a list (a missing key leaves <c>meta.Type</c> at <see cref="RedisType.None"/>).</summary>
    public static RedisError Open(RedisKeyspace ks, ReadOnlySpan<byte> key, out KeyMeta meta) => ks.Find(key, RedisType.List, out meta);

    /// <summary>LPUSH/RPUSH (and LPUSHX/RPUSHX with <paramref name="onlyIfExists"/>): the list's length after the pushes.</summary>
    public static RedisError Push(RedisKeyspace ks, ReadOnlySpan<byte> key, bool left, bool onlyIfExists, RedisArgs values, out long length)
    {
        length = 0;
        RedisError error = Open(ks, key, out KeyMeta meta);
        if (error != RedisError.None || (meta.Type == RedisType.None && onlyIfExists))
        {
            return error;
        }

        for (int i = 0; i < values.Count; i++)
        {
            Push(ks, key, ref meta, left, values[i]);
        }

        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        length = meta.Count;
        return RedisError.None;
    }

    /// <summary>
    /// LMOVE, RPOPLPUSH, BLMOVE: pops from one end of <paramref name="source"/> and pushes at one end of
    /// <paramref name="destination"/> (both type-checked before anything changes); <paramref name="moved"/> is null
    /// when the source is missing.
    /// </summary>
    public static RedisError Move(RedisKeyspace ks, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromLeft, bool toLeft, out byte[]? moved)
    {
        moved = null;
        RedisError error = Open(ks, source, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        error = Open(ks, destination, out _);
        if (error != RedisError.None)
        {
            return error;
        }

        Peek(ks, source, meta, fromLeft, out ReadOnlySpan<byte> found);
        byte[] value = found.ToArray();
        Pop(ks, source, ref meta, fromLeft, out _);
        Open(ks, destination, out KeyMeta target);
        Push(ks, destination, ref target, toLeft, value);
        ks.WriteCollectionMeta(destination, target, target.ExpireAtMs);
        moved = value;
        return RedisError.None;
    }

    /// <summary>
    /// LMPOP, BLPOP, BRPOP: pops up to <paramref name="count"/> elements from the first non-empty list of
    /// <paramref name="keys"/> into <paramref name="popped"/>; <paramref name="keyIndex"/> is its index, -1 when every
    /// list is empty. Keys after that list are not even type-checked, as in Redis.
    /// </summary>
    public static RedisError PopFromFirst(RedisKeyspace ks, RedisArgs keys, bool left, long count, List<byte[]> popped, out int keyIndex)
    {
        keyIndex = -1;
        for (int i = 0; i < keys.Count; i++)
        {
            RedisError error = Open(ks, keys[i], out KeyMeta meta);
            if (error != RedisError.None)
            {
                return error;
            }

            if (meta.Type == RedisType.None)
            {
                continue;
            }

            keyIndex = i;
            long n = Math.Min(count, meta.Count);
            for (long k = 0; k < n; k++)
            {
                Pop(ks, keys[i], ref meta, left, out ReadOnlySpan<byte> value);
                popped.Add(value.ToArray());
            }

            return RedisError.None;
        }

        return RedisError.None;
    }

    /// <summary>
    /// LPOS: the indexes of <paramref name="element"/>. <paramref name="rank"/> picks the first match (negative: from
    /// the tail, 0 is refused by the caller), <paramref name="maxLen"/> bounds the elements compared (0: all). Without
    /// COUNT (<paramref name="count"/> &lt; 0) the answer is <paramref name="first"/> (-1: none) and
    /// <paramref name="all"/> is null; with COUNT (0: every match) it is <paramref name="all"/>.
    /// </summary>
    public static RedisError Position(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> element, long rank, long count, long maxLen,
        out long first, out List<long>? all)
    {
        first = -1;
        all = null;
        RedisError error = Open(ks, key, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        if (count >= 0)
        {
            all = [];
        }

        if (meta.Type == RedisType.None)
        {
            return RedisError.None;
        }

        bool reverse = rank < 0;
        long skip = Math.Abs(rank) - 1, scanned = 0, index = reverse ? meta.Count - 1 : 0;
        using IKvCursor cursor = ks.ScanElements(key, default, default, reverse);
        while (cursor.MoveNext() && (maxLen == 0 || scanned < maxLen))
        {
            scanned++;
            if (cursor.Value.SequenceEqual(element))
            {
                if (skip > 0)
                {
                    skip--;
                }
                else if (all is null)
                {
                    first = index;
                    break;
                }
                else
                {
                    all.Add(index);
                    if (count > 0 && all.Count >= count)
                    {
                        break;
                    }
                }
            }

            index += reverse ? -1 : 1;
        }

        return RedisError.None;
    }

    /// <summary>LINSERT: inserts before or after the first <paramref name="pivot"/>; the new length, -1 without the pivot, 0 for a missing key.</summary>
    public static RedisError Insert(RedisKeyspace ks, ReadOnlySpan<byte> key, bool before, ReadOnlySpan<byte> pivot, ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        RedisError error = Open(ks, key, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        List<byte[]> items = Items(ks, key);
        int at = -1;
        for (int i = 0; i < items.Count && at < 0; i++)
        {
            at = items[i].AsSpan().SequenceEqual(pivot) ? i : -1;
        }

        if (at < 0)
        {
            length = -1;
            return RedisError.None;
        }

        items.Insert(before ? at : at + 1, value.ToArray());
        Rewrite(ks, key, ref meta, items);
        length = meta.Count;
        return RedisError.None;
    }

    /// <summary>LREM: removes matches of <paramref name="element"/>: the first <paramref name="count"/> from the head (positive), from the tail (negative), or all (0).</summary>
    public static RedisError RemoveMatching(RedisKeyspace ks, ReadOnlySpan<byte> key, long count, ReadOnlySpan<byte> element, out long removed)
    {
        removed = 0;
        RedisError error = Open(ks, key, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        List<byte[]> items = Items(ks, key);
        if (count >= 0)
        {
            for (int i = 0; i < items.Count && (count == 0 || removed < count);)
            {
                if (items[i].AsSpan().SequenceEqual(element))
                {
                    items.RemoveAt(i);
                    removed++;
                }
                else
                {
                    i++;
                }
            }
        }
        else
        {
            for (int i = items.Count - 1; i >= 0 && removed < -count; i--)
            {
                if (items[i].AsSpan().SequenceEqual(element))
                {
                    items.RemoveAt(i);
                    removed++;
                }
            }
        }

        if (removed > 0)
        {
            Rewrite(ks, key, ref meta, items);
        }

        return RedisError.None;
    }
}
