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
    private static Anchor s_anchor = new(Stopwatch.GetTimestamp(), UnixTicksNow());

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
            long now = Stopwatch.GetTimestamp();
            anchor = new Anchor(now, UnixTicksNow());
            Volatile.Write(ref s_anchor, anchor);
            elapsed = stopwatchTimestamp - now;
        }

        return anchor.UnixTicks + (long)((Int128)elapsed * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
    }

    private static long UnixTicksNow() => DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;

    private sealed record Anchor(long Timestamp, long UnixTicks);
}
