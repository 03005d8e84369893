using System.Diagnostics;

namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// Hash joins, index nested-loop joins and join ordering against plain nested loops over full scans (the
/// planner with enable_indexscan and enable_hashjoin off), with NULL keys and duplicate keys on both sides.
/// </summary>
public class JoinPlannerTests
{
    private static Task<PlannerHarness> SeededAsync() => PlannerHarness.JoinTablesAsync(7, i => $"l{i}", i => $"r{i}");

    private static readonly string[] Queries =
    [
        "SELECT * FROM l JOIN r ON l.k = r.k",
        "SELECT * FROM l LEFT JOIN r ON l.k = r.k",
        "SELECT * FROM l RIGHT JOIN r ON l.k = r.k",
        "SELECT * FROM l FULL JOIN r ON l.k = r.k",
        "SELECT * FROM l LEFT JOIN r ON l.k = r.k AND r.w > 'r1' WHERE l.id < 20",
        "SELECT * FROM l FULL JOIN r ON l.k = r.k AND l.id < r.id",
        "SELECT * FROM l RIGHT JOIN r ON l.k = r.k AND l.v < 'l3'",
        "SELECT * FROM l LEFT JOIN r ON l.k = r.k WHERE r.id IS NULL",
        "SELECT * FROM l JOIN r USING (id)",
        "SELECT * FROM l, r WHERE l.k = r.k AND l.id = 3",
        "SELECT * FROM l, r WHERE r.k = l.k + 1 AND l.id < 5",
        "SELECT * FROM l, r, s WHERE l.k = r.k AND r.k = s.k",
        "SELECT * FROM s, r, l WHERE l.k = r.k AND s.n = 1 AND s.id = l.id",
        "SELECT * FROM l, r WHERE l.k < r.k AND r.id = 2",
        "SELECT * FROM l, r WHERE l.id = 4 AND r.id = 5",
        "SELECT * FROM l JOIN r ON l.k = r.k JOIN s ON s.k = l.k WHERE s.n <> 2",
        "SELECT * FROM l JOIN (r JOIN s ON r.k = s.k) ON l.k = s.n",
        "SELECT * FROM l LEFT JOIN (r JOIN s ON r.k = s.k) ON l.k = r.k",
        "SELECT l.id, x.c FROM l JOIN (SELECT k, count(*) AS c FROM r GROUP BY k) AS x ON x.k = l.k",
        "SELECT * FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k AND r.id > 10)",
        "SELECT * FROM l WHERE l.k IN (SELECT k FROM r WHERE r.id < 10)",
        "SELECT * FROM l, r WHERE l.k = r.k AND (SELECT count(*) FROM s WHERE s.n = l.id) > 0",
        "SELECT * FROM l, (VALUES (1), (2), (NULL)) AS v(x) WHERE v.x = l.k",
        "SELECT * FROM l, r WHERE l.k = r.k OR l.id = r.id",
        "SELECT * FROM l JOIN s ON l.k = s.k",
        "SELECT * FROM l, r WHERE 1 = 0",
    ];

    [Test]
    [Timeout(120_000)]
    public async Task Joins_return_what_nested_loops_over_full_scans_return(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync();
        foreach (string sql in Queries)
        {
            (List<string> planned, List<string> plain) = await h.Both(sql);
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain)).Because(sql);
        }

        (List<string> outer, _) = await h.Both("SELECT * FROM l FULL JOIN r ON l.k = r.k");
        await Assert.That(outer.Count(row => row.StartsWith("NULL|NULL|NULL|", StringComparison.Ordinal))).IsGreaterThan(0); // unmatched right rows, NULL keys among them
    }

    [Test]
    [Timeout(60_000)]
    public async Task Null_keys_never_match_and_duplicates_multiply(CancellationToken ct)
    {
        using PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE a (x int)");
        await h.Ok("CREATE TABLE b (y int)");
        await h.Ok("INSERT INTO a VALUES (1), (1), (2), (NULL), (NULL)");
        await h.Ok("INSERT INTO b VALUES (1), (1), (1), (3), (NULL)");
        await Assert.That(await h.Explain("SELECT * FROM a JOIN b ON a.x = b.y")).Contains("Hash Join");
        await Assert.That(await h.Rows("SELECT count(*) FROM a JOIN b ON a.x = b.y")).IsEquivalentTo(["6"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM a LEFT JOIN b ON a.x = b.y")).IsEquivalentTo(["9"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM a RIGHT JOIN b ON a.x = b.y")).IsEquivalentTo(["8"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM a FULL JOIN b ON a.x = b.y")).IsEquivalentTo(["11"]);
        await Assert.That(await h.Rows("SELECT count(*) FROM a, b WHERE a.x = b.y")).IsEquivalentTo(["6"]);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Explain_shows_hash_joins_index_nested_loops_and_plain_loops(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync();
        string point = await h.Explain("SELECT * FROM l, r WHERE l.id = 3 AND r.k = l.k");
        await Assert.That(point).Contains("Nested Loop");
        await Assert.That(point).Contains("Index Scan using l_pkey on l");
        await Assert.That(point).Contains("Index Scan using r_k on r");
        string hash = await h.Explain("SELECT * FROM l JOIN r ON l.k = r.k");
        await Assert.That(hash).Contains("Hash Join");
        await Assert.That(hash).Contains("->  Hash");
        await Assert.That(await h.Explain("SELECT * FROM l LEFT JOIN r ON l.k = r.k")).Contains("Hash Left Join");
        await Assert.That(await h.Explain("SELECT * FROM l, r WHERE l.k < r.k")).Contains("Nested Loop");
        await h.Ok("SET enable_hashjoin = off");
        await Assert.That(await h.Explain("SELECT * FROM l JOIN r ON l.k = r.k")).DoesNotContain("Hash");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Many_table_comma_joins_follow_the_equalities_instead_of_a_cross_product(CancellationToken ct)
    {
        using PlannerHarness h = await PlannerHarness.OpenAsync();
        const int tables = 16;
        for (int i = 1; i <= tables; i++)
        {
            await h.Ok($"CREATE TABLE t{i} (a{i} int PRIMARY KEY, b{i} int)");
            await h.Ok($"INSERT INTO t{i} VALUES " + string.Join(", ", Enumerable.Range(1, 10).Select(v => $"({v}, {(v * i % 10) + 1})")));
        }

        // written in an order where neighbours in the FROM list are not the joined pairs
        string from = string.Join(", ", Enumerable.Range(1, tables).Select(i => $"t{(i * 5 % tables) + 1}"));
        string where = string.Join(" AND ", Enumerable.Range(1, tables - 1).Select(i => $"b{i} = a{i + 1}"));
        var watch = Stopwatch.StartNew();
        List<string> rows = await h.Rows($"SELECT count(*), sum(a1) FROM {from} WHERE {where} AND a1 < 6");
        watch.Stop();
        await Assert.That(rows).IsEquivalentTo(["5|15"]);
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(20));
    }
}
