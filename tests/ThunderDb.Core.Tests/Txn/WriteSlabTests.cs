using System.Text;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>The write set's native slab: every byte handed back when the transaction ends, however it ends.</summary>
public class WriteSlabTests
{
    private static KvTransaction Begin(TestDatabase t) => (KvTransaction)t.Db.Begin();

    private static void Load(IKvTransaction txn, int rows, string prefix = "row")
    {
        for (var i = 0; i < rows; i++)
        {
            txn.Put(B($"{prefix}{i:D7}"), B($"value {i} " + new string('x', i % 50)));
        }
    }

    [Test]
    public async Task A_large_commit_logged_in_chunks_frees_its_slab_and_survives_a_crash()
    {
        using var t = new TestDatabase();
        var txn = Begin(t);
        Load(txn, 30_000); // ~1.5 MB of operations against a 256 KB WAL ring: chunk records
        txn.Put(B("hashed"), B("h")); // before the run's first key: a second run
        txn.Put(B("row0000500x"), B("inside")); // inside the run's range: the hash table
        await Assert.That(txn.Writes.SlabBytes).IsGreaterThan(1_000_000);
        await txn.CommitAsync();
        await Assert.That(txn.Writes.SlabBytes).IsEqualTo(0);
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "row0029999")).IsEqualTo("value 29999 " + new string('x', 29999 % 50));
        await Assert.That(Get(check, "row0000500x")).IsEqualTo("inside");
        await Assert.That(Get(check, "hashed")).IsEqualTo("h");
    }

    [Test]
    public async Task A_rollback_frees_the_slab_and_nothing_is_written()
    {
        using var t = new TestDatabase();
        var txn = Begin(t);
        Load(txn, 5_000);
        txn.Delete(B("row0000007"));
        await Assert.That(txn.Writes.SlabBytes).IsGreaterThan(0);
        txn.Rollback();
        await Assert.That(txn.Writes.SlabBytes).IsEqualTo(0);
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "row0000001")).IsNull();
    }

    [Test]
    public async Task A_savepoint_rollback_restores_values_from_the_slab_and_the_commit_frees_it()
    {
        using var t = new TestDatabase();
        await t.Commit(("k", "committed"));
        var txn = Begin(t);
        Load(txn, 2_000);
        txn.Put(B("k"), B("before the savepoint"));
        var mark = txn.Savepoint();
        txn.Put(B("k"), B("after")); // shorter: still a new slice, the undo log holds the old one
        txn.Put(B("row0000003"), B("rewritten"));
        txn.Put(B("zz-new"), B("new"));
        txn.Delete(B("row0000004"));
        txn.RollbackTo(mark);
        await Assert.That(Get(txn, "k")).IsEqualTo("before the savepoint");
        await Assert.That(Get(txn, "row0000003")).IsEqualTo("value 3 xxx");
        await Assert.That(Get(txn, "row0000004")).IsEqualTo("value 4 xxxx");
        await Assert.That(Get(txn, "zz-new")).IsNull();
        txn.Release(mark);
        txn.Put(B("k"), B("final"));
        await txn.CommitAsync();
        await Assert.That(txn.Writes.SlabBytes).IsEqualTo(0);
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "k")).IsEqualTo("final");
        await Assert.That(Get(check, "zz-new")).IsNull();
        await Assert.That(Get(check, "row0001999")).IsEqualTo("value 1999 " + new string('x', 1999 % 50));
    }

    [Test]
    public async Task A_commit_that_fails_its_conflict_check_frees_the_slab()
    {
        using var t = new TestDatabase();
        await t.Commit(("counter", "0"));
        var a = Begin(t);
        var b = Begin(t);
        a.Put(B("counter"), B("a"));
        Load(b, 3_000);
        b.Put(B("counter"), B("b"));
        await a.CommitAsync();
        await Assert.ThrowsAsync<TransactionConflictException>(async () => await b.CommitAsync());
        await Assert.That(a.Writes.SlabBytes).IsEqualTo(0);
        await Assert.That(b.Writes.SlabBytes).IsEqualTo(0);
        await Assert.That(t.Db.ActiveTransactionCount).IsEqualTo(0);
    }

    [Test]
    public async Task A_reused_transaction_rewriting_one_key_does_not_grow_its_slab()
    {
        using var t = new TestDatabase();
        var txn = Begin(t);
        txn.Put(B("key"), B(new string('v', 100)));
        var after = txn.Writes.SlabBytes;
        for (var i = 0; i < 100_000; i++)
        {
            txn.Put(B("key"), B($"{i:D100}")); // same length: overwritten in place
        }

        await Assert.That(txn.Writes.SlabBytes).IsEqualTo(after);
        await Assert.That(Get(txn, "key")).IsEqualTo($"{99_999:D100}");
        await txn.CommitAsync();
    }

    [Test]
    public async Task An_open_cursor_keeps_the_value_it_returned_while_the_key_is_rewritten()
    {
        using var t = new TestDatabase();
        var txn = Begin(t);
        txn.Put(B("a"), B("first value"));
        using (var cursor = txn.Scan(B("a"), B("b")))
        {
            await Assert.That(cursor.MoveNext()).IsTrue();
            txn.Put(B("a"), B("second")); // shorter, but a cursor is open: a new slice
            await Assert.That(Encoding.UTF8.GetString(cursor.Value)).IsEqualTo("first value");
        }

        await Assert.That(Get(txn, "a")).IsEqualTo("second");
        var late = txn.Scan(B("a"), B("b"));
        txn.Rollback();
        Assert.Throws<InvalidOperationException>(() => late.MoveNext()); // never reads the freed slab
        late.Dispose();
    }
}
