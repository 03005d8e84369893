using System.Buffers.Binary;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>A consumer group's record: last delivered ID, entries read (-1 = unknown), PEL size, consumer count.</summary>
public struct StreamGroup
{
    public StreamId LastId;
    public long EntriesRead;
    public long Pending;
    public long Consumers;

    internal const int Length = 40;

    internal static StreamGroup Read(ReadOnlySpan<byte> r) => new()
    {
        LastId = StreamId.Read(r),
        EntriesRead = BinaryPrimitives.ReadInt64BigEndian(r[16..]),
        Pending = BinaryPrimitives.ReadInt64BigEndian(r[24..]),
        Consumers = BinaryPrimitives.ReadInt64BigEndian(r[32..]),
    };

    internal readonly byte[] Encode()
    {
        byte[] r = new byte[Length];
        LastId.Write(r);
        BinaryPrimitives.WriteInt64BigEndian(r.AsSpan(16), EntriesRead);
        BinaryPrimitives.WriteInt64BigEndian(r.AsSpan(24), Pending);
        BinaryPrimitives.WriteInt64BigEndian(r.AsSpan(32), Consumers);
        return r;
    }
}

/// <summary>One pending (delivered, not acknowledged) entry of a group.</summary>
public readonly record struct StreamPendingEntry(StreamId Id, byte[] Consumer, long DeliveryTimeMs, long DeliveryCount);

/// <summary>Consumer groups: XGROUP, XREADGROUP, XACK (XPENDING/XCLAIM/XAUTOCLAIM in RedisStreamPending.cs).</summary>
public static partial class RedisStreams
{
    public const long InvalidEntriesRead = -1;

    internal static bool TryGetGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, out StreamGroup g)
    {
        g = default;
        if (!ks.TryGetElement(key, [GroupTag], group, out ReadOnlySpan<byte> r))
        {
            return false;
        }

        g = StreamGroup.Read(r);
        return true;
    }

    internal static void PutGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, in StreamGroup g) =>
        ks.PutElement(key, [GroupTag], group, g.Encode());

    /// <summary>A consumer's seen time and pending count, or false when it does not exist.</summary>
    internal static bool TryGetConsumer(RedisKeyspace ks, ReadOnlySpan<byte> key, byte[] consumerScope, ReadOnlySpan<byte> consumer,
        out long seenMs, out long pending)
    {
        seenMs = pending = 0;
        if (!ks.TryGetElement(key, consumerScope, consumer, out ReadOnlySpan<byte> r))
        {
            return false;
        }

        seenMs = BinaryPrimitives.ReadInt64BigEndian(r);
        pending = BinaryPrimitives.ReadInt64BigEndian(r[8..]);
        return true;
    }

    internal static void PutConsumer(RedisKeyspace ks, ReadOnlySpan<byte> key, byte[] consumerScope, ReadOnlySpan<byte> consumer, long seenMs, long pending)
    {
        Span<byte> r = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(r, seenMs);
        BinaryPrimitives.WriteInt64BigEndian(r[8..], pending);
        ks.PutElement(key, consumerScope, consumer, r);
    }

    /// <summary>Looks the consumer up (refreshing its seen time, as Redis's lookup does) or creates it.</summary>
    internal static long TouchConsumer(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ref StreamGroup g, ReadOnlySpan<byte> consumer)
    {
        byte[] scope = Scope(ConsumerTag, group);
        if (!TryGetConsumer(ks, key, scope, consumer, out _, out long pending))
        {
            g.Consumers++;
        }

        PutConsumer(ks, key, scope, consumer, ks.NowMs, pending);
        return pending;
    }

    /// <summary>Adds <paramref name="delta"/> to a consumer's pending count (keeps its seen time).</summary>
    private static void AddConsumerPending(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer, long delta)
    {
        byte[] scope = Scope(ConsumerTag, group);
        if (TryGetConsumer(ks, key, scope, consumer, out long seen, out long pending))
        {
            PutConsumer(ks, key, scope, consumer, seen, Math.Max(0, pending + delta));
        }
    }

    internal static bool TryGetNack(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, StreamId id, out StreamPendingEntry nack)
    {
        nack = default;
        Span<byte> idBytes = stackalloc byte[16];
        id.Write(idBytes);
        if (!ks.TryGetElement(key, Scope(PelTag, group), idBytes, out ReadOnlySpan<byte> r))
        {
            return false;
        }

        nack = new StreamPendingEntry(id, r[16..].ToArray(), BinaryPrimitives.ReadInt64BigEndian(r), BinaryPrimitives.ReadInt64BigEndian(r[8..]));
        return true;
    }

    /// <summary>Writes a PEL entry; when its owner changes, moves it between the consumers' indexes and counts.</summary>
    internal static void PutNack(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, in StreamPendingEntry nack, byte[]? previousOwner)
    {
        Span<byte> idBytes = stackalloc byte[16];
        nack.Id.Write(idBytes);
        byte[] r = new byte[16 + nack.Consumer.Length];
        BinaryPrimitives.WriteInt64BigEndian(r, nack.DeliveryTimeMs);
        BinaryPrimitives.WriteInt64BigEndian(r.AsSpan(8), nack.DeliveryCount);
        nack.Consumer.CopyTo(r, 16);
        ks.PutElement(key, Scope(PelTag, group), idBytes, r);
        if (previousOwner is not null && previousOwner.AsSpan().SequenceEqual(nack.Consumer))
        {
            return;
        }

        if (previousOwner is not null)
        {
            ks.DeleteElement(key, Scope(ConsumerPelTag, group, previousOwner), idBytes);
            AddConsumerPending(ks, key, group, previousOwner, -1);
        }

        ks.PutElement(key, Scope(ConsumerPelTag, group, nack.Consumer), idBytes, default);
        AddConsumerPending(ks, key, group, nack.Consumer, +1);
    }

    /// <summary>Removes a PEL entry from the group and its owner (the caller adjusts the group's pending count).</summary>
    internal static void RemoveNack(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, in StreamPendingEntry nack)
    {
        Span<byte> idBytes = stackalloc byte[16];
        nack.Id.Write(idBytes);
        ks.DeleteElement(key, Scope(PelTag, group), idBytes);
        ks.DeleteElement(key, Scope(ConsumerPelTag, group, nack.Consumer), idBytes);
        AddConsumerPending(ks, key, group, nack.Consumer, -1);
    }

    /// <summary>Whether <paramref name="key"/> holds a stream with <paramref name="group"/>: WRONGTYPE, NOGROUP or none.</summary>
    public static RedisError FindGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, out StreamGroup g)
    {
        g = default;
        RedisError error = ks.Find(key, RedisType.Stream, out KeyMeta meta);
        if (error != RedisError.None)
        {
            return error;
        }

        return meta.Type == RedisType.Stream && TryGetGroup(ks, key, group, out g) ? RedisError.None : RedisError.StreamNoGroup;
    }

    /// <summary>XGROUP CREATE (<paramref name="idText"/> may be <c>$</c>); MKSTREAM creates an empty stream.</summary>
    public static RedisError CreateGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> idText,
        bool mkStream, long entriesRead)
    {
        RedisError error = Open(ks, key, out KeyMeta meta, out StreamState state, out bool exists);
        if (error != RedisError.None)
        {
            return error;
        }

        if (!exists && !mkStream)
        {
            return RedisError.StreamGroupNeedsKey;
        }

        StreamId id;
        if (idText.SequenceEqual("$"u8))
        {
            id = state.LastId;
        }
        else if (!StreamId.TryParse(idText, 0, strict: true, out id))
        {
            return RedisError.StreamInvalidId;
        }

        if (exists && TryGetGroup(ks, key, group, out _))
        {
            return RedisError.StreamBusyGroup;
        }

        PutGroup(ks, key, group, new StreamGroup { LastId = id, EntriesRead = entriesRead });
        state.Groups++;
        Save(ks, key, ref meta, state);
        return RedisError.None;
    }

    /// <summary>Checks what every XGROUP subcommand but CREATE needs: the key, and (unless DESTROY) the group.</summary>
    public static RedisError RequireGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, bool groupRequired, out bool groupExists)
    {
        groupExists = false;
        RedisError error = Open(ks, key, out _, out _, out bool exists);
        if (error != RedisError.None)
        {
            return error;
        }

        if (!exists)
        {
            return RedisError.StreamGroupNeedsKey;
        }

        groupExists = TryGetGroup(ks, key, group, out _);
        return groupRequired && !groupExists ? RedisError.StreamNoGroup : RedisError.None;
    }

    /// <summary>XGROUP SETID (<c>$</c>, or any ID including <c>-</c> and <c>+</c>).</summary>
    public static RedisError SetGroupId(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> idText, long entriesRead)
    {
        RedisError error = RequireGroup(ks, key, group, true, out _);
        if (error != RedisError.None)
        {
            return error;
        }

        Open(ks, key, out _, out StreamState state, out _);
        StreamId id;
        if (idText.SequenceEqual("$"u8))
        {
            id = state.LastId;
        }
        else if (!StreamId.TryParse(idText, 0, strict: false, out id))
        {
            return RedisError.StreamInvalidId;
        }

        TryGetGroup(ks, key, group, out StreamGroup g);
        g.LastId = id;
        g.EntriesRead = entriesRead;
        PutGroup(ks, key, group, g);
        ks.Touch(key);
        return RedisError.None;
    }

    /// <summary>XGROUP DESTROY: the group with its consumers and PEL.</summary>
    public static RedisError DestroyGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, out bool destroyed)
    {
        RedisError error = RequireGroup(ks, key, group, false, out destroyed);
        if (error != RedisError.None || !destroyed)
        {
            return error;
        }

        foreach (byte tag in (ReadOnlySpan<byte>)[ConsumerTag, PelTag, ConsumerPelTag])
        {
            DeleteRange(ks, key, Scope(tag, group));
        }

        ks.DeleteElement(key, [GroupTag], group);
        Open(ks, key, out KeyMeta meta, out StreamState state, out _);
        state.Groups--;
        Save(ks, key, ref meta, state);
        return RedisError.None;
    }

    /// <summary>XGROUP CREATECONSUMER: whether the consumer is new.</summary>
    public static RedisError CreateConsumer(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer, out bool created)
    {
        created = false;
        RedisError error = RequireGroup(ks, key, group, true, out _);
        if (error != RedisError.None)
        {
            return error;
        }

        byte[] scope = Scope(ConsumerTag, group);
        if (TryGetConsumer(ks, key, scope, consumer, out _, out _))
        {
            return RedisError.None;
        }

        TryGetGroup(ks, key, group, out StreamGroup g);
        g.Consumers++;
        PutConsumer(ks, key, scope, consumer, ks.NowMs, 0);
        PutGroup(ks, key, group, g);
        ks.Touch(key);
        created = true;
        return RedisError.None;
    }

    /// <summary>XGROUP DELCONSUMER: how many entries the consumer still had pending (they leave the group PEL too).</summary>
    public static RedisError DeleteConsumer(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer, out long pending)
    {
        pending = 0;
        RedisError error = RequireGroup(ks, key, group, true, out _);
        byte[] scope = Scope(ConsumerTag, group);
        if (error != RedisError.None || !TryGetConsumer(ks, key, scope, consumer, out _, out _))
        {
            return error;
        }

        byte[] own = Scope(ConsumerPelTag, group, consumer);
        byte[] pelScope = Scope(PelTag, group);
        foreach (byte[] idBytes in Suffixes(ks, key, own))
        {
            ks.DeleteElement(key, pelScope, idBytes);
            pending++;
        }

        DeleteRange(ks, key, own);
        ks.DeleteElement(key, scope, consumer);
        TryGetGroup(ks, key, group, out StreamGroup g);
        g.Pending -= pending;
        g.Consumers--;
        PutGroup(ks, key, group, g);
        ks.Touch(key);
        return RedisError.None;
    }

    /// <summary>
    /// XREADGROUP on one stream. <paramref name="after"/> null is <c>&gt;</c>: entries after the group's last delivered
    /// ID, which join the consumer's PEL (unless NOACK); otherwise the consumer's own PEL after that ID (an entry no
    /// longer in the stream comes back with a null value). <paramref name="served"/> says whether Redis would reply
    /// for this stream now (history always is; new entries only when there are some).
    /// </summary>
    public static RedisError ReadGroup(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer,
        StreamId? after, long count, bool noAck, List<StreamEntry> into, out bool served)
    {
        served = false;
        RedisError error = FindGroup(ks, key, group, out StreamGroup g);
        if (error != RedisError.None)
        {
            return error;
        }

        Open(ks, key, out KeyMeta meta, out StreamState state, out _);
        if (after is { } from)
        {
            served = true;
            TouchConsumer(ks, key, group, ref g, consumer);
            PutGroup(ks, key, group, g);
            if (from.TryIncrement(out StreamId first))
            {
                ReadHistory(ks, key, group, consumer, first, count, into); // after the given ID, as Redis serves history
            }
            return RedisError.None;
        }

        if (meta.Count == 0 || (EdgeId(ks, key, last: true) ?? StreamId.Min) <= g.LastId || !g.LastId.TryIncrement(out StreamId start))
        {
            return RedisError.None;
        }

        served = true;
        TouchConsumer(ks, key, group, ref g, consumer);
        using (IKvCursor cursor = ScanEntries(ks, key, start, StreamId.Max, reverse: false))
        {
            while ((count <= 0 || into.Count < count) && cursor.MoveNext())
            {
                into.Add(new StreamEntry(StreamId.Read(cursor.Key[^16..]), cursor.Value.ToArray()));
            }
        }

        byte[] owner = consumer.ToArray();
        foreach (StreamEntry entry in into)
        {
            if (entry.Id > g.LastId)
            {
                if (g.EntriesRead != InvalidEntriesRead && !RangeHasTombstones(meta.Count, state, entry.Id))
                {
                    g.EntriesRead++;
                }
                else if (state.EntriesAdded != 0)
                {
                    g.EntriesRead = EstimateDistance(meta.Count, state, entry.Id);
                }

                g.LastId = entry.Id;
            }

            if (!noAck)
            {
                bool existing = TryGetNack(ks, key, group, entry.Id, out StreamPendingEntry old);
                if (!existing)
                {
                    g.Pending++;
                }

                PutNack(ks, key, group, new StreamPendingEntry(entry.Id, owner, ks.NowMs, 1), existing ? old.Consumer : null);
            }
        }

        PutGroup(ks, key, group, g);
        return RedisError.None;
    }

    private static void ReadHistory(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, ReadOnlySpan<byte> consumer,
        StreamId from, long count, List<StreamEntry> into)
    {
        byte[] own = Scope(ConsumerPelTag, group, consumer);
        var ids = new List<StreamId>();
        using (IKvCursor cursor = ks.ScanElements(key, WithId(own, from), ScopeEnd(own)))
        {
            while ((count <= 0 || ids.Count < count) && cursor.MoveNext())
            {
                ids.Add(StreamId.Read(cursor.Key[^16..]));
            }
        }

        foreach (StreamId id in ids)
        {
            if (TryGetEntry(ks, key, id, out byte[]? value) && TryGetNack(ks, key, group, id, out StreamPendingEntry nack))
            {
                PutNack(ks, key, group, nack with { DeliveryTimeMs = ks.NowMs, DeliveryCount = nack.DeliveryCount + 1 }, nack.Consumer);
            }

            into.Add(new StreamEntry(id, value));
        }
    }

    /// <summary>XACK: how many of the IDs were pending in the group (IDs are parsed only once key and group are found).</summary>
    public static RedisError Ack(RedisKeyspace ks, ReadOnlySpan<byte> key, ReadOnlySpan<byte> group, RedisArgs idTexts, out long acked)
    {
        acked = 0;
        RedisError error = FindGroup(ks, key, group, out StreamGroup g);
        if (error == RedisError.StreamNoGroup)
        {
            return RedisError.None;
        }

        if (error != RedisError.None || !TryParseIds(idTexts, out List<StreamId> ids))
        {
            return error != RedisError.None ? error : RedisError.StreamInvalidId;
        }

        foreach (StreamId id in ids)
        {
            if (TryGetNack(ks, key, group, id, out StreamPendingEntry nack))
            {
                RemoveNack(ks, key, group, nack);
                acked++;
            }
        }

        if (acked > 0)
        {
            g.Pending -= acked;
            PutGroup(ks, key, group, g);
        }

        return RedisError.None;
    }

    /// <summary>Strict IDs (no <c>-</c>/<c>+</c>), all or nothing.</summary>
    public static bool TryParseIds(RedisArgs texts, out List<StreamId> ids)
    {
        ids = new List<StreamId>(texts.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            if (!StreamId.TryParse(texts[i], 0, strict: true, out StreamId id))
            {
                return false;
            }

            ids.Add(id);
        }

        return true;
    }

    /// <summary>Redis <c>streamRangeHasTombstones</c> for [start, +].</summary>
    internal static bool RangeHasTombstones(long length, in StreamState s, StreamId start) =>
        length != 0 && !s.MaxDeletedId.IsZero && s.FirstId <= s.MaxDeletedId && start <= s.MaxDeletedId;

    /// <summary>Redis <c>streamEstimateDistanceFromFirstEverEntry</c>: the logical read counter of an ID, or -1.</summary>
    internal static long EstimateDistance(long length, in StreamState s, StreamId id)
    {
        if (s.EntriesAdded == 0)
        {
            return 0;
        }

        if (length == 0 && id <= s.LastId)
        {
            return s.EntriesAdded;
        }

        int cmpLast = id.CompareTo(s.LastId);
        if (cmpLast == 0)
        {
            return s.EntriesAdded;
        }

        if (cmpLast > 0)
        {
            return InvalidEntriesRead;
        }

        if (s.MaxDeletedId.IsZero || s.MaxDeletedId < s.FirstId)
        {
            int cmpFirst = id.CompareTo(s.FirstId);
            if (cmpFirst < 0)
            {
                return s.EntriesAdded - length;
            }

            if (cmpFirst == 0)
            {
                return s.EntriesAdded - length + 1;
            }
        }

        return InvalidEntriesRead;
    }

    /// <summary>The record suffixes under <paramref name="scope"/> with the scope cut off.</summary>
    internal static List<byte[]> Suffixes(RedisKeyspace ks, ReadOnlySpan<byte> key, byte[] scope)
    {
        var list = new List<byte[]>();
        int cut = ks.ElementPrefixLength(key) + scope.Length;
        using IKvCursor cursor = ks.ScanElements(key, scope, ScopeEnd(scope));
        while (cursor.MoveNext())
        {
            list.Add(cursor.Key[cut..].ToArray());
        }

        return list;
    }

    private static void DeleteRange(RedisKeyspace ks, ReadOnlySpan<byte> key, byte[] scope)
    {
        foreach (byte[] suffix in Suffixes(ks, key, scope))
        {
            ks.DeleteElement(key, scope, suffix);
        }
    }
}
