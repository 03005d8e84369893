using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>
/// READ COMMITTED writes across statements: a key written in an early statement must be checked against everything
/// committed since that statement's snapshot, however many statements later the transaction commits.
/// </summary>
public class ReadCommittedWriteTests
{
    [Test]
    public async Task A_key_rewritten_in_a_later_statement_still_conflicts_with_a_commit_after_the_first_write()
    {
        using var t = new TestDatabase();
        await t.Commit(("x", "1"));
        using var rc = t.Db.Begin(IsolationLevel.ReadCommitted);
        await Assert.That(Get(rc, "x")).IsEqualTo("1");
        rc.Put(B("x"), B("2")); // statement 1: x = x + 1, from the snapshot that saw 1
        await t.Commit(("x", "10")); // another session's update, after statement 1's snapshot

        rc.BeginStatement();
        await Assert.That(Get(rc, "x")).IsEqualTo("2"); // own write wins over the newer commit
        rc.Put(B("x"), B("3")); // statement 2 rewrites x: its snapshot already includes the other commit

        // Committing would silently drop the other session's update (10): the first write read 1.
        await Assert.That(async () => await rc.CommitAsync()).Throws<TransactionConflictException>();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "x")).IsEqualTo("10");
    }

    [Test]
    public async Task Vacuum_keeps_a_concurrent_delete_until_a_read_committed_writer_of_the_key_commits()
    {
        using var t = new TestDatabase();
        await t.Commit(("x", "1"));
        using var rc = t.Db.Begin(IsolationLevel.ReadCommitted);
        await Assert.That(Get(rc, "x")).IsEqualTo("1");
        rc.Put(B("x"), B("2"));
        await t.Commit(("x", null)); // another session deletes x after statement 1's snapshot

        rc.BeginStatement(); // a later statement moves the transaction's snapshot past the delete
        t.Db.Vacuum([], []); // must not treat the delete (and x's history) as invisible to every snapshot

        // The delete is a newer commit of a key this transaction wrote: first committer wins.
        await Assert.That(async () => await rc.CommitAsync()).Throws<TransactionConflictException>();
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "x")).IsNull();
    }

    [Test]
    public async Task A_read_committed_transaction_that_wrote_nothing_lets_vacuum_move_on_each_statement()
    {
        using var t = new TestDatabase();
        await t.Commit(("x", "1"));
        using var rc = t.Db.Begin(IsolationLevel.ReadCommitted);
        await Assert.That(Get(rc, "x")).IsEqualTo("1");
        await t.Commit(("x", "2"));
        rc.BeginStatement();

        // Only the reader is open, at a snapshot that sees "2": the old version is garbage.
        await Assert.That(t.Db.Vacuum([], [])).IsEqualTo(1L);
        await Assert.That(Get(rc, "x")).IsEqualTo("2");
    }
}
