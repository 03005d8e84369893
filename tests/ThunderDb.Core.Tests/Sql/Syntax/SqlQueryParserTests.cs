using ThunderDb.Core.Sql.Syntax;
using static ThunderDb.Core.Tests.Sql.Syntax.SqlTestHelpers;

namespace ThunderDb.Core.Tests.Sql.Syntax;

public class SqlQueryParserTests
{
    [Test]
    public async Task Select_with_every_clause()
    {
        await Assert.That(Print("select distinct on (a) a, b as x, t.* from t1 as t left join t2 using (id) where a > 1 group by a, b having count(*) > 1 order by a desc nulls first, 2 limit 10 offset 5"))
            .IsEqualTo("SELECT DISTINCT ON (a) a, b AS x, t.* FROM t1 AS t LEFT JOIN t2 USING (id) WHERE (a > 1) GROUP BY a, b HAVING (count(*) > 1) ORDER BY a DESC NULLS FIRST, 2 LIMIT 10 OFFSET 5");
        SelectQuery s = Select("SELECT a x, b \"Y\" FROM t");
        await Assert.That(s.Targets[0].Alias).IsEqualTo("x");
        await Assert.That(s.Targets[1].Alias).IsEqualTo("Y");
        await Assert.That(s.Targets.Count).IsEqualTo(2);
        await Assert.That(Select("SELECT DISTINCT a FROM t").Distinct).IsEqualTo(DistinctKind.Distinct);
        await Assert.That(Select("SELECT * FROM t").Targets[0].Expr).IsTypeOf<StarExpr>();
        await Assert.That(Select("SELECT FROM t").Targets.Count).IsEqualTo(0);
        await Assert.That(Select("SELECT 1").From.Count).IsEqualTo(0);
    }

    [Test]
    public async Task Joins_of_every_kind()
    {
        await Assert.That(Print("SELECT * FROM a JOIN b ON a.id = b.id INNER JOIN c ON true"))
            .IsEqualTo("SELECT * FROM a JOIN b ON (a.id = b.id) JOIN c ON TRUE");
        await Assert.That(Print("SELECT * FROM a RIGHT OUTER JOIN b ON x FULL JOIN c ON y CROSS JOIN d NATURAL LEFT JOIN e"))
            .IsEqualTo("SELECT * FROM a RIGHT JOIN b ON x FULL JOIN c ON y CROSS JOIN d NATURAL LEFT JOIN e");
        await Assert.That(Print("SELECT * FROM a, b AS bb, c cc")).IsEqualTo("SELECT * FROM a, b AS bb, c AS cc");
        await Assert.That(Print("SELECT * FROM a JOIN (b JOIN c ON p) ON q")).IsEqualTo("SELECT * FROM a JOIN (b JOIN c ON p) ON q");
        var join = (JoinTableRef)Select("SELECT * FROM a LEFT JOIN b ON a.x = b.x").From[0];
        await Assert.That(join.Kind).IsEqualTo(JoinKind.Left);
        await Assert.That(((NamedTableRef)join.Right).Name.Name).IsEqualTo("b");
        await Assert.That(join.On).IsTypeOf<BinaryExpr>();
    }

    [Test]
    public async Task Derived_tables_lateral_and_table_functions()
    {
        await Assert.That(Print("SELECT * FROM (SELECT 1 AS x) AS s(y)")).IsEqualTo("SELECT * FROM (SELECT 1 AS x) AS s(y)");
        await Assert.That(Print("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s)")).IsEqualTo("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)");
        await Assert.That(Print("SELECT * FROM t CROSS JOIN LATERAL (SELECT t.a) AS o(n)")).IsEqualTo("SELECT * FROM t CROSS JOIN LATERAL (SELECT t.a) AS o(n)");
        var f = (FunctionTableRef)Select("SELECT g FROM generate_series(1, 10) AS g").From[0];
        await Assert.That(f.Function.FunctionName).IsEqualTo("generate_series");
        await Assert.That(f.Alias!.Name).IsEqualTo("g");
        await Assert.That(Print("SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u")).IsEqualTo("SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u");
        await Assert.That(Print("SELECT * FROM ((a JOIN b ON p)) AS j")).IsEqualTo("SELECT * FROM (a JOIN b ON p) AS j");
    }

    [Test]
    public async Task Set_operations_bind_intersect_tighter()
    {
        var q = ((SelectStatement)Parse("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3")).Query;
        var union = (SetOperationQuery)q.Body;
        await Assert.That(union.Operator).IsEqualTo(SetOperator.Union);
        await Assert.That(((SetOperationQuery)union.Right).Operator).IsEqualTo(SetOperator.Intersect);
        var left = (SetOperationQuery)((SelectStatement)Parse("SELECT 1 EXCEPT ALL SELECT 2 UNION SELECT 3")).Query.Body;
        await Assert.That(left.Operator).IsEqualTo(SetOperator.Union);
        await Assert.That(((SetOperationQuery)left.Left).All).IsTrue();
        await Assert.That(Print("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT 2 ORDER BY 1"))
            .IsEqualTo("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT 2 ORDER BY 1");
    }

    [Test]
    public async Task With_recursive_values_fetch_and_locking()
    {
        await Assert.That(Print("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT * FROM t"))
            .IsEqualTo("WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT (n + 1) FROM t WHERE (n < 10)) SELECT * FROM t");
        await Assert.That(Print("WITH a AS MATERIALIZED (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b"))
            .IsEqualTo("WITH a AS MATERIALIZED (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b");
        await Assert.That(Print("VALUES (1, 2), (3, 4)")).IsEqualTo("VALUES (1, 2), (3, 4)");
        Query fetch = ((SelectStatement)Parse("SELECT * FROM t OFFSET 2 ROWS FETCH FIRST 5 ROWS ONLY")).Query;
        await Assert.That(SqlPrinter.Print(fetch.Limit!)).IsEqualTo("5");
        await Assert.That(SqlPrinter.Print(fetch.Offset!)).IsEqualTo("2");
        await Assert.That(Print("SELECT * FROM t FETCH NEXT ROW ONLY")).IsEqualTo("SELECT * FROM t LIMIT 1");
        await Assert.That(Print("SELECT * FROM t LIMIT ALL")).IsEqualTo("SELECT * FROM t LIMIT NULL");
        Query locked = ((SelectStatement)Parse("SELECT * FROM t WHERE id = 1 FOR UPDATE OF t SKIP LOCKED")).Query;
        await Assert.That(locked.Locking[0].Strength).IsEqualTo(LockStrength.Update);
        await Assert.That(locked.Locking[0].Wait).IsEqualTo(LockWait.SkipLocked);
        await Assert.That(Print("SELECT * FROM t FOR SHARE NOWAIT")).IsEqualTo("SELECT * FROM t FOR SHARE NOWAIT");
        await Assert.That(Print("SELECT * FROM t FOR NO KEY UPDATE")).IsEqualTo("SELECT * FROM t FOR NO KEY UPDATE");
        await Assert.That(Print("TABLE t")).IsEqualTo("SELECT * FROM t");
    }

    [Test]
    public async Task Named_windows_and_group_by_expressions()
    {
        await Assert.That(Print("SELECT sum(x) OVER w FROM t WINDOW w AS (PARTITION BY y ORDER BY z)"))
            .IsEqualTo("SELECT sum(x) OVER w FROM t WINDOW w AS (PARTITION BY y ORDER BY z)");
        await Assert.That(Print("SELECT a + 1, count(*) FROM t GROUP BY a + 1 HAVING sum(b) > 0"))
            .IsEqualTo("SELECT (a + 1), count(*) FROM t GROUP BY (a + 1) HAVING (sum(b) > 0)");
    }

    [Test]
    public async Task Multiple_statements_and_empty_input()
    {
        await Assert.That(SqlParser.Parse("SELECT 1; SELECT 2;; ").Count).IsEqualTo(2);
        await Assert.That(SqlParser.Parse("").Count).IsEqualTo(0);
        const string batch = "  SELECT 1 ;\n-- two\nUPDATE t SET a = 'x;y';";
        IReadOnlyList<ParsedStatement> texts = SqlParser.ParseWithText(batch);
        await Assert.That(texts.Select(p => batch.Substring(p.Start, p.Length))).IsEquivalentTo(new[] { "SELECT 1", "UPDATE t SET a = 'x;y'" });
        await Assert.That(SqlParser.Parse(" -- just a comment\n /* and another */ ;").Count).IsEqualTo(0);
        IReadOnlyList<SqlStatement> mixed = SqlParser.Parse("BEGIN; UPDATE t SET a = 1; COMMIT");
        await Assert.That(mixed[0]).IsTypeOf<TransactionStatement>();
        await Assert.That(mixed[1]).IsTypeOf<UpdateStatement>();
        await Assert.That(mixed[2]).IsTypeOf<TransactionStatement>();
    }
}
