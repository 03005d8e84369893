using ThunderDb.Core.Session;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

public class SqlSessionTests
{
    private static async Task<(TestDatabase Db, SqlSession Session)> OpenAsync()
    {
        var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        return (t, engine.OpenSession("thunder"));
    }

    private static async Task<StatementResult> Ok(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        return r.Results[^1];
    }

    [Test]
    public async Task A_failed_statement_aborts_the_transaction_until_rollback()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)");
        await Ok(s, "BEGIN");
        await Ok(s, "INSERT INTO t VALUES (1, 'a')");
        BatchResult dup = await s.ExecuteAsync("INSERT INTO t VALUES (1, 'b')");
        await Assert.That(dup.Error!.SqlState).IsEqualTo("23505");
        await Assert.That(dup.Error.Detail).IsEqualTo("Key (id)=(1) already exists.");
        await Assert.That(s.State).IsEqualTo(SessionTransactionState.Failed);
        BatchResult ignored = await s.ExecuteAsync("SELECT 1");
        await Assert.That(ignored.Error!.SqlState).IsEqualTo("25P02");
        StatementResult end = await Ok(s, "COMMIT");
        await Assert.That(end.CommandTag).IsEqualTo("ROLLBACK");
        StatementResult count = await Ok(s, "SELECT count(*) FROM t");
        await Assert.That(count.Rows![0][0].AsInt64).IsEqualTo(0);
    }

    [Test]
    public async Task Rolled_back_ddl_and_rows_leave_nothing_and_committed_ones_survive_a_crash()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Ok(s, "BEGIN");
        await Ok(s, "CREATE TABLE gone (x int)");
        await Ok(s, "INSERT INTO gone VALUES (1)");
        await Ok(s, "ROLLBACK");
        BatchResult missing = await s.ExecuteAsync("SELECT * FROM gone");
        await Assert.That(missing.Error!.SqlState).IsEqualTo("42P01");
        await Assert.That(missing.Error.Message).IsEqualTo("relation \"gone\" does not exist");

        await Ok(s, "CREATE TABLE kept (id serial PRIMARY KEY, name varchar(10) DEFAULT 'none', price numeric(6,2))");
        StatementResult inserted = await Ok(s, "INSERT INTO kept (price) VALUES (1.5), (2.25) RETURNING id, name, price");
        await Assert.That(inserted.CommandTag).IsEqualTo("INSERT 0 2");
        await Assert.That(string.Join(",", inserted.Rows!.Select(r => $"{r[0]}/{r[1]}/{r[2]}"))).IsEqualTo("1/none/1.50,2/none/2.25");

        t.CrashAndRestart();
        SqlSession again = (await SqlEngine.OpenAsync(t.Db)).OpenSession("thunder");
        StatementResult rows = await Ok(again, "SELECT id, price FROM kept ORDER BY id DESC");
        await Assert.That(string.Join(",", rows.Rows!.Select(r => $"{r[0]}:{r[1]}"))).IsEqualTo("2:2.25,1:1.50");
        StatementResult next = await Ok(again, "INSERT INTO kept (price) VALUES (3) RETURNING id");
        await Assert.That(next.Rows![0][0].AsInt64).IsEqualTo(3);
    }

    [Test]
    public async Task Errors_carry_postgres_sqlstates_messages_and_positions()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)");
        BatchResult nulls = await s.ExecuteAsync("INSERT INTO t (id) VALUES (1)");
        await Assert.That(nulls.Error!.SqlState).IsEqualTo("23502");
        await Assert.That(nulls.Error.Message).IsEqualTo("null value in column \"v\" of relation \"t\" violates not-null constraint");
        BatchResult column = await s.ExecuteAsync("SELECT nope FROM t");
        await Assert.That(column.Error!.SqlState).IsEqualTo("42703");
        await Assert.That(column.Error.Position).IsEqualTo(8);
        BatchResult syntax = await s.ExecuteAsync("SELEC 1");
        await Assert.That(syntax.Error!.SqlState).IsEqualTo("42601");
        BatchResult zero = await s.ExecuteAsync("SELECT 1 / 0");
        await Assert.That(zero.Error!.SqlState).IsEqualTo("22012");
        BatchResult type = await s.ExecuteAsync("INSERT INTO t VALUES ('x', 'y')");
        await Assert.That(type.Error!.SqlState).IsEqualTo("22P02");
        // the session is still usable after every error outside a transaction
        StatementResult one = await Ok(s, "SELECT 1 + 1 AS two");
        await Assert.That(one.Columns![0].Name).IsEqualTo("two");
        await Assert.That(one.Rows![0][0].AsInt64).IsEqualTo(2);
    }

    [Test]
    public async Task Update_moves_primary_keys_and_point_lookups_use_the_key()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Ok(s, "CREATE TABLE acc (aid int PRIMARY KEY, abalance int DEFAULT 0)");
        await Ok(s, "INSERT INTO acc (aid) SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3");
        StatementResult upd = await Ok(s, "UPDATE acc SET abalance = abalance + 5 WHERE aid = 2");
        await Assert.That(upd.CommandTag).IsEqualTo("UPDATE 1");
        StatementResult plan = await Ok(s, "EXPLAIN SELECT abalance FROM acc WHERE aid = 2");
        await Assert.That(plan.Rows!.Any(r => r[0].AsString.Contains("Index Scan using acc_pkey", StringComparison.Ordinal))).IsTrue();
        StatementResult moved = await Ok(s, "UPDATE acc SET aid = aid + 10");
        await Assert.That(moved.CommandTag).IsEqualTo("UPDATE 3");
        StatementResult rows = await Ok(s, "SELECT aid, abalance FROM acc ORDER BY aid");
        await Assert.That(string.Join(",", rows.Rows!.Select(r => $"{r[0]}={r[1]}"))).IsEqualTo("11=0,12=5,13=0");
        StatementResult del = await Ok(s, "DELETE FROM acc WHERE abalance = 0 RETURNING aid");
        await Assert.That(del.CommandTag).IsEqualTo("DELETE 2");
        await Assert.That((await Ok(s, "SELECT count(*) FROM acc")).Rows![0][0].AsInt64).IsEqualTo(1);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Concurrent_updates_of_one_row_queue_on_its_lock_and_lose_nothing(CancellationToken ct)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession setup = engine.OpenSession("thunder");
        await Ok(setup, "CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL)");
        await Ok(setup, "INSERT INTO branches VALUES (1, 0)");

        // pgbench at scale 1: every client updates the one branch row inside its own transaction.
        async Task Client(int id)
        {
            SqlSession s = engine.OpenSession("thunder");
            for (int i = 0; i < 20; i++)
            {
                await Ok(s, "BEGIN");
                await Ok(s, "UPDATE branches SET bbalance = bbalance + 1 WHERE bid = 1");
                await Task.Yield();
                await Ok(s, "COMMIT");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Client(i), ct)));
        StatementResult total = await Ok(setup, "SELECT bbalance FROM branches WHERE bid = 1");
        await Assert.That(total.Rows![0][0].AsInt64).IsEqualTo(160);
    }

    [Test]
    public async Task A_multi_statement_query_is_one_implicit_transaction()
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY)");
        BatchResult failed = await s.ExecuteAsync("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); INSERT INTO t VALUES (1)");
        await Assert.That(failed.Error!.SqlState).IsEqualTo("23505");
        await Assert.That(failed.Results.Count).IsEqualTo(2);
        await Assert.That(s.State).IsEqualTo(SessionTransactionState.Idle);
        await Assert.That((await Ok(s, "SELECT count(*) FROM t")).Rows![0][0].AsInt64).IsEqualTo(0); // all undone

        BatchResult ok = await s.ExecuteAsync("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); SELECT count(*) FROM t");
        await Assert.That(ok.Error).IsNull();
        await Assert.That(ok.Results[2].Rows![0][0].AsInt64).IsEqualTo(2);
        await Assert.That((await Ok(s, "SELECT count(*) FROM t")).Rows![0][0].AsInt64).IsEqualTo(2);
    }

    [Test]
    [Arguments("UPDATE t SET v = 'a', v = 'b'")]
    [Arguments("UPDATE t SET (id, v) = (1, 'a'), v = 'b'")]
    [Arguments("INSERT INTO t VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET v = 'a', v = excluded.v")]
    public async Task Assigning_one_column_twice_fails_with_42601(string sql)
    {
        (TestDatabase t, SqlSession s) = await OpenAsync();
        using var _ = t;
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)");
        await Ok(s, "INSERT INTO t VALUES (1, 'old')");
        BatchResult r = await s.ExecuteAsync(sql);
        await Assert.That(r.Error!.SqlState).IsEqualTo("42601");
        await Assert.That(r.Error.Message).IsEqualTo("multiple assignments to same column \"v\"");
        await Assert.That((await Ok(s, "SELECT v FROM t")).Rows![0][0].AsString).IsEqualTo("old");
    }
}
