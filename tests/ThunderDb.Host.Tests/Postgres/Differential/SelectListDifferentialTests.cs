using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Set-returning functions in select lists and array concatenation / editing functions: one psql script against
/// ThunderDB and the distribution's PostgreSQL 15 must print the same rows and the same errors.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class SelectListDifferentialTests
{
    private const string Script = """
        \set VERBOSITY default
        SELECT unnest(ARRAY[1,2,3]);
        SELECT generate_series(1,3), 'x';
        SELECT generate_series(1,3) AS a, generate_series(1,5) AS b, unnest(ARRAY['p','q']) AS c;
        CREATE TABLE st (id int PRIMARY KEY, tags text[]);
        INSERT INTO st VALUES (1,'{a,b}'),(2,NULL),(3,'{}'),(4,'{c}');
        SELECT id, unnest(tags) FROM st ORDER BY id, 2;
        SELECT id, generate_series(1, id) * 10 AS g FROM st WHERE id < 3 ORDER BY id, g;
        SELECT unnest(array_agg(id ORDER BY id)) FROM st;
        SELECT generate_series(1,10) LIMIT 3;
        SELECT generate_series(3,1,-1) ORDER BY 1;
        SELECT DISTINCT unnest(ARRAY[1,1,2]) ORDER BY 1;
        SELECT count(*) FROM (SELECT generate_series(1,100)) s;
        SELECT generate_series(1, NULL), 1;
        SELECT regexp_split_to_table('a,b', ','), jsonb_array_elements('[1,2]');
        SELECT unnest(ARRAY[[1,2],[3,4]]);
        SELECT * FROM st WHERE id = generate_series(1,2);
        SELECT id FROM st GROUP BY id HAVING generate_series(1,2) > 1;
        SELECT sum(generate_series(1,3));
        SELECT 1 FROM st JOIN st s2 ON s2.id = generate_series(1,2);
        SELECT unnest(ARRAY[1],ARRAY[2]);
        EXPLAIN (COSTS OFF) SELECT id, unnest(tags) FROM st;
        EXPLAIN (COSTS OFF) SELECT generate_series(1,3);
        INSERT INTO st SELECT generate_series(10,12), ARRAY['z'];
        SELECT count(*) FROM st;
        SELECT ARRAY[1,2] || ARRAY[3], 1 || ARRAY[2], ARRAY[1] || 2, ARRAY[[1,2]] || ARRAY[3,4], ARRAY[1,2] || ARRAY[[3,4],[5,6]];
        SELECT ARRAY[1] || 2.5, ARRAY[1] || '{2}', NULL || ARRAY[1], ARRAY[1] || NULL, '{}'::int[] || ARRAY[[1]], ARRAY[1]::int2[] || 70000;
        SELECT array_replace(ARRAY[[1,2],[1,3]], 1, 9), array_append(NULL::int[], 1), array_prepend(1, NULL), array_cat(NULL, ARRAY[1]), array_cat(ARRAY[1], NULL), array_cat(NULL::int[], NULL);
        SELECT array_position(ARRAY[1,2,1], 1, 2), array_positions(ARRAY[1,NULL,1], NULL), array_positions(ARRAY[1], 2), array_remove(ARRAY[1,NULL], NULL), array_remove(ARRAY[1,2,1], 1);
        SELECT array_append(ARRAY[1.5], 2), array_cat(ARRAY['x'], ARRAY['y','z']), ARRAY['a'] || 'b'::text || ARRAY['c'];
        UPDATE st SET tags = tags || 'w' WHERE id < 3;
        SELECT id, tags, 'v' || tags FROM st WHERE id < 3 ORDER BY id;
        SELECT ARRAY[[1,2]] || ARRAY[3];
        SELECT ARRAY[[1,2]] || ARRAY[[3]];
        SELECT ARRAY[[[1]]] || ARRAY[1];
        SELECT ARRAY[[1]] || 3;
        SELECT 3 || ARRAY[[1]];
        SELECT array_remove(ARRAY[[1]], 1);
        SELECT array_positions(ARRAY[[1]], 1);
        SELECT ARRAY[1] || 'x'::text;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Psql_script_prints_what_postgresql_prints(CancellationToken ct)
    {
        await PsqlScriptDifferential.AssertSamePrintoutAsync(Script, ct, hints: true);
    }

}
