namespace ThunderDb.Core.Redis;

/// <summary>Redis inclusive index ranges (GETRANGE, LRANGE, ZRANGE...): negative indexes count from the end.</summary>
public static class RedisRange
{
    /// <summary>Clamps [<paramref name="start"/>, <paramref name="end"/>] to [0, length-1]; from &gt; to means empty.</summary>
    public static (long From, long To) Normalize(long start, long end, long length)
    {
        if (start < 0)
        {
            start = Math.Max(0, length + start);
        }

        if (end < 0)
        {
            end = length + end;
        }

        if (end >= length)
        {
            end = length - 1;
        }

        return (start, end);
    }
}
