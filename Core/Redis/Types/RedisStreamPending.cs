using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>XCLAIM's options (Redis defaults: no IDLE/TIME = now, no RETRYCOUNT = one more delivery).</summary>
public struct StreamClaimArgs
{
    public long MinIdleMs;
    public long? DeliveryTimeMs;
    public long RetryCount;
    public bool Force;
    public bool JustId;
    public StreamId LastId;
}

/// <summary>The pending-entries side of consumer groups: XPENDING, XCLAIM, XAUTOCLAIM, and what XINFO reads.</summary>
public static partial class RedisStreams
{
    /// <summary>XPENDING's summary: the PEL size, its first and last IDs, and the consumers with pending entries.</summary>
    public static RedisError PendingSummary(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, out long total,
        out StreamId first, out StreamId last, List<(byte[] Consumer, long Pending)> consumers)
    {
        first = last = default;
        RedisError error = FindGroup(ks, key, group, out StreamGroup g);
        total = g.Pending;
        if (error != RedisError.None || total == 0)
        {
            return error;
        }

        byte[] pel = Scope(PelTag, group);
        foreach (bool reverse in (ReadOnlySpan<bool>)[false, true])
        {
            using IKvCursor cursor = ks.ScanElements(key, pel, ScopeEnd(pel), reverse);
            if (cursor.MoveNext())
            {
                (reverse ? ref last : ref first) = StreamId.Read(cursor.Key[^16..]);
            }
        }

        foreach ((byte[] name, _, long pending) in Consumers(ks, key, group))
        {
            if (pending > 0)
            {
                consumers.Add((name, pending));
            }
        }

        return RedisError.None;
    }

    /// <summary>XPENDING's extended form: PEL entries in [start, end] (of one consumer when given), idle at least <paramref name="minIdleMs"/>.</summary>
    public static RedisError Pending(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, StreamId start, StreamId end,
        long count, ReadOnlySpan<byte> consumer, bool byConsumer, long minIdleMs, List<StreamPendingEntry> into)
    {
        RedisError error = FindGroup(ks, key, group, out _);
        if (error != RedisError.None || count <= 0 || start > end)
        {
            return error;
        }

        byte[] scope = byConsumer ? Scope(ConsumerPelTag, group, consumer) : Scope(PelTag, group);
        byte[] to = end.TryIncrement(out StreamId after) ? WithId(scope, after) : ScopeEnd(scope);
        var ids = new List<StreamId>();
        using (IKvCursor cursor = ks.ScanElements(key, WithId(scope, start), to))
        {
            while (cursor.MoveNext() && (minIdleMs > 0 || ids.Count < count))
            {
                if (ks.DeadlinePassed())
                {
                    return RedisError.DeadlineExceeded;
                }

                ids.Add(StreamId.Read(cursor.Key[^16..]));
            }
        }

        foreach (StreamId id in ids)
        {
            if (into.Count >= count)
            {
                break;
            }

            if (TryGetNack(ks, key, group, id, out StreamPendingEntry nack) && (minIdleMs <= 0 || ks.NowMs - nack.DeliveryTimeMs >= minIdleMs))
            {
                into.Add(nack);
            }
        }

        return RedisError.None;
    }

    /// <summary>XCLAIM: the claimed entries (a claimed ID no longer in the stream leaves the PEL and is not returned).</summary>
    public static RedisError Claim(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer,
        IReadOnlyList<StreamId> ids, in StreamClaimArgs args, List<StreamEntry> into)
    {
        RedisError error = FindGroup(ks, key, group, out StreamGroup g);
        if (error != RedisError.None)
        {
            return error;
        }

        long now = ks.NowMs;
        if (args.LastId > g.LastId)
        {
            g.LastId = args.LastId;
        }

        long deliveryTime = args.DeliveryTimeMs is { } t && t >= 0 && t <= now ? t : now;
        bool consumerSeen = false;
        byte[] owner = consumer.ToArray();
        foreach (StreamId id in ids)
        {
            bool pending = TryGetNack(ks, key, group, id, out StreamPendingEntry nack);
            if (!TryGetEntry(ks, key, id, out byte[]? value))
            {
                if (pending)
                {
                    RemoveNack(ks, key, group, nack);
                    g.Pending--;
                }

                continue;
            }

            byte[]? previous = pending ? nack.Consumer : null;
            if (!pending)
            {
                if (!args.Force)
                {
                    continue;
                }

                nack = new StreamPendingEntry(id, owner, now, 1);
                g.Pending++;
            }
            else if (args.MinIdleMs > 0 && now - nack.DeliveryTimeMs < args.MinIdleMs)
            {
                continue;
            }

            if (!consumerSeen)
            {
                TouchConsumer(ks, key, group, ref g, consumer);
                consumerSeen = true;
            }

            long deliveries = args.RetryCount >= 0 ? args.RetryCount : args.JustId ? nack.DeliveryCount : nack.DeliveryCount + 1;
            PutNack(ks, key, group, new StreamPendingEntry(id, owner, deliveryTime, deliveries), previous);
            into.Add(new StreamEntry(id, value));
        }

        PutGroup(ks, key, group, g);
        ks.Touch(key);
        return RedisError.None;
    }

    /// <summary>
    /// XAUTOCLAIM: claims up to <paramref name="count"/> entries idle at least <paramref name="minIdleMs"/> from
    /// <paramref name="start"/> (examining at most ten times as many); <paramref name="next"/> is where to go on (0-0 at
    /// the end); <paramref name="deleted"/> are pending IDs no longer in the stream (removed from the PEL).
    /// </summary>
    public static RedisError AutoClaim(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer,
        long minIdleMs, StreamId start, long count, bool justId, List<StreamEntry> claimed, List<StreamId> deleted, out StreamId next)
    {
        next = StreamId.Min;
        RedisError error = FindGroup(ks, key, group, out StreamGroup g);
        if (error != RedisError.None)
        {
            return error;
        }

        long attempts = count * 10;
        byte[] pel = Scope(PelTag, group);
        var ids = new List<StreamId>();
        using (IKvCursor cursor = ks.ScanElements(key, WithId(pel, start), ScopeEnd(pel)))
        {
            while (ids.Count <= attempts && cursor.MoveNext())
            {
                ids.Add(StreamId.Read(cursor.Key[^16..]));
            }
        }

        long now = ks.NowMs;
        byte[] owner = consumer.ToArray();
        bool consumerSeen = false;
        int examined = 0;
        while (attempts-- > 0 && count > 0 && examined < ids.Count)
        {
            StreamId id = ids[examined++];
            TryGetNack(ks, key, group, id, out StreamPendingEntry nack);
            if (!TryGetEntry(ks, key, id, out byte[]? value))
            {
                RemoveNack(ks, key, group, nack);
                g.Pending--;
                deleted.Add(id);
                count--;
                continue;
            }

            if (minIdleMs > 0 && now - nack.DeliveryTimeMs < minIdleMs)
            {
                continue;
            }

            if (!consumerSeen)
            {
                TouchConsumer(ks, key, group, ref g, consumer);
                consumerSeen = true;
            }

            PutNack(ks, key, group, new StreamPendingEntry(id, owner, now, justId ? nack.DeliveryCount : nack.DeliveryCount + 1), nack.Consumer);
            claimed.Add(new StreamEntry(id, value));
            count--;
        }

        if (examined < ids.Count)
        {
            next = ids[examined];
        }

        PutGroup(ks, key, group, g);
        ks.Touch(key);
        return RedisError.None;
    }

    /// <summary>The groups of a stream in name order.</summary>
    public static List<(byte[] Name, StreamGroup Group)> Groups(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        var list = new List<(byte[], StreamGroup)>();
        int cut = ks.ElementPrefixLength(key) + 1;
        using IKvCursor cursor = ks.ScanElements(key, [GroupTag], [GroupTag + 1]);
        while (cursor.MoveNext())
        {
            list.Add((cursor.Key[cut..].ToArray(), StreamGroup.Read(cursor.Value)));
        }

        return list;
    }

    /// <summary>The consumers of a group in name order, with their seen time and pending count.</summary>
    public static List<(byte[] Name, long SeenMs, long Pending)> Consumers(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group)
    {
        var list = new List<(byte[], long, long)>();
        byte[] scope = Scope(ConsumerTag, group);
        int cut = ks.ElementPrefixLength(key) + scope.Length;
        using IKvCursor cursor = ks.ScanElements(key, scope, ScopeEnd(scope));
        while (cursor.MoveNext())
        {
            ReadOnlySpan<byte> v = cursor.Value;
            list.Add((cursor.Key[cut..].ToArray(), System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(v),
                System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(v[8..])));
        }

        return list;
    }

    /// <summary>The first <paramref name="count"/> (0 = all) PEL entries of a group, or of one consumer of it.</summary>
    public static List<StreamPendingEntry> PendingEntries(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group,
        ReadOnlySpan<byte> consumer, bool byConsumer, long count)
    {
        var entries = new List<StreamPendingEntry>();
        Pending(ks, key, group, StreamId.Min, StreamId.Max, count <= 0 ? long.MaxValue : count, consumer, byConsumer, 0, entries);
        return entries;
    }

    /// <summary>Redis <c>streamReplyWithCGLag</c>: entries not yet delivered to the group, or null when it cannot be known.</summary>
    public static long? Lag(long length, in StreamState s, in StreamGroup g)
    {
        if (s.EntriesAdded == 0)
        {
            return 0;
        }

        if (g.EntriesRead != InvalidEntriesRead && !RangeHasTombstones(length, s, g.LastId))
        {
            return s.EntriesAdded - g.EntriesRead;
        }

        long read = EstimateDistance(length, s, g.LastId);
        return read != InvalidEntriesRead ? s.EntriesAdded - read : null;
    }

    /// <summary>How many emulated listpack nodes hold the stream's entries (XINFO's radix-tree-keys).</summary>
    public static long NodeCount(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        long nodes = 0, last = -1;
        using IKvCursor cursor = ScanEntries(ks, key, StreamId.Min, StreamId.Max, reverse: false);
        while (cursor.MoveNext())
        {
            long n = NodeOf(cursor.Value);
            if (n != last)
            {
                nodes++;
                last = n;
            }
        }

        return nodes;
    }
}
