using System.Diagnostics;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Txn;

public class WallClockTests
{
    [Test]
    [NotInParallel(nameof(WallClock))]
    public async Task Stopwatch_times_map_to_the_wall_clock_within_milliseconds_before_and_after_re_anchoring()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var now = WallClock.UnixMilliseconds(Stopwatch.GetTimestamp());
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Assert.That(now).IsBetween(before - 2, after + 2);

        // Past the anchor's one-second life the mapping re-anchors and still matches the wall clock.
        await Task.Delay(1100);
        before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var later = WallClock.UnixMilliseconds(Stopwatch.GetTimestamp());
        after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Assert.That(later).IsBetween(before - 2, after + 2);
        await Assert.That(later - now).IsGreaterThanOrEqualTo(1090);
    }

    [Test]
    [NotInParallel(nameof(WallClock))]
    public async Task A_stale_timestamp_that_re_anchors_the_mapping_does_not_shift_it()
    {
        await Task.Delay(1100); // the anchor is now more than a second old: the next mapping re-anchors
        long stale = Stopwatch.GetTimestamp();
        await Task.Delay(60);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long staleAgeBefore = (long)Stopwatch.GetElapsedTime(stale).TotalMilliseconds;
        long mapped = WallClock.UnixMilliseconds(stale);
        long staleAgeAfter = (long)Math.Ceiling(Stopwatch.GetElapsedTime(stale).TotalMilliseconds);
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Assert.That(mapped).IsBetween(before - staleAgeAfter - 2, after - staleAgeBefore + 2);

        // and the times mapped after it are still the wall clock's, not shifted by the stale timestamp's age
        before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long now = WallClock.UnixMilliseconds(Stopwatch.GetTimestamp());
        after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Assert.That(now).IsBetween(before - 2, after + 2);
    }

    [Test]
    [NotInParallel(nameof(WallClock))]
    public async Task A_transaction_reports_the_wall_clock_time_it_began()
    {
        using var t = new TestDatabase(syncCommit: false);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var txn = t.Db.Begin();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Assert.That(txn.StartedAtUnixMilliseconds).IsBetween(before - 2, after + 2);
    }
}
