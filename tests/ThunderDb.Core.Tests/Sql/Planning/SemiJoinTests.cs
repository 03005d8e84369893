namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// EXISTS / NOT EXISTS / IN (subquery) planned as hash semi and anti joins, and uncorrelated subqueries run once,
/// against the same queries with hash joins off (every subquery then runs per row, the reference semantics), with
/// NULL keys on both sides, duplicates, residual conditions and references two queries out.
/// </summary>
public class SemiJoinTests
{
    private static Task<PlannerHarness> SeededAsync() => PlannerHarness.JoinTablesAsync(11, i => $"l{i % 7}", i => $"l{i % 5}");

    private static readonly string[] Queries =
    [
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)",
        "SELECT * FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k)",
        "SELECT * FROM l WHERE EXISTS (SELECT * FROM r WHERE l.k = r.k AND r.id > 10)",
        "SELECT * FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.w = l.v)",
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.id < l.id)",
        "SELECT * FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.id < l.id) AND l.id > 3",
        "SELECT * FROM l WHERE l.k IN (SELECT k FROM r)",
        "SELECT * FROM l WHERE l.k IN (SELECT k FROM r WHERE r.id < 10) AND l.v <> 'l2'",
        "SELECT * FROM l WHERE l.k NOT IN (SELECT k FROM r WHERE r.id < 10)",
        "SELECT * FROM l WHERE l.k NOT IN (SELECT k FROM r WHERE r.k IS NOT NULL)",
        "SELECT * FROM l WHERE l.k NOT IN (SELECT k FROM r WHERE r.id < 0)",
        "SELECT * FROM l WHERE l.k + 1 IN (SELECT k FROM s)",
        "SELECT * FROM l WHERE l.k IN (SELECT r.k FROM r WHERE r.w = l.v)",
        "SELECT * FROM l WHERE l.k IN (SELECT k FROM r) OR l.id = 1",
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r, s WHERE r.k = s.k AND s.n = l.k)",
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k) AND NOT EXISTS (SELECT 1 FROM s WHERE s.k = l.k)",
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.id = 3)",
        "SELECT l.id, (SELECT count(*) FROM r WHERE r.k = l.k AND EXISTS (SELECT 1 FROM s WHERE s.k = r.k AND s.n = l.id % 3)) FROM l",
        "SELECT * FROM l WHERE l.id < (SELECT count(*) FROM r WHERE EXISTS (SELECT 1 FROM s WHERE s.k = r.k AND s.n = l.k))",
        "SELECT l.k, count(*) FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k) GROUP BY l.k",
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k) ORDER BY l.id LIMIT 5",
        "SELECT * FROM l WHERE l.v IN (SELECT w FROM r WHERE r.k = l.k)",
        "SELECT * FROM l WHERE l.k = ANY (SELECT k FROM r) AND l.k > ALL (SELECT n FROM s WHERE n IS NOT NULL)",
        "SELECT * FROM l WHERE (SELECT max(k) FROM r) > l.k",
        "SELECT * FROM l JOIN s ON s.n = l.k WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.k = s.k)",
    ];

    [Test]
    [Timeout(120_000)]
    public async Task Semi_and_anti_joins_return_what_per_row_subqueries_return(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync();
        foreach (string sql in Queries)
        {
            (List<string> planned, List<string> plain) = await h.Both(sql);
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain)).Because(sql);
        }
    }

    [Test]
    [Timeout(60_000)]
    public async Task Null_rules_of_in_not_in_and_not_exists(CancellationToken ct)
    {
        using PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE a (x int)");
        await h.Ok("CREATE TABLE b (y int)");
        await h.Ok("INSERT INTO a VALUES (1), (2), (NULL)");
        await h.Ok("INSERT INTO b VALUES (1), (3)");
        await Assert.That(await h.Rows("SELECT x FROM a WHERE x IN (SELECT y FROM b)")).IsEquivalentTo(["1"]);
        await Assert.That(PlannerHarness.Sorted(await h.Rows("SELECT x FROM a WHERE x NOT IN (SELECT y FROM b)"))).IsEquivalentTo(["2"]);
        await Assert.That(PlannerHarness.Sorted(await h.Rows("SELECT x FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.y = a.x)"))).IsEquivalentTo(["2", "NULL"]);
        await Assert.That(PlannerHarness.Sorted(await h.Rows("SELECT x FROM a WHERE x NOT IN (SELECT y FROM b WHERE y > 5)"))).IsEquivalentTo(["1", "2", "NULL"]);
        await Assert.That(await h.Rows("SELECT x, x IN (SELECT y FROM b), x NOT IN (SELECT y FROM b) FROM a ORDER BY x"))
            .IsEquivalentTo(["1|t|f", "2|f|t", "NULL|NULL|NULL"]);
        await h.Ok("INSERT INTO b VALUES (NULL)");
        await Assert.That(await h.Rows("SELECT x FROM a WHERE x NOT IN (SELECT y FROM b)")).IsEmpty();
        await Assert.That(await h.Rows("SELECT x FROM a WHERE x IN (SELECT y FROM b)")).IsEquivalentTo(["1"]);
        await Assert.That(await h.Rows("SELECT x, x NOT IN (SELECT y FROM b) FROM a ORDER BY x")).IsEquivalentTo(["1|f", "2|NULL", "NULL|NULL"]);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Explain_shows_hash_semi_and_anti_joins(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync();
        string exists = await h.Explain("SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)");
        await Assert.That(exists).StartsWith("Hash Semi Join");
        await Assert.That(exists).Contains("->  Seq Scan on l");
        await Assert.That(exists).Contains("->  Hash");
        await Assert.That(await h.Explain("SELECT * FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.w <> l.v)")).StartsWith("Hash Anti Join");
        await Assert.That(await h.Explain("SELECT * FROM l WHERE l.k IN (SELECT k FROM r WHERE r.id > 3)")).StartsWith("Hash Semi Join");
        await Assert.That(await h.Explain("SELECT * FROM l WHERE l.k NOT IN (SELECT k FROM r)")).DoesNotContain("Anti");
        // one outer row (a primary-key point read): the subquery runs for it through r's index instead of hashing r
        string point = await h.Explain("SELECT * FROM l WHERE l.id = 3 AND EXISTS (SELECT 1 FROM r WHERE r.k = l.k)");
        await Assert.That(point).DoesNotContain("Semi");
        await Assert.That(point).Contains("Index Scan using r_k on r");
        await Assert.That(await h.Rows("SELECT count(*) FROM l WHERE l.id < 40 AND EXISTS (SELECT 1 FROM r WHERE r.k = l.k)"))
            .IsEquivalentTo(await h.Rows("SELECT count(*) FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k) AND l.id < 40"));
        await h.Ok("SET enable_hashjoin = off");
        await Assert.That(await h.Explain("SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)")).DoesNotContain("Semi");
    }

    [Test]
    [Timeout(120_000)]
    public async Task Large_semi_and_anti_joins_and_not_in_read_the_subquery_once(CancellationToken ct)
    {
        using PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE big (id int PRIMARY KEY, k int)");
        await h.Ok("CREATE TABLE other (id int PRIMARY KEY, k int)");
        await h.Ok("INSERT INTO big SELECT g, g % 3000 FROM generate_series(1, 6000) g");
        await h.Ok("INSERT INTO other SELECT g, g * 2 FROM generate_series(1, 6000) g");
        // per outer row these read 6000 x 6000 rows (36M); a hash join or a set read once reads 12000
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.That(await h.Rows("SELECT count(*) FROM big WHERE EXISTS (SELECT 1 FROM other WHERE other.k = big.k)")).IsEquivalentTo(["2998"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM big WHERE NOT EXISTS (SELECT 1 FROM other WHERE other.k = big.k)")).IsEquivalentTo(["3002"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM big WHERE k IN (SELECT k FROM other)")).IsEquivalentTo(["2998"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM big WHERE k NOT IN (SELECT k FROM other)")).IsEquivalentTo(["3002"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM big WHERE k IN (SELECT k FROM other) OR id < 0")).IsEquivalentTo(["2998"]);
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(30));
    }

    [Test]
    [Arguments("SELECT '1' IN (SELECT id FROM t)", "t")]
    [Arguments("SELECT '3' NOT IN (SELECT id FROM t)", "t")]
    [Arguments("SELECT '2' > ALL (SELECT id FROM t)", "f")]
    [Arguments("SELECT 'x' = ANY (SELECT 'x')", "t")]
    [Arguments("SELECT id FROM t WHERE '2' IN (SELECT id FROM t) ORDER BY id", "1\n2")]
    [Arguments("SELECT 'hello' IN (SELECT id FROM t)", "22P02: invalid input syntax for type integer: \"hello\"")]
    [Arguments("SELECT 1 IN (SELECT 'a')", "42883: operator does not exist: integer = text")]
    [Arguments("SELECT id FROM t WHERE id::text IN (SELECT id FROM t)", "42883: operator does not exist: text = integer")]
    public async Task An_untyped_operand_of_a_subquery_comparison_takes_the_subquery_column_type(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
        string actual = expected.Contains(": ", StringComparison.Ordinal) ? await h.ErrorAsync(sql) : await h.RowsAsync(sql);
        await Assert.That(actual).IsEqualTo(expected);
    }
}
