using System.Diagnostics;

namespace ThunderDb.Core.Txn;

/// <summary>
/// Unix wall-clock milliseconds derived from a <see cref="Stopwatch"/> timestamp the caller already has, so a commit
/// reads the clock once for both its WAL record's wall time and its duration. The mapping is re-anchored on
/// <see cref="DateTimeOffset.UtcNow"/> whenever it is more than a second old, so clock steps and NTP slewing
/// show up within a second, as they would with a fresh read.
/// </summary>
internal static class WallClock
{
    private static Anchor s_anchor = FreshAnchor();

    public static long UnixMilliseconds(long stopwatchTimestamp) => UnixTicks(stopwatchTimestamp) / TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// Unix time in 100 ns ticks (the resolution of RFC 3339 fractions that <see cref="DateTimeOffset"/> parses), so
    /// point-in-time recovery can stop between two commits of the same millisecond.
    /// </summary>
    public static long UnixTicks(long stopwatchTimestamp)
    {
        var anchor = Volatile.Read(ref s_anchor);
        var elapsed = stopwatchTimestamp - anchor.Timestamp;
        if (elapsed > Stopwatch.Frequency || elapsed < -Stopwatch.Frequency)
        {
            // anchor on a fresh reading, not on the caller's timestamp: a commit's start time may be milliseconds old,
            // and pairing it with the wall clock now would shift every time mapped until the next re-anchoring
            anchor = FreshAnchor();
            Volatile.Write(ref s_anchor, anchor);
            elapsed = stopwatchTimestamp - anchor.Timestamp;
        }

        return anchor.UnixTicks + (long)((Int128)elapsed * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
    }

    private static long UnixTicksNow() => DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;

    /// <summary>
    /// A stopwatch reading and the wall clock taken together: the wall clock is read between two stopwatch reads and the
    /// pair kept when they are close, so a thread preempted between the reads (milliseconds on a loaded machine) does not
    /// skew every time mapped until the next re-anchoring; after a few tries the midpoint halves what is left.
    /// </summary>
    private static Anchor FreshAnchor()
    {
        long closeEnough = Stopwatch.Frequency / 10_000; // 100 us
        long first = 0, wall = 0, second = 0;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            first = Stopwatch.GetTimestamp();
            wall = UnixTicksNow();
            second = Stopwatch.GetTimestamp();
            if (second - first <= closeEnough)
            {
                break;
            }
        }

        return new Anchor(first + ((second - first) / 2), wall);
    }

    private sealed record Anchor(long Timestamp, long UnixTicks);
}
