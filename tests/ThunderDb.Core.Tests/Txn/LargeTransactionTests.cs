using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Tests.Storage;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>
/// Write sets larger than the WAL ring (256 KiB in <see cref="TestDatabase"/>) commit as chunk records followed by a
/// commit record: all of it survives a crash, and a transaction whose commit record never made it leaves nothing.
/// </summary>
public class LargeTransactionTests
{
    private const int Keys = 4000; // ~4000 x 230 bytes = ~0.9 MiB, several times the ring

    private static string Value(int i, string tag) => tag + ":" + new string((char)('a' + (i % 26)), 200 + (i % 17));

    private static void WriteLarge(IKvTransaction txn, string tag)
    {
        for (var i = 0; i < Keys; i++)
        {
            txn.Put(B($"big{i:D5}"), B(Value(i, tag)));
        }
    }

    private static async Task AssertLarge(Database db, string? tag)
    {
        using var check = db.Begin();
        var rows = Scan(check, "big", "bih");
        if (tag is null)
        {
            await Assert.That(rows.Count).IsEqualTo(0);
            return;
        }

        await Assert.That(rows.Count).IsEqualTo(Keys);
        for (var i = 0; i < Keys; i += 97)
        {
            await Assert.That(rows[i]).IsEqualTo($"big{i:D5}=" + Value(i, tag));
        }

        await Assert.That(rows[^1]).IsEqualTo($"big{Keys - 1:D5}=" + Value(Keys - 1, tag));
    }

    [Test]
    public async Task A_write_set_larger_than_the_wal_buffer_commits_and_survives_a_crash()
    {
        using var t = new TestDatabase();
        await t.Commit(("before", "1"));
        using (var txn = t.Db.Begin())
        {
            WriteLarge(txn, "v1");
            await txn.CommitAsync();
        }

        await t.Commit(("after", "1"));
        await AssertLarge(t.Db, "v1");

        t.CrashAndRestart();
        await AssertLarge(t.Db, "v1");
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "before")).IsEqualTo("1");
        await Assert.That(Get(check, "after")).IsEqualTo("1");
    }

    [Test]
    public async Task Chunks_of_a_transaction_that_never_commits_are_dropped_by_recovery()
    {
        using var t = new TestDatabase();
        await t.Commit(("big00007", "old"));
        using (var txn = t.Db.Begin())
        {
            WriteLarge(txn, "lost");

            // A concurrent commit of one of its keys: the large commit logs its chunks, then fails the conflict check.
            t.Db.AfterChunksLogged = () => t.Commit(("big00007", "newer")).GetAwaiter().GetResult();
            await Assert.That(async () => await txn.CommitAsync()).Throws<TransactionConflictException>();
            t.Db.AfterChunksLogged = null;
        }

        await t.Commit(("after", "1"));
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "big", "bih")).IsEquivalentTo(new[] { "big00007=newer" });
        await Assert.That(Get(check, "after")).IsEqualTo("1");
        await Assert.That(t.Db.Recovery.RecordsReplayed).IsGreaterThan(2);
    }

    [Test]
    public async Task A_checkpoint_between_the_chunks_and_the_commit_record_keeps_the_chunks_for_recovery()
    {
        using var t = new TestDatabase();
        using (var txn = t.Db.Begin())
        {
            WriteLarge(txn, "v1");
            t.Db.AfterChunksLogged = () =>
            {
                // Other commits move the applied end past the chunks; the checkpoint must still start redo before them.
                t.Commit(("other", "1")).GetAwaiter().GetResult();
                t.Db.Checkpoint();
            };
            await txn.CommitAsync();
            t.Db.AfterChunksLogged = null;
        }

        t.CrashAndRestart();
        await AssertLarge(t.Db, "v1");

        // Once applied, the next checkpoint no longer needs them.
        t.Db.Checkpoint();
        await Assert.That(t.Db.LastCheckpointLsn).IsEqualTo(t.Db.Wal.ReservedLsn);
        t.CrashAndRestart();
        await AssertLarge(t.Db, "v1");
    }

    [Test]
    public async Task A_checkpoint_pinned_by_one_large_commit_does_not_break_recovery_of_another_committed_beside_it()
    {
        // LSN order: B's chunks, A's chunks, B's commit record, checkpoint (redo pinned at A's first chunk), A's commit.
        using var t = new TestDatabase();
        using var aChunksLogged = new ManualResetEventSlim();
        using var releaseA = new ManualResetEventSlim();
        var calls = 0;
        Task? commitA = null;
        t.Db.AfterChunksLogged = () =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                commitA = Task.Run(async () =>
                {
                    using var a = t.Db.Begin();
                    for (var i = 0; i < Keys; i++)
                    {
                        a.Put(B($"a{i:D5}"), B(Value(i, "a")));
                    }

                    await a.CommitAsync();
                });
                aChunksLogged.Wait(TimeSpan.FromSeconds(20));
            }
            else
            {
                aChunksLogged.Set();
                releaseA.Wait(TimeSpan.FromSeconds(20));
            }
        };

        using (var b = t.Db.Begin())
        {
            WriteLarge(b, "b");
            await b.CommitAsync();
        }

        await Assert.That(aChunksLogged.IsSet).IsTrue();
        t.Db.Checkpoint();
        releaseA.Set();
        await commitA!.WaitAsync(TimeSpan.FromSeconds(20));
        t.Db.AfterChunksLogged = null;

        t.CrashAndRestart();
        await AssertLarge(t.Db, "b");
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "a", "b").Count).IsEqualTo(Keys);
    }

    [Test]
    public async Task Overwriting_a_large_transaction_with_another_keeps_the_newest_after_restart()
    {
        using var t = new TestDatabase(syncCommit: false);
        foreach (var tag in new[] { "v1", "v2" })
        {
            using var txn = t.Db.Begin();
            WriteLarge(txn, tag);
            txn.Delete(B("big00003"));
            txn.Put(B("big00003"), B(Value(3, tag)));
            await txn.CommitAsync();
        }

        t.Db.FlushLog(TimeSpan.FromSeconds(10));
        t.CrashAndRestart();
        await AssertLarge(t.Db, "v2");
    }

    [Test]
    public async Task Exceeding_max_transaction_size_fails_the_write_with_a_clear_error_and_commits_nothing()
    {
        using var t = new TestDatabase(configure: o => o with { Storage = o.Storage with { MaxTransactionSize = 100_000 } });
        using var txn = t.Db.Begin();
        var error = await Assert.That(() => WriteLarge(txn, "v1")).Throws<TransactionTooLargeException>();
        await Assert.That(error!.Message).Contains("storage.max_transaction_size (100000 bytes)");
        txn.Rollback();
        await AssertLarge(t.Db, null);
    }

    [Test]
    public async Task A_savepoint_rollback_gives_back_its_share_of_the_size_limit()
    {
        using var t = new TestDatabase(configure: o => o with { Storage = o.Storage with { MaxTransactionSize = 50_000 } });
        using var txn = t.Db.Begin();
        for (var round = 0; round < 5; round++)
        {
            var mark = txn.Savepoint();
            for (var i = 0; i < 150; i++)
            {
                txn.Put(B($"k{i:D4}"), B(new string('x', 200))); // ~32 KB per round: five rounds only fit with the rollbacks
            }

            txn.RollbackTo(mark);
            txn.Release(mark);
        }

        txn.Put(B("kept"), B("1"));
        await txn.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "\u00ff")).IsEquivalentTo(new[] { "kept=1" });
    }

    [Test]
    public async Task A_wal_write_failure_during_a_chunked_commit_goes_read_only_and_leaves_no_partial_transaction()
    {
        var plan = new FaultPlan();
        using var t = new TestDatabase(configure: o => o with { Wal = o.EffectiveWal with { FileDecorator = plan.Wrap } });
        await t.Commit(("before", "1"));
        using (var txn = t.Db.Begin())
        {
            WriteLarge(txn, "v1");
            plan.FailNextWrites(1);
            await Assert.That(async () => await txn.CommitAsync()).Throws<StorageReadOnlyException>();
        }

        await Assert.That(t.Db.IsReadOnly).IsTrue();
        await AssertLarge(t.Db, null);

        plan.Disarm();
        t.CrashAndRestart();
        await AssertLarge(t.Db, null);
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "before")).IsEqualTo("1");
    }
}
