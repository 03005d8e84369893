using System.Diagnostics;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

public class DatabaseWorkerTests
{
    [Test]
    public async Task The_checkpoint_worker_runs_early_when_the_wal_passes_max_wal_size()
    {
        using var t = new TestDatabase(segmentSize: 4096, configure: o => o with
        {
            BackgroundWorkers = true,
            Storage = o.Storage with { MaxWalSize = 16 << 10, CheckpointInterval = TimeSpan.FromHours(1), CompactionThreads = 0 },
        });
        var clock = Stopwatch.StartNew();
        var i = 0;
        while (t.Store.CheckpointCount == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await t.Commit(($"k{i++}", new string('x', 200)));
        }

        await Assert.That(t.Store.CheckpointCount).IsGreaterThan(0);
        await Assert.That(t.Store.CheckpointLsn).IsGreaterThan(0UL);
        await Assert.That(t.Db.LastCheckpointLsn).IsEqualTo(t.Store.CheckpointLsn);
    }

    [Test]
    public async Task Compaction_workers_reclaim_dead_versions_in_small_batches()
    {
        using var t = new TestDatabase(configure: o => o with
        {
            BackgroundWorkers = true,
            VacuumInterval = TimeSpan.FromMilliseconds(20),
            VacuumBatchKeys = 3,
            Storage = o.Storage with { CompactionThreads = 2 },
        });
        for (var round = 0; round < 4; round++)
        {
            await t.Commit([.. Enumerable.Range(0, 10).Select(k => ($"k{k}", (string?)$"r{round}"))]);
        }

        var clock = Stopwatch.StartNew();
        while (t.Store.Count > 10 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        await Assert.That(t.Store.Count).IsEqualTo(10);
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(Enumerable.Range(0, 10).Select(k => $"k{k}=r3"));
    }
}
