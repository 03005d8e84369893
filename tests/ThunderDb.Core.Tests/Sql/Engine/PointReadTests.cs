using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>Prepared primary-key point reads streamed to a row sink (PointRead.cs): the same rows as the general plan.</summary>
public class PointReadTests
{
    private sealed class Rows : IRowSink
    {
        public List<string> Seen { get; } = [];

        public int Begun { get; private set; }

        public void Begin(IReadOnlyList<ThunderDb.Core.Sql.Execution.PlanColumn> columns) => Begun++;

        public void Row(ReadOnlySpan<SqlValue> row)
        {
            var text = new List<string>();
            foreach (SqlValue v in row)
            {
                text.Add(v.IsNull ? "NULL" : SqlText.Format(v));
            }

            Seen.Add(string.Join(",", text));
        }
    }

    private static async Task<string> Stream(SqlSession s, PreparedStatement p, params SqlValue[] args)
    {
        var sink = new Rows();
        StatementResult r = await s.ExecutePreparedAsync(p, args, sink);
        await Assert.That(r.CommandTag).IsEqualTo($"SELECT {sink.Seen.Count}");
        await Assert.That(sink.Begun).IsEqualTo(1);
        return string.Join(";", sink.Seen);
    }

    private static async Task<string> Materialise(SqlSession s, PreparedStatement p, params SqlValue[] args)
    {
        StatementResult r = await s.ExecutePreparedAsync(p, args);
        return string.Join(";", r.Rows!.Select(row => string.Join(",", row.Select(v => v.IsNull ? "NULL" : SqlText.Format(v)))));
    }

    [Test]
    [Arguments("SELECT v FROM t WHERE id = $1")]
    [Arguments("SELECT v + 1, id FROM t WHERE id = $1")]
    [Arguments("SELECT * FROM t WHERE id = $1")]
    [Arguments("SELECT name, v FROM t WHERE id = $1 AND name <> 'skip'")]
    [Arguments("SELECT x.v FROM t AS x WHERE x.id = $1 AND x.v > 5")]
    [Arguments("SELECT t.*, v FROM t WHERE id = $1")]
    public async Task A_streamed_point_read_returns_what_the_general_plan_returns(string sql)
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await s.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, filler text, name text, v int)");
        await s.ExecuteAsync("INSERT INTO t VALUES (1, 'xxxxxxxxxx', 'one', 10), (2, NULL, 'skip', 20), (3, 'y', NULL, 3)");
        PreparedStatement p = s.Prepare(sql, [])!;
        await Assert.That(s.RunsBriefly(p)).IsTrue();
        for (int id = 0; id <= 3; id++)
        {
            string expected = await Materialise(s, p, SqlValue.FromInt4(id));
            await Assert.That(await Stream(s, p, SqlValue.FromInt4(id))).IsEqualTo(expected);
        }

        await Assert.That(await Stream(s, p, SqlValue.Null)).IsEqualTo("");
        await Assert.That(await Stream(s, p, SqlValue.FromInt4(1))).IsNotEqualTo("");
    }

    [Test]
    public async Task A_point_read_sees_the_transaction_s_own_writes()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await s.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10)");
        PreparedStatement p = s.Prepare("SELECT v FROM t WHERE id = $1", [])!;
        await s.ExecuteAsync("BEGIN");
        await s.ExecuteAsync("UPDATE t SET v = 11 WHERE id = 1");
        await Assert.That(await Stream(s, p, SqlValue.FromInt4(1))).IsEqualTo("11");
        await s.ExecuteAsync("ROLLBACK");
        await Assert.That(await Stream(s, p, SqlValue.FromInt4(1))).IsEqualTo("10");
    }
}
