using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>SCAN, HSCAN/SSCAN/ZSCAN, RANDOMKEY and DBSIZE: walks over the keys of one database or the elements of one key.</summary>
public static partial class RedisKeys
{
    /// <summary>DBSIZE (and INFO keyspace): the live keys of the current database, and how many of them have an expiry.</summary>
    public static (long Keys, long Expires) Count(RedisKeyspace ks)
    {
        long keys = 0, expires = 0;
        using IKvCursor cursor = ks.ScanKeys(default);
        while (cursor.MoveNext())
        {
            if (ks.IsLive(cursor.Value))
            {
                keys++;
                if (RedisKeyspace.ParseMeta(cursor.Value).ExpireAtMs != 0)
                {
                    expires++;
                }
            }
        }

        return (keys, expires);
    }

    /// <summary>
    /// SCAN: visits up to <paramref name="count"/> live keys from <paramref name="from"/> (in byte order), adding those
    /// matching the glob and type to <paramref name="found"/>. <paramref name="resumeAfter"/> is the last key visited
    /// when more remain (the caller turns it into a cursor), null when the walk is done.
    /// </summary>
    public static void Scan(RedisKeyspace ks, ReadOnlySpan<byte> from, byte[]? pattern, long count, RedisType? type, List<byte[]> found, out byte[]? resumeAfter)
    {
        resumeAfter = null;
        long visited = 0;
        byte[]? last = null;
        using IKvCursor cursor = ks.ScanKeys(from);
        while (cursor.MoveNext())
        {
            if (!ks.IsLive(cursor.Value))
            {
                continue;
            }

            if (visited == count)
            {
                resumeAfter = last;
                return;
            }

            visited++;
            ReadOnlySpan<byte> key = cursor.Key[3..];
            last = key.ToArray();
            if ((pattern is null || GlobPattern.IsMatch(pattern, key)) && (type is null || (RedisType)cursor.Value[0] == type))
            {
                found.Add(last);
            }
        }
    }

    /// <summary>
    /// HSCAN, SSCAN, ZSCAN: up to <paramref name="count"/> elements of a <paramref name="type"/> key after
    /// <paramref name="from"/>, as they reply: field and value (hash), member (set), member and score text (zset).
    /// </summary>
    public static RedisError ScanElements(RedisKeyspace ks, ReadOnlySpan<byte> key, RedisType type, ReadOnlySpan<byte> from, byte[]? pattern, long count,
        List<byte[]> items, out byte[]? resumeAfter)
    {
        resumeAfter = null;
        RedisError error = ks.Find(key, type, out KeyMeta meta);
        if (error != RedisError.None || meta.Type == RedisType.None)
        {
            return error;
        }

        long visited = 0;
        byte[]? last = null;
        Span<byte> scoreText = stackalloc byte[40];
        int prefix = ks.ElementPrefixLength(key);
        byte[] tag = type == RedisType.ZSet ? [RedisKeyCodec.ZSetMemberTag] : [];
        byte[] start = [.. tag, .. from];
        ReadOnlySpan<byte> end = type == RedisType.ZSet ? [RedisKeyCodec.ZSetMemberTag + 1] : default;
        using IKvCursor cursor = ks.ScanElements(key, start, end);
        while (cursor.MoveNext())
        {
            if (visited == count)
            {
                resumeAfter = last;
                break;
            }

            visited++;
            ReadOnlySpan<byte> element = cursor.Key[(prefix + tag.Length)..];
            last = element.ToArray();
            if (pattern is not null && !GlobPattern.IsMatch(pattern, element))
            {
                continue;
            }

            items.Add(last);
            if (type == RedisType.Hash)
            {
                items.Add(cursor.Value.ToArray());
            }
            else if (type == RedisType.ZSet)
            {
                int n = RedisNumbers.FormatDouble(RedisSortedSets.ReadScore(cursor.Value), scoreText);
                items.Add(scoreText[..n].ToArray());
            }
        }

        return RedisError.None;
    }

    /// <summary>RANDOMKEY: a live key of the current database (null when empty): seek to random bytes, take the next live key (wrapping).</summary>
    public static byte[]? RandomKey(RedisKeyspace ks)
    {
        Span<byte> start = stackalloc byte[8];
        Random.Shared.NextBytes(start);
        for (int pass = 0; pass < 2; pass++)
        {
            using IKvCursor cursor = ks.ScanKeys(pass == 0 ? start : default);
            while (cursor.MoveNext())
            {
                if (ks.IsLive(cursor.Value))
                {
                    return cursor.Key[3..].ToArray();
                }
            }
        }

        return null;
    }
}
