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
    private static Anchor s_anchor = new(Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public static long UnixMilliseconds(long stopwatchTimestamp)
    {
        var anchor = Volatile.Read(ref s_anchor);
        var elapsed = stopwatchTimestamp - anchor.Timestamp;
        if (elapsed > Stopwatch.Frequency || elapsed < -Stopwatch.Frequency)
        {
            anchor = new Anchor(stopwatchTimestamp, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Volatile.Write(ref s_anchor, anchor);
            elapsed = 0;
        }

        return anchor.UnixMs + (elapsed * 1000 / Stopwatch.Frequency);
    }

    private sealed record Anchor(long Timestamp, long UnixMs);
}
