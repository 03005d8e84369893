using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.SystemViews;

/// <summary>
/// ANALYZE's column statistics through pg_stats: what a whole-table sample gives (the values PostgreSQL 15 prints for
/// the same table), ANALYZE t (columns), transactional storage (a rolled-back ANALYZE leaves the old ones), DROP COLUMN,
/// RENAME, the catalog record's encoding, and errors.
/// </summary>
public class PgStatsTests
{
    private const string Columns = "SELECT attname, null_frac, avg_width, n_distinct, most_common_vals, most_common_freqs, histogram_bounds, correlation FROM pg_stats WHERE tablename = 't' ORDER BY attname";

    private static async Task<PlannerHarness> TableAsync()
    {
        PlannerHarness h = await PlannerHarness.OpenAsync();
        await h.Ok("CREATE TABLE t (id int PRIMARY KEY, k int, s text, n numeric, d date)");
        await h.Ok("INSERT INTO t SELECT i, CASE WHEN i <= 50 THEN 1 WHEN i <= 80 THEN 2 ELSE 3 END, CASE WHEN i % 10 = 0 THEN NULL ELSE 'v' || (i % 7) END, "
            + "i * 1.5, date '2024-01-01' + (100 - i) FROM generate_series(1, 100) i");
        return h;
    }

    [Test]
    public async Task Analyze_fills_pg_stats_as_postgres_does_for_a_whole_table_sample()
    {
        using PlannerHarness h = await TableAsync();
        await Assert.That((await h.Rows("SELECT count(*) FROM pg_stats WHERE tablename = 't'"))[0]).IsEqualTo("0");
        await h.Ok("ANALYZE t");
        List<string> rows = await h.Rows(Columns);
        string ids = "{" + string.Join(",", Enumerable.Range(1, 100)) + "}";
        string dates = "{" + string.Join(",", Enumerable.Range(0, 100).Select(i => new DateOnly(2024, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))) + "}";
        string numerics = "{" + string.Join(",", Enumerable.Range(1, 100).Select(i => (i * 1.5m).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))) + "}";
        await Assert.That(rows).IsEquivalentTo(new[]
        {
            $"d|0|4|-1|NULL|NULL|{dates}|-1",
            $"id|0|4|-1|NULL|NULL|{ids}|1",
            "k|0|4|3|{1,2,3}|{0.5,0.3,0.2}|NULL|1",
            $"n|0|6|-1|NULL|NULL|{numerics}|1",
            "s|0.1|3|7|{v1,v0,v2,v4,v5,v3,v6}|{0.14,0.13,0.13,0.13,0.13,0.12,0.12}|NULL|0.14610034",
        });
        await Assert.That((await h.Rows("SELECT schemaname, inherited, most_common_elems FROM pg_stats WHERE attname = 'k'"))[0]).IsEqualTo("public|f|NULL");
        await Assert.That((await h.Rows("SELECT reltuples FROM pg_class WHERE relname = 't'"))[0]).IsEqualTo("100");
    }

    [Test]
    public async Task Analyze_with_columns_updates_only_those_and_keeps_the_others()
    {
        using PlannerHarness h = await TableAsync();
        await h.Ok("ANALYZE t (k)");
        await Assert.That(await h.Rows("SELECT attname FROM pg_stats WHERE tablename = 't'")).IsEquivalentTo(new[] { "k" });
        await h.Ok("UPDATE t SET k = 9");
        await h.Ok("ANALYZE t (id, s)");
        await Assert.That(await h.Rows("SELECT attname, most_common_vals FROM pg_stats WHERE tablename = 't' ORDER BY attname")).IsEquivalentTo(new[] { "id|NULL", "k|{1,2,3}", "s|{v1,v0,v2,v4,v5,v3,v6}" });
        await h.Ok("VACUUM ANALYZE t (k)");
        await Assert.That((await h.Rows("SELECT most_common_vals FROM pg_stats WHERE attname = 'k'"))[0]).IsEqualTo("{9}");
    }

    [Test]
    public async Task A_rolled_back_analyze_leaves_the_old_statistics()
    {
        using PlannerHarness h = await TableAsync();
        await h.Ok("ANALYZE t");
        await h.Ok("UPDATE t SET k = 9");
        await h.Ok("BEGIN");
        await h.Ok("ANALYZE t");
        await Assert.That((await h.Rows("SELECT most_common_vals FROM pg_stats WHERE attname = 'k'"))[0]).IsEqualTo("{9}");
        await h.Ok("ROLLBACK");
        await Assert.That((await h.Rows("SELECT most_common_vals FROM pg_stats WHERE attname = 'k'"))[0]).IsEqualTo("{1,2,3}");
    }

    [Test]
    public async Task Drop_column_removes_its_statistics_rename_keeps_them_drop_table_removes_all()
    {
        using PlannerHarness h = await TableAsync();
        await h.Ok("ANALYZE t");
        await h.Ok("ALTER TABLE t DROP COLUMN d");
        await h.Ok("ALTER TABLE t RENAME COLUMN k TO kk");
        await h.Ok("ALTER TABLE t RENAME TO t2");
        await Assert.That(await h.Rows("SELECT tablename, attname FROM pg_stats WHERE tablename = 't2' ORDER BY attname"))
            .IsEquivalentTo(new[] { "t2|id", "t2|kk", "t2|n", "t2|s" });
        await h.Ok("ALTER TABLE t2 ADD COLUMN d int");
        await h.Ok("ANALYZE t2");
        await Assert.That((await h.Rows("SELECT null_frac FROM pg_stats WHERE attname = 'd'"))[0]).IsEqualTo("1");
        await h.Ok("DROP TABLE t2");
        await Assert.That((await h.Rows("SELECT count(*) FROM pg_stats"))[0]).IsEqualTo("0");
    }

    [Test]
    [Arguments("ANALYZE t (nope)", "42703: column \"nope\" of relation \"t\" does not exist")]
    [Arguments("ANALYZE t (k, k)", "42701: column \"k\" of relation \"t\" appears more than once")]
    [Arguments("VACUUM t (k)", "0A000: ANALYZE option must be specified when a column list is provided")]
    public async Task Bad_column_lists_fail_as_postgres_does(string sql, string expected)
    {
        using PlannerHarness h = await TableAsync();
        ThunderDb.Core.Sql.Engine.BatchResult r = await h.Session.ExecuteAsync(sql);
        await Assert.That($"{r.Error?.SqlState}: {r.Error?.Message}").IsEqualTo(expected);
    }

    [Test]
    public async Task Column_statistics_survive_the_catalog_record_encoding()
    {
        var stats = new ColumnStatistics(2, SqlType.Text, 0.25, 7, -0.5, [SqlValue.FromText("a"), SqlValue.FromText("b c")], [0.5, 0.125],
            [SqlValue.FromText("d"), SqlValue.FromText("x")], -0.75);
        var table = new TableDef(16400, WellKnownOids.PublicSchema, "t", [new ColumnDef(1, "id", SqlType.Int4), new ColumnDef(2, "s", SqlType.Text)], [],
            Statistics: new TableStatistics(10, 1, 2, 3, 4, [stats, stats with { Column = 1, Type = SqlType.Int4, CommonValues = [], CommonFrequencies = [], Histogram = [SqlValue.FromInt4(5)], Correlation = null }]));
        var decoded = (TableDef)CatalogCodec.Decode(CatalogCodec.Key(CatalogKind.Table, table.Oid), CatalogCodec.Encode(table));
        ColumnStatistics back = decoded.Statistics!.For(2)!;
        await Assert.That(back.NullFraction).IsEqualTo(0.25);
        await Assert.That(back.Distinct).IsEqualTo(-0.5);
        await Assert.That(back.CommonValues.Select(v => v.AsString)).IsEquivalentTo(new[] { "a", "b c" });
        await Assert.That(back.CommonFrequencies).IsEquivalentTo(new[] { 0.5, 0.125 });
        await Assert.That(back.Histogram.Select(v => v.AsString)).IsEquivalentTo(new[] { "d", "x" });
        await Assert.That(back.Correlation).IsEqualTo(-0.75);
        await Assert.That(decoded.Statistics.For(1)!.Histogram[0].AsInt32).IsEqualTo(5);
        await Assert.That(decoded.Statistics.For(1)!.Correlation).IsNull();
        await Assert.That(decoded.Statistics.AnalyzeCount).IsEqualTo(4);
    }
}
