namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>
/// Plans that change after ANALYZE for the reason the statistics give: a skewed indexed column is read by its index for
/// a rare value and by a full scan for its common one, and a join starts from the item whose statistics say it is
/// smallest. The rows stay those of the plain plan (index scans and hash joins off).
/// </summary>
public class StatisticsPlanTests
{
    private static async Task<PlannerHarness> SkewedAsync()
    {
        PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE sk (id int PRIMARY KEY, k int, pad text)");
        await h.Ok("CREATE INDEX sk_k ON sk (k)");
        // 99% of the rows have k = 0; every hundredth has its own value
        await h.Ok("INSERT INTO sk SELECT i, CASE WHEN i % 100 = 0 THEN i ELSE 0 END, 'p' || i FROM generate_series(1, 5000) i");
        return h;
    }

    [Test]
    public async Task A_skewed_column_uses_its_index_for_a_rare_value_and_a_full_scan_for_the_common_one()
    {
        using PlannerHarness h = await SkewedAsync();
        // without statistics an equality on an indexed column always takes the index
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE k = 0")).Contains("Index Scan using sk_k on sk");
        await h.Ok("ANALYZE sk");
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE k = 0")).IsEqualTo("Seq Scan on sk\n  Filter: (k = 0)");
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE k = 500")).IsEqualTo("Index Scan using sk_k on sk\n  Index Cond: (k = 500)");
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE k IN (300, 400)")).Contains("Index Scan using sk_k on sk");
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE k > 4900")).Contains("Index Scan using sk_k on sk");
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE k >= 0")).Contains("Seq Scan on sk");
        // a primary key range reads only what it matches: still the index, however wide
        await Assert.That(await h.Explain("SELECT * FROM sk WHERE id > 10")).Contains("Index Scan using sk_pkey on sk");

        foreach (string where in new[] { "k = 0", "k = 500", "k IN (300, 400, 0)", "k > 4900", "k >= 0", "k BETWEEN 1 AND 1000", "k IS NULL", "k <> 0" })
        {
            (List<string> planned, List<string> plain) = await h.Both($"SELECT id FROM sk WHERE {where}");
            await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain));
        }
    }

    [Test]
    public async Task A_prepared_statement_still_answers_after_analyze_replans_it()
    {
        using PlannerHarness h = await SkewedAsync();
        await h.Ok("PREPARE q AS SELECT count(*) FROM sk WHERE k = 0");
        await Assert.That((await h.Rows("EXECUTE q"))[0]).IsEqualTo("4950");
        await h.Ok("ANALYZE sk"); // a new catalog snapshot: the cached plan is bound again, now as a full scan
        await Assert.That((await h.Rows("EXECUTE q"))[0]).IsEqualTo("4950");
    }

    [Test]
    public async Task A_join_starts_from_the_table_statistics_say_is_smallest()
    {
        using PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE big1 (id int PRIMARY KEY, x int)");
        await h.Ok("CREATE TABLE big2 (id int PRIMARY KEY, x int, y int)");
        await h.Ok("CREATE TABLE tiny (id int PRIMARY KEY, y int)");
        await h.Ok("INSERT INTO big1 SELECT i, i % 1000 FROM generate_series(1, 3000) i");
        await h.Ok("INSERT INTO big2 SELECT i, i % 1000, i % 500 FROM generate_series(1, 3000) i");
        await h.Ok("INSERT INTO tiny VALUES (1, 7), (2, 8), (3, 9)");
        const string Query = "SELECT big1.id, big2.id, tiny.id FROM big1, big2, tiny WHERE big1.x = big2.x AND big2.y = tiny.y";

        // without statistics every table is guessed alike: FROM order, big1 joins big2 first
        string before = await h.Explain(Query);
        await Assert.That(InnermostJoin(before)).IsEqualTo("Hash Cond: (big1.x = big2.x)");
        await h.Ok("ANALYZE");
        string after = await h.Explain(Query);
        await Assert.That(InnermostJoin(after)).Contains("tiny.y");
        (List<string> planned, List<string> plain) = await h.Both(Query);
        await Assert.That(planned.Count).IsEqualTo(54);
        await Assert.That(PlannerHarness.Sorted(planned)).IsEquivalentTo(PlannerHarness.Sorted(plain));
    }

    [Test]
    public async Task A_star_join_with_a_selective_dimension_probes_the_fact_table_from_it()
    {
        using PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE fact (id int PRIMARY KEY, d1 int, d2 int, amount int)");
        await h.Ok("CREATE INDEX fact_d1 ON fact (d1)");
        await h.Ok("CREATE TABLE dim1 (id int PRIMARY KEY, name text)");
        await h.Ok("CREATE TABLE dim2 (id int PRIMARY KEY, kind text)");
        await h.Ok("INSERT INTO fact SELECT i, i % 200, i % 20, i FROM generate_series(1, 4000) i");
        await h.Ok("INSERT INTO dim1 SELECT i, 'n' || i FROM generate_series(0, 199) i");
        await h.Ok("INSERT INTO dim2 SELECT i, CASE WHEN i < 10 THEN 'a' ELSE 'b' END FROM generate_series(0, 19) i");
        await h.Ok("ANALYZE");
        const string Query = "SELECT sum(amount) FROM fact, dim1, dim2 WHERE fact.d1 = dim1.id AND fact.d2 = dim2.id AND dim1.name = 'n7' AND dim2.kind = 'a'";
        string plan = await h.Explain(Query);
        // one dim1 row: its 20 fact rows come through fact_d1 instead of a scan of the fact table
        await Assert.That(plan).Contains("Index Scan using fact_d1 on fact");
        (List<string> planned, List<string> plain) = await h.Both(Query);
        await Assert.That(planned).IsEquivalentTo(plain);
    }

    /// <summary>The condition of the deepest join in an EXPLAIN: the last Hash Cond / Join Filter / Index Cond line naming two tables.</summary>
    private static string InnermostJoin(string plan) =>
        plan.Split('\n').Select(l => l.Trim()).Last(l => (l.StartsWith("Hash Cond:", StringComparison.Ordinal) || l.StartsWith("Index Cond:", StringComparison.Ordinal)) && l.Contains('.', StringComparison.Ordinal));
}
