using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.Execution;

/// <summary>
/// EXPLAIN prints what PostgreSQL 15's <c>EXPLAIN (COSTS OFF)</c> prints for the same plan shape (the expected texts
/// were taken from PostgreSQL 15 over the same tables): node lines, indentation and the detail lines.
/// </summary>
public class PlanExplainerTests
{
    private static async Task<PlannerHarness> SeededAsync()
    {
        PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE t (id int PRIMARY KEY, x int, c text)");
        await h.Ok("CREATE TABLE u (id int PRIMARY KEY, a int, s text)");
        await h.Ok("CREATE INDEX u_a ON u (a)");
        await h.Ok("INSERT INTO t SELECT g, g % 10, 'c' || g FROM generate_series(1, 200) g");
        await h.Ok("INSERT INTO u SELECT g, g % 20, 's' || g FROM generate_series(1, 200) g");
        return h;
    }

    public static IEnumerable<(string Sql, string Plan)> Cases() =>
    [
        ("SELECT * FROM t WHERE id = 5", "Index Scan using t_pkey on t\n  Index Cond: (id = 5)"),
        ("SELECT * FROM t WHERE x > 3", "Seq Scan on t\n  Filter: (x > 3)"),
        ("SELECT * FROM t WHERE x > 3 AND c = 'a'", "Seq Scan on t\n  Filter: ((x > 3) AND (c = 'a'::text))"),
        ("SELECT * FROM t JOIN u ON t.id = u.id", "Hash Join\n  Hash Cond: (t.id = u.id)\n  ->  Seq Scan on t\n  ->  Hash\n        ->  Seq Scan on u"),
        ("SELECT x FROM t ORDER BY x", "Sort\n  Sort Key: x\n  ->  Seq Scan on t"),
        ("SELECT x, count(*) FROM t GROUP BY x", "HashAggregate\n  Group Key: x\n  ->  Seq Scan on t"),
        ("SELECT * FROM t WHERE x NOT IN (SELECT a FROM u)", "Seq Scan on t\n  Filter: (NOT (hashed SubPlan 1))\n  SubPlan 1\n    ->  Seq Scan on u"),
        ("SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.x)", "Hash Anti Join\n  Hash Cond: (t.x = u.a)\n  ->  Seq Scan on t\n  ->  Hash\n        ->  Seq Scan on u"),
        ("SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.x)", "Hash Semi Join\n  Hash Cond: (t.x = u.a)\n  ->  Seq Scan on t\n  ->  Hash\n        ->  Seq Scan on u"),
        ("SELECT * FROM t WHERE x BETWEEN 1 AND 5 OR c LIKE 'a%'", "Seq Scan on t\n  Filter: (((x >= 1) AND (x <= 5)) OR (c ~~ 'a%'::text))"),
        ("SELECT * FROM t WHERE NOT (x = 3)", "Seq Scan on t\n  Filter: (x <> 3)"),
        ("SELECT * FROM t WHERE x = 1 AND NULL", "Result\n  One-Time Filter: false"),
    ];

    [Test]
    [Timeout(60_000)]
    public async Task Explain_prints_postgresql_costs_off_text(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync();
        foreach ((string sql, string plan) in Cases())
        {
            await Assert.That(await h.Explain(sql)).IsEqualTo(plan).Because(sql);
            await Assert.That(string.Join("\n", await h.Rows("EXPLAIN (COSTS OFF) " + sql))).IsEqualTo(plan).Because(sql);
        }
    }
}
