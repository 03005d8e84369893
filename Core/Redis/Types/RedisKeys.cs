using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Redis;

/// <summary>Operations on keys of any type (DEL, EXISTS, KEYS).</summary>
public static partial class RedisKeys
{
    /// <summary>DEL/UNLINK: how many of the keys existed (and were deleted with all their elements).</summary>
    public static long Delete(RedisKeyspace ks, RedisArgs keys)
    {
        long n = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            if (ks.Lookup(keys[i], out KeyMeta meta) != RedisType.None)
            {
                ks.DeleteKey(keys[i], meta);
                n++;
            }
        }

        return n;
    }

    /// <summary>EXISTS: how many of the keys are live (a key named twice counts twice).</summary>
    public static long Exists(RedisKeyspace ks, RedisArgs keys)
    {
        long n = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            if (ks.Lookup(keys[i], out _) != RedisType.None)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>
    /// KEYS: the live keys of the current database matching a glob, in byte order. Polls the deadline per key, so a
    /// KEYS over a million keys past <c>query_timeout</c> stops with <see cref="RedisError.DeadlineExceeded"/>.
    /// </summary>
    public static RedisError Match(RedisKeyspace ks, ReadOnlySpan<byte> pattern, List<byte[]> into)
    {
        bool all = pattern.Length == 1 && pattern[0] == '*';
        using IKvCursor cursor = ks.ScanKeys(default);
        while (cursor.MoveNext())
        {
            if (ks.DeadlinePassed())
            {
                into.Clear();
                return RedisError.DeadlineExceeded;
            }

            ReadOnlySpan<byte> key = cursor.Key[3..];
            if (ks.IsLive(cursor.Value) && (all || GlobPattern.IsMatch(pattern, key)))
            {
                into.Add(key.ToArray());
            }
        }

        return RedisError.None;
    }
}
