using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using ThunderDb.Core.Txn;
using ThunderDb.Core.Txn.Locks;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn.Locks;

/// <summary>Writers that lock keys: READ COMMITTED current reads, REPEATABLE READ serialization errors, release at the end.</summary>
public class KvTransactionLockTests
{
    private static readonly byte[] Counter = B("counter");

    private static long ReadCounter(IKvTransaction txn)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return txn.TryGet(Counter, buffer) ? BinaryPrimitives.ReadInt64LittleEndian(buffer.WrittenSpan) : 0;
    }

    private static void WriteCounter(IKvTransaction txn, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        txn.Put(Counter, bytes);
    }

    [Test]
    public async Task Eight_read_committed_sessions_incrementing_one_key_under_locks_lose_no_update_and_never_conflict()
    {
        using var t = new TestDatabase();
        const int Sessions = 8;
        const int Increments = 25;
        var conflicts = 0;
        var sessions = Enumerable.Range(0, Sessions).Select(_ => Task.Run(async () =>
        {
            IKvTransaction? txn = null;
            for (var i = 0; i < Increments; i++)
            {
                txn = t.Db.Begin(TransactionOptions.ReadCommittedLocking, txn);
                txn.BeginStatement();
                await txn.LockAsync(Counter); // UPDATE ... SET v = v + 1: lock the row, then read its newest version
                await Task.Delay(1); // the rest of the transaction's statements: others queue (early lock release frees it at commit)
                WriteCounter(txn, ReadCounter(txn) + 1);
                try
                {
                    await txn.CommitAsync();
                }
                catch (TransactionConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })).ToArray();
        await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(60));

        await Assert.That(conflicts).IsEqualTo(0);
        using var check = t.Db.Begin();
        await Assert.That(ReadCounter(check)).IsEqualTo((long)Sessions * Increments);
        await Assert.That(t.Db.Locks.ActiveEntries).IsEqualTo(0);
        await Assert.That(t.Db.Locks.Waits).IsGreaterThan(0L); // the sessions did queue on the key
    }

    [Test]
    public async Task Two_read_committed_increments_queue_on_the_lock_and_the_value_gains_two()
    {
        using var t = new TestDatabase();
        using (var init = t.Db.Begin())
        {
            WriteCounter(init, 10);
            await init.CommitAsync();
        }

        using var a = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        using var b = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        await a.LockAsync(Counter);
        WriteCounter(a, ReadCounter(a) + 1);

        var bLocked = b.LockAsync(Counter).AsTask(); // b's statement snapshot sees 10
        await Task.Delay(50);
        await Assert.That(bLocked.IsCompleted).IsFalse();
        await a.CommitAsync();
        await bLocked.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(ReadCounter(b)).IsEqualTo(11L); // the current read, not b's snapshot
        WriteCounter(b, ReadCounter(b) + 1);
        await b.CommitAsync();

        using var check = t.Db.Begin();
        await Assert.That(ReadCounter(check)).IsEqualTo(12L);
    }

    [Test]
    public async Task Repeatable_read_waits_for_the_lock_then_fails_with_a_serialization_error_if_the_holder_committed()
    {
        using var t = new TestDatabase();
        await t.Commit(("x", "1"));
        using var a = t.Db.Begin(TransactionOptions.RepeatableReadLocking);
        using var b = t.Db.Begin(TransactionOptions.RepeatableReadLocking);
        await a.LockAsync(B("x"));
        a.Put(B("x"), B("2"));
        var bLocked = b.LockAsync(B("x")).AsTask();
        await a.CommitAsync();
        await Assert.That(async () => await bLocked.WaitAsync(TimeSpan.FromSeconds(10))).Throws<TransactionConflictException>();
        b.Rollback();

        // A holder that rolls back leaves nothing newer: the waiter goes on.
        using var c = t.Db.Begin(TransactionOptions.RepeatableReadLocking);
        using var d = t.Db.Begin(TransactionOptions.RepeatableReadLocking);
        await c.LockAsync(B("x"));
        c.Put(B("x"), B("3"));
        var dLocked = d.LockAsync(B("x")).AsTask();
        c.Rollback();
        await dLocked.WaitAsync(TimeSpan.FromSeconds(10));
        d.Put(B("x"), B("4"));
        await d.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "x")).IsEqualTo("4");
    }

    [Test]
    public async Task Locks_are_released_at_commit_at_rollback_and_when_the_commit_fails()
    {
        using var t = new TestDatabase();
        var locks = t.Db.Locks;
        using (var committed = t.Db.Begin(TransactionOptions.ReadCommittedLocking))
        {
            committed.Put(B("a"), B("1")); // a free key is locked by the write itself
            committed.Put(B("b"), B("1"));
            await Assert.That(locks.ActiveEntries).IsEqualTo(2);
            await committed.CommitAsync();
        }

        await Assert.That(locks.ActiveEntries).IsEqualTo(0);

        using (var rolledBack = t.Db.Begin(TransactionOptions.ReadCommittedLocking))
        {
            await rolledBack.LockAsync(B("a"));
            rolledBack.Delete(B("b"));
            rolledBack.Rollback();
        }

        await Assert.That(locks.ActiveEntries).IsEqualTo(0);

        // A non-locking writer (a RESP command) commits "a" after the locking transaction's current read: first committer wins.
        using (var loser = t.Db.Begin(TransactionOptions.ReadCommittedLocking))
        {
            await loser.LockAsync(B("a"));
            await Assert.That(Get(loser, "a")).IsEqualTo("1");
            await t.Commit(("a", "resp"));
            loser.Put(B("a"), B("2"));
            await Assert.That(async () => await loser.CommitAsync()).Throws<TransactionConflictException>();
        }

        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "a")).IsEqualTo("resp");
    }

    [Test]
    public async Task Writing_a_key_another_transaction_locked_without_waiting_for_it_is_refused()
    {
        using var t = new TestDatabase();
        using var holder = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        using var writer = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        holder.Put(B("k"), B("holder"));
        await Assert.That(() => writer.Put(B("k"), B("writer"))).Throws<InvalidOperationException>();
        var waited = writer.LockAsync(B("k")).AsTask();
        await holder.CommitAsync();
        await waited.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(Get(writer, "k")).IsEqualTo("holder");
        writer.Put(B("k"), B("writer"));
        await writer.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "k")).IsEqualTo("writer");
    }

    [Test]
    public async Task A_deadlock_between_two_transactions_fails_one_within_half_a_second_and_the_other_commits()
    {
        using var t = new TestDatabase();
        using var a = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        using var b = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        a.Put(B("k1"), B("a"));
        b.Put(B("k2"), B("b"));
        var started = Stopwatch.GetTimestamp();
        var aWaits = a.LockAsync(B("k2")).AsTask();
        var bWaits = b.LockAsync(B("k1")).AsTask();
        var first = await Task.WhenAny(aWaits, bWaits).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(Stopwatch.GetElapsedTime(started)).IsLessThan(TimeSpan.FromMilliseconds(500));
        await Assert.That(first.Exception?.InnerException).IsTypeOf<DeadlockDetectedException>();

        var (victim, survivor, survivorWait) = first == aWaits ? (a, b, bWaits) : (b, a, aWaits);
        victim.Rollback();
        await survivorWait.WaitAsync(TimeSpan.FromSeconds(10));
        survivor.Put(B("k1"), B("survivor"));
        survivor.Put(B("k2"), B("survivor"));
        await survivor.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "k1=survivor", "k2=survivor" });
    }

    [Test]
    public async Task The_transaction_lock_timeout_is_honoured_and_the_transaction_stays_usable()
    {
        using var t = new TestDatabase();
        var impatient = TransactionOptions.ReadCommittedLocking with { LockTimeout = TimeSpan.FromMilliseconds(200) };
        using var holder = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        using var waiter = t.Db.Begin(impatient);
        holder.Put(B("k"), B("1"));
        waiter.Put(B("other"), B("1"));
        var started = Stopwatch.GetTimestamp();
        await Assert.That(async () => await waiter.LockAsync(B("k"))).Throws<LockWaitTimeoutException>();
        var waited = Stopwatch.GetElapsedTime(started);
        await Assert.That(waited).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190));
        await Assert.That(waited).IsLessThan(TimeSpan.FromSeconds(3));

        await waiter.CommitAsync(); // the failed statement took nothing; the earlier write commits
        await holder.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "k=1", "other=1" });
        await Assert.That(t.Db.Locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task A_write_that_locks_its_key_only_when_it_is_made_is_checked_against_the_statement_snapshot()
    {
        using var t = new TestDatabase();
        using (var init = t.Db.Begin())
        {
            WriteCounter(init, 10);
            await init.CommitAsync();
        }

        using var late = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        var seen = ReadCounter(late); // read without locking first: the value comes from the statement snapshot
        using (var other = t.Db.Begin(TransactionOptions.ReadCommittedLocking))
        {
            await other.LockAsync(Counter);
            WriteCounter(other, ReadCounter(other) + 100);
            await other.CommitAsync();
        }

        WriteCounter(late, seen + 1); // the key is free now: Put locks it, but 11 was computed from the old 10
        await Assert.That(async () => await late.CommitAsync()).Throws<TransactionConflictException>();
        using var check = t.Db.Begin();
        await Assert.That(ReadCounter(check)).IsEqualTo(110L);
    }
}
