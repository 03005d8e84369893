using System.Globalization;

namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// Index access paths against the full-scan plan on the same data: every query runs with enable_indexscan on and
/// off over random rows with NULLs and duplicates, and must return the same rows (and, with ORDER BY, the same
/// sequence of sort keys).
/// </summary>
public class IndexSelectionTests
{
    // code point order differs from UTF-16 order between U+FFFF and a surrogate pair
    private static readonly string[] Letters = ["a", "b", "c", "é", "𝄞", "\uffff"];

    private static async Task<PlannerHarness> SeededAsync(int seed, int rows)
    {
        PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE t (id int PRIMARY KEY, a int, b bigint, c text, d float8, e numeric, f char(3))");
        await h.Ok("CREATE INDEX t_a ON t (a)");
        await h.Ok("CREATE INDEX t_ab ON t (a, b)");
        await h.Ok("CREATE INDEX t_c_desc ON t (c DESC)");
        await h.Ok("CREATE INDEX t_d ON t (d NULLS FIRST)");
        await h.Ok("CREATE INDEX t_e ON t (e)");
        await h.Ok("CREATE INDEX t_f ON t (f)");
        await h.Ok("CREATE TABLE p (x int, y int, z text, PRIMARY KEY (x, y))");
        var random = new Random(seed);
        string Maybe(string v) => random.Next(6) == 0 ? "NULL" : v;
        var values = new List<string>();
        for (int i = 0; i < rows; i++)
        {
            string c = string.Concat(Enumerable.Range(0, random.Next(0, 3)).Select(_ => Letters[random.Next(Letters.Length)]));
            string d = random.Next(10) == 0 ? "'NaN'" : (random.Next(-20, 20) / 4.0).ToString(CultureInfo.InvariantCulture);
            values.Add($"({i}, {Maybe(random.Next(-5, 6).ToString(CultureInfo.InvariantCulture))}, {Maybe(random.Next(0, 4).ToString(CultureInfo.InvariantCulture))}, "
                + $"{Maybe("'" + c + "'")}, {Maybe(d)}, {Maybe((random.Next(-10, 10) / 2m).ToString(CultureInfo.InvariantCulture))}, {Maybe("'" + "ab "[random.Next(3)] + "'")})");
        }

        await h.Ok("INSERT INTO t VALUES " + string.Join(", ", values));
        var pk = new List<string>();
        for (int x = 0; x < 8; x++)
        {
            for (int y = 0; y < 8; y += random.Next(1, 3))
            {
                pk.Add($"({x}, {y}, {Maybe("'" + (char)('a' + random.Next(4)) + "'")})");
            }
        }

        await h.Ok("INSERT INTO p VALUES " + string.Join(", ", pk));
        return h;
    }

    private static readonly string[] Predicates =
    [
        "a = 3", "a = -5", "a < 0", "a <= 0 AND a > -3", "a BETWEEN -2 AND 2", "a BETWEEN 2 AND -2", "a IN (1, 3, 3, NULL)", "a IN (NULL)",
        "a IS NULL", "a IS NULL AND b = 2", "a = 2 AND b > 1", "a IN (2, 2, 3) AND b > 1", "a IN (2, -1) AND b IN (1, 1, 2)", "a = 2 AND b <= 1", "a = 1 AND b IS NULL", "a = 2.5", "a = 2.0", "a > 2.5", "a < -2.5",
        "a >= 1e20", "a < -1e20", "a < 'NaN'::float8", "a > 'NaN'::float8", "a = 99999999999", "b = 2", "b > 2 AND b < 2",
        "c = 'a'", "c > 'b'", "c <= 'ab'", "c >= 'é'", "c < '𝄞'", "c > '\uffff'", "c = ''", "c IS NULL", "c IN ('a', 'b', 'zz')",
        "d > 2.5", "d = 0", "d = -0.0::float8", "d >= 'NaN'", "d < 1", "d BETWEEN -1 AND 1", "d IS NULL",
        "e = 2.5", "e > 1", "e <= -2", "e = 2", "e IN (0, 0.5, 1.50)",
        "f = 'a'", "f = 'a  '", "f = 'a'::text", "f > 'a'", "f IS NULL",
        "id = 7", "id IN (1, 2, 500, 7)", "id < 10", "id > 290 AND a IS NOT NULL", "id = 7 AND a = 1", "id BETWEEN 5 AND 3",
        "a = 3 OR b = 1", "NOT (a = 3)", "a <> 3", "a + 0 = 3", "a = b", "c LIKE 'a%'",
    ];

    [Test]
    [Timeout(120_000)]
    public async Task Every_predicate_returns_what_a_full_scan_returns(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync(seed: 11, rows: 300);
        foreach (string predicate in Predicates)
        {
            string sql = $"SELECT * FROM t WHERE {predicate}";
            (List<string> planned, List<string> plain) = await h.Both(sql);
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain)).Because(sql);
        }
    }

    [Test]
    [Timeout(120_000)]
    public async Task After_analyze_every_predicate_and_order_still_returns_what_a_full_scan_returns(CancellationToken ct)
    {
        // the statistics-costed paths (full scans for common values, ordered index scans against a sort) on the same data
        using PlannerHarness h = await SeededAsync(seed: 11, rows: 300);
        await h.Ok("ANALYZE");
        foreach (string predicate in Predicates)
        {
            string sql = $"SELECT * FROM t WHERE {predicate}";
            (List<string> planned, List<string> plain) = await h.Both(sql);
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain)).Because(sql);
        }

        foreach (string sql in new[] { "SELECT a FROM t WHERE a > 0 ORDER BY a", "SELECT c FROM t ORDER BY c DESC LIMIT 7", "SELECT id FROM t WHERE a = 2 ORDER BY id DESC",
            "SELECT x, y FROM p WHERE x = 3 ORDER BY x, y" })
        {
            (List<string> planned, List<string> plain) = await h.Both(sql);
            await Assert.That(planned).IsEquivalentTo(plain, TUnit.Assertions.Enums.CollectionOrdering.Matching).Because(sql);
        }
    }

    [Test]
    [Timeout(120_000)]
    public async Task Composite_primary_key_prefixes_and_ranges_match_a_full_scan(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync(seed: 5, rows: 10);
        string[] shapes = ["x = 3", "x = 3 AND y = 4", "x = 3 AND y > 2", "x = 3 AND y BETWEEN 1 AND 5", "x IN (1, 5) AND y = 2", "x > 5",
            "x >= 2 AND x < 4 AND y = 1", "y = 3", "x = 3 AND y IN (0, 2, 4)", "x = 3 AND z = 'a'", "x = 3.5", "x = 3 AND y < 2.5"];
        foreach (string predicate in shapes)
        {
            string sql = $"SELECT * FROM p WHERE {predicate}";
            (List<string> planned, List<string> plain) = await h.Both(sql);
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain)).Because(sql);
        }
    }

    [Test]
    [Timeout(120_000)]
    public async Task Order_by_served_by_an_index_keeps_the_sort_order(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync(seed: 3, rows: 300);
        string[] orders = ["a", "a DESC", "a NULLS FIRST", "a, b", "a DESC, b DESC", "c DESC", "c", "c NULLS FIRST", "d NULLS FIRST", "d DESC NULLS LAST", "d",
            "e", "f", "id DESC", "id"];
        string[] wheres = ["", "WHERE a = 2", "WHERE a > 0", "WHERE c > 'a'"];
        foreach (string order in orders)
        {
            foreach (string where in wheres)
            {
                foreach (string limit in new[] { "", "LIMIT 7" })
                {
                    string keys = string.Join(", ", order.Split(',').Select(k => k.Trim().Split(' ')[0]));
                    string sql = $"SELECT {keys} FROM t {where} ORDER BY {order} {limit}";
                    (List<string> planned, List<string> plain) = await h.Both(sql);
                    await Assert.That(planned).IsEquivalentTo(plain, TUnit.Assertions.Enums.CollectionOrdering.Matching).Because(sql);
                }
            }
        }

        await Assert.That(await h.Explain("SELECT a FROM t ORDER BY a DESC LIMIT 3")).Contains("Index Scan Backward using t_a on t");
        await Assert.That(await h.Explain("SELECT a FROM t ORDER BY a DESC LIMIT 3")).DoesNotContain("Sort");
        await Assert.That(await h.Explain("SELECT * FROM t ORDER BY id")).DoesNotContain("Sort");
        await Assert.That(await h.Explain("SELECT * FROM t ORDER BY d")).Contains("Sort"); // t_d keeps NULLs first, ORDER BY d puts them last
    }

    [Test]
    [Timeout(60_000)]
    public async Task Explain_names_the_chosen_index(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync(seed: 1, rows: 20);
        await Assert.That(await h.Explain("SELECT * FROM t WHERE id = 3")).Contains("Index Scan using t_pkey on t");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE a = 3 AND b = 2")).Contains("Index Scan using t_ab on t");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE a = 3")).Contains("Index Scan using t_a");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE c > 'b'")).Contains("Index Scan using t_c_desc on t");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE id = 3 AND a = 1")).Contains("Index Scan using t_pkey on t");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE a + 0 = 3")).Contains("Seq Scan on t");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE d = 1")).Contains("Index Scan using t_d on t");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE e = 1.5::float8")).Contains("Seq Scan on t"); // a float cannot bound a numeric key
        await h.Ok("SET enable_indexscan = off");
        await Assert.That(await h.Explain("SELECT * FROM t WHERE id = 3")).Contains("Seq Scan on t");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Index_scans_see_the_transactions_own_writes_and_dml_through_them_rechecks_rows(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync(seed: 2, rows: 50);
        await h.Ok("BEGIN");
        await h.Ok("INSERT INTO t (id, a, b, c) VALUES (1000, 42, 1, 'new'), (1001, 42, 2, 'new')");
        await Assert.That(await h.Rows("SELECT id FROM t WHERE a = 42 ORDER BY id")).IsEquivalentTo(["1000", "1001"], TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That((await h.Ok("UPDATE t SET a = 43 WHERE a = 42 AND b = 2")).CommandTag).IsEqualTo("UPDATE 1");
        await Assert.That(await h.Rows("SELECT id FROM t WHERE a = 42")).IsEquivalentTo(["1000"]);
        await Assert.That(await h.Rows("SELECT id FROM t WHERE a = 43")).IsEquivalentTo(["1001"]);
        await Assert.That((await h.Ok("DELETE FROM t WHERE c = 'new'")).CommandTag).IsEqualTo("DELETE 2");
        await Assert.That(await h.Rows("SELECT id FROM t WHERE a IN (42, 43)")).IsEmpty();
        await h.Ok("ROLLBACK");

        // UPDATE and DELETE through an index change the same rows as through a full scan
        foreach (string predicate in new[] { "a = 1", "a BETWEEN -1 AND 1 AND b > 0", "c < 'b'", "id IN (3, 4, 5)", "d IS NULL" })
        {
            await h.Ok("BEGIN");
            string updated = (await h.Ok($"UPDATE t SET b = b + 100 WHERE {predicate}")).CommandTag;
            List<string> afterIndexed = PlannerHarness.Sorted(await h.Rows("SELECT * FROM t"));
            await h.Ok("ROLLBACK");
            await h.Ok("SET enable_indexscan = off");
            await h.Ok("BEGIN");
            string updatedPlain = (await h.Ok($"UPDATE t SET b = b + 100 WHERE {predicate}")).CommandTag;
            List<string> afterPlain = PlannerHarness.Sorted(await h.Rows("SELECT * FROM t"));
            await h.Ok("ROLLBACK");
            await h.Ok("SET enable_indexscan = on");
            await Assert.That(updated).IsEqualTo(updatedPlain).Because(predicate);
            await Assert.That(afterIndexed).IsEquivalentTo(afterPlain).Because(predicate);
        }
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_correlated_subquery_probes_the_primary_key_with_the_outer_value(CancellationToken ct)
    {
        using PlannerHarness h = await SeededAsync(seed: 4, rows: 100);
        string sql = "SELECT id, (SELECT count(*) FROM t AS u WHERE u.id = t.a) FROM t WHERE (SELECT u.c FROM t AS u WHERE u.id = t.id + 1) IS NOT NULL";
        (List<string> planned, List<string> plain) = await h.Both(sql);
        await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain));
        await Assert.That(planned.Count).IsGreaterThan(0);
    }
}
