namespace ThunderDb.Core.Redis;

/// <summary>Expiry arithmetic shared by SET EX/PX/EXAT/PXAT, GETEX, SETEX and PSETEX.</summary>
public static class RedisExpiry
{
    /// <summary>
    /// Redis's expire argument check: <paramref name="amount"/> must be positive and neither its milliseconds nor
    /// (for a relative time) now plus it may overflow. False means "invalid expire time".
    /// </summary>
    public static bool TryDeadline(long amount, bool seconds, bool absolute, long nowMs, out long expireAtMs)
    {
        expireAtMs = 0;
        if (amount <= 0 || (seconds && amount > long.MaxValue / 1000))
        {
            return false;
        }

        long ms = seconds ? amount * 1000 : amount;
        if (!absolute)
        {
            if (ms > long.MaxValue - nowMs)
            {
                return false;
            }

            ms += nowMs;
        }

        expireAtMs = ms;
        return true;
    }
}
