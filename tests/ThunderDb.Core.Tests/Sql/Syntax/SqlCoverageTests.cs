using ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Tests.Sql.Syntax;

/// <summary>A broad list of everyday statements (beyond the corpus and the clients) that must keep parsing.</summary>
public class SqlCoverageTests
{
    [Test]
    public async Task Everyday_postgres_and_mysql_statements_parse_and_postgres_ones_round_trip()
    {
        string[] pg =
        [
            "SELECT * FROM t WHERE a = ANY($1::int[])", "SELECT x FROM t ORDER BY x USING <", "SELECT a FROM t GROUP BY ROLLUP (a)",
            "SELECT (x).y FROM t", "SELECT '{\"a\":1}'::jsonb -> 'a'", "SELECT now() - interval '1 hour'",
            "SELECT * FROM generate_series(1,3) WITH ORDINALITY AS g(v, n)", "SELECT array_agg(x ORDER BY y) FROM t",
            "SELECT 1::\"char\"", "SELECT 'abc'::varchar(2)", "SELECT ARRAY[1,2]::int[]", "SELECT '{1,2}'::int[] @> ARRAY[1]",
            "SELECT setval('s', 10, false)", "SELECT x FROM t LIMIT $1 OFFSET $2", "SELECT a, b FROM t WHERE (a, b) IN ((1,2),(3,4))",
            "SELECT EXTRACT(EPOCH FROM now())", "SELECT x::regclass", "SELECT |/ 16, @ -5, ~ 5, 2 # 3", "SELECT 1 AS \"select\"",
            "SELECT a AS from FROM t", "SELECT 1 UNION (SELECT 2 ORDER BY 1 LIMIT 1)", "VALUES (1) UNION VALUES (2)", "(VALUES (1), (2)) ORDER BY 1",
            "CREATE INDEX i ON t USING gin (doc jsonb_path_ops)", "SET statement_timeout TO '5s'", "SET search_path = public, pg_catalog",
            "SELECT * FROM a, LATERAL generate_series(1, a.n) g", "SELECT row_number() OVER () FROM t", "SELECT sum(x) OVER (w ORDER BY y) FROM t",
            "EXPLAIN (COSTS OFF) SELECT 1", "SELECT a IN (1) = true", "SELECT - 1 - - 1", "SELECT pg_catalog.set_config('search_path', '', false);",
            "SELECT c FROM t WHERE c LIKE $1 ESCAPE '\\'", "SELECT x FROM t WHERE x ILIKE ANY (ARRAY['a%'])", "SELECT 'a'\n 'b'",
            "SELECT a FROM t WHERE b = (SELECT max(b) FROM t)", "SELECT * FROM unnest(ARRAY[1,2]) AS u(x)", "SELECT count(*) FROM t AS x(a)",
            "SELECT CAST(NULL AS text[])", "SELECT t.a FROM s.t", "SELECT interval '1 day' * 2", "SELECT 'x'::text COLLATE \"C\" < 'y'",
            "SELECT EXISTS(SELECT 1)", "SELECT date '2020-01-01' + 1", "SELECT ts::date FROM t", "SELECT 1 FROM t WHERE a NOT SIMILAR TO 'x'",
            "SELECT CASE WHEN a THEN b END IS NULL", "SELECT 3 BETWEEN 1 AND 5 = true", "SELECT x FROM t WHERE x IS NOT NULL AND y ISNULL",
            "SELECT string_agg(DISTINCT a, ',') FROM t", "SELECT * FROM t1 JOIN t2 USING (a, b) JOIN t3 USING (c)",
            "DELETE FROM t WHERE ctid IN (SELECT ctid FROM t LIMIT 1)", "SELECT $1::int + $2", "SELECT * FROM t WHERE id = $1 FOR UPDATE",
            "CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), doc jsonb NOT NULL DEFAULT '{}'::jsonb)",
            "CREATE TABLE t (a int, b int, PRIMARY KEY (a, b), UNIQUE (b), CONSTRAINT c CHECK (a > 0) NOT DEFERRABLE)",
            "CREATE TABLE t (a int REFERENCES u ON DELETE SET DEFAULT DEFERRABLE INITIALLY DEFERRED)", "ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint",
            "SELECT 1 FROM t GROUP BY a HAVING a > 1 ORDER BY 1 LIMIT 1 OFFSET 1 FOR UPDATE", "SELECT 1 OFFSET 1 LIMIT 1",
            "SELECT x FROM (SELECT 1 AS x) s", "SELECT * FROM (SELECT 1) AS s JOIN (SELECT 2) AS u ON true",
            "SELECT a.* FROM a", "COPY t TO STDOUT (FORMAT binary)", "COPY t FROM '/tmp/x.csv' WITH (FORMAT csv)", "SELECT 1 -- comment without newline",
        ];
        string[] my =
        [
            "SELECT 1 FROM DUAL", "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()", "SHOW WARNINGS", "SELECT NOW()",
            "SELECT LAST_INSERT_ID()", "INSERT INTO t SET a = 1, b = 'x'", "SHOW INDEX FROM t", "SELECT CONNECTION_ID()",
            "SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client",
            "SET SQL_SELECT_LIMIT=DEFAULT", "SET character_set_results = NULL", "CREATE TABLE t (a FLOAT(10,2), b DATETIME(6), c TINYINT(1), d ENUM('x','y'), e LONGTEXT, f DOUBLE)",
            "SELECT CAST(x AS UNSIGNED), CAST(x AS CHAR(10)) FROM t", "SELECT a FROM t WHERE a = 'x' COLLATE utf8mb4_bin", "SELECT * FROM t LIMIT ?, ?",
            "CREATE TABLE IF NOT EXISTS t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
            "SELECT `t`.`a` FROM `db`.`t`", "START TRANSACTION WITH CONSISTENT SNAPSHOT", "SHOW FULL PROCESSLIST", "SHOW ENGINES", "SHOW STATUS LIKE 'Threads%'",
            "SELECT 1 FROM t WHERE a REGEXP '^x'", "SELECT IFNULL(a, 0), IF(a > 1, 'y', 'n') FROM t", "DESCRIBE t", "SELECT a FROM t LOCK IN SHARE MODE",
        ];
        var bad = new List<string>();
        foreach (string s in pg)
        {
            try
            {
                foreach (SqlStatement st in SqlParser.Parse(s))
                {
                    string p = SqlPrinter.Print(st);
                    string q = SqlPrinter.Print(SqlParser.ParseSingle(p));
                    if (p != q)
                    {
                        bad.Add("RT " + s + " => " + p + " => " + q);
                    }
                }
            }
            catch (Exception e)
            {
                bad.Add("PG " + s + " : " + e.Message);
            }
        }

        foreach (string s in my)
        {
            try
            {
                SqlParser.Parse(s, SqlDialect.MySql);
            }
            catch (Exception e)
            {
                bad.Add("MY " + s + " : " + e.Message);
            }
        }

        foreach (string b in bad)
        {
            Console.WriteLine(b);
        }

        await Assert.That(bad).IsEmpty();
    }
}
