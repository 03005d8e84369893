using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>SINTER, SUNION, SDIFF.</summary>
public enum SetOperation : byte
{
    Intersect,
    Union,
    Difference,
}

/// <summary>Set operations: one empty-valued element record per member, so members come back in byte order.</summary>
public static class RedisSets
{
    /// <summary>SADD: <paramref name="added"/> counts members that were not there.</summary>
    public static RedisError Add(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisArgs members, out long added)
    {
        added = 0;
        RedisError error = ks.Find(key, RedisType.Set, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        added = AddMembers(ks, key, ref meta, members);
        if (added > 0)
        {
            ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        }

        return RedisError.None;
    }

    private static long AddMembers(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, RedisArgs members)
    {
        meta.Type = RedisType.Set;
        long added = 0;
        for (int i = 0; i < members.Count; i++)
        {
            if (!ks.TryGetElement(key, members[i], default, out _))
            {
                ks.PutElement(key, members[i], default, default);
                added++;
            }
        }

        meta.Count += added;
        return added;
    }

    /// <summary>
    /// SINTER/SUNION/SDIFF over <paramref name="keys"/> (every key type-checked, as Redis does), in byte order. Polls the
    /// deadline per member read, so a union over a million members stops with <see cref="RedisError.DeadlineExceeded"/>.
    /// </summary>
    public static RedisError Combine(RedisKeyspace ks, SetOperation operation, RedisArgs keys, out SortedSet<byte[]> result)
    {
        result = new SortedSet<byte[]>(ByteOrder.Instance);
        for (int i = 0; i < keys.Count; i++)
        {
            RedisError error = Members(ks, keys[i], out SortedSet<byte[]> members);
            if (error != RedisError.None)
            {
                return error;
            }

            if (i == 0)
            {
                result = members;
            }
            else if (operation == SetOperation.Intersect)
            {
                result.IntersectWith(members);
            }
            else if (operation == SetOperation.Union)
            {
                result.UnionWith(members);
            }
            else
            {
                result.ExceptWith(members);
            }
        }

        return RedisError.None;
    }

    /// <summary>The members of one set (empty when missing), polling the deadline per member.</summary>
    public static RedisError Members(RedisKeyspace ks, ReadOnlySpan<byte> key, out SortedSet<byte[]> members)
    {
        members = new SortedSet<byte[]>(ByteOrder.Instance);
        RedisError error = ks.Find(key, RedisType.Set, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        var loaded = new List<(byte[] Element, byte[] Value)>();
        error = RedisCollections.Load(ks, key, loaded);
        foreach ((byte[] member, _) in loaded)
        {
            members.Add(member);
        }

        return error;
    }

    /// <summary>SINTERSTORE/SUNIONSTORE/SDIFFSTORE: replaces <paramref name="destination"/> with the result; its size.</summary>
    public static RedisError Store(RedisKeyspace ks, ReadOnlySpan<byte> destination, SetOperation operation, RedisArgs keys, out long count)
    {
        count = 0;
        RedisError error = Combine(ks, operation, keys, out SortedSet<byte[]> result);
        if (error != RedisError.None)
        {
            return error;
        }

        if (ks.Lookup(destination, out KeyMeta old) != RedisType.None)
        {
            ks.DeleteKey(destination, old);
        }

        foreach (byte[] m in result)
        {
            if (ks.DeadlinePassed())
            {
                return RedisError.DeadlineExceeded; // the caller rolls back: nothing of the store remains
            }

            ks.PutElement(destination, m, default, default);
        }

        ks.WriteCollectionMeta(destination, new KeyMeta { Type = RedisType.Set, Count = result.Count }, 0);
        count = result.Count;
        return RedisError.None;
    }

    /// <summary>SMOVE: both keys type-checked before anything changes; true when the member moved (or source = destination holds it).</summary>
    public static RedisError Move(RedisKeyspace ks, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> member, out bool moved)
    {
        moved = false;
        RedisError error = ks.Find(source, RedisType.Set, out KeyMeta from);
        if (error != RedisError.None)
        {
            return error;
        }

        error = ks.Find(destination, RedisType.Set, out _);
        if (error != RedisError.None || from.Type == RedisType.None)
        {
            return error;
        }

        if (!ks.TryGetElement(source, member, default, out _))
        {
            return RedisError.None;
        }

        moved = true;
        if (source.SequenceEqual(destination))
        {
            return RedisError.None;
        }

        ks.DeleteElement(source, member);
        from.Count--;
        ks.WriteCollectionMeta(source, from, from.ExpireAtMs);
        ks.Find(destination, RedisType.Set, out KeyMeta to);
        to.Type = RedisType.Set;
        if (!ks.TryGetElement(destination, member, default, out _))
        {
            ks.PutElement(destination, member, default, default);
            to.Count++;
            ks.WriteCollectionMeta(destination, to, to.ExpireAtMs);
        }

        return RedisError.None;
    }

    /// <summary>
    /// SPOP: removes one random member (<paramref name="count"/> null) or up to <paramref name="count"/> distinct ones
    /// into <paramref name="popped"/>.
    /// </summary>
    public static RedisError Pop(RedisKeyspace ks, ReadOnlySpan<byte> key, long? count, List<byte[]> popped)
    {
        RedisError error = ks.Find(key, RedisType.Set, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        if (count is null)
        {
            popped.Add(RandomMember(ks, key));
        }
        else
        {
            var all = new List<(byte[] Element, byte[] Value)>();
            error = RedisCollections.Load(ks, key, all);
            if (error != RedisError.None)
            {
                return error;
            }

            Shuffle(all);
            for (int i = 0; i < Math.Min(count.Value, all.Count); i++)
            {
                popped.Add(all[i].Element);
            }
        }

        foreach (byte[] m in popped)
        {
            ks.DeleteElement(key, m);
        }

        meta.Count -= popped.Count;
        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
        return RedisError.None;
    }

    /// <summary>A random member of a non-empty set without reading it whole: seek to random bytes, take the next member (wrapping).</summary>
    public static byte[] RandomMember(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        Span<byte> start = stackalloc byte[8];
        Random.Shared.NextBytes(start);
        int prefix = ks.ElementPrefixLength(key);
        for (int pass = 0; pass < 2; pass++)
        {
            using IKvCursor cursor = ks.ScanElements(key, pass == 0 ? start : default, default);
            if (cursor.MoveNext())
            {
                return cursor.Key[prefix..].ToArray();
            }
        }

        return [];
    }

    /// <summary>Fisher-Yates over the shared random source (SPOP count, SRANDMEMBER, HRANDFIELD).</summary>
    public static void Shuffle<T>(List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = Random.Shared.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}

/// <summary>Unsigned byte-wise order, the order of the store.</summary>
public sealed class ByteOrder : IComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
