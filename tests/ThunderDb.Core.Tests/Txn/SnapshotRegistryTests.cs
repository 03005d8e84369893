using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Txn;

public class SnapshotRegistryTests
{
    [Test]
    public async Task Horizon_is_the_oldest_open_snapshot_across_many_slots_and_recycled_transactions_keep_theirs()
    {
        using var t = new TestDatabase(syncCommit: false);
        var open = new List<IKvTransaction>();
        for (var i = 0; i < 150; i++) // more than one segment of slots
        {
            open.Add(t.Db.Begin());
            await t.Commit(("k" + i, "v"));
        }

        await Assert.That(t.Db.ActiveTransactionCount).IsEqualTo(150);
        var oldest = ((KvTransaction)open[0]).SnapshotTs;
        await Assert.That(t.Db.VacuumHorizon()).IsEqualTo(oldest);

        open[0].Dispose();
        await Assert.That(t.Db.VacuumHorizon()).IsEqualTo(((KvTransaction)open[1]).SnapshotTs);
        foreach (var txn in open)
        {
            txn.Dispose();
        }

        await Assert.That(t.Db.ActiveTransactionCount).IsEqualTo(0);
        await Assert.That(t.Db.VacuumHorizon()).IsEqualTo(t.Db.VisibleTimestamp);

        // A recycled transaction object claims its previous slot again.
        var reused = (KvTransaction)t.Db.Begin(IsolationLevel.RepeatableRead, open[7]);
        var slot = reused.SnapshotSlot;
        reused.Rollback();
        reused = (KvTransaction)t.Db.Begin(IsolationLevel.RepeatableRead, reused);
        await Assert.That(reused.SnapshotSlot).IsEqualTo(slot);
        await Assert.That(t.Db.ActiveTransactionCount).IsEqualTo(1);
        reused.Rollback();
    }

    [Test]
    public async Task Read_committed_statements_raise_the_snapshot_and_the_horizon_follows()
    {
        using var t = new TestDatabase(syncCommit: false);
        await t.Commit(("a", "1"));
        using var reader = t.Db.Begin(IsolationLevel.ReadCommitted);
        var first = ((KvTransaction)reader).SnapshotTs;
        await t.Commit(("a", "2"));
        await Assert.That(t.Db.VacuumHorizon()).IsEqualTo(first);
        reader.BeginStatement();
        await Assert.That(Get(reader, "a")).IsEqualTo("2");
        await Assert.That(t.Db.VacuumHorizon()).IsEqualTo(t.Db.VisibleTimestamp);
    }

    /// <summary>
    /// Begins and ends (recycled and new transactions, read-committed refreshes) race with commits and horizon
    /// computations; no transaction may ever hold a snapshot below a horizon returned before or while it is open.
    /// </summary>
    [Test]
    public async Task No_open_snapshot_is_ever_below_a_horizon_already_handed_out()
    {
        using var t = new TestDatabase(syncCommit: false);
        var db = t.Db;
        long maxHorizon = 0;
        long violations = 0;
        long checkedSnapshots = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var token = stop.Token;

        var committer = Task.Run(async () =>
        {
            var i = 0;
            while (!token.IsCancellationRequested)
            {
                using var txn = db.Begin();
                txn.Put(B("hot" + (i++ % 16)), B("v"));
                await txn.CommitAsync();
            }
        });

        var horizons = Task.Run(() =>
        {
            while (!token.IsCancellationRequested)
            {
                var h = (long)db.VacuumHorizon();
                long seen;
                while ((seen = Volatile.Read(ref maxHorizon)) < h && Interlocked.CompareExchange(ref maxHorizon, h, seen) != seen)
                {
                }
            }
        });

        void Check(KvTransaction txn)
        {
            // Every horizon published so far was computed before this read, while the transaction was open or
            // before it began: both must be at or below its snapshot.
            if ((long)txn.SnapshotTs < Volatile.Read(ref maxHorizon))
            {
                Interlocked.Increment(ref violations);
            }

            Interlocked.Increment(ref checkedSnapshots);
        }

        var beginners = Enumerable.Range(0, 3).Select(n => Task.Run(() =>
        {
            IKvTransaction? recycled = null;
            while (!token.IsCancellationRequested)
            {
                var isolation = n == 2 ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead;
                var txn = (KvTransaction)(n == 1 ? db.Begin(isolation) : db.Begin(isolation, recycled));
                recycled = txn;
                Check(txn);
                if (isolation == IsolationLevel.ReadCommitted)
                {
                    txn.BeginStatement();
                    Check(txn);
                }

                Thread.SpinWait(50);
                Check(txn);
                txn.Rollback();
            }
        })).ToArray();

        await Task.WhenAll([committer, horizons, .. beginners]);
        await Assert.That(Interlocked.Read(ref violations)).IsEqualTo(0);
        await Assert.That(Interlocked.Read(ref checkedSnapshots)).IsGreaterThan(1000);
        await Assert.That(Volatile.Read(ref maxHorizon)).IsGreaterThan(100);
        await Assert.That(db.ActiveTransactionCount).IsEqualTo(0);
    }

    /// <summary>
    /// The registry alone, with the visible timestamp racing ahead on its own thread so that it moves inside
    /// almost every begin: a beginner that published a stale snapshot after a horizon scan passed its slot shows up.
    /// </summary>
    [Test]
    public async Task Registry_never_hands_out_a_horizon_above_a_snapshot_with_the_visible_timestamp_racing()
    {
        var registry = new SnapshotRegistry();
        var visible = new ulong[16];
        long maxHorizon = 0;
        long violations = 0;
        long begins = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        var token = stop.Token;
        var ticker = Task.Run(() =>
        {
            while (!token.IsCancellationRequested)
            {
                Interlocked.Increment(ref visible[8]);
            }
        });
        var horizons = Task.Run(() =>
        {
            while (!token.IsCancellationRequested)
            {
                var h = (long)registry.Horizon(ref visible[8]);
                long seen;
                while ((seen = Volatile.Read(ref maxHorizon)) < h && Interlocked.CompareExchange(ref maxHorizon, h, seen) != seen)
                {
                }
            }
        });
        var beginners = Enumerable.Range(0, 2).Select(n => Task.Run(() =>
        {
            var slot = -1;
            while (!token.IsCancellationRequested)
            {
                var snapshot = registry.Enter(ref slot, ref visible[8]);
                if ((long)snapshot < Volatile.Read(ref maxHorizon))
                {
                    Interlocked.Increment(ref violations);
                }

                if (n == 1 && (long)registry.Raise(slot, ref visible[8]) < Volatile.Read(ref maxHorizon))
                {
                    Interlocked.Increment(ref violations);
                }

                registry.Exit(slot);
                Interlocked.Increment(ref begins);
            }
        })).ToArray();

        await Task.WhenAll([ticker, horizons, .. beginners]);
        await Assert.That(Interlocked.Read(ref violations)).IsEqualTo(0);
        await Assert.That(Interlocked.Read(ref begins)).IsGreaterThan(10_000);
        await Assert.That(registry.Count).IsEqualTo(0);
    }
}
