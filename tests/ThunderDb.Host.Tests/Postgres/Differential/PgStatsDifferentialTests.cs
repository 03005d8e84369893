using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// ANALYZE and pg_stats: one psql script against ThunderDB and the distribution's PostgreSQL 15 must print the same
/// statistics for a 300-row table (ANALYZE samples up to 30,000 rows, so the sample is the whole table and every figure
/// is deterministic): null_frac, avg_width, n_distinct, most common values and frequencies (array_out quoting of '',
/// 'NULL', spaces and quotes), histogram bounds, correlation; a rolled-back ANALYZE, ANALYZE t (column), DROP / RENAME
/// COLUMN, VACUUM ANALYZE with a column list, and the column-list errors. Statements run after an UPDATE read only
/// figures that do not depend on where the new row versions are stored (correlation does).
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class PgStatsDifferentialTests
{
    private const string Script = """
        CREATE TABLE st (id int PRIMARY KEY, g bigint, s text, f float8, b bool, ts timestamp, v varchar(10), n numeric(8,2));
        INSERT INTO st SELECT i, (i * 7) % 13, CASE i % 6 WHEN 0 THEN 'a b' WHEN 1 THEN 'x"y' WHEN 2 THEN '' WHEN 3 THEN 'NULL' WHEN 4 THEN NULL ELSE 'plain' END,
          CASE WHEN i % 9 = 0 THEN NULL ELSE i / 4.0 END, i % 3 = 0, timestamp '2024-03-01 12:00' + i * interval '1 hour', 'v' || (i % 40), (i % 17) * 1.25
          FROM generate_series(1, 300) i;
        ANALYZE st;
        SELECT attname, inherited, null_frac, avg_width, n_distinct, most_common_vals, most_common_freqs, histogram_bounds, correlation FROM pg_stats WHERE tablename = 'st' ORDER BY attname;
        SELECT schemaname, most_common_elems, most_common_elem_freqs, elem_count_histogram FROM pg_stats WHERE tablename = 'st' AND attname = 'id';
        SELECT reltuples FROM pg_class WHERE relname = 'st';
        UPDATE st SET g = 1;
        BEGIN;
        ANALYZE st (g);
        SELECT attname, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 'st' AND attname = 'g';
        ROLLBACK;
        SELECT attname, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 'st' AND attname = 'g';
        ALTER TABLE st DROP COLUMN ts;
        ALTER TABLE st RENAME COLUMN b TO flag;
        SELECT attname FROM pg_stats WHERE tablename = 'st' ORDER BY attname;
        VACUUM ANALYZE st (g);
        SELECT attname, n_distinct, most_common_vals, most_common_freqs FROM pg_stats WHERE tablename = 'st' AND attname = 'g';
        ANALYZE st (nope);
        ANALYZE st (g, g);
        VACUUM st (g);
        DROP TABLE st;
        SELECT count(*) FROM pg_stats WHERE tablename = 'st';
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Psql_script_prints_what_postgresql_prints(CancellationToken ct)
    {
        var (pg, thunder) = await PsqlScriptDifferential.RunAsync(Script, ["-A"], ct);
        await Assert.That(thunder.Stdout).IsEqualTo(pg.Stdout).Because($"PostgreSQL:\n{pg}\n\nThunderDB:\n{thunder}");
        await Assert.That(PsqlScriptDifferential.Errors(thunder.Stderr)).IsEqualTo(PsqlScriptDifferential.Errors(pg.Stderr)).Because($"PostgreSQL:\n{pg.Stderr}\n\nThunderDB:\n{thunder.Stderr}");
    }
}
