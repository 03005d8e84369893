using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// The json / jsonb operators (-&gt;, -&gt;&gt;, #&gt;, #&gt;&gt;, @&gt;, &lt;@, ?, ?|, ?&amp;, jsonb ||) over objects, arrays, negative
/// indexes, missing keys and JSON nulls, json's text as written against jsonb's canonical form, a table filtered by
/// containment, pg_typeof, and the operator-does-not-exist errors with their positions; and the json functions (to_json[b]
/// of every kind of value, json[b]_build_object / _build_array, json[b]_agg with ORDER BY and FILTER, typeof,
/// array_length, strip_nulls, jsonb_pretty, their errors); jsonb editing (jsonb_set[_lax], jsonb_insert, -, #-), object keys,
/// extract_path, json[b]_object[_agg]; and malformed input's DETAIL and CONTEXT: psql scripts against ThunderDB and
/// PostgreSQL 15 must print the same.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class JsonDifferentialTests
{
    private const string Script = """
        SELECT '{"a": {"b": [1, "x", null, {"c": true}]}, "n": 1.50}'::jsonb -> 'a' AS a, '{"a":1}'::jsonb -> 'z' AS missing, '[10,20,30]'::jsonb -> 1 AS second, '[10,20,30]'::jsonb -> -1 AS last, '[10,20]'::jsonb -> 5 AS out;
        SELECT '{"a": {"b": [1, "x", null]}}'::jsonb #> '{a,b,1}' AS p, '{"a": {"b": [1, "x", null]}}'::jsonb #>> '{a,b,1}' AS pt, '{"a": {"b": [1, "x", null]}}'::jsonb #>> '{a,b,2}' AS pnull, '{"a":1}'::jsonb #> '{}' AS whole;
        SELECT '{"k": "v", "n": 2, "o": {"x": 1}}'::jsonb ->> 'k' AS k, '{"k": "v", "n": 2, "o": {"x": 1}}'::jsonb ->> 'n' AS n, '{"k": "v", "o": {"x":  1}}'::jsonb ->> 'o' AS o;
        SELECT '{"a":1, "a":2, "b":  [1,  2]}'::json -> 'a' AS dup, '{"a":1, "b":  [1,  2]}'::json -> 'b' AS raw, '{"b":  [1,  2]}'::json ->> 'b' AS rawt, '[1,2]'::json -> 0 AS j0;
        SELECT '{"a":1,"b":{"c":2,"d":[1,2,3]}}'::jsonb @> '{"b":{"d":[3,1]}}' AS c1, '{"a":1}'::jsonb @> '{"a":2}' AS c2, '[1,2,[3,4]]'::jsonb @> '[[4]]' AS c3, '[1,2,3]'::jsonb @> '2' AS c4, '{"a":1}'::jsonb <@ '{"a":1,"b":2}' AS c5, '1.0'::jsonb @> '1' AS c6;
        SELECT '{"a":1,"b":2}'::jsonb ? 'a' AS e1, '["x","y"]'::jsonb ? 'y' AS e2, '{"a":1}'::jsonb ?| ARRAY['z','a'] AS e3, '{"a":1,"b":2}'::jsonb ?& ARRAY['a','c'] AS e4, '"s"'::jsonb ? 's' AS e5;
        CREATE TABLE docs (id int PRIMARY KEY, body jsonb);
        INSERT INTO docs VALUES (1, '{"tags": ["a","b"], "owner": {"name": "ann"}}'), (2, '{"tags": ["c"], "owner": {"name": "bob"}}'), (3, NULL);
        SELECT id, body -> 'owner' ->> 'name' AS owner FROM docs WHERE body @> '{"tags": ["a"]}' OR body ->> 'owner' IS NULL ORDER BY id;
        SELECT id, body #>> '{owner,name}' FROM docs ORDER BY id;
        SELECT '{"a":1}'::jsonb -> NULL::text AS nk, '[1]'::jsonb ->> 0 AS t0, pg_typeof('{"a":1}'::jsonb -> 'a'), pg_typeof('{"a":1}'::json ->> 'a');
        SELECT '{"a":1}'::jsonb @> '{"a":1}'::json;
        SELECT 1 -> 'a';
        SELECT '{"a":1,"b":2}'::jsonb || '{"b":3,"c":4}' AS m, '[1,2]'::jsonb || '[3]'::jsonb AS ar, '[1]'::jsonb || '2' AS ap, '1'::jsonb || '[2]' AS pp, '{"a":1}'::jsonb || '5' AS os, '{"k":"<x>"}'::jsonb || '{"é": "ü"}' AS enc;
        SELECT pg_typeof(1), pg_typeof('a'::text), pg_typeof(1.5), pg_typeof(NULL::int[]), pg_typeof('x');
        """;

    private const string FunctionScript = """
        SELECT to_json(1), to_json('a"b'::text), to_json(1.50), to_json(true), to_json(NULL::int), to_json(ARRAY[1,2]), to_json(ARRAY[['a','b'],['c',NULL]]), to_json(date '2024-05-17'), to_json(timestamp '2024-05-17 10:00:00.5'), to_json(timestamptz '2024-05-17 10:00+00'), to_json('NaN'::float8);
        SELECT to_jsonb('x'::text), to_jsonb(ARRAY[1.5, 2]), to_jsonb('{"b":1,"a":2}'::json);
        SELECT json_build_object('a', 1, 'b', 'two', 'c', NULL, 'd', ARRAY[1]), jsonb_build_object('b', 1, 'a', true), json_build_array(1, 'x', NULL, 2.5), jsonb_build_array(), json_build_object();
        SELECT json_build_object('a');
        SELECT jsonb_typeof('{"a":1}'), jsonb_typeof('[1]'), json_typeof('"s"'), jsonb_typeof('1.5'), jsonb_typeof('false'), jsonb_typeof('null');
        SELECT jsonb_array_length('[1,2,[3]]'), json_array_length('[]');
        SELECT jsonb_array_length('{"a":1}');
        SELECT jsonb_array_length('1');
        SELECT jsonb_strip_nulls('{"a":1,"b":null,"c":{"d":null,"e":[null,1]}}'), json_strip_nulls('{"a":null, "b": 2}');
        SELECT jsonb_pretty('{"a":1,"b":[1,{"c":2}],"d":{},"e":[]}');
        CREATE TABLE people (id int PRIMARY KEY, name text, age int);
        INSERT INTO people VALUES (1, 'ann', 30), (2, 'bob', NULL), (3, 'cy', 41);
        SELECT json_agg(name ORDER BY id), jsonb_agg(age ORDER BY id), json_agg(id) FILTER (WHERE age > 35) FROM people;
        SELECT jsonb_agg(jsonb_build_object('id', id, 'name', name) ORDER BY id) FROM people WHERE id < 3;
        SELECT json_agg(x) FROM people WHERE false;
        """;

    private const string EditingScript = """
        SELECT jsonb_set('{"a":1,"b":[1,2,3]}', '{b,1}', '"x"') AS s1, jsonb_set('{"a":1,"b":[1,2,3]}', '{b,10}', '"x"') AS s2, jsonb_set('{"a":1,"b":[1,2,3]}', '{b,-10}', '"x"') AS s3, jsonb_set('{"a":1}', '{c}', '5') AS s4, jsonb_set('{"a":1}', '{c}', '5', false) AS s5;
        SELECT jsonb_set('{"a":1,"b":[1]}', '{c,d}', '5') AS deep_missing, jsonb_set('{"a":1}', '{a,d}', '5') AS through_scalar, jsonb_set('{"a":1}', '{}', '5') AS empty_path, jsonb_set('{"a":1}', '{a}', NULL) AS null_value, jsonb_set('[]', '{0}', '5') AS into_empty, jsonb_set('{}', '{a}', '5', false) AS no_create;
        SELECT jsonb_set('{"a":[1]}', '{a,z}', '5');
        SELECT jsonb_set('5', '{a}', '5');
        SELECT jsonb_set('{"a":1}', '{NULL}', '5');
        SELECT jsonb_set('{"a":1}', '{{a}}', '9');
        SELECT jsonb_insert('{"a":[0,1,2]}', '{a,1}', '"new"') AS before, jsonb_insert('{"a":[0,1,2]}', '{a,1}', '"new"', true) AS after, jsonb_insert('{"a":[0,1,2]}', '{a,-1}', '"new"', true) AS last, jsonb_insert('{"a":[0,1,2]}', '{a,9}', '"new"') AS beyond, jsonb_insert('{"a":{"b":1}}', '{a,c}', '"new"') AS new_key;
        SELECT jsonb_insert('{"a":{"b":1}}', '{a,b}', '"new"');
        SELECT '{"a":1,"b":2}'::jsonb - 'a' AS k, '["a","b","a"]'::jsonb - 'a' AS s, '["a","b","a"]'::jsonb - 1 AS i, '["a","b","a"]'::jsonb - -1 AS neg, '["a"]'::jsonb - 7 AS out, '{"a":1,"b":2,"c":3}'::jsonb - '{a,c}'::text[] AS keys, '{"a":1}'::jsonb - 'a'::varchar - 'b' AS chained;
        SELECT '{"a":1,"b":{"c":[1,2]}}'::jsonb #- '{b,c,0}' AS p1, '{"a":1,"b":{"c":[1,2]}}'::jsonb #- '{b,x}' AS p2, '{"a":1}'::jsonb #- NULL AS p3, pg_typeof('{"a":1}'::jsonb #- '{a}');
        SELECT '{"a":1,"b":2}'::jsonb - 1;
        SELECT '5'::jsonb - 'a';
        SELECT '{"a":{"b":[1]}}'::jsonb #- '{a,b,x}';
        SELECT '5'::jsonb #- '{a}';
        SELECT jsonb_set_lax('{"a":1}', '{a}', NULL) AS json_null, jsonb_set_lax('{"a":1}', '{a}', NULL, true, 'delete_key') AS del, jsonb_set_lax('{"a":1}', '{a}', NULL, true, 'return_target') AS same, jsonb_set_lax('{"a":1}', '{a}', '3', NULL) AS null_create;
        SELECT jsonb_set_lax('{"a":1}', '{a}', NULL, true, 'raise_exception');
        SELECT jsonb_set_lax('{"a":1}', '{a}', NULL, true, 'bogus');
        CREATE TABLE docs (id int PRIMARY KEY, d jsonb, j json);
        INSERT INTO docs VALUES (1, '{"a":1,"tags":["x","y"],"n":{"k":[1,2,3]}}', '{"b":2,"a":1,"b":3}'), (2, '[1,2,3]', '[4,5]'), (3, '"s"', '7');
        UPDATE docs SET d = jsonb_set(d, '{n,k,0}', to_jsonb(id * 10)) WHERE id = 1;
        UPDATE docs SET d = d - 'tags' || '{"z":true}' WHERE id = 1;
        SELECT id, d, d #- '{n,k}' AS del FROM docs WHERE id < 3 ORDER BY id;
        SELECT jsonb_object_keys(d) FROM docs WHERE id = 1;
        SELECT json_object_keys(j) FROM docs WHERE id = 1;
        SELECT jsonb_object_keys(d) FROM docs WHERE id = 2;
        SELECT json_object_agg(id, d ORDER BY id) AS by_id, jsonb_object_agg(id::text, j) AS canonical FROM docs;
        SELECT jsonb_object_agg(k, v) AS last_wins, json_object_agg(k, v) FILTER (WHERE false) AS none FROM (VALUES ('a', 1), ('a', 2)) t(k, v);
        SELECT json_object_agg(NULL::text, 1);
        SELECT jsonb_extract_path(d, 'n', 'k', '1') AS e1, jsonb_extract_path_text(d, 'n', 'k') AS e2, json_extract_path_text(j, 'a') AS e3, json_extract_path(j, 'zz') AS e4 FROM docs WHERE id = 1;
        SELECT json_object('{a,1,b,2}') AS flat, json_object('{{a,1},{b,NULL}}') AS pairs, jsonb_object('{b,a}', '{1,2}') AS two, json_object('{}') AS empty;
        SELECT json_object('{a,b,c}');
        SELECT json_object('{{a,b,c}}');
        SELECT json_object('{NULL,a}');
        SELECT json_object('{a,b}', '{1}');
        """;

    private const string InputErrorScript = """
        SELECT 'bad'::jsonb;
        SELECT '{"a":}'::jsonb;
        SELECT '{"a":1'::json;
        SELECT '"abc'::json;
        SELECT '[1,2,]'::json;
        SELECT '[1 2]'::json;
        SELECT '{"a" 1}'::json;
        SELECT '{1:2}'::json;
        SELECT '{"a":1,}'::json;
        SELECT '1.'::json;
        SELECT '-'::json;
        SELECT '12abc'::json;
        SELECT '01'::json;
        SELECT '"a\qb"'::json;
        SELECT '"a\u12"'::json;
        SELECT E'"a\tb"'::json;
        SELECT '#'::json;
        SELECT E'{\n"a": 1,\n"b": tru}'::json;
        SELECT '{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": x, "b": 1}'::json;
        SELECT ''::json;
        SELECT '[1,2'::jsonb;
        SELECT '1e'::jsonb;
        SELECT '"\u0000"'::jsonb;
        SELECT '"\u0000"'::json;
        CREATE TABLE j (id int, v jsonb);
        COPY j FROM STDIN;
        1	{"a": 1}
        2	{"a": nope}
        \.
        SELECT count(*) FROM j;
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Json_operators_print_what_postgresql_prints(CancellationToken ct) => await PsqlScriptDifferential.AssertSameOutputAsync(Script, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Json_functions_print_what_postgresql_prints(CancellationToken ct) => await PsqlScriptDifferential.AssertSameOutputAsync(FunctionScript, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Jsonb_editing_functions_and_operators_print_what_postgresql_prints(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(EditingScript, ct);

    [Test]
    [Timeout(120_000)]
    public async Task Malformed_json_is_reported_as_postgresql_reports_it(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSameOutputAsync(InputErrorScript, ct);
}
