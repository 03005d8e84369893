using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>Commit-time pruning of the versions that commits supersede (no vacuum pass involved).</summary>
public class PruneTests
{
    [Test]
    public async Task Popping_the_first_element_again_and_again_keeps_later_scans_short()
    {
        // The SPOP/ZPOPMIN pattern: each pop scans from the start of the range and deletes what it finds first.
        // Without pruning every pop leaves a tombstone that every later pop must step over (quadratic).
        using var t = new TestDatabase(syncCommit: false, configure: o => o with { PruneBatch = 8 });
        await t.Commit([.. Enumerable.Range(0, 400).Select(i => ($"e{i:D4}", (string?)"m"))]);

        var stepsBefore = t.Store.CursorSteps;
        for (var i = 0; i < 400; i++)
        {
            using var txn = t.Db.Begin();
            using (var cursor = txn.Scan(B("e"), B("f")))
            {
                await Assert.That(cursor.MoveNext()).IsTrue();
                txn.Delete(cursor.Key.ToArray());
            }

            await txn.CommitAsync();
        }

        var steps = t.Store.CursorSteps - stepsBefore;
        // Each pop walks its own element plus at most a couple of batches of not-yet-pruned tombstones;
        // without pruning the walk over tombstones alone is 0+1+...+399 = 79,800 steps.
        await Assert.That(steps).IsLessThan(400L * 40);
        await Assert.That(t.Store.Count).IsLessThanOrEqualTo(2 * 8 * 2);
        await Assert.That(t.Db.PrunedVersions).IsGreaterThanOrEqualTo(2L * 400 - (2 * 8 * 2));
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "").Count).IsEqualTo(0);
    }

    [Test]
    public async Task Pruning_keeps_every_version_an_open_snapshot_still_reads()
    {
        using var t = new TestDatabase(configure: o => o with { PruneBatch = 1 });
        await t.Commit(("x", "v0"), ("y", "y0"));
        using var old = t.Db.Begin();
        for (var i = 1; i <= 20; i++)
        {
            // Read, then write (what every RESP command does): the commit knows which version it replaces.
            using var txn = t.Db.Begin();
            await Assert.That(Get(txn, "x")).IsEqualTo($"v{i - 1}");
            txn.Put(B("x"), B($"v{i}"));
            await txn.CommitAsync();
        }

        await t.Commit(("y", null));
        t.Db.PruneNow();

        // `old` pins v0 and y0; the versions between it and the newest are unreachable and gone.
        await Assert.That(Get(old, "x")).IsEqualTo("v0");
        await Assert.That(Get(old, "y")).IsEqualTo("y0");
        using (var now = t.Db.Begin())
        {
            await Assert.That(Get(now, "x")).IsEqualTo("v20");
            await Assert.That(Get(now, "y")).IsNull();
        }

        // The queue waits for the horizon: while `old` is open nothing it names is dropped.
        await Assert.That(t.Store.Count).IsEqualTo(23);
        old.Rollback();
        await t.Commit(("y", null)); // one more tombstone queues a walk of y's versions
        using (var txn = t.Db.Begin())
        {
            await Assert.That(Get(txn, "x")).IsEqualTo("v20");
            txn.Put(B("x"), B("v21"));
            await txn.CommitAsync();
        }

        t.Db.PruneNow();
        await Assert.That(t.Db.PrunedVersions).IsEqualTo(21L + 3L); // x: v0..v20 one by one; y: both tombstones and y0
        await Assert.That(t.Store.Count).IsEqualTo(1);
        await Assert.That(t.Db.Vacuum([], [])).IsEqualTo(0L);
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "x=v21" });
    }

    [Test]
    public async Task A_stale_snapshot_still_conflicts_with_a_newer_commit_to_the_same_key()
    {
        using var t = new TestDatabase(configure: o => o with { PruneBatch = 1 });
        await t.Commit(("k", "0"));
        using var stale = t.Db.Begin();
        await t.Commit(("k", "1"));
        t.Db.PruneNow();
        stale.Put(B("k"), B("2"));
        await Assert.That(async () => await stale.CommitAsync()).Throws<TransactionConflictException>();
    }

    [Test]
    public async Task A_recycled_transaction_starts_a_fresh_snapshot_and_write_set()
    {
        using var t = new TestDatabase();
        var first = t.Db.Begin();
        first.Put(B("a"), B("1"));
        await first.CommitAsync();
        var second = t.Db.Begin(IsolationLevel.RepeatableRead, first);
        await Assert.That(ReferenceEquals(second, first)).IsTrue();
        await Assert.That(second.Id).IsGreaterThan(0L);
        await Assert.That(Get(second, "a")).IsEqualTo("1");
        second.Put(B("b"), B("2"));
        second.Rollback();
        await Assert.That(t.Db.ActiveTransactionCount).IsEqualTo(0);

        // An unfinished transaction is never recycled.
        using var open = t.Db.Begin();
        using var other = t.Db.Begin(IsolationLevel.RepeatableRead, open);
        await Assert.That(ReferenceEquals(other, open)).IsFalse();
        await Assert.That(Get(other, "b")).IsNull();
    }
}
