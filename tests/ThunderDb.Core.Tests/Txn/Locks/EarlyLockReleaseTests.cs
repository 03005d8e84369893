using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Tests.Storage;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn.Locks;

/// <summary>
/// Early lock release with sync_commit: a committer's key locks go once its commit is applied, before its fsync, so the
/// next holder of a hot row does not wait out that fsync too; it is acknowledged only once what it read is durable, and
/// fails with it when that fsync fails. The WAL's writes are held (a slow disk) to look between apply and durability.
/// </summary>
public class EarlyLockReleaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static TestDatabase Open(FaultPlan plan) =>
        new(configure: o => o with { Wal = o.Wal! with { FileDecorator = plan.Wrap } });

    private static FaultPlan WalFaults() => new() { Applies = path => path.EndsWith(WalSegmentSet.Extension, StringComparison.Ordinal) };

    /// <summary>T1 locks and writes x, commits with the WAL's write held; T2 was queued on x.</summary>
    private static async Task<(IKvTransaction T2, Task T1Commit)> HolderAppliedButNotDurable(TestDatabase t, FaultPlan plan)
    {
        await t.Commit(("x", "1"));
        var t1 = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        await t1.LockAsync(B("x"));
        t1.Put(B("x"), B("2"));
        var t2 = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        var queued = t2.LockAsync(B("x")).AsTask();
        await Assert.That(queued.IsCompleted).IsFalse();

        plan.BlockNextWrite();
        var t1Commit = Task.Run(async () => await t1.CommitAsync()); // the committer may do the WAL write itself
        await Assert.That(plan.WriteBlocked.Wait(Patience)).IsTrue();
        await queued.WaitAsync(Patience); // granted while T1's record is still on its way to the disk
        await Assert.That(t1Commit.IsCompleted).IsFalse();
        return (t2, t1Commit);
    }

    [Test]
    [Timeout(60_000)]
    public async Task The_next_holder_goes_on_before_the_fsync_and_is_acknowledged_after_it(CancellationToken ct)
    {
        var plan = WalFaults();
        using var t = Open(plan);
        var (t2, t1Commit) = await HolderAppliedButNotDurable(t, plan);

        await Assert.That(Get(t2, "x")).IsEqualTo("2"); // the current read builds on the applied commit
        using (var reader = t.Db.Begin())
        {
            await Assert.That(Get(reader, "x")).IsEqualTo("1"); // a snapshot never sees what a crash could take away
        }

        t2.Put(B("x"), B("3"));
        var t2Commit = t2.CommitAsync().AsTask();
        await Task.Delay(200, ct);
        await Assert.That(t2Commit.IsCompleted).IsFalse();

        plan.ReleaseWrite.Set();
        await t1Commit;
        await t2Commit.WaitAsync(Patience, ct);
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "x")).IsEqualTo("3");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_holder_that_writes_nothing_waits_for_the_commit_it_read(CancellationToken ct)
    {
        var plan = WalFaults();
        using var t = Open(plan);
        var (t2, t1Commit) = await HolderAppliedButNotDurable(t, plan);

        await Assert.That(Get(t2, "x")).IsEqualTo("2");
        var t2Commit = t2.CommitAsync().AsTask(); // SELECT ... FOR UPDATE: it returned "2" to its client
        await Task.Delay(200, ct);
        await Assert.That(t2Commit.IsCompleted).IsFalse();

        plan.ReleaseWrite.Set();
        await t1Commit;
        await t2Commit.WaitAsync(Patience, ct);
    }

    [Test]
    [Timeout(60_000)]
    public async Task When_the_holders_fsync_fails_the_next_holder_fails_with_it_and_neither_survives_a_restart(CancellationToken ct)
    {
        var plan = WalFaults();
        using var t = Open(plan);
        var (t2, t1Commit) = await HolderAppliedButNotDurable(t, plan);
        t2.Put(B("x"), B(Get(t2, "x") + "+3"));

        plan.FailNextFlushes(1);
        plan.ReleaseWrite.Set();
        await Assert.That(async () => await t1Commit).Throws<StorageReadOnlyException>();
        await Assert.That(async () => await t2.CommitAsync().AsTask().WaitAsync(Patience, ct)).Throws<StorageReadOnlyException>();

        plan.Disarm();
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "x")).IsEqualTo("1");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_transaction_queued_on_a_gate_advances_its_snapshot_to_the_applied_commit_and_depends_on_it(CancellationToken ct)
    {
        // The Redis script gate: each script's REPEATABLE READ transaction locks one name, then reads everything from
        // the newest applied commit, so scripts take turns at apply time instead of at fsync time.
        var plan = WalFaults();
        using var t = Open(plan);
        await t.Commit(("x", "1"));
        var gate = B("gate");
        var t1 = t.Db.Begin(TransactionOptions.RepeatableRead);
        await t1.LockAsync(gate);
        t1.AdvanceSnapshot();
        t1.Put(B("x"), B(Get(t1, "x") + "+2"));
        var t2 = t.Db.Begin(TransactionOptions.RepeatableRead); // its begin snapshot predates T1's commit
        var queued = t2.LockAsync(gate).AsTask();
        await Assert.That(queued.IsCompleted).IsFalse();

        plan.BlockNextWrite();
        var t1Commit = Task.Run(async () => await t1.CommitAsync(), ct);
        await Assert.That(plan.WriteBlocked.Wait(Patience)).IsTrue();
        await queued.WaitAsync(Patience, ct);
        await Assert.That(Get(t2, "x")).IsEqualTo("1"); // not advanced yet: the begin snapshot
        t2.AdvanceSnapshot();
        await Assert.That(Get(t2, "x")).IsEqualTo("1+2");
        await Assert.That(() => t2.AdvanceSnapshot()).ThrowsNothing();

        t2.Put(B("x"), B(Get(t2, "x") + "+3")); // no conflict: its snapshot is past T1's commit
        await Assert.That(() => t2.AdvanceSnapshot()).Throws<InvalidOperationException>(); // written: the snapshot stays
        var t2Commit = t2.CommitAsync().AsTask();
        await Task.Delay(200, ct);
        await Assert.That(t2Commit.IsCompleted).IsFalse(); // acknowledged only after T1's record is durable

        plan.ReleaseWrite.Set();
        await t1Commit;
        await t2Commit.WaitAsync(Patience, ct);
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "x")).IsEqualTo("1+2+3");
    }
}
