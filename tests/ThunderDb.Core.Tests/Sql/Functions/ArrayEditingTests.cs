using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>Array <c>||</c>, array_cat / array_append / array_prepend / array_remove / array_replace / array_position(s); expected rows and errors are PostgreSQL 15's.</summary>
public class ArrayEditingTests
{
    [Test]
    [Arguments("SELECT ARRAY[1,2] || ARRAY[3]", "{1,2,3}")]
    [Arguments("SELECT 1 || ARRAY[2]", "{1,2}")]
    [Arguments("SELECT ARRAY[1] || 2", "{1,2}")]
    [Arguments("SELECT ARRAY[[1,2]] || ARRAY[3,4]", "{{1,2},{3,4}}")]
    [Arguments("SELECT ARRAY[1,2] || ARRAY[[3,4],[5,6]]", "{{1,2},{3,4},{5,6}}")]
    [Arguments("SELECT ARRAY[1] || 2.5, ARRAY[1] || '{2}', NULL || ARRAY[1], ARRAY[1] || NULL, '{}'::int[] || ARRAY[[1]]", "{1,2.5}|{1,2}|{1}|{1}|{{1}}")]
    [Arguments("SELECT ARRAY[1]::int2[] || 70000", "{1,70000}")]
    [Arguments("SELECT ARRAY['a'] || 'b'::text || ARRAY['c']", "{a,b,c}")]
    [Arguments("SELECT array_replace(ARRAY[[1,2],[1,3]], 1, 9), array_append(NULL::int[], 1), array_prepend(1, NULL), array_cat(NULL, ARRAY[1]), array_cat(ARRAY[1], NULL), array_cat(NULL::int[], NULL)",
        "{{9,2},{9,3}}|{1}|{1}|{1}|{1}|NULL")]
    [Arguments("SELECT array_position(ARRAY[1,2,1], 1, 2), array_positions(ARRAY[1,NULL,1], NULL), array_positions(ARRAY[1], 2), array_remove(ARRAY[1,NULL], NULL), array_remove(ARRAY[1,2,1], 1)",
        "3|{2}|{}|{1}|{2}")]
    [Arguments("SELECT array_append(ARRAY[1.5], 2), array_cat(ARRAY['x'], ARRAY['y','z'])", "{1.5,2}|{x,y,z}")]
    public async Task Concatenation_and_editing_return_postgres_values(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.RowsAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    [Arguments("SELECT ARRAY[[1,2]] || ARRAY[3]", "2202E: cannot concatenate incompatible arrays")]
    [Arguments("SELECT ARRAY[[1,2]] || ARRAY[[3]]", "2202E: cannot concatenate incompatible arrays")]
    [Arguments("SELECT ARRAY[[[1]]] || ARRAY[1]", "2202E: cannot concatenate incompatible arrays")]
    [Arguments("SELECT ARRAY[[1]] || 3", "22000: argument must be empty or one-dimensional array")]
    [Arguments("SELECT 3 || ARRAY[[1]]", "22000: argument must be empty or one-dimensional array")]
    [Arguments("SELECT array_remove(ARRAY[[1]], 1)", "0A000: removing elements from multidimensional arrays is not supported")]
    [Arguments("SELECT array_positions(ARRAY[[1]], 1)", "0A000: searching for elements in multidimensional arrays is not supported")]
    [Arguments("SELECT ARRAY[1] || 'x'::text", "42883: operator does not exist: integer[] || text")]
    public async Task Incompatible_shapes_and_types_fail_as_postgres_does(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    public async Task Dimension_errors_carry_postgres_details()
    {
        using QueryHarness h = await QueryHarness.OpenAsync();
        async Task<string?> Detail(string sql) => (await h.Session.ExecuteAsync(sql)).Error?.Detail;
        await Assert.That(await Detail("SELECT ARRAY[[1,2]] || ARRAY[3]")).IsEqualTo("Arrays with differing dimensions are not compatible for concatenation.");
        await Assert.That(await Detail("SELECT ARRAY[[1,2]] || ARRAY[[3]]")).IsEqualTo("Arrays with differing element dimensions are not compatible for concatenation.");
        await Assert.That(await Detail("SELECT ARRAY[[[1]]] || ARRAY[1]")).IsEqualTo("Arrays of 3 and 1 dimensions are not compatible for concatenation.");
    }

    [Test]
    public async Task Concatenation_appends_to_stored_arrays()
    {
        using QueryHarness h = await QueryHarness.OpenAsync("CREATE TABLE t (id int PRIMARY KEY, a int[])", "INSERT INTO t VALUES (1, '{1}'), (2, NULL)");
        await h.RowsAsync("UPDATE t SET a = a || id * 10");
        await Assert.That(await h.RowsAsync("SELECT id, a, 0 || a FROM t ORDER BY id")).IsEqualTo("1|{1,10}|{0,1,10}\n2|{20}|{0,20}");
    }
}
