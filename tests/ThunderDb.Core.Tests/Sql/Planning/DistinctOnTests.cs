namespace ThunderDb.Core.Tests.Sql.Planning;

/// <summary>SELECT DISTINCT ON; expected rows are PostgreSQL 15's on the same data.</summary>
public class DistinctOnTests
{
    private static readonly string[] Setup =
    [
        "CREATE TABLE emp (id int PRIMARY KEY, dept text, salary int, hired date)",
        "INSERT INTO emp VALUES (1,'a',100,'2020-01-01'),(2,'a',200,'2020-01-05'),(3,'a',200,'2020-02-01'),(4,'b',50,'2020-01-03'),"
            + "(5,'b',NULL,'2020-03-01'),(6,'b',70,'2020-01-10'),(7,'c',300,'2020-01-20')",
    ];

    [Test]
    [Arguments("SELECT DISTINCT ON (dept) dept, id, salary FROM emp ORDER BY dept, salary DESC NULLS LAST, id", "a|2|200\nb|6|70\nc|7|300")]
    [Arguments("SELECT DISTINCT ON (dept) id FROM emp", "1\n4\n7")]
    [Arguments("SELECT DISTINCT ON (salary, dept) dept, salary FROM emp ORDER BY dept, salary", "a|100\na|200\nb|50\nb|70\nb|NULL\nc|300")]
    [Arguments("SELECT DISTINCT ON (2) dept, id FROM emp ORDER BY id", "a|1\na|2\na|3\nb|4\nb|5\nb|6\nc|7")]
    [Arguments("SELECT DISTINCT ON (dept) id, salary FROM emp ORDER BY dept, hired DESC", "3|200\n5|NULL\n7|300")]
    [Arguments("SELECT DISTINCT ON (salary > 100) id FROM emp ORDER BY salary > 100, id DESC", "6\n7\n5")]
    [Arguments("SELECT DISTINCT ON (dept) dept, id FROM emp ORDER BY dept DESC, id LIMIT 2", "c|7\nb|4")]
    public async Task Keeps_the_first_row_of_each_key_in_order_by_order(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.RowsAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    public async Task Distinct_on_expressions_must_lead_order_by()
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.ErrorAsync("SELECT DISTINCT ON (dept) id FROM emp ORDER BY id"))
            .IsEqualTo("42P10: SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
    }
}
