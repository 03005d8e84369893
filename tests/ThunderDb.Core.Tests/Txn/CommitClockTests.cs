using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Tests.Storage;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>
/// Commit wall-clock times never decrease in LSN order (point-in-time recovery stops at a time), and transaction ids
/// stay unique across restarts, graceful or not.
/// </summary>
public class CommitClockTests
{
    /// <summary>The (wall-clock ms, txn id) of every commit record in the WAL directory, in LSN order.</summary>
    private static List<(long WallMs, long TxnId)> ReadCommits(string walDir, long segmentSize)
    {
        var commits = new List<(long, long)>();
        using var wal = WriteAheadLog.Open(new WalOptions { Directory = walDir, SegmentSize = segmentSize }, 0, 0, record =>
        {
            if (WalRecord.ReadType(record) == WalRecordType.Commit)
            {
                commits.Add((WalRecord.ReadWallClockMs(record), WalRecord.ReadTxnId(record)));
            }
        }, NullLogger.Instance, out _);
        return commits;
    }

    [Test]
    public async Task Commit_times_never_go_back_even_when_the_clock_does_and_across_a_restart()
    {
        var clock = new long[] { 5_000 };
        using var t = new TestDatabase(configure: o => o with { WallClock = _ => Volatile.Read(ref clock[0]) });
        await t.Commit(("a", "1"));
        clock[0] = 3_000; // stepped back
        await t.Commit(("b", "1"));
        clock[0] = 6_000;
        await t.Commit(("c", "1"));
        t.CloseAndReopen(); // the final checkpoint leaves nothing to replay: the meta page must carry 6000
        await Assert.That(t.Db.Recovery.RecordsReplayed).IsEqualTo(0);
        clock[0] = 1_000; // restarted on a machine whose clock is behind
        await t.Commit(("d", "1"));
        t.Db.SimulateCrash();

        var commits = ReadCommits(t.WalDir, t.SegmentSize);
        await Assert.That(commits.Select(c => c.WallMs)).IsEquivalentTo(new long[] { 5_000, 5_000, 6_000, 6_000 });
    }

    [Test]
    [Timeout(60_000)]
    public async Task Concurrent_commits_have_non_decreasing_wall_clock_times_in_lsn_order(CancellationToken ct)
    {
        using var t = new TestDatabase(segmentSize: 4 << 20);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await t.Commit(($"w{w}-{i % 10}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }, ct));
        await Task.WhenAll(writers);
        t.Db.SimulateCrash();

        var commits = ReadCommits(t.WalDir, t.SegmentSize);
        await Assert.That(commits.Count).IsEqualTo(2400);
        for (var i = 1; i < commits.Count; i++)
        {
            await Assert.That(commits[i].WallMs).IsGreaterThanOrEqualTo(commits[i - 1].WallMs).Because($"commit {i} in LSN order");
        }

        await Assert.That(commits.Select(c => c.TxnId).Distinct().Count()).IsEqualTo(2400);
    }

    [Test]
    public async Task Transaction_ids_stay_unique_across_graceful_and_crash_restarts()
    {
        using var dir = new TempDataDir();
        var options = dir.Options() with { SyncCommit = true };
        var seen = new HashSet<long>();
        var engine = StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);
        try
        {
            for (var cycle = 0; cycle < 4; cycle++)
            {
                // Many more transactions than commits: ids run ahead of commit timestamps.
                for (var i = 0; i < 40; i++)
                {
                    using var reader = engine.Begin();
                    await Assert.That(seen.Add(reader.Id)).IsTrue().Because($"id {reader.Id} handed out twice (cycle {cycle})");
                    reader.Rollback();
                }

                for (var i = 0; i < 5; i++)
                {
                    using var txn = engine.Begin();
                    await Assert.That(seen.Add(txn.Id)).IsTrue().Because($"id {txn.Id} handed out twice (cycle {cycle})");
                    txn.Put(B($"k{cycle}-{i}"), B("v"));
                    await txn.CommitAsync();
                }

                if (cycle % 2 == 0)
                {
                    engine.Dispose(); // graceful: final checkpoint, nothing left to replay
                }
                else
                {
                    engine.SimulateCrash(); // only the WAL knows the ids since the last checkpoint
                }

                engine = StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);
            }

            using var last = engine.Begin();
            await Assert.That(last.Id).IsGreaterThan(seen.Max());
        }
        finally
        {
            engine.Dispose();
        }
    }
}
