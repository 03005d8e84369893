using System.Diagnostics;
using ThunderDb.Core.Sql.Syntax;
using static ThunderDb.Core.Tests.Sql.Syntax.SqlTestHelpers;

namespace ThunderDb.Core.Tests.Sql.Syntax;

public class SqlSyntaxErrorTests
{
    [Test]
    public async Task Errors_name_the_token_and_its_position_as_postgres_does()
    {
        SqlSyntaxException e = Error("SELECT * FORM t");
        await Assert.That(e.SqlState).IsEqualTo("42601");
        await Assert.That(e.Message).IsEqualTo("syntax error at or near \"FORM\"");
        await Assert.That(e.Position).IsEqualTo(10);
        SqlSyntaxException end = Error("SELECT 1 +");
        await Assert.That(end.Message).IsEqualTo("syntax error at end of input");
        await Assert.That(end.Position).IsEqualTo(11);
        await Assert.That(Error("SELECT (1").Message).IsEqualTo("syntax error at end of input");
        await Assert.That(Error("CREATE TABLE").Message).IsEqualTo("syntax error at end of input");
        await Assert.That(Error("SELECT 1 FROM t WHERE a IN ()").Message).IsEqualTo("syntax error at or near \")\"");
        await Assert.That(Error("SELEC 1").Message).IsEqualTo("syntax error at or near \"SELEC\"");
        await Assert.That(Error("SELECT 1; SELEC 2").Position).IsEqualTo(11);
        await Assert.That(Error("SELECT 'abc").Message).IsEqualTo("unterminated quoted string at or near \"'abc\"");
        await Assert.That(Error("INSERT INTO t VALUES (1").Message).IsEqualTo("syntax error at end of input");
        await Assert.That(Error("SELECT a b c FROM t").Message).IsEqualTo("syntax error at or near \"c\"");
        await Assert.That(Error("SELECT select").Message).IsEqualTo("syntax error at or near \"select\"");
        await Assert.That(Error("SELECT 1 2").Message).IsEqualTo("syntax error at or near \"2\"");
    }

    [Test]
    public async Task Deep_nesting_is_refused_with_54001_not_a_crash()
    {
        string deep = "SELECT " + new string('(', 50_000) + "1" + new string(')', 50_000);
        SqlSyntaxException e = Error(deep);
        await Assert.That(e.SqlState).IsEqualTo("54001");
        await Assert.That(e.Message).IsEqualTo("stack depth limit exceeded");
        await Assert.That(Error("SELECT " + string.Concat(Enumerable.Repeat("NOT ", 50_000)) + "true").SqlState).IsEqualTo("54001");
        await Assert.That(Error("SELECT " + string.Concat(Enumerable.Repeat("- ", 50_000)) + "1").SqlState).IsEqualTo("54001");
        await Assert.That(Error(string.Concat(Enumerable.Repeat("SELECT * FROM (", 5_000)) + "SELECT 1" + new string(')', 5_000)).SqlState).IsEqualTo("54001");
        await Assert.That(Error("SELECT ARRAY" + string.Concat(Enumerable.Repeat("[", 50_000))).SqlState).IsEqualTo("54001");
        // Left-deep operator chains count as nesting too (the tree they build is that deep).
        await Assert.That(Error("SELECT " + string.Join(" + ", Enumerable.Repeat("1", 5_000))).SqlState).IsEqualTo("54001");
        Parse("SELECT " + string.Join(" || ", Enumerable.Repeat("'x'", 500)));
        // Reasonable nesting parses, and long flat chains do not nest at all.
        await Assert.That(SqlParser.Parse("SELECT " + new string('(', 200) + "1" + new string(')', 200)).Count).IsEqualTo(1);
        var chain = (BoolExpr)ParseExpr(string.Join(" OR ", Enumerable.Range(0, 20_000).Select(i => $"a = {i}")));
        await Assert.That(chain.Args.Count).IsEqualTo(20_000);
        await Assert.That(SqlParser.ParseExpression("x IN (" + string.Join(", ", Enumerable.Range(0, 20_000)) + ")")).IsTypeOf<InListExpr>();
    }

    [Test]
    public async Task Fuzzed_and_mutated_input_only_ever_raises_syntax_errors()
    {
        string[] seeds =
        [
            "SELECT a, b AS c, count(*) FROM t1 JOIN t2 ON t1.x = t2.y WHERE a BETWEEN 1 AND 2 GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, E'y\\n') ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING *",
            "CREATE TABLE t (id int PRIMARY KEY, v varchar(20) NOT NULL DEFAULT 'a', CHECK (id > 0)) WITH (fillfactor=100)",
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT CASE WHEN n % 2 = 0 THEN 'e' ELSE 'o' END FROM r",
            "UPDATE t SET (a, b) = (SELECT 1, 2) WHERE c IN (SELECT d FROM u) AND e IS NOT DISTINCT FROM $1::int[]",
            "SELECT x::timestamp with time zone AT TIME ZONE 'UTC', ARRAY[1,2][1], $$dollar$$, /* c */ -1 -- end",
            "SELECT sum(x) FILTER (WHERE y) OVER (PARTITION BY z ORDER BY w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
            "CREATE TABLE `t` (`id` int(11) unsigned NOT NULL AUTO_INCREMENT, KEY `k` (`id`)) ENGINE=InnoDB /*! DEFAULT CHARSET=utf8 */",
            "SET NAMES utf8mb4; SHOW FULL TABLES FROM db LIKE 'x%'; SELECT @@session.autocommit, @a LIMIT 1, 2 # done",
        ];
        string alphabet = " ()[],;.:'\"$-+*/<>=!~|&%^@#?_aZ09eE\\\n";
        var random = new Random(20261203);
        var clock = Stopwatch.StartNew();
        int inputs = 0, parsed = 0;
        for (int i = 0; i < 6000; i++)
        {
            string input;
            if (i % 3 == 0)
            {
                char[] chars = new char[random.Next(0, 60)];
                for (int k = 0; k < chars.Length; k++)
                {
                    chars[k] = alphabet[random.Next(alphabet.Length)];
                }

                input = new string(chars);
            }
            else
            {
                char[] chars = seeds[random.Next(seeds.Length)].ToCharArray();
                int edits = random.Next(1, 6);
                var text = new System.Text.StringBuilder(new string(chars));
                for (int k = 0; k < edits && text.Length > 0; k++)
                {
                    int at = random.Next(text.Length);
                    switch (random.Next(3))
                    {
                        case 0: text.Remove(at, 1); break;
                        case 1: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                        default: text[at] = alphabet[random.Next(alphabet.Length)]; break;
                    }
                }

                // Sometimes cut the statement short, as a client that sent half a query would.
                input = random.Next(4) == 0 ? text.ToString(0, random.Next(text.Length + 1)) : text.ToString();
            }

            inputs++;
            SqlDialect dialect = i % 4 == 3 ? SqlDialect.MySql : SqlDialect.PostgreSql;
            try
            {
                foreach (SqlStatement s in SqlParser.Parse(input, dialect))
                {
                    // Whatever parses must print (and, in PostgreSQL, parse again).
                    string printed = SqlPrinter.Print(s);
                    if (dialect == SqlDialect.PostgreSql)
                    {
                        SqlParser.Parse(printed);
                    }
                }

                parsed++;
            }
            catch (SqlSyntaxException e)
            {
                if (e.Position < 0 || e.Position > input.Length + 1 || e.SqlState is not ("42601" or "54001" or "0A000"))
                {
                    throw new InvalidOperationException($"bad error for {input}: {e.SqlState} at {e.Position}", e);
                }
            }
        }

        await Assert.That(inputs).IsEqualTo(6000);
        await Assert.That(parsed).IsGreaterThan(100);
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(30));
    }
}
