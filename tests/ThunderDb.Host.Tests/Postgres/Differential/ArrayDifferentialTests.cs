using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Multidimensional arrays: one psql script (constructors, literals, subscripts and slices, array_ndims / array_dims /
/// array_length, unnest, array_agg of arrays, storage, COPY, containment and overlap, errors) against ThunderDB and the distribution's
/// PostgreSQL 15 must print the same; Npgsql's int[,] round-trips through binary parameters and results.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class ArrayDifferentialTests
{
    private const string Script = """
        \set VERBOSITY default
        SELECT ARRAY[[1,2],[3,4]] AS a, '{{1,2},{3,4}}'::int[] = ARRAY[ARRAY[1,2],ARRAY[3,4]] AS same;
        SELECT array_ndims(a), array_dims(a), array_length(a, 1), array_length(a, 2), array_length(a, 3), array_upper(a, 2), array_lower(a, 2), cardinality(a)
          FROM (SELECT '{{1,2,3},{4,5,6}}'::int[] AS a) s;
        SELECT a[1][2], a[2][3], a[2], a[3][1], a[1][2][1], a[1:1], a[1:2][2:3], a[:1][2:], a[2][2:] FROM (SELECT '{{1,2,3},{4,5,6}}'::int[] AS a) s;
        SELECT array_dims('{}'::int[]), array_ndims('{}'::int[]), array_dims('{7}'::int[]), array_dims('{{{1},{2}}}'::int[]);
        SELECT u FROM unnest('{{1,2},{3,4}}'::int[]) AS u;
        SELECT '{{"a b",NULL},{"", "NULL"}}'::text[] AS t, '[1:2][1:1]={{1},{2}}'::int[] AS decorated;
        SELECT ARRAY[[1.5,2],[3,4.25]] AS n, ARRAY[['x','y']] AS t2, ARRAY[ARRAY[]::int[], ARRAY[]::int[]] AS empty;
        SELECT '{{1,2},{3,4}}'::int[]::text[] AS cast_text, '{{1,2},{3,4}}'::text::int[] AS from_text, ('{{1,2},{3,4}}'::int[])::text AS as_text;
        SELECT '{{1,2},{3,4}}'::int[] < '{1,2,3,4}'::int[] AS lt, '{{1,2}}'::int[] = '{1,2}'::int[] AS eq, array_to_string('{{1,2},{3,NULL}}'::int[], ',', '*') AS s;
        SELECT array_agg(a ORDER BY a) FROM (VALUES (ARRAY[1,2]), (ARRAY[3,4])) v(a);
        CREATE TABLE grid (id int PRIMARY KEY, g int[], t text[]);
        INSERT INTO grid VALUES (1, '{{1,2},{3,4}}', '{{a,b}}'), (2, ARRAY[[5],[6],[7]], NULL), (3, '{8}', '{}');
        SELECT id, g, t, array_dims(g), g[2][1] FROM grid ORDER BY id;
        COPY grid TO STDOUT;
        SELECT 1 = ANY('{{1,2},{3,4}}'::int[]) AS any_hit, 5 = ANY('{{1,2},{3,4}}'::int[]) AS any_miss;
        SELECT '{{1,2},{3}}'::int[];
        SELECT ARRAY[[1,2],[3]];
        SELECT ARRAY[ARRAY[1], NULL];
        SELECT '{{1,2},3}'::int[];
        SELECT '{1,{2}}'::int[];
        SELECT '{{}}'::int[];
        SELECT '{{{{{{{1}}}}}}}'::int[];
        SELECT array_position('{{1,2},{3,4}}'::int[], 3);
        SELECT array_agg(a) FROM (VALUES (ARRAY[1,2]), (ARRAY[3])) v(a);
        SELECT ARRAY[1,2,3] @> ARRAY[1,3] AS c, ARRAY[1,2] <@ ARRAY[1,2,3] AS cd, ARRAY[1,2] && ARRAY[3,4] AS o1, ARRAY[1,2] && ARRAY[2] AS o2, ARRAY[1,NULL] @> ARRAY[NULL::int] AS nulls, '{a,b}'::text[] @> '{a}' AS untyped;
        SELECT ARRAY[[1,2],[3,4]] @> ARRAY[4] AS flat, NULL::int[] @> ARRAY[1] AS n1, ARRAY[]::int[] <@ ARRAY[1] AS empty, arraycontains(ARRAY[1,2], ARRAY[2]) AS fn, arrayoverlap(ARRAY['x'], ARRAY['y']) AS fo;
        SELECT id FROM grid WHERE g @> '{3}' OR t && ARRAY['z','a'] OR '{8}' <@ g ORDER BY id;
        SELECT ARRAY[1] @> ARRAY[1.0];
        SELECT '{a}'::varchar[] @> '{a}'::text[];
        SELECT ARRAY[1] @> 1;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Psql_script_prints_what_postgresql_prints(CancellationToken ct)
    {
        // statement by statement (psql -e echoes each), output and errors interleaved as psql prints them
        await PsqlScriptDifferential.AssertSamePrintoutAsync(Script, ct);
    }


    [Test]
    [Timeout(90_000)]
    public async Task Npgsql_two_dimensional_arrays_round_trip_in_binary(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        await using var conn = await NpgsqlTests.OpenAsync(server, ct);
        await NpgsqlTests.ExecAsync(conn, "CREATE TABLE m (id int PRIMARY KEY, g int[], t text[])", ct);
        int[,] grid = { { 1, 2, 3 }, { 4, 5, 6 } };
        string?[,] texts = { { "a b", null }, { "", "\"q\"" } };
        await using (var insert = new NpgsqlCommand("INSERT INTO m VALUES (1, $1, $2)", conn))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = grid });
            insert.Parameters.Add(new NpgsqlParameter { Value = texts });
            await insert.ExecuteNonQueryAsync(ct);
        }

        await using var select = new NpgsqlCommand("SELECT g, t, g::text, array_dims(g), g[2][3] FROM m WHERE g = $1", conn);
        select.Parameters.Add(new NpgsqlParameter { Value = grid });
        await using var reader = await select.ExecuteReaderAsync(ct);
        await Assert.That(await reader.ReadAsync(ct)).IsTrue();
        int[,] got = reader.GetFieldValue<int[,]>(0);
        await Assert.That(got.GetLength(0)).IsEqualTo(2);
        await Assert.That(got.GetLength(1)).IsEqualTo(3);
        await Assert.That(got.Cast<int>().ToArray()).IsEquivalentTo(new[] { 1, 2, 3, 4, 5, 6 });
        string?[,] back = reader.GetFieldValue<string?[,]>(1);
        await Assert.That(back[0, 0]).IsEqualTo("a b");
        await Assert.That(back[0, 1]).IsNull();
        await Assert.That(back[1, 1]).IsEqualTo("\"q\"");
        await Assert.That(reader.GetString(2)).IsEqualTo("{{1,2,3},{4,5,6}}");
        await Assert.That(reader.GetString(3)).IsEqualTo("[1:2][1:3]");
        await Assert.That(reader.GetInt32(4)).IsEqualTo(6);
    }
}
