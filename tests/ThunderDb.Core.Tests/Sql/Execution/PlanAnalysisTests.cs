using System.Text.RegularExpressions;
using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.Execution;

/// <summary>EXPLAIN ANALYZE through the session: per-node actual rows and loops, rows removed by filters, times and summary lines, option errors.</summary>
public partial class PlanAnalysisTests
{
    private const string Analyze = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ";

    private static Task<QueryHarness> SeededAsync() => QueryHarness.OpenAsync(
        "CREATE TABLE t (id int PRIMARY KEY, x int)",
        "CREATE TABLE u (id int PRIMARY KEY, a int)",
        "CREATE INDEX u_a ON u (a)",
        "INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 50) g",
        "INSERT INTO u SELECT g, g % 20 FROM generate_series(1, 200) g");

    [Test]
    [Arguments("SELECT * FROM t WHERE x > 6", "Seq Scan on t (actual rows=15 loops=1)\n  Filter: (x > 6)\n  Rows Removed by Filter: 35")]
    [Arguments("SELECT * FROM t WHERE id = 7", "Index Scan using t_pkey on t (actual rows=1 loops=1)\n  Index Cond: (id = 7)")]
    [Arguments("SELECT count(*) FROM t", "Aggregate (actual rows=1 loops=1)\n  ->  Seq Scan on t (actual rows=50 loops=1)")]
    [Arguments("SELECT * FROM t LIMIT 3", "Limit (actual rows=3 loops=1)\n  ->  Seq Scan on t (actual rows=3 loops=1)")]
    [Arguments("SELECT generate_series(1, 4)", "ProjectSet (actual rows=4 loops=1)\n  ->  Result (actual rows=1 loops=1)")]
    [Arguments("SELECT * FROM t WHERE false", "Result (actual rows=0 loops=1)\n  One-Time Filter: false")]
    public async Task Nodes_show_their_actual_rows_and_loops(string sql, string expected)
    {
        using QueryHarness h = await SeededAsync();
        await Assert.That(await h.RowsAsync(Analyze + sql)).IsEqualTo(expected);
    }

    [Test]
    public async Task Inner_side_of_an_index_nested_loop_counts_one_loop_per_outer_row()
    {
        using QueryHarness h = await SeededAsync();
        await h.RowsAsync("SET enable_hashjoin = off");
        string plan = await h.RowsAsync(Analyze + "SELECT * FROM t JOIN u ON u.a = t.x WHERE t.id <= 3");
        await Assert.That(plan).Contains("Index Scan using u_a on u (actual rows=10 loops=3)").Because(plan);
    }

    [Test]
    public async Task Timing_and_summary_lines_are_printed_by_default()
    {
        using QueryHarness h = await SeededAsync();
        string[] lines = (await h.RowsAsync("EXPLAIN ANALYZE SELECT * FROM t WHERE x = 1")).Split('\n');
        await Assert.That(ActualTime().IsMatch(lines[0])).IsTrue().Because(lines[0]);
        await Assert.That(lines[^2]).Matches(@"^Planning Time: \d+\.\d{3} ms$");
        await Assert.That(lines[^1]).Matches(@"^Execution Time: \d+\.\d{3} ms$");
        await Assert.That(await h.RowsAsync("EXPLAIN (SUMMARY) SELECT 1")).Matches(@"^Result\nPlanning Time: \d+\.\d{3} ms$");
    }

    [Test]
    [Arguments("EXPLAIN (FORMAT JSON) SELECT 1", "0A000: EXPLAIN (FORMAT JSON) is not supported")]
    [Arguments("EXPLAIN (FORMAT xx) SELECT 1", "22023: unrecognized value for EXPLAIN option \"format\": \"xx\"")]
    [Arguments("EXPLAIN (FOO) SELECT 1", "42601: unrecognized EXPLAIN option \"foo\"")]
    [Arguments("EXPLAIN (TIMING) SELECT 1", "22023: EXPLAIN option TIMING requires ANALYZE")]
    [Arguments("EXPLAIN (ANALYZE maybe) SELECT 1", "42601: analyze requires a Boolean value")]
    [Arguments("EXPLAIN (ANALYZE, BUFFERS) SELECT 1", "0A000: EXPLAIN option BUFFERS is not supported")]
    public async Task Bad_options_fail_as_postgres_does(string sql, string expected)
    {
        using QueryHarness h = await SeededAsync();
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    public async Task A_failing_analysed_query_leaves_the_next_statements_uncounted()
    {
        using QueryHarness h = await SeededAsync();
        await Assert.That(await h.ErrorAsync("EXPLAIN ANALYZE SELECT 1 / (x - x) FROM t")).IsEqualTo("22012: division by zero");
        await Assert.That(await h.RowsAsync("SELECT count(*) FROM t")).IsEqualTo("50");
        await Assert.That(await h.RowsAsync("EXPLAIN (COSTS OFF) SELECT count(*) FROM t")).IsEqualTo("Aggregate\n  ->  Seq Scan on t");
    }

    [Test]
    public async Task Analysed_dml_really_changes_rows_and_shows_the_scan_that_found_them()
    {
        using QueryHarness h = await SeededAsync();
        await Assert.That(await h.RowsAsync(Analyze + "UPDATE t SET x = 100 WHERE x = 1"))
            .IsEqualTo("Update on t (actual rows=0 loops=1)\n  ->  Seq Scan on t (actual rows=5 loops=1)\n        Filter: (x = 1)\n        Rows Removed by Filter: 45");
        await Assert.That(await h.RowsAsync("SELECT count(*) FROM t WHERE x = 100")).IsEqualTo("5");
        await Assert.That(await h.RowsAsync(Analyze + "DELETE FROM t WHERE id = 3 RETURNING id"))
            .IsEqualTo("Delete on t (actual rows=1 loops=1)\n  ->  Index Scan using t_pkey on t (actual rows=1 loops=1)\n        Index Cond: (id = 3)");
        await Assert.That(await h.RowsAsync(Analyze + "INSERT INTO t VALUES (100, 1)")).IsEqualTo("Insert on t (actual rows=0 loops=1)\n  ->  Result (actual rows=1 loops=1)");
        await Assert.That(await h.RowsAsync(Analyze + "INSERT INTO t VALUES (101, 1), (102, 2)"))
            .IsEqualTo("Insert on t (actual rows=0 loops=1)\n  ->  Values Scan on \"*VALUES*\" (actual rows=2 loops=1)");
        await Assert.That(await h.RowsAsync(Analyze + "INSERT INTO t SELECT id + 1000, x FROM t WHERE x = 2"))
            .IsEqualTo("Insert on t (actual rows=0 loops=1)\n  ->  Seq Scan on t (actual rows=6 loops=1)\n        Filter: (x = 2)\n        Rows Removed by Filter: 46");
        await Assert.That(await h.RowsAsync("EXPLAIN (COSTS OFF) DELETE FROM u")).IsEqualTo("Delete on u\n  ->  Seq Scan on u");
        await Assert.That(await h.RowsAsync("SELECT count(*) FROM t")).IsEqualTo("58");
    }

    [Test]
    public async Task Analysed_dml_in_a_rolled_back_block_leaves_nothing()
    {
        using QueryHarness h = await SeededAsync();
        await h.RowsAsync("BEGIN");
        await h.RowsAsync("EXPLAIN ANALYZE DELETE FROM u");
        await Assert.That(await h.RowsAsync("SELECT count(*) FROM u")).IsEqualTo("0");
        await h.RowsAsync("ROLLBACK");
        await Assert.That(await h.RowsAsync("SELECT count(*) FROM u")).IsEqualTo("200");
    }

    [GeneratedRegex(@"^Seq Scan on t \(actual time=\d+\.\d{3}\.\.\d+\.\d{3} rows=5 loops=1\)$")]
    private static partial Regex ActualTime();
}
