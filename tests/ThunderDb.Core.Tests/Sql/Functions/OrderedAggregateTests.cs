using ThunderDb.Core.Tests.Sql.Planning;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>Aggregates with ORDER BY and the ordered-set aggregates; expected values are PostgreSQL 15's.</summary>
public class OrderedAggregateTests
{
    private static readonly string[] Setup =
    [
        "CREATE TABLE emp (id int PRIMARY KEY, dept text, salary int, hired date)",
        "INSERT INTO emp VALUES (1,'a',100,'2020-01-01'),(2,'a',200,'2020-01-05'),(3,'a',200,'2020-02-01'),(4,'b',50,'2020-01-03'),"
            + "(5,'b',NULL,'2020-03-01'),(6,'b',70,'2020-01-10'),(7,'c',300,'2020-01-20')",
    ];

    [Test]
    [Arguments("SELECT dept, string_agg(id::text, ',' ORDER BY salary DESC NULLS LAST, id), array_agg(salary ORDER BY id DESC), array_agg(DISTINCT salary ORDER BY salary) "
        + "FROM emp GROUP BY dept ORDER BY dept", "a|2,3,1|{200,200,100}|{100,200}\nb|6,4,5|{70,NULL,50}|{50,70,NULL}\nc|7|{300}|{300}")]
    [Arguments("SELECT string_agg(dept, '-' ORDER BY dept DESC) FROM emp", "c-b-b-b-a-a-a")]
    [Arguments("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY salary), percentile_disc(0.5) WITHIN GROUP (ORDER BY salary), "
        + "percentile_cont(0.25) WITHIN GROUP (ORDER BY salary DESC), mode() WITHIN GROUP (ORDER BY salary), percentile_disc(0.9) WITHIN GROUP (ORDER BY hired) FROM emp",
        "150|100|200|200|2020-03-01")]
    [Arguments("SELECT dept, percentile_cont(0.5) WITHIN GROUP (ORDER BY salary), mode() WITHIN GROUP (ORDER BY dept) FROM emp GROUP BY dept ORDER BY 1", "a|200|a\nb|60|b\nc|300|c")]
    [Arguments("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY salary) FROM emp WHERE false", "NULL")]
    [Arguments("SELECT percentile_cont(ARRAY[0.5, NULL, 1]) WITHIN GROUP (ORDER BY id) FROM emp", "{4,NULL,7}")]
    public async Task Aggregates_read_their_input_in_the_requested_order(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.RowsAsync(sql)).IsEqualTo(expected);
    }

    [Test]
    [Arguments("SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY salary) FROM emp", "22003: percentile value 1.5 is not between 0 and 1")]
    [Arguments("SELECT percentile_cont(0.5, salary) FROM emp", "42809: WITHIN GROUP is required for ordered-set aggregate percentile_cont")]
    [Arguments("SELECT sum(salary) WITHIN GROUP (ORDER BY salary) FROM emp", "42883: function sum(integer, integer) does not exist")]
    [Arguments("SELECT array_agg(DISTINCT salary ORDER BY id) FROM emp", "42P10: in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list")]
    [Arguments("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) OVER () FROM emp", "0A000: OVER is not supported for ordered-set aggregate percentile_cont")]
    public async Task Misuse_answers_postgres_errors(string sql, string expected)
    {
        using QueryHarness h = await QueryHarness.OpenAsync(Setup);
        await Assert.That(await h.ErrorAsync(sql)).IsEqualTo(expected);
    }
}
