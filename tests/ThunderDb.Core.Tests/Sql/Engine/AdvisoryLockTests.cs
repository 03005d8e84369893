using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>pg_advisory_lock and its family between sessions, as PostgreSQL has them.</summary>
public class AdvisoryLockTests
{
    private static async Task<string?> Value(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        return r.Results[^1].Rows is [var row, ..] ? (row[0].IsNull ? null : SqlText.Format(row[0])) : r.Results[^1].CommandTag;
    }

    /// <summary>One engine and two sessions of it: the lock holder and the other one.</summary>
    private static async Task<(TestDatabase, SqlEngine, SqlSession, SqlSession)> OpenTwoSessionsAsync()
    {
        var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        return (t, engine, engine.OpenSession("thunder"), engine.OpenSession("thunder"));
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_session_lock_excludes_others_until_unlocked_and_counts_its_own_holds(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession a, SqlSession b) = await OpenTwoSessionsAsync();
        using var _ = t;

        await Value(a, "SELECT pg_advisory_lock(42)");
        await Value(a, "SELECT pg_advisory_lock(42)"); // re-entrant: a holds it twice
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock(42)")).IsEqualTo("f");
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock(4, 2)")).IsEqualTo("t"); // the two-key space is another one
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock_shared(42)")).IsEqualTo("f");

        await Value(b, "SET lock_timeout = '100ms'");
        BatchResult timedOut = await b.ExecuteAsync("SELECT pg_advisory_lock(42)");
        await Assert.That(timedOut.Error?.SqlState).IsEqualTo("55P03");

        await Assert.That(await Value(a, "SELECT pg_advisory_unlock(42)")).IsEqualTo("t");
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock(42)")).IsEqualTo("f"); // still held once
        await Value(b, "SET lock_timeout = 0");
        Task<BatchResult> waiting = Task.Run(() => b.ExecuteAsync("SELECT pg_advisory_lock(42)"), ct); // the wait blocks its thread
        await Task.Delay(150, ct);
        await Assert.That(waiting.IsCompleted).IsFalse();
        await Assert.That(await Value(a, "SELECT pg_advisory_unlock(42)")).IsEqualTo("t");
        await Assert.That((await waiting.WaitAsync(TimeSpan.FromSeconds(5), ct)).Error).IsNull(); // granted on release
        await Assert.That(await Value(a, "SELECT pg_advisory_unlock(42)")).IsEqualTo("f"); // a holds nothing now

        b.Close(); // a session's end releases its locks
        await Assert.That(await Value(a, "SELECT pg_try_advisory_lock(42)")).IsEqualTo("t");
        await Value(a, "SELECT pg_advisory_unlock_all()");
        await Assert.That(engine.AdvisoryLocks.HeldKeys).IsEqualTo(0);
    }

    [Test]
    [Timeout(30_000)]
    public async Task Shared_holds_coexist_and_transaction_locks_end_with_their_transaction(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession a, SqlSession b) = await OpenTwoSessionsAsync();
        using var _ = t;

        await Value(a, "SELECT pg_advisory_lock_shared(7)");
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock_shared(7)")).IsEqualTo("t");
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock(7)")).IsEqualTo("f"); // a's shared hold excludes it
        await Assert.That(await Value(a, "SELECT pg_advisory_unlock(7)")).IsEqualTo("f"); // a holds it shared, not exclusive
        await Value(a, "SELECT pg_advisory_unlock_shared(7)");
        await Value(b, "SELECT pg_advisory_unlock_shared(7)");
        await Value(b, "SELECT pg_advisory_unlock(7)"); // b's own exclusive attempt took nothing
        await Assert.That(engine.AdvisoryLocks.HeldKeys).IsEqualTo(0);

        await Value(a, "BEGIN");
        await Value(a, "SELECT pg_advisory_xact_lock(9)");
        await Assert.That(await Value(a, "SELECT pg_advisory_unlock(9)")).IsEqualTo("f"); // not released before the transaction ends
        await Assert.That(await Value(b, "SELECT pg_try_advisory_xact_lock(9)")).IsEqualTo("f");
        await Value(a, "COMMIT");
        await Assert.That(await Value(b, "SELECT pg_try_advisory_xact_lock(9)")).IsEqualTo("t"); // autocommit: held for that statement only
        await Assert.That(await Value(a, "SELECT pg_try_advisory_lock(9)")).IsEqualTo("t");
        await Value(a, "BEGIN");
        await Value(a, "SELECT pg_advisory_xact_lock_shared(10)");
        await Value(a, "ROLLBACK");
        await Assert.That(await Value(b, "SELECT pg_try_advisory_lock(10)")).IsEqualTo("t"); // a rollback ends it too
    }
}
