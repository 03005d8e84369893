namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>Window functions; every expected result was produced by PostgreSQL 15 on the same data.</summary>
public class WindowFunctionTests
{
    private static readonly string[] Setup =
    [
        "CREATE TABLE emp (id int PRIMARY KEY, dept text, salary int, hired date)",
        "INSERT INTO emp VALUES (1,'a',100,'2020-01-01'),(2,'a',200,'2020-01-05'),(3,'a',200,'2020-02-01'),(4,'b',50,'2020-01-03'),"
            + "(5,'b',NULL,'2020-03-01'),(6,'b',70,'2020-01-10'),(7,'c',300,'2020-01-20')",
    ];

    [Test]
    public async Task Ranking_functions_follow_partitions_peers_and_ordering()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        string rows = await h.RowsAsync("SELECT id, row_number() OVER (PARTITION BY dept ORDER BY salary DESC, id), rank() OVER (PARTITION BY dept ORDER BY salary DESC), "
            + "dense_rank() OVER (ORDER BY salary), percent_rank() OVER (ORDER BY salary), cume_dist() OVER (ORDER BY salary), ntile(3) OVER (ORDER BY id) FROM emp ORDER BY id");
        await Assert.That(rows).IsEqualTo("""
            1|3|3|3|0.3333333333333333|0.42857142857142855|1
            2|1|1|4|0.5|0.7142857142857143|1
            3|2|1|4|0.5|0.7142857142857143|1
            4|3|3|1|0|0.14285714285714285|2
            5|1|1|6|1|1|2
            6|2|2|2|0.16666666666666666|0.2857142857142857|3
            7|1|1|5|0.8333333333333334|0.8571428571428571|3
            """);
    }

    [Test]
    public async Task Offset_and_value_functions_read_neighbours_and_the_frame_of_a_named_window()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        string rows = await h.RowsAsync("SELECT id, lag(salary) OVER w, lead(salary, 2, -1) OVER w, first_value(id) OVER w, last_value(id) OVER w, nth_value(id, 2) OVER w "
            + "FROM emp WINDOW w AS (ORDER BY id) ORDER BY id");
        await Assert.That(rows).IsEqualTo("""
            1|NULL|200|1|1|NULL
            2|100|50|1|2|2
            3|200|NULL|1|3|2
            4|200|70|1|4|2
            5|50|300|1|5|2
            6|NULL|-1|1|6|2
            7|70|-1|1|7|2
            """);
    }

    [Test]
    public async Task Aggregates_over_windows_use_the_default_frame_with_peers_and_explicit_row_frames()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        string rows = await h.RowsAsync("SELECT id, sum(salary) OVER (ORDER BY salary), count(*) OVER (PARTITION BY dept), avg(salary) OVER (PARTITION BY dept), "
            + "min(salary) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), max(salary) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), "
            + "string_agg(dept, ',') OVER (ORDER BY id ROWS 2 PRECEDING) FROM emp ORDER BY id");
        await Assert.That(rows).IsEqualTo("""
            1|220|3|166.6666666666666667|100|300|a
            2|620|3|166.6666666666666667|100|300|a,a
            3|620|3|166.6666666666666667|50|300|a,a,a
            4|50|3|60.0000000000000000|50|300|a,a,b
            5|920|3|60.0000000000000000|50|300|a,b,b
            6|120|3|60.0000000000000000|70|300|b,b,b
            7|920|1|300.0000000000000000|70|300|b,b,c
            """);
    }

    [Test]
    public async Task Range_groups_and_exclusion_frames_match_postgres()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        string rows = await h.RowsAsync("SELECT id, sum(salary) OVER (ORDER BY salary RANGE BETWEEN 50 PRECEDING AND 50 FOLLOWING), "
            + "sum(id) OVER (ORDER BY salary DESC GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW), count(*) OVER (ORDER BY hired RANGE BETWEEN '7 days' PRECEDING AND CURRENT ROW), "
            + "sum(id) OVER (ORDER BY salary ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW), "
            + "sum(id) OVER (ORDER BY salary RANGE UNBOUNDED PRECEDING EXCLUDE GROUP), sum(id) OVER (ORDER BY salary RANGE UNBOUNDED PRECEDING EXCLUDE TIES) FROM emp ORDER BY id");
        await Assert.That(rows).IsEqualTo("""
            1|220|6|1|27|10|11
            2|400|12|3|26|11|13
            3|400|12|1|25|11|14
            4|220|10|2|24|NULL|4
            5|NULL|5|1|23|23|28
            6|220|7|3|22|4|10
            7|300|12|1|21|16|23
            """);
    }

    [Test]
    public async Task Windows_run_over_grouped_rows_and_can_order_the_result()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.RowsAsync("SELECT dept, sum(salary), rank() OVER (ORDER BY sum(salary) DESC), sum(sum(salary)) OVER () FROM emp GROUP BY dept ORDER BY dept"))
            .IsEqualTo("a|500|1|920\nb|120|3|920\nc|300|2|920");
        await Assert.That(await h.RowsAsync("SELECT id, bool_and(salary > 60) OVER (PARTITION BY dept), bool_or(salary > 150) OVER (ORDER BY id) FROM emp "
            + "ORDER BY row_number() OVER (ORDER BY id DESC)"))
            .IsEqualTo("7|t|t\n6|f|t\n5|f|t\n4|f|t\n3|t|t\n2|t|t\n1|t|f");
        await Assert.That(await h.RowsAsync("SELECT id, count(salary) FILTER (WHERE salary > 80) OVER (ORDER BY id) FROM emp ORDER BY id"))
            .IsEqualTo("1|1\n2|2\n3|3\n4|3\n5|3\n6|3\n7|4");
    }

    [Test]
    [Arguments("SELECT row_number() FROM emp", "42809: window function row_number requires an OVER clause")]
    [Arguments("SELECT lower('a') OVER () FROM emp", "42809: OVER specified, but lower is not a window function nor an aggregate function")]
    [Arguments("SELECT id FROM emp WHERE row_number() OVER () > 1", "42P20: window functions are not allowed in WHERE")]
    [Arguments("SELECT sum(row_number() OVER ()) FROM emp", "42803: aggregate function calls cannot contain window function calls")]
    [Arguments("SELECT id FROM emp GROUP BY id HAVING row_number() OVER () > 0", "42P20: window functions are not allowed in HAVING")]
    [Arguments("SELECT id FROM emp GROUP BY row_number() OVER ()", "42P20: window functions are not allowed in GROUP BY")]
    [Arguments("SELECT sum(rank() OVER ()) OVER () FROM emp", "42P20: window function calls cannot be nested")]
    [Arguments("SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM emp", "42P20: frame starting from current row cannot have preceding rows")]
    [Arguments("SELECT sum(id) OVER (ORDER BY dept RANGE 1 PRECEDING) FROM emp", "0A000: RANGE with offset PRECEDING/FOLLOWING is not supported for column type text")]
    [Arguments("SELECT sum(id) OVER (RANGE 1 PRECEDING) FROM emp", "42P20: RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")]
    [Arguments("SELECT sum(id) OVER (GROUPS 1 PRECEDING) FROM emp", "42P20: GROUPS mode requires an ORDER BY clause")]
    [Arguments("SELECT ntile(0) OVER () FROM emp", "22014: argument of ntile must be greater than zero")]
    [Arguments("SELECT nth_value(id, 0) OVER () FROM emp", "22016: argument of nth_value must be greater than zero")]
    [Arguments("SELECT sum(id) OVER (ROWS -1 PRECEDING) FROM emp", "22013: frame starting offset must not be negative")]
    [Arguments("SELECT sum(id) OVER (ORDER BY id RANGE -1 PRECEDING) FROM emp", "22013: invalid preceding or following size in window function")]
    [Arguments("SELECT rank() OVER w FROM emp", "42704: window \"w\" does not exist")]
    [Arguments("SELECT rank() OVER (w PARTITION BY id) FROM emp WINDOW w AS (ORDER BY id)", "42P20: cannot override PARTITION BY clause of window \"w\"")]
    [Arguments("SELECT rank() OVER (w ORDER BY id) FROM emp WINDOW w AS (ORDER BY id)", "42P20: cannot override ORDER BY clause of window \"w\"")]
    [Arguments("SELECT count(DISTINCT id) OVER () FROM emp", "0A000: DISTINCT is not implemented for window functions")]
    [Arguments("SELECT string_agg(dept, ',' ORDER BY id) OVER () FROM emp", "0A000: aggregate ORDER BY is not implemented for window functions")]
    [Arguments("SELECT sum(id) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM emp", "42P20: frame start cannot be UNBOUNDED FOLLOWING")]
    public async Task Misuse_answers_postgres_errors(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }
}
