using System.Diagnostics;
using ThunderDb.Core.Session;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>
/// Session settings and transaction modes as PostgreSQL has them: SET undone by ROLLBACK, SET LOCAL ending with the
/// transaction, the millisecond settings' units and display, SERIALIZABLE refused, READ ONLY enforced, lock_timeout,
/// current_setting and set_config.
/// </summary>
public class SessionSettingsTests
{
    private static async Task<(TestDatabase Db, SqlEngine Engine, SqlSession Session)> OpenAsync()
    {
        var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        return (t, engine, engine.OpenSession("thunder"));
    }

    private static async Task<string?> Value(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        if (r.Error is not null)
        {
            throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
        }

        StatementResult last = r.Results[^1];
        return last.Rows is [var row, ..] ? (row[0].IsNull ? null : SqlText.Format(row[0])) : last.CommandTag;
    }

    private static async Task<SqlException> Error(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        return r.Error ?? throw new InvalidOperationException($"{sql}: no error");
    }

    [Test]
    public async Task Set_is_undone_by_rollback_and_set_local_ends_with_the_transaction()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Value(s, "SET application_name = 'before'");

        await Value(s, "BEGIN");
        await Value(s, "SET application_name = 'inside'");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("inside");
        await Value(s, "ROLLBACK");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("before");

        await Value(s, "BEGIN");
        await Value(s, "SET LOCAL application_name = 'local'");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("local");
        await Value(s, "COMMIT");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("before");

        // SET then SET LOCAL: the SET's value is the one that lasts
        await Value(s, "BEGIN; SET application_name = 'kept'; SET LOCAL application_name = 'brief'");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("brief");
        await Value(s, "COMMIT");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("kept");

        // a failed transaction undoes its SET too; SET LOCAL outside a block warns and changes nothing
        await Value(s, "BEGIN");
        await Value(s, "SET search_path = other");
        await Error(s, "SELECT 1 / 0");
        await Value(s, "ROLLBACK");
        await Assert.That(await Value(s, "SHOW search_path")).IsEqualTo("\"$user\", public");
        BatchResult outside = await s.ExecuteAsync("SET LOCAL application_name = 'nowhere'");
        await Assert.That(outside.Results[0].Notices!).Contains("SET LOCAL can only be used in transaction blocks");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("kept");

        // ROLLBACK TO a savepoint undoes the SETs made after it, RELEASE keeps them
        await Value(s, "BEGIN; SET application_name = 'one'; SAVEPOINT a; SET application_name = 'two'; SET LOCAL search_path = x");
        await Value(s, "ROLLBACK TO SAVEPOINT a");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("one");
        await Assert.That(await Value(s, "SHOW search_path")).IsEqualTo("\"$user\", public");
        await Value(s, "SET application_name = 'three'; SAVEPOINT b; SET application_name = 'four'; RELEASE b");
        await Value(s, "COMMIT");
        await Assert.That(await Value(s, "SHOW application_name")).IsEqualTo("four");
    }

    [Test]
    [Arguments("1500", "1500ms")]
    [Arguments("'2s'", "2s")]
    [Arguments("'60s'", "1min")]
    [Arguments("'1.5s'", "1500ms")]
    [Arguments("'90 min'", "90min")]
    [Arguments("'2h'", "2h")]
    [Arguments("'1d'", "1d")]
    [Arguments("'2500us'", "2ms")]
    [Arguments("'3500us'", "4ms")]
    [Arguments("0", "0")]
    public async Task Millisecond_settings_take_units_and_show_the_largest_exact_one(string value, string shown)
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Value(s, $"SET statement_timeout = {value}");
        await Assert.That(await Value(s, "SHOW statement_timeout")).IsEqualTo(shown);
        await Value(s, $"SET lock_timeout TO {value}");
        await Assert.That(await Value(s, "SELECT current_setting('lock_timeout')")).IsEqualTo(shown);
        await Value(s, "RESET statement_timeout");
        await Assert.That(await Value(s, "SHOW statement_timeout")).IsEqualTo("0");
    }

    [Test]
    [Arguments("'abc'", "invalid value for parameter \"statement_timeout\": \"abc\"")]
    [Arguments("'5x'", "invalid value for parameter \"statement_timeout\": \"5x\"")]
    [Arguments("-1", "-1 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)")]
    [Arguments("'3000000000'", "3000000000 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)")]
    public async Task Bad_millisecond_values_fail_with_22023(string value, string message)
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        SqlException e = await Error(s, $"SET statement_timeout = {value}");
        await Assert.That(e.SqlState).IsEqualTo("22023");
        await Assert.That(e.Message).IsEqualTo(message);
        await Assert.That(await Value(s, "SHOW statement_timeout")).IsEqualTo("0");
        await Assert.That(s.Settings.StatementTimeout).IsEqualTo(TimeSpan.Zero);
    }

    [Test]
    [Arguments("BEGIN ISOLATION LEVEL SERIALIZABLE")]
    [Arguments("START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE")]
    [Arguments("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE")]
    [Arguments("SET default_transaction_isolation = 'serializable'")]
    public async Task Serializable_is_refused_never_run_weaker(string sql)
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        SqlException e = await Error(s, sql);
        await Assert.That(e.SqlState).IsEqualTo("0A000");
        await Assert.That(e.Message).IsEqualTo("SERIALIZABLE isolation is not supported");
        await Assert.That(s.State).IsEqualTo(SessionTransactionState.Idle);
        await Assert.That(await Value(s, "SHOW default_transaction_isolation")).IsEqualTo("read committed");
    }

    [Test]
    public async Task Transaction_isolation_shows_the_open_transaction_and_the_default_drives_new_ones()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Value(s, "BEGIN ISOLATION LEVEL REPEATABLE READ");
        await Assert.That(await Value(s, "SHOW transaction_isolation")).IsEqualTo("repeatable read");
        await Value(s, "COMMIT");
        await Assert.That(await Value(s, "SHOW transaction_isolation")).IsEqualTo("read committed");

        await Value(s, "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        await Assert.That(await Value(s, "SHOW default_transaction_isolation")).IsEqualTo("repeatable read");
        await Assert.That(await Value(s, "SHOW transaction_isolation")).IsEqualTo("repeatable read");
        SqlException bad = await Error(s, "SET default_transaction_isolation = 'sometimes'");
        await Assert.That(bad.SqlState).IsEqualTo("22023");

        // SET transaction_isolation is SET TRANSACTION: only before the transaction's first query
        await Value(s, "BEGIN");
        await Value(s, "SET transaction_isolation = 'read committed'");
        await Assert.That(await Value(s, "SHOW transaction_isolation")).IsEqualTo("read committed");
        await Value(s, "SELECT 1");
        SqlException late = await Error(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        await Assert.That(late.SqlState).IsEqualTo("25001");
        await Value(s, "ROLLBACK");
    }

    [Test]
    public async Task A_read_only_transaction_refuses_writes_with_25006()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Value(s, "CREATE TABLE ro (id int PRIMARY KEY, v int)");
        await Value(s, "INSERT INTO ro VALUES (1, 1)");

        await Value(s, "BEGIN READ ONLY");
        await Assert.That(await Value(s, "SHOW transaction_read_only")).IsEqualTo("on");
        await Assert.That(await Value(s, "SELECT v FROM ro WHERE id = 1")).IsEqualTo("1");
        SqlException insert = await Error(s, "INSERT INTO ro VALUES (2, 2)");
        await Assert.That(insert.SqlState).IsEqualTo("25006");
        await Assert.That(insert.Message).IsEqualTo("cannot execute INSERT in a read-only transaction");
        await Value(s, "ROLLBACK");
        await Assert.That(await Value(s, "SHOW transaction_read_only")).IsEqualTo("off");

        await Value(s, "SET default_transaction_read_only = on");
        foreach ((string sql, string command) in new[]
        {
            ("UPDATE ro SET v = 2", "UPDATE"), ("DELETE FROM ro", "DELETE"), ("CREATE TABLE other (x int)", "CREATE TABLE"),
            ("DROP TABLE ro", "DROP TABLE"), ("TRUNCATE ro", "TRUNCATE TABLE"), ("SELECT * FROM ro FOR UPDATE", "SELECT FOR UPDATE"),
            ("EXPLAIN ANALYZE DELETE FROM ro", "DELETE"),
        })
        {
            SqlException e = await Error(s, sql);
            await Assert.That(e.Message).IsEqualTo($"cannot execute {command} in a read-only transaction");
        }

        // READ WRITE may be chosen for a transaction, and the default set back
        await Value(s, "BEGIN READ WRITE; UPDATE ro SET v = 3; COMMIT");
        await Value(s, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
        await Value(s, "UPDATE ro SET v = v + 1");
        await Assert.That(await Value(s, "SELECT v FROM ro")).IsEqualTo("4");

        // read-write may not be chosen after a query of a read-only transaction
        await Value(s, "BEGIN READ ONLY; SELECT 1");
        await Assert.That((await Error(s, "SET TRANSACTION READ WRITE")).SqlState).IsEqualTo("25001");
        await Value(s, "ROLLBACK");
    }

    [Test]
    [Timeout(30_000)]
    public async Task Lock_timeout_fails_a_lock_wait_with_55P03(CancellationToken ct)
    {
        (TestDatabase t, SqlEngine engine, SqlSession holder) = await OpenAsync();
        using TestDatabase owned = t;
        SqlSession waiter = engine.OpenSession("thunder");
        await Value(holder, "CREATE TABLE hot (id int PRIMARY KEY, v int)");
        await Value(holder, "INSERT INTO hot VALUES (1, 0)");
        await Value(holder, "BEGIN; UPDATE hot SET v = 1 WHERE id = 1");

        await Value(waiter, "SET lock_timeout = '150ms'");
        var watch = Stopwatch.StartNew();
        SqlException e = await Error(waiter, "UPDATE hot SET v = 2 WHERE id = 1");
        await Assert.That(e.SqlState).IsEqualTo("55P03");
        await Assert.That(e.Message).IsEqualTo("canceling statement due to lock timeout");
        await Assert.That(watch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(100)).And.IsLessThan(TimeSpan.FromSeconds(10));

        // set inside the waiter's own open transaction, it applies to the next wait; ROLLBACK TO takes it back
        await Value(waiter, "RESET lock_timeout");
        await Value(waiter, "BEGIN; SAVEPOINT s; SET lock_timeout = 100");
        SqlException inside = await Error(waiter, "UPDATE hot SET v = 3 WHERE id = 1");
        await Assert.That(inside.SqlState).IsEqualTo("55P03");
        await Value(waiter, "ROLLBACK TO SAVEPOINT s");
        await Assert.That(await Value(waiter, "SHOW lock_timeout")).IsEqualTo("0");
        Task<BatchResult> blocked = waiter.ExecuteAsync("UPDATE hot SET v = 4 WHERE id = 1", ct);
        await Task.Delay(300, ct);
        await Assert.That(blocked.IsCompleted).IsFalse();
        await Value(holder, "COMMIT");
        await Assert.That((await blocked).Error).IsNull();
        await Value(waiter, "ROLLBACK");
        await Value(holder, "BEGIN; UPDATE hot SET v = 1 WHERE id = 1");

        // without a lock_timeout (0, PostgreSQL's default) the wait lasts until the holder ends
        await Value(waiter, "RESET lock_timeout");
        Task<BatchResult> waiting = waiter.ExecuteAsync("UPDATE hot SET v = v + 10 WHERE id = 1", ct);
        await Task.Delay(300, ct);
        await Assert.That(waiting.IsCompleted).IsFalse();
        await Value(holder, "COMMIT");
        BatchResult done = await waiting;
        await Assert.That(done.Error).IsNull();
        await Assert.That(await Value(holder, "SELECT v FROM hot")).IsEqualTo("11");
    }

    [Test]
    public async Task Current_setting_and_set_config_read_and_change_settings()
    {
        (TestDatabase t, _, SqlSession s) = await OpenAsync();
        using TestDatabase owned = t;
        await Assert.That(await Value(s, "SELECT current_setting('server_version_num')")).IsEqualTo("150000");
        await Assert.That(await Value(s, "SELECT set_config('statement_timeout', '3000', false)")).IsEqualTo("3s");
        await Assert.That(await Value(s, "SHOW statement_timeout")).IsEqualTo("3s");
        await Assert.That(s.Settings.StatementTimeout).IsEqualTo(TimeSpan.FromSeconds(3));

        SqlException missing = await Error(s, "SELECT current_setting('no_such_setting')");
        await Assert.That(missing.SqlState).IsEqualTo("42704");
        await Assert.That(missing.Message).IsEqualTo("unrecognized configuration parameter \"no_such_setting\"");
        await Assert.That(await Value(s, "SELECT current_setting('no_such_setting', true)")).IsNull();

        // a custom setting, local to the transaction
        await Value(s, "BEGIN");
        await Assert.That(await Value(s, "SELECT set_config('myapp.tenant', '42', true)")).IsEqualTo("42");
        await Assert.That(await Value(s, "SELECT current_setting('myapp.tenant')")).IsEqualTo("42");
        await Value(s, "COMMIT");
        await Assert.That(await Value(s, "SELECT current_setting('myapp.tenant', true)")).IsNull();
    }
}
