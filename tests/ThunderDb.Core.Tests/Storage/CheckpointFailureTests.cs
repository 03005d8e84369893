using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Tests.Txn;
using ThunderDb.Core.Txn;
using ThunderDb.Io;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>
/// A checkpoint whose data-file write or fdatasync fails keeps the old meta page and the WAL, switches the store
/// read-only and takes no further checkpoint; a restart recovers every acknowledged commit.
/// </summary>
public class CheckpointFailureTests
{
    private static StorageOptions Options(TempDataDir dir, FaultPlan? plan) =>
        dir.Options() with { SyncCommit = true, FileDecorator = plan is null ? null : plan.Wrap };

    private static StorageEngine Open(StorageOptions options) => StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);

    private static async Task WriteKeys(StorageEngine engine, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            using var txn = engine.Begin();
            txn.Put(B($"k{i:D4}"), B(new string((char)('a' + (i % 26)), 100 + (i % 50))));
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
            await Assert.That(keys[i]).IsEqualTo($"k{i:D4}=" + new string((char)('a' + (i % 26)), 100 + (i % 50)));
        }
    }

    [Test]
    [Arguments(FaultPlan.EIO)]
    [Arguments(FaultPlan.ENOSPC)]
    public async Task A_failed_fdatasync_during_a_checkpoint_goes_read_only_and_a_restart_recovers_everything(int errno)
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = path => path.EndsWith(Pager.DataFileName, StringComparison.Ordinal), Errno = errno };
        var engine = Open(Options(dir, plan));
        await WriteKeys(engine, 0, 300);
        engine.Checkpoint();
        var goodLsn = engine.LastCheckpointLsn;
        var goodSequence = engine.Tree.CheckpointSequence;
        await WriteKeys(engine, 300, 300);

        plan.FailNextFlushes(1);
        var error = await Assert.That(engine.Checkpoint).Throws<IoException>();
        await Assert.That(error!.Errno).IsEqualTo(errno);
        await Assert.That(plan.FlushesFailed).IsEqualTo(1);
        await Assert.That(engine.IsReadOnly).IsTrue();
        await Assert.That(engine.ReadOnlyReason).Contains("checkpoint failed");
        await Assert.That(engine.LastCheckpointLsn).IsEqualTo(goodLsn);
        await Assert.That(engine.Tree.CheckpointSequence).IsEqualTo(goodSequence);

        // The disk "recovers", but no later checkpoint may flip the meta page over the writes the kernel dropped.
        await Assert.That(engine.Checkpoint).Throws<StorageReadOnlyException>();
        using (var txn = engine.Begin())
        {
            await Assert.That(() => txn.Put(B("more"), B("x"))).Throws<StorageReadOnlyException>();
        }

        // Reads still work meanwhile.
        await AssertAllKeys(engine, 600);

        engine.SimulateCrash();
        using var recovered = Open(Options(dir, null));
        await Assert.That(recovered.IsReadOnly).IsFalse();
        await AssertAllKeys(recovered, 600);
    }

    [Test]
    public async Task A_failed_page_write_during_a_checkpoint_goes_read_only_and_a_restart_recovers_everything()
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan
        {
            Applies = path => path.EndsWith(Pager.DataFileName, StringComparison.Ordinal),
            Errno = FaultPlan.ENOSPC,
            FailedWritePrefix = 512, // a torn page lands first
        };
        var engine = Open(Options(dir, plan));
        await WriteKeys(engine, 0, 400);
        plan.FailNextWrites(1);
        await Assert.That(engine.Checkpoint).Throws<IoException>();
        await Assert.That(engine.IsReadOnly).IsTrue();
        await Assert.That(engine.LastCheckpointLsn).IsEqualTo(0UL);
        await Assert.That(engine.Checkpoint).Throws<StorageReadOnlyException>();

        // A graceful close takes no final checkpoint over the failed one either.
        engine.Dispose();
        using var recovered = Open(Options(dir, null));
        await AssertAllKeys(recovered, 400);
        await Assert.That(recovered.Database.Recovery.RecordsReplayed).IsEqualTo(400);
    }

    [Test]
    public async Task Pages_written_by_a_failed_checkpoint_stay_dirty_and_are_written_again()
    {
        // Below the database (which never retries): the pager's second checkpoint must rewrite what the failed sync lost.
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = path => path.EndsWith(Pager.DataFileName, StringComparison.Ordinal) };
        var model = new SortedDictionary<byte[], byte[]>(new ByteArrayComparer());
        using (var store = ThunderDb.Core.Storage.BTree.BTreeStore.Open(dir.Options() with { FileDecorator = plan.Wrap }))
        {
            for (var i = 0; i < 500; i++)
            {
                var key = B($"key{i:D4}");
                var value = B(new string('v', 200));
                store.Put(key, value);
                model[key] = value;
            }

            plan.FailNextFlushes(1);
            await Assert.That(() => store.Checkpoint(8, 1)).Throws<IoException>();
            store.Checkpoint(8, 1);
        }

        using var reopened = ThunderDb.Core.Storage.BTree.BTreeStore.Open(dir.Options());
        await Assert.That(reopened.CheckpointWalLsn).IsEqualTo(8UL);
        await Assert.That(StoreAssert.CompareAll(reopened, model)).IsNull();
    }
}

/// <summary>A checkpoint's fdatasync covers every write-back of its epoch, including evictions still in flight.</summary>
public class CheckpointEvictionRaceTests
{
    [Test]
    [Timeout(60_000)]
    public async Task A_checkpoint_does_not_fsync_before_an_eviction_write_back_in_flight_lands(CancellationToken ct)
    {
        using var dir = new TempDataDir();
        var plan = new FaultPlan { Applies = path => path.EndsWith(Pager.DataFileName, StringComparison.Ordinal) };
        var options = dir.Options(poolBytes: 64 * 4096) with { FileDecorator = plan.Wrap };
        var model = new SortedDictionary<byte[], byte[]>(new ByteArrayComparer());
        var keys = new List<byte[]>();
        using (var store = ThunderDb.Core.Storage.BTree.BTreeStore.Open(options))
        {
            for (var i = 0; i < 3000; i++)
            {
                var key = TestDatabase.B($"key{i:D5}");
                var value = TestDatabase.B(new string('a', 150));
                store.Put(key, value);
                model[key] = value;
                keys.Add(key);
            }

            store.Checkpoint(8, 1);

            // Dirty a spread of leaves: copies of this epoch that evictions will write back.
            for (var i = 0; i < 3000; i += 7)
            {
                var value = TestDatabase.B(new string('b', 150));
                store.Put(keys[i], value);
                model[keys[i]] = value;
            }

            // A reader's miss evicts a dirty frame; its write-back stalls.
            plan.BlockNextWrite();
            var reader = Task.Factory.StartNew(() =>
            {
                for (var round = 0; round < 20 && !plan.WriteBlocked.IsSet; round++)
                {
                    foreach (var key in keys)
                    {
                        StoreAssert.Get(store, key);
                    }
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                await Assert.That(plan.WriteBlocked.Wait(TimeSpan.FromSeconds(20), ct)).IsTrue();
                var flushesBefore = plan.Flushes;
                var checkpoint = Task.Factory.StartNew(() => store.Checkpoint(16, 2), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                await Task.Delay(300, ct);
                await Assert.That(plan.Flushes).IsEqualTo(flushesBefore).Because("the checkpoint synced before a write-back of its epoch landed");
                await Assert.That(checkpoint.IsCompleted).IsFalse();

                plan.ReleaseWrite.Set();
                await checkpoint.WaitAsync(TimeSpan.FromSeconds(20), ct);
            }
            finally
            {
                plan.ReleaseWrite.Set();
                await reader.WaitAsync(TimeSpan.FromSeconds(20), ct);
            }
        }

        using var reopened = ThunderDb.Core.Storage.BTree.BTreeStore.Open(dir.Options(poolBytes: 64 * 4096));
        await Assert.That(reopened.CheckpointWalLsn).IsEqualTo(16UL);
        await Assert.That(StoreAssert.CompareAll(reopened, model)).IsNull();
    }
}
