using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres.Differential;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// Row values: whole-row references (<c>row_to_json(t)</c>, <c>SELECT t FROM t</c>, <c>json_agg(t)</c>), <c>ROW(...)</c>
/// constructors, record_out's quoting, row comparison and ordering, a correlated whole-row reference, and the JSON of
/// rows, arrays and NULLs (json_agg's line breaks, empty arrays): a psql script must print what PostgreSQL 15 prints, and
/// Npgsql reads an anonymous record in binary (record_send) as an object array.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class RecordValueTests
{
    private const string Script = """
        CREATE TABLE u (id int PRIMARY KEY, name text, tags text[], born date, score numeric, ok bool);
        INSERT INTO u VALUES (1, 'bob', '{a,b}', '2000-01-02', 1.5, true), (2, 'a "q", (x)', NULL, NULL, NULL, false), (3, '', '{}', NULL, 2, NULL);
        SELECT row_to_json(u) FROM u ORDER BY id;
        SELECT row_to_json(x, true) FROM u x WHERE id = 1;
        SELECT u FROM u ORDER BY id;
        SELECT x.*, x FROM u x WHERE id = 1;
        SELECT to_json(u), to_jsonb(u) FROM u WHERE id = 1;
        SELECT json_agg(u ORDER BY id) FROM u;
        SELECT jsonb_agg(u) FROM u WHERE id < 3;
        SELECT json_agg(tags) FROM u;
        SELECT ROW(1, 'a', NULL), (1, 2.5, 'x y'), ROW();
        SELECT row_to_json(ROW(1, 'a'));
        SELECT json_build_object('user', u) FROM u WHERE id = 1;
        SELECT row_to_json(s) FROM (SELECT id, upper(name) AS up FROM u) s ORDER BY row_to_json(s)::text;
        SELECT count(*) FROM u WHERE u = u;
        SELECT u.id FROM u ORDER BY u DESC;
        SELECT pg_typeof(u), pg_typeof(ROW(1)) FROM u LIMIT 1;
        SELECT row_to_json(1);
        SELECT (SELECT row_to_json(v) FROM u v WHERE v.id = w.id) FROM u w ORDER BY w.id;
        SELECT ROW(1, NULL) IS NULL, ROW(NULL, NULL) IS NULL, ROW(1, NULL) IS NOT NULL, ROW(1, 2) IS NOT NULL, (NULL, NULL) IS NOT NULL;
        SELECT id, u IS NULL, u IS NOT NULL FROM u ORDER BY id;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Row_values_print_what_postgresql_prints(CancellationToken ct) => await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Npgsql_reads_an_anonymous_record_in_binary(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using NpgsqlConnection conn = await NpgsqlTests.OpenAsync(server, ct);
        await using var command = new NpgsqlCommand("SELECT ROW(42, 'x'::text, NULL::int, 2.5::numeric)", conn);
        var fields = (object[])(await command.ExecuteScalarAsync(ct))!;
        await Assert.That(fields.Length).IsEqualTo(4);
        await Assert.That(fields[0]).IsEqualTo(42);
        await Assert.That(fields[1]).IsEqualTo("x");
        await Assert.That(fields[2] is null or DBNull).IsTrue(); // the NULL field
        await Assert.That(fields[3]).IsEqualTo(2.5m);
    }
}
