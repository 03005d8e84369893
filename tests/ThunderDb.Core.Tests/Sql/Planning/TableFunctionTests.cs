namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>Set-returning and scalar functions in FROM, with aliases, ORDINALITY and LATERAL; expected rows are PostgreSQL 15's.</summary>
public class TableFunctionTests
{
    [Test]
    [Arguments("SELECT * FROM generate_series(1, 10, 4)", "1\n5\n9")]
    [Arguments("SELECT * FROM generate_series(5000000000, 5000000002) g", "5000000000\n5000000001\n5000000002")]
    [Arguments("SELECT x FROM generate_series(1.5, 3, 0.5) AS g(x)", "1.5\n2.0\n2.5\n3.0")]
    [Arguments("SELECT * FROM generate_series('2020-01-01 00:00'::timestamp, '2020-01-01 12:00', '5 hours')", "2020-01-01 00:00:00\n2020-01-01 05:00:00\n2020-01-01 10:00:00")]
    [Arguments("SELECT * FROM generate_series('2020-01-01'::date, '2020-01-03'::date, '1 day')", "2020-01-01 00:00:00+00\n2020-01-02 00:00:00+00\n2020-01-03 00:00:00+00")]
    [Arguments("SELECT * FROM generate_series(3, 1, -1) WITH ORDINALITY", "3|1\n2|2\n1|3")]
    [Arguments("SELECT * FROM generate_series(1, NULL)", "")]
    [Arguments("SELECT g.* FROM generate_series(1,2) g", "1\n2")]
    [Arguments("SELECT * FROM unnest(ARRAY[1,2,3], ARRAY['a','b']) AS t(n, s)", "1|a\n2|b\n3|NULL")]
    [Arguments("SELECT * FROM unnest(ARRAY['x','y']) WITH ORDINALITY AS t(v, i)", "x|1\ny|2")]
    [Arguments("SELECT * FROM jsonb_array_elements('[1, \"a\", null, true]')", "1\n\"a\"\nnull\ntrue")]
    [Arguments("SELECT value FROM jsonb_array_elements_text('[1, \"a\", null]')", "1\na\nNULL")]
    [Arguments("SELECT * FROM jsonb_each('{\"b\": 1, \"a\": \"x\", \"ccc\": null}')", "a|\"x\"\nb|1\nccc|null")]
    [Arguments("SELECT k, v FROM jsonb_each_text('{\"b\": 1, \"a\": \"x\"}') AS j(k, v)", "a|x\nb|1")]
    [Arguments("SELECT t.* FROM jsonb_each('{\"a\":1}') t", "a|1")]
    [Arguments("SELECT * FROM regexp_split_to_table('a1b22c', '[0-9]+')", "a\nb\nc")]
    [Arguments("SELECT * FROM regexp_split_to_table('hello world', '\\s*') LIMIT 4", "h\ne\nl\nl")]
    [Arguments("SELECT * FROM lower('ABC')", "abc")]
    public async Task Functions_in_from_return_postgres_rows(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.RowsAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    public async Task Functions_read_earlier_from_items_as_lateral_calls()
    {
        using QueryHarness h = await QueryHarness.OpenAsync("CREATE TABLE arr (id int, tags text[])", "INSERT INTO arr VALUES (1, '{x,y}'), (2, '{}'), (3, '{z}')");
        await Assert.That(await h.RowsAsync("SELECT id, tag FROM arr, unnest(tags) AS tag ORDER BY id, tag")).IsEqualTo("1|x\n1|y\n3|z");
        await Assert.That(await h.RowsAsync("SELECT id, t.tag, t.n FROM arr CROSS JOIN LATERAL unnest(tags) WITH ORDINALITY AS t(tag, n) ORDER BY id, n"))
            .IsEqualTo("1|x|1\n1|y|2\n3|z|1");
        await Assert.That(await h.RowsAsync("SELECT id, g FROM arr LEFT JOIN LATERAL generate_series(1, id - 1) g ON true ORDER BY id, g"))
            .IsEqualTo("1|NULL\n2|1\n3|1\n3|2");
        await Assert.That(await h.RowsAsync("SELECT id, s.n FROM arr, LATERAL (SELECT count(*) AS n FROM unnest(arr.tags)) s ORDER BY id")).IsEqualTo("1|2\n2|0\n3|1");
    }

    [Test]
    [Arguments("SELECT * FROM generate_series(1, 3, 0)", "22023: step size cannot equal zero")]
    [Arguments("SELECT * FROM unnest(ARRAY[1,2]) AS t(a, b)", "42P10: table \"t\" has 1 columns available but 2 columns specified")]
    [Arguments("SELECT * FROM generate_series('a'::text, 'b')", "42883: function generate_series(text, unknown) does not exist")]
    [Arguments("SELECT * FROM jsonb_array_elements('{\"a\": 1}')", "22023: cannot extract elements from an object")]
    public async Task Misuse_answers_postgres_errors(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }
}
