using System.Buffers.Binary;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>Operations over a whole database or every database: key scans, FLUSHDB, SWAPDB and the active expiry sweep.</summary>
public sealed partial class RedisKeyspace
{
    /// <summary>Metadata records of the current database from <paramref name="fromKey"/> on (user key = cursor key after 3 bytes).</summary>
    public IKvCursor ScanKeys(ReadOnlySpan<byte> fromKey)
    {
        Span<byte> end = stackalloc byte[3];
        RedisKeyCodec.WriteMetaRangeEnd(end, Db);
        Span<byte> start = MetaKey(fromKey);
        return Transaction.Scan(start, end);
    }

    /// <summary>True when a metadata record (as returned by <see cref="ScanKeys"/>) is live at <see cref="NowMs"/>.</summary>
    public bool IsLive(ReadOnlySpan<byte> metaRecord)
    {
        long expireAt = BinaryPrimitives.ReadInt64BigEndian(metaRecord[1..]);
        return expireAt == 0 || expireAt > NowMs;
    }

    /// <summary>Deletes every key of the current database.</summary>
    public void FlushDb()
    {
        var doomed = new List<byte[]>();
        Span<byte> start = [RedisKeyCodec.Tag, (byte)Db];
        Span<byte> end = [RedisKeyCodec.Tag, (byte)(Db + 1)];
        CollectKeys(start, end, doomed, -1);
        Span<byte> xs = [RedisKeyCodec.Tag, RedisKeyCodec.ExpiryTag];
        Span<byte> xe = [RedisKeyCodec.Tag, RedisKeyCodec.ExpiryTag + 1];
        CollectKeys(xs, xe, doomed, Db);
        foreach (byte[] k in doomed)
        {
            Delete(k);
        }
    }

    /// <summary>
    /// Exchanges the contents of two databases (SWAPDB): every record of each, and its expiry index entries, is
    /// rewritten under the other's number. Every key found in either database is reported written in both.
    /// </summary>
    public void SwapDatabases(int first, int second)
    {
        var records = new List<(byte[] Key, byte[] Value)>();
        foreach (int db in (ReadOnlySpan<int>)[first, second])
        {
            Span<byte> start = [RedisKeyCodec.Tag, (byte)db];
            Span<byte> end = [RedisKeyCodec.Tag, (byte)(db + 1)];
            using IKvCursor cursor = Transaction.Scan(start, end);
            while (cursor.MoveNext())
            {
                records.Add((cursor.Key.ToArray(), cursor.Value.ToArray()));
            }
        }

        var expiries = new List<byte[]>();
        Span<byte> xs = [RedisKeyCodec.Tag, RedisKeyCodec.ExpiryTag];
        Span<byte> xe = [RedisKeyCodec.Tag, RedisKeyCodec.ExpiryTag + 1];
        using (IKvCursor cursor = Transaction.Scan(xs, xe))
        {
            while (cursor.MoveNext())
            {
                if (cursor.Key.Length > 10 && (cursor.Key[10] == first || cursor.Key[10] == second))
                {
                    expiries.Add(cursor.Key.ToArray());
                }
            }
        }

        // Every delete before any put: a key present in both databases ends up with the other's value.
        foreach ((byte[] key, _) in records)
        {
            Delete(key);
        }

        foreach (byte[] key in expiries)
        {
            Delete(key);
        }

        foreach ((byte[] key, byte[] value) in records)
        {
            key[1] = (byte)(key[1] == first ? second : first);
            Put(key, value);
            if (key[2] == RedisKeyCodec.MetaTag)
            {
                _observer?.KeyWritten(first, key.AsSpan(3));
                _observer?.KeyWritten(second, key.AsSpan(3));
            }
        }

        foreach (byte[] key in expiries)
        {
            key[10] = (byte)(key[10] == first ? second : first);
            Put(key, default);
        }
    }

    private void CollectKeys(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, List<byte[]> into, int expiryDb)
    {
        using IKvCursor cursor = Transaction.Scan(start, end);
        while (cursor.MoveNext())
        {
            if (expiryDb < 0 || (cursor.Key.Length > 10 && cursor.Key[10] == expiryDb))
            {
                into.Add(cursor.Key.ToArray());
            }
        }
    }

    /// <summary>
    /// The active expiry sweep: deletes up to <paramref name="max"/> keys (any database) whose deadline has passed.
    /// Returns how many index entries were processed.
    /// </summary>
    public int SweepExpired(int max)
    {
        Span<byte> start = [RedisKeyCodec.Tag, RedisKeyCodec.ExpiryTag];
        Span<byte> end = stackalloc byte[10];
        end[0] = RedisKeyCodec.Tag;
        end[1] = RedisKeyCodec.ExpiryTag;
        BinaryPrimitives.WriteInt64BigEndian(end[2..], NowMs + 1);
        var due = new List<byte[]>();
        using (IKvCursor cursor = Transaction.Scan(start, end))
        {
            while (due.Count < max && cursor.MoveNext())
            {
                due.Add(cursor.Key.ToArray());
            }
        }

        int savedDb = Db;
        foreach (byte[] entry in due)
        {
            Db = entry[10];
            ReadOnlySpan<byte> key = entry.AsSpan(RedisKeyCodec.ExpiryKeyHeaderLength);
            if (Lookup(key, out KeyMeta meta) != RedisType.None)
            {
                // The key lives on with another deadline: this index entry is stale.
                long deadline = BinaryPrimitives.ReadInt64BigEndian(entry.AsSpan(2));
                if (meta.ExpireAtMs != deadline)
                {
                    Delete(entry);
                }
            }
            else
            {
                Delete(entry); // already gone, or just deleted by Lookup (which removed this entry too)
            }
        }

        Db = savedDb;
        return due.Count;
    }
}
