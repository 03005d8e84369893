namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>WITH and WITH RECURSIVE; expected rows and errors are PostgreSQL 15's.</summary>
public class WithQueryTests
{
    private static readonly string[] Graph =
    [
        "CREATE TABLE edge (src int, dst int)",
        "INSERT INTO edge VALUES (1,2),(2,3),(3,1),(2,4),(4,5)",
    ];

    [Test]
    public async Task Recursive_union_all_iterates_the_working_table_until_it_is_empty()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Graph);
        await Assert.That(await h.RowsAsync("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t WHERE n < 5) SELECT * FROM t")).IsEqualTo("1\n2\n3\n4\n5");
        await Assert.That(await h.RowsAsync("WITH RECURSIVE path(node, depth, trail) AS (SELECT 1, 0, '1'::text UNION ALL SELECT e.dst, p.depth + 1, p.trail || '>' || e.dst "
            + "FROM path p JOIN edge e ON e.src = p.node WHERE p.depth < 3) SELECT * FROM path ORDER BY depth, trail"))
            .IsEqualTo("1|0|1\n2|1|1>2\n3|2|1>2>3\n4|2|1>2>4\n1|3|1>2>3>1\n5|3|1>2>4>5");
        await Assert.That(await h.RowsAsync("WITH RECURSIVE fib(a, b) AS (VALUES (0::bigint, 1::bigint) UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib"))
            .IsEqualTo("0\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55\n89");
        await Assert.That(await h.RowsAsync("WITH RECURSIVE t(n, s) AS (SELECT 1, 'x' UNION ALL SELECT n + 1, s || 'x' FROM t WHERE n < 3) SELECT * FROM t"))
            .IsEqualTo("1|x\n2|xx\n3|xxx");
    }

    [Test]
    public async Task Recursive_union_discards_seen_rows_so_a_cycle_ends()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Graph);
        await Assert.That(await h.RowsAsync("WITH RECURSIVE reach(node) AS (SELECT 1 UNION SELECT e.dst FROM edge e JOIN reach r ON e.src = r.node) SELECT node FROM reach ORDER BY node"))
            .IsEqualTo("1\n2\n3\n4\n5");
        await Assert.That(await h.RowsAsync("WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT (n % 3) + 1 FROM t) SELECT * FROM t")).IsEqualTo("1\n2\n3");
    }

    [Test]
    [Timeout(60_000)]
    public async Task An_endless_recursion_stops_at_a_limit_above_it_or_fails_with_54000(CancellationToken ct)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.RowsAsync("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t) SELECT * FROM t LIMIT 3")).IsEqualTo("1\n2\n3");
        await Assert.That(await h.ErrorAsync("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n FROM t) SELECT count(*) FROM t"))
            .IsEqualTo("54000: recursive query \"t\" produced more than 10000000 rows");
    }

    [Test]
    public async Task Ctes_see_the_ones_before_them_and_accept_materialized_hints()
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.RowsAsync("WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a), c AS MATERIALIZED (SELECT y * 10 AS z FROM b) SELECT * FROM a, b, c"))
            .IsEqualTo("1|2|20");
        await Assert.That(await h.RowsAsync("WITH RECURSIVE t(n) AS NOT MATERIALIZED (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3), u AS (SELECT n * 2 AS m FROM t) "
            + "SELECT n, m FROM t JOIN u ON m = n * 2 ORDER BY n")).IsEqualTo("1|2\n2|4\n3|6");
        await Assert.That(await h.RowsAsync("WITH t(a) AS (SELECT 1, 2 AS b) SELECT a, b FROM t")).IsEqualTo("1|2");
    }

    [Test]
    public async Task Insert_reads_rows_from_its_ctes()
    {
        using QueryHarness h = await QueryHarness.OpenAsync("CREATE TABLE t (a int, b int)");
        await h.RowsAsync("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) INSERT INTO t SELECT n + 100, n FROM r");
        await Assert.That(await h.RowsAsync("SELECT a, b FROM t ORDER BY a")).IsEqualTo("101|1\n102|2\n103|3");
    }

    [Test]
    [Arguments("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3 ORDER BY 1) SELECT * FROM r", "0A000: ORDER BY in a recursive query is not implemented")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t WHERE n < (SELECT max(n) FROM t)) SELECT * FROM t",
        "42P19: recursive reference to query \"t\" must not appear within a subquery")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT a.n+1 FROM t a, t b) SELECT * FROM t", "42P19: recursive reference to query \"t\" must not appear more than once")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT n FROM t UNION ALL SELECT 1) SELECT * FROM t", "42P19: recursive reference to query \"t\" must not appear within its non-recursive term")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT 1 FROM t) SELECT * FROM t", "42P19: recursive query \"t\" does not have the form non-recursive-term UNION [ALL] recursive-term")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n*1.5 FROM t WHERE n < 5) SELECT * FROM t",
        "42804: recursive query \"t\" column 1 has type integer in non-recursive term but type numeric overall")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM (VALUES (1)) v(x) LEFT JOIN t ON true WHERE n < 3) SELECT * FROM t",
        "42P19: recursive reference to query \"t\" must not appear within an outer join")]
    [Arguments("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT count(*) FROM t) SELECT * FROM t", "42P19: aggregate functions are not allowed in a recursive query's recursive term")]
    [Arguments("WITH RECURSIVE t(a, b) AS (SELECT 1) SELECT * FROM t", "42P10: WITH query \"t\" has 1 columns available but 2 columns specified")]
    [Arguments("WITH x AS (SELECT 1), x AS (SELECT 2) SELECT 1", "42712: WITH query name \"x\" specified more than once")]
    public async Task Invalid_recursion_answers_postgres_errors(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }
}
