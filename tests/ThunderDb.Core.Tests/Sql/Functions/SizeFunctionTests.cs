using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>pg_size_pretty as PostgreSQL 15 rounds it, and the size functions counting what a relation stores.</summary>
public class SizeFunctionTests
{
    [Test]
    [Arguments("0", "0 bytes")]
    [Arguments("10239", "10239 bytes")]
    [Arguments("10240", "10 kB")]
    [Arguments("-20000", "-20 kB")]
    [Arguments("10485247", "10239 kB")]
    [Arguments("10485248", "10 MB")]
    [Arguments("20971007", "20 MB")]
    [Arguments("1073741824", "1024 MB")]
    [Arguments("3377699720527872", "3072 TB")]
    [Arguments("9223372036854775807", "8192 PB")]
    [Arguments("1536.7::numeric", "1536.7 bytes")]
    [Arguments("10240.5::numeric", "10 kB")]
    public async Task Size_pretty_rounds_as_postgresql(string value, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        string arg = value.Contains("::", StringComparison.Ordinal) ? value : value + "::bigint";
        await Assert.That(await h.RowsAsync($"SELECT pg_size_pretty({arg})")).IsEqualTo(expected);
    }

    [Test]
    public async Task Relation_sizes_count_rows_and_index_entries()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(
            "CREATE TABLE s (id int PRIMARY KEY, v text)", "CREATE INDEX s_v ON s (v)", "CREATE VIEW sv AS SELECT id FROM s");
        await Assert.That(await h.RowsAsync("SELECT pg_relation_size('s'), pg_indexes_size('s'), pg_total_relation_size('s')")).IsEqualTo("0|0|0");

        await h.RowsAsync("INSERT INTO s SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g");
        long table = long.Parse(await h.RowsAsync("SELECT pg_table_size('s')"), System.Globalization.CultureInfo.InvariantCulture);
        long indexes = long.Parse(await h.RowsAsync("SELECT pg_indexes_size('public.s')"), System.Globalization.CultureInfo.InvariantCulture);
        long total = long.Parse(await h.RowsAsync("SELECT pg_total_relation_size('s'::regclass)"), System.Globalization.CultureInfo.InvariantCulture);
        await Assert.That(table).IsGreaterThan(100_000); // 1000 values of 100 bytes and their keys
        await Assert.That(indexes).IsGreaterThan(100_000); // s_v holds each value again
        await Assert.That(total).IsGreaterThan(table).And.IsLessThan(table + indexes); // the rows' primary keys counted once
        await Assert.That(await h.RowsAsync("SELECT pg_relation_size('s_v') > pg_relation_size('s_pkey'), pg_relation_size('sv')")).IsEqualTo("t|0");
        await Assert.That(await h.RowsAsync("SELECT pg_database_size('postgres') >= pg_total_relation_size('s'), pg_relation_size(0::oid) IS NULL")).IsEqualTo("t|t");

        await h.RowsAsync("DELETE FROM s WHERE id > 10");
        await Assert.That(long.Parse(await h.RowsAsync("SELECT pg_table_size('s')"), System.Globalization.CultureInfo.InvariantCulture)).IsLessThan(table / 50);
        await Assert.That(await h.ErrorAsync("SELECT pg_relation_size('nosuch')")).IsEqualTo("42P01: relation \"nosuch\" does not exist");
        await Assert.That(await h.ErrorAsync("SELECT pg_database_size('nosuch')")).IsEqualTo("3D000: database \"nosuch\" does not exist");
    }
}
