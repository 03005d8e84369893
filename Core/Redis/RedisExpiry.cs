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

    /// <summary>
    /// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: the deadline in Unix ms. Unlike SET's, any amount is accepted (a past
    /// one deletes the key); false only when the arithmetic overflows ("invalid expire time").
    /// </summary>
    public static bool TryCommandDeadline(long amount, bool seconds, bool absolute, long nowMs, out long expireAtMs)
    {
        expireAtMs = 0;
        if (seconds && (amount > long.MaxValue / 1000 || amount < long.MinValue / 1000))
        {
            return false;
        }

        long ms = seconds ? amount * 1000 : amount;
        if (!absolute)
        {
            long sum = unchecked(nowMs + ms);
            if (((nowMs ^ sum) & (ms ^ sum)) < 0)
            {
                return false; // the signed addition overflowed
            }

            ms = sum;
        }

        expireAtMs = ms;
        return true;
    }
}
