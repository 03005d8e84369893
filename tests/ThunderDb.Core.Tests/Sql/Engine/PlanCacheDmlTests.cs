using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>Which prepared INSERT/UPDATE/DELETE may run inline (PlanShape.IsBriefDml), and that they follow DDL.</summary>
public class PlanCacheDmlTests
{
    private static async Task<StatementResult> Ok(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        return r.Results[^1];
    }

    private static async Task<string> Rows(SqlSession s, string sql) =>
        string.Join(";", (await Ok(s, sql)).Rows!.Select(row => string.Join(",", row.Select(SqlText.Format))));

    [Test]
    [Timeout(30_000)]
    public async Task Single_row_dml_by_primary_key_runs_briefly_and_anything_wider_does_not(CancellationToken ct)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE a (id int PRIMARY KEY, v int, at timestamp); CREATE TABLE h (id int, v int, at timestamp);"
            + "CREATE TABLE parent (id int PRIMARY KEY, v int); CREATE TABLE child (id int PRIMARY KEY, p int REFERENCES parent (id))");
        bool Brief(string sql) => s.RunsBriefly(s.Prepare(sql, [])!);

        await Assert.That(Brief("UPDATE a SET v = v + $1 WHERE id = $2")).IsTrue();
        await Assert.That(Brief("DELETE FROM a WHERE id = $1")).IsTrue();
        await Assert.That(Brief("INSERT INTO h (id, v, at) VALUES ($1, $2, CURRENT_TIMESTAMP)")).IsTrue();
        await Assert.That(Brief("INSERT INTO h VALUES ($1, $2, now())")).IsTrue();
        await Assert.That(Brief("INSERT INTO child VALUES ($1, $2)")).IsTrue(); // the FK check is a point lookup
        await Assert.That(Brief("BEGIN")).IsTrue();
        await Assert.That(Brief("END")).IsTrue();
        await Assert.That(Brief("ROLLBACK")).IsTrue();

        await Assert.That(Brief("UPDATE a SET v = 1 WHERE v = $1")).IsFalse(); // not the key: a scan
        await Assert.That(Brief("UPDATE a SET v = 1")).IsFalse();
        await Assert.That(Brief("UPDATE a SET v = random()::int WHERE id = $1")).IsFalse();
        await Assert.That(Brief("UPDATE a SET v = (SELECT max(v) FROM h) WHERE id = $1")).IsFalse();
        await Assert.That(Brief("UPDATE a SET v = 1 WHERE id = $1 RETURNING v")).IsFalse();
        await Assert.That(Brief("UPDATE parent SET v = 1 WHERE id = $1")).IsFalse(); // referenced: the FK may fan out
        await Assert.That(Brief("DELETE FROM parent WHERE id = $1")).IsFalse();
        await Assert.That(Brief("INSERT INTO h VALUES (1, 1, now()), (2, 2, now())")).IsFalse();
        await Assert.That(Brief("INSERT INTO h SELECT * FROM h")).IsFalse();
        await Assert.That(Brief("INSERT INTO a VALUES ($1, 1, now()) ON CONFLICT (id) DO NOTHING")).IsFalse();
    }

    [Test]
    [Timeout(30_000)]
    public async Task Prepared_dml_follows_add_column_with_a_default_and_a_replaced_table(CancellationToken ct)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        SqlSession other = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10)");
        PreparedStatement update = s.Prepare("UPDATE t SET v = v + $1 WHERE id = $2", [])!;
        PreparedStatement insert = s.Prepare("INSERT INTO t (id, v) VALUES ($1, $2)", [])!;
        await Assert.That((await s.ExecutePreparedAsync(update, [SqlValue.FromInt4(1), SqlValue.FromInt4(1)])).CommandTag).IsEqualTo("UPDATE 1");
        await Assert.That((await s.ExecutePreparedAsync(insert, [SqlValue.FromInt4(2), SqlValue.FromInt4(20)])).CommandTag).IsEqualTo("INSERT 0 1");

        await Ok(other, "ALTER TABLE t ADD COLUMN c int DEFAULT 7");
        await Assert.That(s.RunsBriefly(update)).IsFalse(); // bound against the old catalog: not current
        await Assert.That((await s.ExecutePreparedAsync(update, [SqlValue.FromInt4(1), SqlValue.FromInt4(1)])).CommandTag).IsEqualTo("UPDATE 1");
        await Assert.That((await s.ExecutePreparedAsync(insert, [SqlValue.FromInt4(3), SqlValue.FromInt4(30)])).CommandTag).IsEqualTo("INSERT 0 1");
        await Assert.That(await Rows(s, "SELECT id, v, c FROM t ORDER BY id")).IsEqualTo("1,12,7;2,20,7;3,30,7");

        // the table is replaced: the statements run against the new one
        await Ok(other, "DROP TABLE t; CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 100)");
        await Assert.That((await s.ExecutePreparedAsync(update, [SqlValue.FromInt4(5), SqlValue.FromInt4(1)])).CommandTag).IsEqualTo("UPDATE 1");
        await Assert.That((await s.ExecutePreparedAsync(insert, [SqlValue.FromInt4(2), SqlValue.FromInt4(200)])).CommandTag).IsEqualTo("INSERT 0 1");
        await Assert.That(await Rows(s, "SELECT id, v FROM t ORDER BY id")).IsEqualTo("1,105;2,200");

        await Ok(other, "DROP TABLE t");
        SqlException? gone = null;
        try
        {
            await s.ExecutePreparedAsync(update, [SqlValue.FromInt4(1), SqlValue.FromInt4(1)]);
        }
        catch (SqlException e)
        {
            gone = e;
        }

        await Assert.That(gone?.SqlState).IsEqualTo(SqlState.UndefinedTable);
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_brief_update_waiting_on_a_row_lock_returns_to_its_caller_and_others_keep_running(CancellationToken ct)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession holder = engine.OpenSession("thunder");
        SqlSession waiter = engine.OpenSession("thunder");
        SqlSession reader = engine.OpenSession("thunder");
        await Ok(holder, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)");
        await Ok(holder, "BEGIN; UPDATE t SET v = v + 1 WHERE id = 1");
        PreparedStatement update = waiter.Prepare("UPDATE t SET v = v + $1 WHERE id = $2", [])!;
        await Assert.That(waiter.RunsBriefly(update)).IsTrue();

        // run on this thread as a socket loop runs it: the call must come back at once, its lock wait pending
        ValueTask<StatementResult> pending = waiter.ExecutePreparedAsync(update, [SqlValue.FromInt4(10), SqlValue.FromInt4(1)]);
        await Assert.That(pending.IsCompleted).IsFalse();

        // meanwhile the same thread serves other sessions
        await Assert.That(await Rows(reader, "SELECT v FROM t WHERE id = 1")).IsEqualTo("0");
        await Ok(reader, "UPDATE t SET v = 5 WHERE id = 2");
        await Assert.That(pending.IsCompleted).IsFalse();

        await Ok(holder, "COMMIT");
        await Assert.That((await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct)).CommandTag).IsEqualTo("UPDATE 1");
        await Assert.That(await Rows(reader, "SELECT id, v FROM t ORDER BY id")).IsEqualTo("1,11;2,5");
    }
}
