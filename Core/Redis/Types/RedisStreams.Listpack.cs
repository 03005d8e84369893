namespace ThunderDb.Core.Redis;

/// <summary>
/// The size Redis's tail listpack would have, so <c>stream-node-max-bytes</c> starts a new emulated node where Redis
/// starts one (an estimate: every entry is taken to have its node's first fields, Redis's common case).
/// </summary>
public static partial class RedisStreams
{
    /// <summary>Listpack header (total bytes, element count) and end byte.</summary>
    private const long ListpackOverhead = 7;

    /// <summary>A new node's bytes: the master entry (count, deleted, field count, fields, 0 terminator).</summary>
    private static long MasterEntryBytes(RedisArgs fieldValues)
    {
        long bytes = ListpackOverhead + IntBytes(1) + IntBytes(0) + IntBytes(fieldValues.Count / 2) + IntBytes(0);
        for (int i = 0; i < fieldValues.Count; i += 2)
        {
            bytes += ElementBytes(fieldValues[i]);
        }

        return bytes;
    }

    /// <summary>One entry with the master's fields: flags, ID deltas from the master, the values, lp-count.</summary>
    private static long EntryBytes(StreamId id, StreamId master, RedisArgs fieldValues)
    {
        long bytes = IntBytes(2) + IntBytes(unchecked((long)(id.Ms - master.Ms))) + IntBytes(unchecked((long)(id.Seq - master.Seq)));
        for (int i = 1; i < fieldValues.Count; i += 2)
        {
            bytes += ElementBytes(fieldValues[i]);
        }

        return bytes + IntBytes(3 + (fieldValues.Count / 2));
    }

    /// <summary>A listpack element: strings that <c>string2ll</c> takes are stored as integers.</summary>
    private static long ElementBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 20 && RedisNumbers.ParseLong(value, out long n))
        {
            return IntBytes(n);
        }

        long length = value.Length;
        long encoded = (length < 64 ? 1 : length < 4096 ? 2 : 5) + length;
        return encoded + BackLengthBytes(encoded);
    }

    private static long IntBytes(long n)
    {
        long encoded = n is >= 0 and <= 127 ? 1 : n is >= -4096 and <= 4095 ? 2 : n is >= short.MinValue and <= short.MaxValue ? 3
            : n is >= -(1 << 23) and < 1 << 23 ? 4 : n is >= int.MinValue and <= int.MaxValue ? 5 : 9;
        return encoded + 1;
    }

    private static long BackLengthBytes(long encoded) => encoded < 128 ? 1 : encoded < 16384 ? 2 : encoded < 2097152 ? 3 : encoded < 268435456 ? 4 : 5;
}
