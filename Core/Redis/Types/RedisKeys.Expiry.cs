namespace ThunderDb.Core.Redis;

/// <summary>EXPIRE's conditions (NX, XX, GT, LT).</summary>
[Flags]
public enum ExpireCondition : byte
{
    None = 0,
    Nx = 1,
    Xx = 2,
    Gt = 4,
    Lt = 8,
}

/// <summary>EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT, TTL/PTTL/EXPIRETIME/PEXPIRETIME and PERSIST.</summary>
public static partial class RedisKeys
{
    /// <summary>
    /// Sets a live key's expiry to <paramref name="whenMs"/> (Unix ms) under <paramref name="condition"/>; a time not
    /// after now deletes the key, as Redis does. False when the key is missing or the condition refuses.
    /// </summary>
    public static bool Expire(RedisKeyspace ks, ReadOnlySpan<byte> key, long whenMs, ExpireCondition condition)
    {
        if (ks.Lookup(key, out KeyMeta meta) == RedisType.None)
        {
            return false;
        }

        long current = meta.ExpireAtMs;
        bool nx = (condition & ExpireCondition.Nx) != 0, xx = (condition & ExpireCondition.Xx) != 0;
        bool gt = (condition & ExpireCondition.Gt) != 0, lt = (condition & ExpireCondition.Lt) != 0;
        bool refused = (nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || whenMs <= current)) ||
            (lt && current != 0 && whenMs >= current);
        if (refused)
        {
            return false;
        }

        if (whenMs <= ks.NowMs)
        {
            ks.DeleteKey(key, meta);
        }
        else
        {
            ks.SetExpire(key, ref meta, whenMs);
        }

        return true;
    }

    /// <summary>
    /// TTL (<paramref name="absolute"/> false) or EXPIRETIME, in seconds (rounded) or milliseconds: -2 for a missing
    /// key, -1 for a key without expiry.
    /// </summary>
    public static long TimeToLive(RedisKeyspace ks, ReadOnlySpan<byte> key, bool absolute, bool milliseconds)
    {
        if (ks.Lookup(key, out KeyMeta meta) == RedisType.None)
        {
            return -2;
        }

        if (meta.ExpireAtMs == 0)
        {
            return -1;
        }

        long ms = Math.Max(absolute ? meta.ExpireAtMs : meta.ExpireAtMs - ks.NowMs, 0);
        return milliseconds ? ms : (ms + 500) / 1000;
    }

    /// <summary>PERSIST: true when the key had an expiry (now removed).</summary>
    public static bool Persist(RedisKeyspace ks, ReadOnlySpan<byte> key)
    {
        if (ks.Lookup(key, out KeyMeta meta) == RedisType.None || meta.ExpireAtMs == 0)
        {
            return false;
        }

        ks.SetExpire(key, ref meta, 0);
        return true;
    }
}
