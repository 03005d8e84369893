using System.Buffers.Binary;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>
/// A stream's persistent state beside its entries: the last generated ID, the counters XINFO reports, and the
/// emulated listpack node at the tail (Redis trims with <c>~</c> by whole nodes of <c>stream-node-max-entries</c>
/// entries, so ThunderDB keeps which node each entry would have been appended to).
/// </summary>
public struct StreamState
{
    public StreamId LastId;
    public long EntriesAdded;
    public StreamId MaxDeletedId;
    public StreamId FirstId;
    public long TailNode;
    public long TailNodeInserted;
    public long TailNodeLive;
    public long TailNodeBytes;
    public long Groups;

    /// <summary>The tail node's first ID (Redis's master ID, which entries are delta-encoded against).</summary>
    public StreamId TailMasterId;

    internal const int Length = 14 * 8;

    internal static StreamState Read(ReadOnlySpan<byte> r) => new()
    {
        LastId = StreamId.Read(r),
        EntriesAdded = BinaryPrimitives.ReadInt64BigEndian(r[16..]),
        MaxDeletedId = StreamId.Read(r[24..]),
        FirstId = StreamId.Read(r[40..]),
        TailNode = BinaryPrimitives.ReadInt64BigEndian(r[56..]),
        TailNodeInserted = BinaryPrimitives.ReadInt64BigEndian(r[64..]),
        TailNodeLive = BinaryPrimitives.ReadInt64BigEndian(r[72..]),
        TailNodeBytes = BinaryPrimitives.ReadInt64BigEndian(r[80..]),
        Groups = BinaryPrimitives.ReadInt64BigEndian(r[88..]),
        TailMasterId = StreamId.Read(r[96..]),
    };

    internal readonly void Write(Span<byte> r)
    {
        LastId.Write(r);
        BinaryPrimitives.WriteInt64BigEndian(r[16..], EntriesAdded);
        MaxDeletedId.Write(r[24..]);
        FirstId.Write(r[40..]);
        BinaryPrimitives.WriteInt64BigEndian(r[56..], TailNode);
        BinaryPrimitives.WriteInt64BigEndian(r[64..], TailNodeInserted);
        BinaryPrimitives.WriteInt64BigEndian(r[72..], TailNodeLive);
        BinaryPrimitives.WriteInt64BigEndian(r[80..], TailNodeBytes);
        BinaryPrimitives.WriteInt64BigEndian(r[88..], Groups);
        TailMasterId.Write(r[96..]);
    }
}

/// <summary>One stream entry as read: its ID and its encoded field/value pairs (null for an ID no longer in the stream).</summary>
public readonly record struct StreamEntry(StreamId Id, byte[]? Value)
{
    /// <summary>How many field/value pairs the entry has.</summary>
    public int PairCount => Value is null ? 0 : BinaryPrimitives.ReadInt32BigEndian(Value.AsSpan(8));

    /// <summary>The fields and values in order (field, value, field, value...).</summary>
    public List<byte[]> FieldsAndValues()
    {
        var list = new List<byte[]>();
        if (Value is null)
        {
            return list;
        }

        ReadOnlySpan<byte> v = Value;
        int n = 2 * BinaryPrimitives.ReadInt32BigEndian(v[8..]);
        int at = 12;
        for (int i = 0; i < n; i++)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(v[at..]);
            list.Add(v.Slice(at + 4, len).ToArray());
            at += 4 + len;
        }

        return list;
    }
}

/// <summary>
/// The element records of a stream key (suffixes after the key's element prefix, see <see cref="RedisKeyCodec"/>):
/// <list type="bullet">
/// <item><c>'E' ms seq</c> (big-endian): one entry, <c>node(8) pairs(4) (len(4) bytes)*</c>.</item>
/// <item><c>'S'</c>: the <see cref="StreamState"/>.</item>
/// <item><c>'G' group</c>: a consumer group (last delivered ID, entries read, PEL and consumer counts).</item>
/// <item><c>'C' esc(group) 00 01 consumer</c>: a consumer (seen time, pending count).</item>
/// <item><c>'P' esc(group) 00 01 ms seq</c>: a group PEL entry (delivery time, count, owner).</item>
/// <item><c>'Q' esc(group) 00 01 esc(consumer) 00 01 ms seq</c>: the owner's PEL index.</item>
/// </list>
/// XACK, XCLAIM and XREADGROUP touch only the records of the IDs they handle.
/// </summary>
public static partial class RedisStreams
{
    internal const byte EntryTag = (byte)'E';
    internal static ReadOnlySpan<byte> StateSuffix => "S"u8;
    internal const byte GroupTag = (byte)'G';
    internal const byte ConsumerTag = (byte)'C';
    internal const byte PelTag = (byte)'P';
    internal const byte ConsumerPelTag = (byte)'Q';

    internal static void EntrySuffix(Span<byte> destination, StreamId id)
    {
        destination[0] = EntryTag;
        id.Write(destination[1..]);
    }

    /// <summary><c>tag esc(name) 00 01</c>: the start of the records scoped to one group (or consumer).</summary>
    internal static byte[] Scope(byte tag, ReadOnlySpan<byte> name, ReadOnlySpan<byte> inner = default, int extra = 0)
    {
        byte[] buffer = new byte[1 + (2 * name.Length) + 2 + (2 * inner.Length) + 2 + extra];
        buffer[0] = tag;
        int at = 1 + KeyCodec.WriteEscaped(buffer.AsSpan(1), name);
        buffer[at++] = 0x00;
        buffer[at++] = 0x01;
        if (!inner.IsEmpty)
        {
            at += KeyCodec.WriteEscaped(buffer.AsSpan(at), inner);
            buffer[at++] = 0x00;
            buffer[at++] = 0x01;
        }

        return buffer.AsSpan(0, at + extra).ToArray();
    }

    /// <summary>The end (exclusive) of the range that starts at <paramref name="scope"/>.</summary>
    internal static byte[] ScopeEnd(ReadOnlySpan<byte> scope)
    {
        byte[] end = scope.ToArray();
        end[^1] = 0x02;
        return end;
    }

    internal static byte[] WithId(byte[] scope, StreamId id)
    {
        byte[] k = new byte[scope.Length + StreamId.EncodedLength];
        scope.CopyTo(k, 0);
        id.Write(k.AsSpan(scope.Length));
        return k;
    }

    /// <summary>Finds the stream at <paramref name="key"/>; <paramref name="exists"/> is false when the key is missing.</summary>
    internal static RedisError Open(RedisKeyspace ks, ReadOnlySpan<byte> key, out KeyMeta meta, out StreamState state, out bool exists)
    {
        state = default;
        RedisError error = ks.Find(key, RedisType.Stream, out meta);
        exists = error == RedisError.None && meta.Type == RedisType.Stream;
        if (exists && ks.TryGetElement(key, StateSuffix, default, out ReadOnlySpan<byte> record) && record.Length >= StreamState.Length)
        {
            state = StreamState.Read(record);
        }

        return error;
    }

    internal static void Save(RedisKeyspace ks, ReadOnlySpan<byte> key, ref KeyMeta meta, in StreamState state)
    {
        Span<byte> record = stackalloc byte[StreamState.Length];
        state.Write(record);
        ks.PutElement(key, StateSuffix, default, record);
        meta.Type = RedisType.Stream;
        ks.WriteCollectionMeta(key, meta, meta.ExpireAtMs);
    }

    internal static byte[] EncodeEntry(long node, RedisArgs fieldValues)
    {
        int size = 12;
        for (int i = 0; i < fieldValues.Count; i++)
        {
            size += 4 + fieldValues[i].Length;
        }

        byte[] value = new byte[size];
        BinaryPrimitives.WriteInt64BigEndian(value, node);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(8), fieldValues.Count / 2);
        int at = 12;
        for (int i = 0; i < fieldValues.Count; i++)
        {
            ReadOnlySpan<byte> v = fieldValues[i];
            BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(at), v.Length);
            v.CopyTo(value.AsSpan(at + 4));
            at += 4 + v.Length;
        }

        return value;
    }

    internal static long NodeOf(ReadOnlySpan<byte> entryValue) => BinaryPrimitives.ReadInt64BigEndian(entryValue);

    /// <summary>Entries with IDs in [<paramref name="start"/>, <paramref name="end"/>] in ID order (or reversed).</summary>
    internal static IKvCursor ScanEntries(RedisKeyspace ks, ReadOnlySpan<byte> key, StreamId start, StreamId end, bool reverse)
    {
        Span<byte> from = stackalloc byte[17];
        Span<byte> to = stackalloc byte[17];
        EntrySuffix(from, start);
        if (end.TryIncrement(out StreamId after))
        {
            EntrySuffix(to, after);
            return ks.ScanElements(key, from, to, reverse);
        }

        return ks.ScanElements(key, from, [EntryTag + 1], reverse);
    }

    internal static bool TryGetEntry(RedisKeyspace ks, ReadOnlySpan<byte> key, StreamId id, out byte[]? value)
    {
        Span<byte> suffix = stackalloc byte[17];
        EntrySuffix(suffix, id);
        value = ks.TryGetElement(key, suffix, default, out ReadOnlySpan<byte> v) ? v.ToArray() : null;
        return value is not null;
    }

    /// <summary>The first (or last) entry's ID, or null in an empty stream.</summary>
    internal static StreamId? EdgeId(RedisKeyspace ks, ReadOnlySpan<byte> key, bool last)
    {
        using IKvCursor cursor = ScanEntries(ks, key, StreamId.Min, StreamId.Max, last);
        return cursor.MoveNext() ? StreamId.Read(cursor.Key[^16..]) : null;
    }

    /// <summary>Removes one entry record (the caller updates the length); keeps the emulated tail node's live count.</summary>
    private static void RemoveEntry(RedisKeyspace ks, ReadOnlySpan<byte> key, StreamId id, long node, ref StreamState state)
    {
        Span<byte> suffix = stackalloc byte[17];
        EntrySuffix(suffix, id);
        ks.DeleteElement(key, suffix);
        if (node == state.TailNode && state.TailNodeLive > 0)
        {
            state.TailNodeLive--;
        }
    }

    /// <summary>After deletions: Redis keeps <c>first_id</c> as the first live entry (0-0 when empty).</summary>
    private static void RefreshFirstId(RedisKeyspace ks, ReadOnlySpan<byte> key, long length, ref StreamState state) =>
        state.FirstId = length == 0 ? StreamId.Min : EdgeId(ks, key, last: false) ?? StreamId.Min;
}
