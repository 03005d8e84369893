namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>Set-returning functions in a select list (PostgreSQL's ProjectSet, lock-step since PostgreSQL 10); expected rows and errors are PostgreSQL 15's.</summary>
public class SetReturningSelectTests
{
    private static readonly string[] Setup = ["CREATE TABLE st (id int PRIMARY KEY, tags text[])", "INSERT INTO st VALUES (1, '{a,b}'), (2, NULL), (3, '{}'), (4, '{c}')"];

    [Test]
    [Arguments("SELECT unnest(ARRAY[1,2,3])", "1\n2\n3")]
    [Arguments("SELECT generate_series(1,3), 'x'", "1|x\n2|x\n3|x")]
    [Arguments("SELECT generate_series(1,3) AS a, generate_series(1,5) AS b, unnest(ARRAY['p','q']) AS c", "1|1|p\n2|2|q\n3|3|NULL\nNULL|4|NULL\nNULL|5|NULL")]
    [Arguments("SELECT id, unnest(tags) FROM st ORDER BY id, 2", "1|a\n1|b\n4|c")]
    [Arguments("SELECT id, generate_series(1, id) * 10 AS g FROM st WHERE id < 3 ORDER BY id, g", "1|10\n2|10\n2|20")]
    [Arguments("SELECT unnest(array_agg(id ORDER BY id)) FROM st", "1\n2\n3\n4")]
    [Arguments("SELECT generate_series(1,10) LIMIT 3", "1\n2\n3")]
    [Arguments("SELECT generate_series(3,1,-1) ORDER BY 1", "1\n2\n3")]
    [Arguments("SELECT DISTINCT unnest(ARRAY[1,1,2]) ORDER BY 1", "1\n2")]
    [Arguments("SELECT count(*) FROM (SELECT generate_series(1,100)) s", "100")]
    [Arguments("SELECT generate_series(1, NULL), 1", "")]
    [Arguments("SELECT regexp_split_to_table('a,b', ','), jsonb_array_elements('[1,2]')", "a|1\nb|2")]
    [Arguments("SELECT unnest(ARRAY[[1,2],[3,4]])", "1\n2\n3\n4")]
    [Arguments("SELECT CASE WHEN true THEN (SELECT count(*) FROM (SELECT generate_series(1, 3)) s) END", "3")]
    [Arguments("SELECT id, (SELECT max(g) FROM generate_series(1, st.id) g) FROM st WHERE id = 3", "3|3")]
    public async Task Select_list_calls_return_postgres_rows(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.RowsAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    [Arguments("SELECT * FROM st WHERE id = generate_series(1,2)", "0A000: set-returning functions are not allowed in WHERE")]
    [Arguments("SELECT id FROM st GROUP BY id HAVING generate_series(1,2) > 1", "0A000: set-returning functions are not allowed in HAVING")]
    [Arguments("SELECT sum(generate_series(1,3))", "0A000: aggregate function calls cannot contain set-returning function calls")]
    [Arguments("SELECT 1 FROM st JOIN st s2 ON s2.id = generate_series(1,2)", "0A000: set-returning functions are not allowed in JOIN conditions")]
    [Arguments("SELECT CASE WHEN true THEN generate_series(1,2) END", "0A000: set-returning functions are not allowed in CASE")]
    [Arguments("SELECT coalesce(generate_series(1,2), 0)", "0A000: set-returning functions are not allowed in COALESCE")]
    [Arguments("SELECT unnest(ARRAY[1],ARRAY[2])", "42883: function unnest(integer[], integer[]) does not exist")]
    public async Task Calls_outside_a_select_list_fail_as_postgres_does(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    public async Task Insert_select_of_a_series_and_explain_show_project_set()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await h.RowsAsync("INSERT INTO st SELECT generate_series(10,12), ARRAY['z']");
        await Assert.That(await h.RowsAsync("SELECT count(*) FROM st")).IsEqualTo("7");
        await Assert.That(await h.RowsAsync("EXPLAIN (COSTS OFF) SELECT id, unnest(tags) FROM st")).IsEqualTo("ProjectSet\n  ->  Seq Scan on st");
        await Assert.That(await h.RowsAsync("EXPLAIN (COSTS OFF) SELECT generate_series(1,3)")).IsEqualTo("ProjectSet\n  ->  Result");
    }
}
