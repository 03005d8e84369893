using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>Prepared statements keep their bound plan until the catalog or the session's settings change (PlanCache.cs).</summary>
public class PlanCacheTests
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

    private static async Task<string> Run(SqlSession s, PreparedStatement p, params SqlValue[] args)
    {
        StatementResult r = await s.ExecutePreparedAsync(p, args);
        return string.Join(";", r.Rows!.Select(row => string.Join(",", row.Select(SqlText.Format))));
    }

    [Test]
    public async Task A_prepared_select_binds_once_and_runs_with_each_execution_s_values()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        PreparedStatement p = s.Prepare("SELECT name FROM t WHERE id = $1", [])!;
        for (int i = 1; i <= 3; i++)
        {
            await Assert.That(await Run(s, p, SqlValue.FromInt4(i))).IsEqualTo(new[] { "one", "two", "three" }[i - 1]);
        }

        await Assert.That(p.BindCount).IsEqualTo(1);
        await Assert.That((await s.ExecutePreparedAsync(p, [SqlValue.FromInt4(9)])).CommandTag).IsEqualTo("SELECT 0");
        await Assert.That(p.BindCount).IsEqualTo(1);
    }

    [Test]
    public async Task A_prepared_insert_update_and_delete_bind_once_until_ddl_changes_the_table()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        SqlSession other = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
        PreparedStatement update = s.Prepare("UPDATE t SET v = v + $1 WHERE id = $2", [])!;
        PreparedStatement delete = s.Prepare("DELETE FROM t WHERE id = $1 RETURNING v", [])!;
        for (int i = 1; i <= 3; i++)
        {
            StatementResult r = await s.ExecutePreparedAsync(update, [SqlValue.FromInt4(i), SqlValue.FromInt4(i)]);
            await Assert.That(r.CommandTag).IsEqualTo("UPDATE 1");
        }

        await Assert.That(update.DmlBindCount).IsEqualTo(1);
        PreparedStatement insert = s.Prepare("INSERT INTO t VALUES ($1, $2 * 10) RETURNING v", [])!;
        await Assert.That(await Run(s, insert, SqlValue.FromInt4(4), SqlValue.FromInt4(4))).IsEqualTo("40");
        await Assert.That(await Run(s, insert, SqlValue.FromInt4(5), SqlValue.FromInt4(5))).IsEqualTo("50");
        await Assert.That(insert.DmlBindCount).IsEqualTo(1);
        await Ok(s, "DELETE FROM t WHERE id > 3");
        await Assert.That(await Run(s, delete, SqlValue.FromInt4(2))).IsEqualTo("22");
        await Assert.That(await Run(s, delete, SqlValue.FromInt4(2))).IsEqualTo("");
        await Assert.That(delete.DmlBindCount).IsEqualTo(1);
        await Assert.That(string.Join(";", (await Ok(s, "SELECT id, v FROM t ORDER BY id")).Rows!.Select(row => string.Join(",", row.Select(SqlText.Format)))))
            .IsEqualTo("1,11;3,33");

        // another session's DDL: the table the bound UPDATE refers to now has another column before v
        await Ok(other, "DROP TABLE t; CREATE TABLE t (id int PRIMARY KEY, extra text, v int); INSERT INTO t VALUES (1, 'x', 100)");
        await Assert.That((await s.ExecutePreparedAsync(update, [SqlValue.FromInt4(5), SqlValue.FromInt4(1)])).CommandTag).IsEqualTo("UPDATE 1");
        await Assert.That(update.DmlBindCount).IsEqualTo(2);
        await Assert.That(string.Join(";", (await Ok(s, "SELECT * FROM t")).Rows!.Select(row => string.Join(",", row.Select(SqlText.Format)))))
            .IsEqualTo("1,x,105");
    }

    [Test]
    public async Task Ddl_committed_by_another_session_makes_the_plan_bind_again()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        SqlSession other = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'old')");
        PreparedStatement p = s.Prepare("SELECT name FROM t WHERE id = $1", [])!;
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("old");

        // the table the plan was bound to is gone; a new one with the same name and shape takes its place
        await Ok(other, "DROP TABLE t; CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'new')");
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("new");
        await Assert.That(p.BindCount).IsEqualTo(2);
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("new");
        await Assert.That(p.BindCount).IsEqualTo(2);

        await Ok(other, "DROP TABLE t");
        SqlException? gone = null;
        try
        {
            await s.ExecutePreparedAsync(p, [SqlValue.FromInt4(1)]);
        }
        catch (SqlException e)
        {
            gone = e;
        }

        await Assert.That(gone?.SqlState).IsEqualTo(SqlState.UndefinedTable);
    }

    [Test]
    public async Task Alter_table_rebinds_and_a_changed_result_type_is_an_error()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'a')");
        PreparedStatement named = s.Prepare("SELECT id, name FROM t WHERE id = $1", [])!;
        PreparedStatement star = s.Prepare("SELECT * FROM t WHERE id = $1", [])!;
        await Assert.That(await Run(s, named, SqlValue.FromInt4(1))).IsEqualTo("1,a");
        await Assert.That(await Run(s, star, SqlValue.FromInt4(1))).IsEqualTo("1,a");

        await Ok(s, "ALTER TABLE t ADD COLUMN extra int DEFAULT 7");
        await Assert.That(await Run(s, named, SqlValue.FromInt4(1))).IsEqualTo("1,a");
        await Assert.That(named.BindCount).IsEqualTo(2);

        // SELECT * now has three columns; the client was told two (PostgreSQL answers the same)
        SqlException? changed = null;
        try
        {
            await s.ExecutePreparedAsync(star, [SqlValue.FromInt4(1)]);
        }
        catch (SqlException e)
        {
            changed = e;
        }

        await Assert.That(changed?.SqlState).IsEqualTo(SqlState.FeatureNotSupported);
        await Assert.That(changed!.Message).IsEqualTo("cached plan must not change result type");

        // preparing the text again describes the new shape instead of returning the stale statement
        PreparedStatement again = s.Prepare("SELECT * FROM t WHERE id = $1", [])!;
        await Assert.That(again.Description.Columns!.Count).IsEqualTo(3);
    }

    [Test]
    public async Task A_search_path_change_binds_again_against_the_other_schema()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE SCHEMA other; CREATE TABLE public.t (id int PRIMARY KEY, v text); CREATE TABLE other.t (id int PRIMARY KEY, v text)");
        await Ok(s, "INSERT INTO public.t VALUES (1, 'public'); INSERT INTO other.t VALUES (1, 'other')");
        PreparedStatement p = s.Prepare("SELECT v FROM t WHERE id = $1", [])!;
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("public");
        await Ok(s, "SET search_path TO other, public");
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("other");
        await Ok(s, "RESET search_path");
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("public");
        await Assert.That(p.BindCount).IsEqualTo(3);
    }

    [Test]
    public async Task Same_text_with_other_parameter_types_is_another_statement()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY)");
        PreparedStatement inferred = s.Prepare("SELECT $1 || 'x'", [])!;
        PreparedStatement again = s.Prepare("SELECT $1 || 'x'", [])!;
        PreparedStatement asInt = s.Prepare("SELECT $1 || 'x'", [SqlType.Int4])!;
        await Assert.That(ReferenceEquals(inferred, again)).IsTrue();
        await Assert.That(ReferenceEquals(inferred, asInt)).IsFalse();
        await Assert.That(inferred.ParameterTypes[0].Kind).IsEqualTo(SqlTypeKind.Text);
        await Assert.That(asInt.ParameterTypes[0].Kind).IsEqualTo(SqlTypeKind.Int4);
        await Assert.That(await Run(s, asInt, SqlValue.FromInt4(5))).IsEqualTo("5x");

        // after DDL the text is parsed and bound again (a new statement)
        await Ok(s, "CREATE TABLE u (id int)");
        await Assert.That(ReferenceEquals(s.Prepare("SELECT $1 || 'x'", []), inferred)).IsFalse();
    }

    [Test]
    public async Task Ddl_rolled_back_inside_a_transaction_leaves_the_committed_plan()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'kept')");
        PreparedStatement p = s.Prepare("SELECT v FROM t WHERE id = $1", [])!;
        await Ok(s, "BEGIN");
        await Ok(s, "DROP TABLE t");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        await Ok(s, "INSERT INTO t VALUES (1, 'in transaction')");
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("in transaction");
        await Ok(s, "ROLLBACK");
        await Assert.That(await Run(s, p, SqlValue.FromInt4(1))).IsEqualTo("kept");
    }

    [Test]
    public async Task Only_primary_key_point_reads_run_briefly()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        await Assert.That(s.RunsBriefly(s.Prepare("SELECT v FROM t WHERE id = $1", [])!)).IsTrue();
        await Assert.That(s.RunsBriefly(s.Prepare("SELECT v FROM t WHERE v = $1", [])!)).IsFalse();
        await Assert.That(s.RunsBriefly(s.Prepare("SELECT upper(v) FROM t WHERE id = $1", [])!)).IsFalse();
        await Assert.That(s.RunsBriefly(s.Prepare("SELECT v FROM t WHERE id = (SELECT max(id) FROM t)", [])!)).IsFalse();
        await Assert.That(s.RunsBriefly(s.Prepare("UPDATE t SET v = $1 WHERE v = $2", [])!)).IsFalse(); // not by key: a scan (single-row DML: PlanCacheDmlTests)

        PreparedStatement p = s.Prepare("SELECT v FROM t WHERE id = $1", [])!;
        await Ok(s, "CREATE TABLE u (id int)");
        await Assert.That(s.RunsBriefly(p)).IsFalse(); // not bound against the current catalog yet
    }
}
