using ThunderDb.Core.Txn;
using ThunderDb.Core.Txn.Locks;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

public class SavepointTests
{
    [Test]
    public async Task Rolling_back_to_a_savepoint_undoes_only_the_writes_made_after_it()
    {
        using var t = new TestDatabase();
        await t.Commit(("c", "stored"), ("d", "stored"));
        using var txn = t.Db.Begin();
        txn.Put(B("a"), B("1"));
        txn.Put(B("d"), B("before"));
        var savepoint = txn.Savepoint();
        txn.Put(B("a"), B("2"));
        txn.Put(B("b"), B("2"));
        txn.Delete(B("c"));
        txn.Put(B("d"), B("after"));
        txn.Put(B("d"), B("after again"));
        await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "a=2", "b=2", "d=after again" });

        txn.RollbackTo(savepoint);
        await Assert.That(Get(txn, "a")).IsEqualTo("1");
        await Assert.That(Get(txn, "b")).IsNull();
        await Assert.That(Get(txn, "c")).IsEqualTo("stored");
        await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "a=1", "c=stored", "d=before" });

        txn.Put(B("e"), B("5")); // the savepoint stays set and the transaction goes on
        await txn.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "a=1", "c=stored", "d=before", "e=5" });
    }

    [Test]
    public async Task Nested_savepoints_roll_back_innermost_first_and_release_keeps_the_writes()
    {
        using var t = new TestDatabase();
        using var txn = t.Db.Begin();
        var outer = txn.Savepoint();
        txn.Put(B("x"), B("1"));
        var inner = txn.Savepoint();
        txn.Put(B("x"), B("2"));
        txn.Put(B("y"), B("2"));
        txn.RollbackTo(inner);
        await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "x=1" });

        txn.Put(B("z"), B("3"));
        txn.Release(inner); // z stays, but the outer savepoint still covers it
        await Assert.That(() => txn.RollbackTo(inner)).Throws<InvalidOperationException>();
        await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "x=1", "z=3" });

        txn.RollbackTo(outer);
        await Assert.That(Scan(txn, "", "")).IsEquivalentTo(Array.Empty<string>());
        txn.Put(B("w"), B("4"));
        var later = txn.Savepoint();
        txn.Put(B("w"), B("5"));
        txn.Release(outer); // releases `later` too
        await Assert.That(() => txn.RollbackTo(later)).Throws<InvalidOperationException>();
        await txn.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "w=5" });
    }

    [Test]
    public async Task A_failed_statement_undoes_its_own_writes_and_keeps_its_locks_until_the_transaction_ends()
    {
        using var t = new TestDatabase();
        var options = TransactionOptions.ReadCommittedLocking with { LockTimeout = TimeSpan.FromMilliseconds(100) };
        using var other = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        other.Put(B("busy"), B("other"));

        using var txn = t.Db.Begin(options);
        txn.Put(B("a"), B("statement 1"));
        var statement = txn.Savepoint(); // statement 2 starts
        txn.Put(B("b"), B("statement 2"));
        await Assert.That(async () => await txn.LockAsync(B("busy"))).Throws<LockWaitTimeoutException>();
        txn.RollbackTo(statement);
        txn.Release(statement);

        // b's write is gone, its lock is not (PostgreSQL keeps locks taken after a savepoint too).
        await Assert.That(Get(txn, "b")).IsNull();
        using var probe = t.Db.Begin(TransactionOptions.ReadCommittedLocking);
        await Assert.That(() => probe.Put(B("b"), B("probe"))).Throws<InvalidOperationException>();
        probe.Rollback();

        await txn.CommitAsync();
        other.Rollback();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "a=statement 1" });
        await Assert.That(t.Db.Locks.ActiveEntries).IsEqualTo(0);
    }
}
