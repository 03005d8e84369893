using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;
using ThunderDb.Io;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>
/// Checkpoints hold the commit lock only to freeze their content; the page writes run while commits and reads go on,
/// and whatever commits meanwhile is recovered whether the checkpoint completes, fails or the process dies after it.
/// </summary>
public class ConcurrentCheckpointTests
{
    private static StorageOptions Options(TempDataDir dir, FaultPlan? plan, long poolBytes = 8L << 20) =>
        dir.Options(poolBytes: poolBytes) with { SyncCommit = true, FileDecorator = plan is null ? null : plan.Wrap };

    private static StorageEngine Open(StorageOptions options) => StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);

    private static string Value(int i) => new((char)('a' + (i % 26)), 100 + (i % 50));

    private static async Task WriteKeys(StorageEngine engine, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            using var txn = engine.Begin();
            txn.Put(B($"k{i:D4}"), B(Value(i)));
            await txn.CommitAsync();
        }
    }

    private static async Task AssertAllKeys(StorageEngine engine, int count)
    {
        using var check = engine.Begin();
        var keys = Scan(check, "", "");
        await Assert.That(keys.Count).IsEqualTo(count);
        for (var i = 0; i < count; i++)
        {
            await Assert.That(keys[i]).IsEqualTo($"k{i:D4}=" + Value(i));
        }
    }

    private static bool IsDataFile(string path) => path.EndsWith(Pager.DataFileName, StringComparison.Ordinal);

    [Test]
    public async Task Commits_and_reads_go_on_while_a_checkpoint_writes_its_pages()
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = IsDataFile };
        var engine = Open(Options(dir, plan));
        try
        {
            await WriteKeys(engine, 0, 300);
            plan.BlockNextWrite();
            var checkpoint = Task.Factory.StartNew(engine.Checkpoint, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Assert.That(plan.WriteBlocked.Wait(TimeSpan.FromSeconds(20))).IsTrue();

            // The checkpoint's first page write is stuck: commits (and their reads) must not wait for it.
            await WriteKeys(engine, 300, 100).WaitAsync(TimeSpan.FromSeconds(10));
            await AssertAllKeys(engine, 400);
            await Assert.That(checkpoint.IsCompleted).IsFalse();

            plan.ReleaseWrite.Set();
            await checkpoint.WaitAsync(TimeSpan.FromSeconds(20));
            await WriteKeys(engine, 400, 50);
        }
        finally
        {
            plan.ReleaseWrite.Set();
        }

        // Die: the checkpoint holds keys 0-299, the WAL replays everything after its redo LSN.
        engine.SimulateCrash();
        using var recovered = Open(Options(dir, null));
        await AssertAllKeys(recovered, 450);
        await Assert.That(recovered.Database.Recovery.RecordsReplayed).IsEqualTo(150);
    }

    [Test]
    public async Task A_checkpoint_that_fails_after_commits_ran_beside_it_leaves_every_commit_recoverable()
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = IsDataFile };
        var engine = Open(Options(dir, plan));
        await WriteKeys(engine, 0, 300);
        plan.BlockNextWrite();
        plan.FailNextFlushes(1);
        var checkpoint = Task.Factory.StartNew(engine.Checkpoint, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await Assert.That(plan.WriteBlocked.Wait(TimeSpan.FromSeconds(20))).IsTrue();
            await WriteKeys(engine, 300, 100).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            plan.ReleaseWrite.Set();
        }

        await Assert.That(async () => await checkpoint.WaitAsync(TimeSpan.FromSeconds(20))).Throws<IoException>();
        await Assert.That(engine.IsReadOnly).IsTrue();
        await Assert.That(engine.LastCheckpointLsn).IsEqualTo(0UL);
        engine.SimulateCrash();

        using var recovered = Open(Options(dir, null));
        await AssertAllKeys(recovered, 400);
        await Assert.That(recovered.Database.Recovery.RecordsReplayed).IsEqualTo(400);
    }

    [Test]
    public async Task Writers_racing_repeated_checkpoints_with_a_tiny_pool_lose_nothing_across_crashes()
    {
        // 64 frames: the writer copies, frees and evicts frozen pages while each checkpoint is writing them.
        using var dir = new TempDataDir();
        var options = Options(dir, null, poolBytes: 64 * 4096);
        var model = new ConcurrentDictionary<string, string>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var engine = Open(options);
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
            var checkpoints = 0;
            var checkpointer = Task.Factory.StartNew(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    engine.Checkpoint();
                    checkpoints++;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                var random = new Random((cycle * 10) + w);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"w{w}-{random.Next(3000):D4}";
                    var value = $"{cycle}.{i}." + new string('v', random.Next(10, 300));
                    using var txn = engine.Begin();
                    if (i % 7 == 6 && model.ContainsKey(key))
                    {
                        txn.Delete(B(key));
                        await txn.CommitAsync();
                        model.TryRemove(key, out _);
                    }
                    else
                    {
                        txn.Put(B(key), B(value));
                        await txn.CommitAsync();
                        model[key] = value;
                    }
                }
            })).ToArray();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
            await checkpointer.WaitAsync(TimeSpan.FromSeconds(60));
            await Assert.That(checkpoints).IsGreaterThan(1);
            engine.SimulateCrash();
        }

        using var recovered = Open(options);
        using var check = recovered.Begin();
        var rows = Scan(check, "", "");
        var expected = model.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value).ToList();
        await Assert.That(rows.Count).IsEqualTo(expected.Count);
        await Assert.That(rows).IsEquivalentTo(expected);
    }
}
