using ThunderDb.Core.Session;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>SAVEPOINT / ROLLBACK TO / RELEASE, LISTEN / NOTIFY at commit, DISCARD, and PREPARE / EXECUTE over the real store.</summary>
public class SqlSessionSavepointTests
{
    private sealed class Inbox : INotificationListener
    {
        public List<string> Got { get; } = [];

        public void Deliver(int senderProcessId, string channel, string payload)
        {
            lock (Got)
            {
                Got.Add($"{senderProcessId}:{channel}:{payload}");
            }
        }
    }

    private sealed class NoControl : ISessionControl
    {
        public void CancelStatement()
        {
        }

        public void Terminate()
        {
        }
    }

    private static async Task<(TestDatabase Db, SqlEngine Engine)> OpenAsync()
    {
        var t = new TestDatabase();
        return (t, await SqlEngine.OpenAsync(t.Db));
    }

    private static async Task<StatementResult> Ok(SqlSession s, string sql)
    {
        BatchResult r = await s.ExecuteAsync(sql);
        return r.Error is null ? r.Results[^1] : throw new InvalidOperationException($"{sql}: {r.Error.SqlState} {r.Error.Message}");
    }

    private static async Task<string> Error(SqlSession s, string sql) => (await s.ExecuteAsync(sql)).Error?.SqlState ?? "none";

    private static async Task<long> Count(SqlSession s, string sql) => (await Ok(s, sql)).Rows![0][0].AsInt64;

    [Test]
    public async Task Rollback_to_undoes_rows_and_ddl_since_the_savepoint_and_ends_the_failed_state()
    {
        (TestDatabase t, SqlEngine engine) = await OpenAsync();
        using var _ = t;
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY)");
        await Ok(s, "BEGIN");
        await Ok(s, "INSERT INTO t VALUES (1)");
        await Ok(s, "SAVEPOINT a");
        await Ok(s, "INSERT INTO t VALUES (2)");
        await Ok(s, "CREATE TABLE later (x int)");
        await Ok(s, "SAVEPOINT a"); // same name again: the newer one is meant
        await Ok(s, "INSERT INTO t VALUES (3)");
        await Assert.That(await Error(s, "INSERT INTO t VALUES (3)")).IsEqualTo("23505");
        await Assert.That(await Error(s, "SAVEPOINT b")).IsEqualTo("25P02");
        await Assert.That((await Ok(s, "ROLLBACK TO SAVEPOINT a")).CommandTag).IsEqualTo("ROLLBACK");
        await Assert.That(await Count(s, "SELECT count(*) FROM t")).IsEqualTo(2);
        await Ok(s, "RELEASE a");
        await Ok(s, "ROLLBACK TO a"); // the older "a"
        await Assert.That(await Count(s, "SELECT count(*) FROM t")).IsEqualTo(1);
        await Assert.That(await Error(s, "RELEASE SAVEPOINT nope")).IsEqualTo("3B001");
        await Assert.That(s.State).IsEqualTo(SessionTransactionState.Failed);
        await Assert.That(await Error(s, "RELEASE SAVEPOINT a")).IsEqualTo("25P02");
        await Ok(s, "ROLLBACK TO a");
        await Assert.That(await Error(s, "SELECT * FROM later")).IsEqualTo("42P01");
        await Ok(s, "ROLLBACK TO a");
        await Ok(s, "COMMIT");
        await Assert.That(await Count(s, "SELECT count(*) FROM t")).IsEqualTo(1);
        await Assert.That(await Error(s, "CREATE TABLE later (x int)")).IsEqualTo("none");
        await Assert.That(await Error(s, "ROLLBACK TO a")).IsEqualTo("25P01");
    }

    [Test]
    public async Task Listen_and_notify_take_effect_at_commit()
    {
        (TestDatabase t, SqlEngine engine) = await OpenAsync();
        using var _ = t;
        SqlSession listener = engine.OpenSession("thunder");
        SqlSession notifier = engine.OpenSession("thunder");
        var inbox = new Inbox();
        listener.Attach(101, null, new NoControl(), inbox);
        notifier.Attach(202, null, new NoControl(), new Inbox());
        await Ok(listener, "BEGIN");
        await Ok(listener, "LISTEN c");
        await Ok(notifier, "NOTIFY c, 'before the listen committed'");
        await Ok(listener, "COMMIT");
        await Ok(notifier, "BEGIN");
        await Ok(notifier, "NOTIFY c, 'kept'");
        await Ok(notifier, "SAVEPOINT s");
        await Ok(notifier, "SELECT pg_notify('c', 'undone')");
        await Ok(notifier, "ROLLBACK TO s");
        await Ok(notifier, "NOTIFY c, 'kept'");
        await Assert.That(inbox.Got).IsEmpty();
        await Ok(notifier, "COMMIT");
        await Assert.That(inbox.Got).IsEquivalentTo(new[] { "202:c:kept" });
        await Ok(notifier, "BEGIN");
        await Ok(notifier, "NOTIFY c, 'rolled back'");
        await Ok(notifier, "ROLLBACK");
        await Ok(listener, "DISCARD ALL");
        await Ok(notifier, "NOTIFY c, 'after discard'");
        await Assert.That(inbox.Got.Count).IsEqualTo(1);
        await Assert.That(engine.Notifications.ChannelCount).IsEqualTo(0);
        await Assert.That(await Error(notifier, $"NOTIFY c, '{new string('x', 8000)}'")).IsEqualTo("22023");
        await Assert.That(await Error(notifier, "SELECT pg_notify('', 'x')")).IsEqualTo("22023");
    }

    [Test]
    public async Task Sql_prepare_execute_and_deallocate()
    {
        (TestDatabase t, SqlEngine engine) = await OpenAsync();
        using var _ = t;
        SqlSession s = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        await Ok(s, "PREPARE ins (int, text) AS INSERT INTO t VALUES ($1, $2)");
        await Ok(s, "EXECUTE ins(1, 'one')");
        await Ok(s, "EXECUTE ins(1 + 1, 'tw' || 'o')");
        await Ok(s, "PREPARE get AS SELECT v FROM t WHERE id = $1");
        await Assert.That((await Ok(s, "EXECUTE get(2)")).Rows![0][0].AsString).IsEqualTo("two");
        await Assert.That(await Error(s, "EXECUTE get('x')")).IsEqualTo("22P02");
        await Assert.That(await Error(s, "PREPARE b AS BEGIN")).IsEqualTo("42601");
        await Ok(s, "DEALLOCATE ALL");
        await Assert.That(await Error(s, "EXECUTE get(2)")).IsEqualTo("26000");
        await Assert.That(await Error(s, "DEALLOCATE get")).IsEqualTo("26000");
    }

    [Test]
    public async Task An_extended_batch_commits_at_its_end_or_not_at_all()
    {
        (TestDatabase t, SqlEngine engine) = await OpenAsync();
        using var _ = t;
        SqlSession s = engine.OpenSession("thunder");
        SqlSession other = engine.OpenSession("thunder");
        await Ok(s, "CREATE TABLE t (id int PRIMARY KEY)");
        PreparedStatement insert = s.Prepare("INSERT INTO t VALUES ($1)", [SqlType.Int4])!;
        s.BeginImplicitTransaction(insert);
        await s.ExecutePreparedAsync(insert, [SqlValue.FromInt4(1)]);
        await Assert.That(await Count(other, "SELECT count(*) FROM t")).IsEqualTo(0); // not before the end
        s.BeginImplicitTransaction(insert);
        await Assert.That(async () => await s.ExecutePreparedAsync(insert, [SqlValue.FromInt4(1)])).Throws<ThunderDb.Core.Sql.SqlException>();
        await Assert.That(await s.EndImplicitTransactionAsync()).IsNull();
        await Assert.That(s.State).IsEqualTo(SessionTransactionState.Idle);
        await Assert.That(await Count(other, "SELECT count(*) FROM t")).IsEqualTo(0);
        s.BeginImplicitTransaction(insert);
        await s.ExecutePreparedAsync(insert, [SqlValue.FromInt4(2)]);
        await s.EndImplicitTransactionAsync();
        await Assert.That(await Count(other, "SELECT count(*) FROM t")).IsEqualTo(1);
    }
}
