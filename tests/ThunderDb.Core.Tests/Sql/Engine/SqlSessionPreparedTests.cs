using ThunderDb.Core.Session;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Sql.Syntax;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;

namespace ThunderDb.Core.Tests.Sql.Engine;

/// <summary>The extended-protocol entry points: Describe (parameter types and columns) and ExecutePreparedAsync.</summary>
public class SqlSessionPreparedTests
{
    [Test]
    public async Task Describe_infers_parameter_types_and_result_columns_without_running()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await s.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, name varchar(10))");
        StatementDescription d = s.Describe(SqlParser.ParseSingle("SELECT name, id + 1 AS next FROM t WHERE id = $1 AND name <> $2"), []);
        await Assert.That(d.ParameterTypes.Count).IsEqualTo(2);
        await Assert.That(d.ParameterTypes[0].Kind).IsEqualTo(SqlTypeKind.Int4);
        await Assert.That(d.ParameterTypes[1].Kind).IsEqualTo(SqlTypeKind.Varchar);
        await Assert.That(d.Columns!.Select(c => c.Name)).IsEquivalentTo(["name", "next"]);
        await Assert.That(d.Columns![1].Type.Kind).IsEqualTo(SqlTypeKind.Int4);

        StatementDescription insert = s.Describe(SqlParser.ParseSingle("INSERT INTO t VALUES ($1, $2)"), [SqlType.Int4]);
        await Assert.That(insert.Columns).IsNull();
        await Assert.That(insert.ParameterTypes[0].Kind).IsEqualTo(SqlTypeKind.Int4);

        // RETURNING is described, so the protocol sends a RowDescription before the rows
        StatementDescription returning = s.Describe(SqlParser.ParseSingle("INSERT INTO t VALUES ($1, $2) RETURNING id, upper(name) AS shout"), [SqlType.Int4, SqlType.Text]);
        await Assert.That(string.Join(",", returning.Columns!.Select(c => $"{c.Name}:{c.Type}"))).IsEqualTo("id:integer,shout:text");
        StatementDescription deleted = s.Describe(SqlParser.ParseSingle("DELETE FROM t WHERE id = $1 RETURNING *"), [SqlType.Int4]);
        await Assert.That(string.Join(",", deleted.Columns!.Select(c => c.Name))).IsEqualTo("id,name");
    }

    [Test]
    public async Task A_failed_prepared_statement_aborts_the_transaction()
    {
        using var t = new TestDatabase();
        SqlEngine engine = await SqlEngine.OpenAsync(t.Db);
        SqlSession s = engine.OpenSession("thunder");
        await s.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY)");
        await s.ExecuteAsync("BEGIN");
        StatementResult ok = await s.ExecutePreparedAsync(SqlParser.ParseSingle("INSERT INTO t VALUES ($1)"), [SqlValue.FromText("1")]);
        await Assert.That(ok.CommandTag).IsEqualTo("INSERT 0 1");
        await Assert.That(async () => await s.ExecutePreparedAsync(SqlParser.ParseSingle("INSERT INTO t VALUES ($1)"), [SqlValue.FromInt4(1)]))
            .Throws<SqlException>();
        await Assert.That(s.State).IsEqualTo(SessionTransactionState.Failed);
    }
}
