using System.Text.RegularExpressions;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// EXPLAIN ANALYZE: one psql script (unaligned, so the plan lines are compared, not psql's column widths) against
/// ThunderDB and the distribution's PostgreSQL 15 must print the same per-node actual rows and loops, Rows Removed by
/// Filter, INSERT / UPDATE / DELETE really run inside a transaction block, and option errors. The lines only PostgreSQL prints (memory of hash tables and sorts)
/// are dropped from both sides, and the Planning / Execution Time figures are masked (their presence is compared).
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed partial class ExplainAnalyzeDifferentialTests
{
    private const string Script = """
        CREATE TABLE ea (id int PRIMARY KEY, g int, v text);
        INSERT INTO ea SELECT i, i % 3, 'v' || i FROM generate_series(1, 20) i;
        CREATE TABLE eb (id int PRIMARY KEY, a int);
        INSERT INTO eb SELECT i, i FROM generate_series(1, 5) i;
        ANALYZE ea;
        ANALYZE eb;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea WHERE v LIKE 'v1%';
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM ea;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT g, count(*) FROM ea GROUP BY g;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea LIMIT 2;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT generate_series(1,3);
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id, generate_series(1, g) FROM ea WHERE g > 0;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea WHERE false;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea JOIN eb ON ea.id = eb.id;
        SET enable_seqscan = off;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea WHERE id = 3;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea WHERE id = 3 AND v = 'x';
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea WHERE id = 300;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ea WHERE id < 3;
        RESET enable_seqscan;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT 1 WHERE false;
        EXPLAIN (ANALYZE, COSTS OFF) SELECT 1;
        EXPLAIN ANALYZE SELECT 1;
        EXPLAIN (COSTS OFF, TIMING OFF) SELECT 1;
        EXPLAIN (SUMMARY, COSTS OFF) SELECT 1;
        BEGIN;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM ea WHERE g = 2;
        COMMIT;
        BEGIN;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) UPDATE ea SET v = 'x' WHERE g = 1;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) DELETE FROM ea WHERE v = 'v3' RETURNING id;
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO eb VALUES (100, 1);
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO eb VALUES (101, 1), (102, 2);
        EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO eb SELECT id + 1000, g FROM ea WHERE g = 2;
        EXPLAIN (COSTS OFF) DELETE FROM eb;
        SELECT count(*), count(*) FILTER (WHERE v = 'x') FROM ea;
        SELECT count(*) FROM eb;
        ROLLBACK;
        SELECT count(*) FROM eb;
        EXPLAIN (FOO) SELECT 1;
        EXPLAIN (FORMAT xx) SELECT 1;
        EXPLAIN (TIMING) SELECT 1;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Psql_script_prints_what_postgresql_prints(CancellationToken ct)
    {
        await PsqlScriptDifferential.AssertSamePrintoutAsync(Script, ct, ["-A", "-t"], normalize: Normalize);
    }

    /// <summary>Without PostgreSQL's memory lines and costs (EXPLAIN ANALYZE without COSTS OFF prints them), times masked.</summary>
    private static string Normalize(string stdout) => string.Join('\n', stdout.Split('\n')
        .Where(l => !l.Contains("Memory Usage:", StringComparison.Ordinal) && !l.Contains("Sort Method:", StringComparison.Ordinal))
        .Select(l => Times().Replace(Costs().Replace(l, ""), "N")));


    [GeneratedRegex(@"\d+\.\d{3}")]
    private static partial Regex Times();

    [GeneratedRegex(@" +\(cost=[^)]*\)")]
    private static partial Regex Costs();
}
