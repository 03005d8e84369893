using System.Buffers.Binary;
using ThunderDb.Core.Keys;

namespace ThunderDb.Core.Redis;

/// <summary>The Redis data types a key can hold.</summary>
public enum RedisType : byte
{
    None = 0,
    String = 1,
    List = 2,
    Set = 3,
    ZSet = 4,
    Hash = 5,
    Stream = 6,
}

/// <summary>
/// How the Redis keyspace is laid out in the one ordered store. Every record starts with the keyspace tag
/// <c>'R'</c>, so Redis data never mixes with table rows:
/// <list type="bullet">
/// <item><c>'R' db 'k' key</c>: the key's metadata (type, expiry, counters); a string's value is stored inline.</item>
/// <item><c>'R' db 'e' escape(key) 00 01 element</c>: one record per hash field, set member, list slot or zset entry.
/// <c>escape</c> turns 00 into 00 FF so one key's elements form one contiguous range that sorts like the key.</item>
/// <item><c>'R' 'x' expireAtMs(BE) db key</c>: the expiry index the active sweep walks in deadline order.</item>
/// </list>
/// </summary>
public static class RedisKeyCodec
{
    public const byte Tag = KeyspaceTag.Redis;
    public const byte MetaTag = (byte)'k';
    public const byte ElementTag = (byte)'e';
    public const byte ExpiryTag = (byte)'x';
    public const int DatabaseCount = 16;

    /// <summary>Zset member record: <c>prefix 'm' member -> score</c>.</summary>
    public const byte ZSetMemberTag = (byte)'m';

    /// <summary>Zset score index: <c>prefix 's' sortable(score) member -> empty</c>.</summary>
    public const byte ZSetScoreTag = (byte)'s';

    public static int MetaKeyLength(int keyLength) => 3 + keyLength;

    public static int WriteMetaKey(Span<byte> destination, int db, ReadOnlySpan<byte> key)
    {
        destination[0] = Tag;
        destination[1] = (byte)db;
        destination[2] = MetaTag;
        key.CopyTo(destination[3..]);
        return 3 + key.Length;
    }

    /// <summary>The end (exclusive) of database <paramref name="db"/>'s metadata range, which starts at <c>'R' db 'k'</c>.</summary>
    public static void WriteMetaRangeEnd(Span<byte> destination, int db)
    {
        destination[0] = Tag;
        destination[1] = (byte)db;
        destination[2] = MetaTag + 1;
    }

    public static int MaxElementPrefixLength(int keyLength) => 3 + (2 * keyLength) + 2;

    /// <summary>Writes <c>'R' db 'e' escape(key) 00 01</c>; the element range of the key ends at the same bytes with a last byte of 02.</summary>
    public static int WriteElementPrefix(Span<byte> destination, int db, ReadOnlySpan<byte> key)
    {
        destination[0] = Tag;
        destination[1] = (byte)db;
        destination[2] = ElementTag;
        int at = 3 + KeyCodec.WriteEscaped(destination[3..], key);
        destination[at++] = 0x00;
        destination[at++] = 0x01;
        return at;
    }

    public const int ExpiryKeyHeaderLength = 2 + 8 + 1;

    public static int WriteExpiryKey(Span<byte> destination, long expireAtMs, int db, ReadOnlySpan<byte> key)
    {
        destination[0] = Tag;
        destination[1] = ExpiryTag;
        BinaryPrimitives.WriteInt64BigEndian(destination[2..], expireAtMs);
        destination[10] = (byte)db;
        key.CopyTo(destination[11..]);
        return ExpiryKeyHeaderLength + key.Length;
    }
}
