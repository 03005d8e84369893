using ThunderDb.Core.Errors;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

public class DatabaseTests
{
    [Test]
    public async Task Own_writes_are_visible_in_gets_and_scans_both_ways()
    {
        using var t = new TestDatabase();
        await t.Commit(("a", "1"), ("c", "3"), ("e", "5"), ("g", "7"));
        using var txn = t.Db.Begin();
        txn.Put(B("b"), B("2"));
        txn.Put(B("c"), B("33"));
        txn.Delete(B("e"));
        txn.Put(B("h"), B("8"));
        await Assert.That(Get(txn, "c")).IsEqualTo("33");
        await Assert.That(Get(txn, "e")).IsNull();
        await Assert.That(Scan(txn, "", "")).IsEquivalentTo(new[] { "a=1", "b=2", "c=33", "g=7", "h=8" });
        await Assert.That(Scan(txn, "b", "g")).IsEquivalentTo(new[] { "b=2", "c=33" });
        await Assert.That(Scan(txn, "", "", reverse: true)).IsEquivalentTo(new[] { "h=8", "g=7", "c=33", "b=2", "a=1" });
        await Assert.That(Scan(txn, "b", "h", reverse: true)).IsEquivalentTo(new[] { "g=7", "c=33", "b=2" });
    }

    [Test]
    public async Task Keys_with_zero_bytes_and_prefixes_keep_their_order()
    {
        using var t = new TestDatabase();
        using (var w = t.Db.Begin())
        {
            foreach (var key in new[] { new byte[] { 1 }, [1, 0], [1, 0, 0], [1, 0, 1], [1, 1], [], [0], [0, 0xFF] })
            {
                w.Put(key, [9]);
            }

            await w.CommitAsync();
        }

        using var r = t.Db.Begin();
        var seen = new List<string>();
        using (var cursor = r.Scan([], []))
        {
            while (cursor.MoveNext())
            {
                seen.Add(Convert.ToHexString(cursor.Key));
            }
        }

        await Assert.That(seen).IsEquivalentTo(new[] { "", "00", "00FF", "01", "0100", "010000", "010001", "0101" });
    }

    [Test]
    public async Task No_dirty_reads_and_snapshots_stay_fixed_under_repeatable_read()
    {
        using var t = new TestDatabase();
        await t.Commit(("x", "old"));
        using var reader = t.Db.Begin(IsolationLevel.RepeatableRead);
        using var writer = t.Db.Begin();
        writer.Put(B("x"), B("new"));
        writer.Put(B("y"), B("new"));
        await Assert.That(Get(reader, "x")).IsEqualTo("old");
        await writer.CommitAsync();
        reader.BeginStatement();
        await Assert.That(Get(reader, "x")).IsEqualTo("old");
        await Assert.That(Scan(reader, "", "")).IsEquivalentTo(new[] { "x=old" });
        using var later = t.Db.Begin();
        await Assert.That(Get(later, "x")).IsEqualTo("new");
    }

    [Test]
    public async Task Read_committed_sees_commits_from_the_next_statement_on()
    {
        using var t = new TestDatabase();
        await t.Commit(("x", "1"));
        using var rc = t.Db.Begin(IsolationLevel.ReadCommitted);
        await Assert.That(Get(rc, "x")).IsEqualTo("1");
        await t.Commit(("x", "2"));
        await Assert.That(Get(rc, "x")).IsEqualTo("1"); // same statement
        rc.BeginStatement();
        await Assert.That(Get(rc, "x")).IsEqualTo("2");
    }

    [Test]
    public async Task Lost_update_is_prevented_first_committer_wins()
    {
        using var t = new TestDatabase();
        await t.Commit(("counter", "0"));
        using var a = t.Db.Begin();
        using var b = t.Db.Begin();
        a.Put(B("counter"), B(Get(a, "counter") + "+a"));
        b.Put(B("counter"), B(Get(b, "counter") + "+b"));
        await a.CommitAsync();
        await Assert.ThrowsAsync<TransactionConflictException>(async () => await b.CommitAsync());
        using var check = t.Db.Begin();
        await Assert.That(Get(check, "counter")).IsEqualTo("0+a");
        await Assert.That(t.Db.ActiveTransactionCount).IsEqualTo(1);
    }

    [Test]
    public async Task Write_skew_is_allowed_under_snapshot_isolation()
    {
        // Two doctors on call; each checks that the other is on call and goes off. Snapshot isolation
        // lets both commit (disjoint write sets): this is the documented write-skew anomaly.
        using var t = new TestDatabase();
        await t.Commit(("alice", "on"), ("bob", "on"));
        using var a = t.Db.Begin();
        using var b = t.Db.Begin();
        if (Get(a, "bob") == "on")
        {
            a.Put(B("alice"), B("off"));
        }

        if (Get(b, "alice") == "on")
        {
            b.Put(B("bob"), B("off"));
        }

        await a.CommitAsync();
        await b.CommitAsync();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "alice=off", "bob=off" });
    }

    [Test]
    public async Task Rollback_leaves_no_trace_in_the_store_or_after_recovery()
    {
        using var t = new TestDatabase();
        await t.Commit(("keep", "1"));
        var keysBefore = t.Store.Count;
        using (var txn = t.Db.Begin())
        {
            txn.Put(B("ghost"), B("x"));
            txn.Delete(B("keep"));
            txn.Rollback();
        }

        using (var txn = t.Db.Begin())
        {
            txn.Put(B("ghost2"), B("x")); // disposed without commit
        }

        await Assert.That(t.Store.Count).IsEqualTo(keysBefore);
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "keep=1" });
    }

    [Test]
    public async Task Every_acknowledged_commit_survives_a_crash_after_a_checkpoint()
    {
        using var t = new TestDatabase(segmentSize: 4096);
        for (var i = 0; i < 50; i++)
        {
            await t.Commit(($"k{i:D3}", $"v{i}"));
        }

        t.Db.Checkpoint();
        for (var i = 50; i < 120; i++)
        {
            await t.Commit(($"k{i:D3}", $"v{i}"), ($"k{i - 50:D3}", null));
        }

        t.CrashAndRestart();
        await Assert.That(t.Db.Recovery.RecordsReplayed).IsEqualTo(70);
        using var check = t.Db.Begin();
        var rows = Scan(check, "", "");
        await Assert.That(rows).IsEquivalentTo(Enumerable.Range(70, 50).Select(i => $"k{i:D3}=v{i}"));

        // Timestamps continue after recovery: a new commit is newer than everything replayed.
        await t.Commit(("k119", "again"));
        using var after = t.Db.Begin();
        await Assert.That(Get(after, "k119")).IsEqualTo("again");
    }

    [Test]
    public async Task Concurrent_committers_crash_and_every_acknowledged_commit_is_recovered()
    {
        using var t = new TestDatabase();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<int>();
        var tasks = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                var id = w * 1000 + i;
                using var txn = t.Db.Begin();
                txn.Put(B($"w{w}-{i}"), B(id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                txn.Put(B($"last-{w}"), B(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                await txn.CommitAsync();
                acknowledged.Add(id);
                if (w == 0 && i == 15)
                {
                    t.Db.Checkpoint();
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        foreach (var id in acknowledged)
        {
            await Assert.That(Get(check, $"w{id / 1000}-{id % 1000}")).IsEqualTo(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Assert.That(Get(check, "last-7")).IsEqualTo("29");
    }

    [Test]
    public async Task Graceful_close_checkpoints_so_the_restart_replays_nothing()
    {
        using var t = new TestDatabase(segmentSize: 4096);
        for (var i = 0; i < 100; i++)
        {
            await t.Commit(($"k{i}", new string('v', 50)));
        }

        t.CloseAndReopen();
        await Assert.That(t.Db.Recovery.RecordsReplayed).IsEqualTo(0);
        await Assert.That(Directory.GetFiles(t.WalDir, "*.wal").Length).IsEqualTo(1);
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "").Count).IsEqualTo(100);
    }

    [Test]
    public async Task Vacuum_drops_versions_no_snapshot_can_see_and_keeps_the_rest()
    {
        using var t = new TestDatabase();
        for (var i = 0; i < 5; i++)
        {
            await t.Commit(("x", $"v{i}"), ("dead", $"d{i}"));
        }

        await t.Commit(("dead", null));
        using var old = t.Db.Begin(); // pins the current snapshot
        await t.Commit(("x", "v5"));
        await Assert.That(t.Store.Count).IsEqualTo(12);

        var removed = t.Db.Vacuum([], []);
        // x keeps v5 (newer than the horizon) and v4 (visible to `old`); dead loses everything.
        await Assert.That(removed).IsEqualTo(10L);
        await Assert.That(Get(old, "x")).IsEqualTo("v4");
        await Assert.That(Get(old, "dead")).IsNull();
        old.Rollback();

        await Assert.That(t.Db.Vacuum([], [])).IsEqualTo(1L);
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "")).IsEquivalentTo(new[] { "x=v5" });
        await Assert.That(t.Store.Count).IsEqualTo(1);
    }

    [Test]
    public async Task A_read_only_database_refuses_commits_but_still_reads()
    {
        using var t = new TestDatabase();
        await t.Commit(("a", "1"));
        t.Db.SetReadOnly("disk almost full");
        await Assert.That(t.Db.IsReadOnly).IsTrue();
        using var txn = t.Db.Begin();
        await Assert.That(Get(txn, "a")).IsEqualTo("1");
        Assert.Throws<StorageReadOnlyException>(() => txn.Put(B("b"), B("2")));
    }

    [Test]
    public async Task A_wal_write_error_fails_the_commit_goes_read_only_and_keeps_acknowledged_commits()
    {
        using var t = new TestDatabase(segmentSize: 4096);
        File.CreateSymbolicLink(Path.Combine(t.WalDir, "0000000000001000.wal"), "/dev/full");
        var acknowledged = new List<int>();
        StorageReadOnlyException? failure = null;
        for (var i = 0; i < 500 && failure is null; i++)
        {
            try
            {
                await t.Commit(($"k{i:D3}", "v"));
                acknowledged.Add(i);
            }
            catch (StorageReadOnlyException ex)
            {
                failure = ex;
            }
        }

        await Assert.That(failure).IsNotNull();
        await Assert.That(t.Db.IsReadOnly).IsTrue();
        await Assert.That(acknowledged.Count).IsGreaterThan(5);
        using (var reader = t.Db.Begin())
        {
            await Assert.That(Scan(reader, "", "").Count).IsEqualTo(acknowledged.Count);
        }

        File.Delete(Path.Combine(t.WalDir, "0000000000001000.wal"));
        t.CrashAndRestart();
        await Assert.That(t.Db.IsReadOnly).IsFalse();
        using var check = t.Db.Begin();
        await Assert.That(Scan(check, "", "").Count).IsEqualTo(acknowledged.Count);
    }
}

public class AsyncCommitTests
{
    [Test]
    public async Task Without_sync_commit_a_commit_is_visible_at_once_and_durable_within_the_flush_delay()
    {
        using var t = new TestDatabase(syncCommit: false);
        await t.Commit(("a", "1"));
        var appended = t.Db.Wal.ReservedLsn;
        using (var txn = t.Db.Begin())
        {
            await Assert.That(TestDatabase.Get(txn, "a")).IsEqualTo("1");
        }

        // Nothing else triggers a flush here: the flusher's own timer (10 ms) must. The bound is loose on purpose:
        // parallel tests can starve this process's threads for a while on a 2-core machine.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (t.Db.Wal.FlushedLsn < appended && clock.ElapsedMilliseconds < 10_000)
        {
            await Task.Delay(1);
        }

        await Assert.That(t.Db.Wal.FlushedLsn).IsEqualTo(appended);
        await Assert.That(clock.ElapsedMilliseconds).IsLessThan(10_000);
        t.CrashAndRestart();
        using var check = t.Db.Begin();
        await Assert.That(TestDatabase.Get(check, "a")).IsEqualTo("1");
    }
}
