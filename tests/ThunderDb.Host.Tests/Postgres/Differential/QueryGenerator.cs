using System.Globalization;
using System.Text;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// Random schemas, data and queries for the differential test, from a seed (a failure names its seed and
/// query, so it can be replayed). The queries are deterministic by construction: every result is ordered
/// by all of its columns, so rows that tie are identical rows. Values are small so that joins match,
/// groups collide and NULLs (about one value in seven) reach every operator.
/// </summary>
internal sealed class QueryGenerator(int seed)
{
    private readonly Random _rng = new(seed);

    private static readonly string[] Texts = ["'a'", "'b'", "'abc'", "''", "'B'", "'a b'", "'zz'", "'Ab'"];

    // (table, column, kind): kind i = integer, n = numeric, t = text, b = boolean
    private static readonly (string Table, string Column, char Kind)[] Columns =
    [
        ("t1", "id", 'i'), ("t1", "a", 'i'), ("t1", "b", 'i'), ("t1", "c", 't'), ("t1", "d", 'b'), ("t1", "e", 'n'),
        ("t2", "id", 'i'), ("t2", "a", 'i'), ("t2", "x", 'i'), ("t2", "s", 't'), ("t2", "f", 'b'),
    ];

    public string Schema()
    {
        var sql = new StringBuilder();
        sql.AppendLine("CREATE TABLE t1 (id int PRIMARY KEY, a int, b int, c text, d boolean, e numeric(10,2));");
        sql.AppendLine("CREATE TABLE t2 (id int PRIMARY KEY, a int, x bigint, s text, f boolean);");
        sql.AppendLine("CREATE INDEX t2_a ON t2 (a);");
        sql.AppendLine("CREATE VIEW v1 AS SELECT id, a, b + 1 AS b1, c FROM t1 WHERE a IS NOT NULL;");
        int rows1 = _rng.Next(20, 45), rows2 = _rng.Next(10, 30);
        sql.Append("INSERT INTO t1 VALUES ");
        sql.AppendJoin(", ", Enumerable.Range(1, rows1).Select(id => $"({id}, {Int()}, {Int()}, {Text()}, {Bool()}, {Numeric()})"));
        sql.AppendLine(";");
        sql.Append("INSERT INTO t2 VALUES ");
        sql.AppendJoin(", ", Enumerable.Range(1, rows2).Select(id => $"({id}, {Int()}, {Int()}, {Text()}, {Bool()})"));
        sql.AppendLine(";");
        return sql.ToString();
    }

    public string Query() => _rng.Next(14) switch
    {
        9 => NullLogic(),
        10 => CaseCast(),
        11 => Nested(),
        12 => ViewQuery(),
        13 => OrderByExpression(),
        0 => Filter(),
        1 => Grouped(),
        2 => Join(),
        3 => Subquery(),
        4 => Scalars(),
        5 => SetOperation(),
        6 => DistinctLimit(),
        7 => Aggregates(),
        _ => Correlated(),
    };

    private bool Null() => _rng.Next(7) == 0;

    private string Int() => Null() ? "NULL" : _rng.Next(-3, 12).ToString(CultureInfo.InvariantCulture);

    private string Text() => Null() ? "NULL" : Texts[_rng.Next(Texts.Length)];

    private string Bool() => Null() ? "NULL" : _rng.Next(2) == 0 ? "true" : "false";

    private string Numeric() => Null() ? "NULL" : (_rng.Next(-500, 2000) / 100.0).ToString("0.00", CultureInfo.InvariantCulture);

    private T Pick<T>(params T[] items) => items[_rng.Next(items.Length)];

    private (string Table, string Column, char Kind) Column(string table, char? kind = null)
    {
        var candidates = Columns.Where(c => c.Table == table && (kind is null || c.Kind == kind)).ToArray();
        return candidates[_rng.Next(candidates.Length)];
    }

    private static string OrderAll(int columns) => " ORDER BY " + string.Join(", ", Enumerable.Range(1, columns));

    /// <summary>A boolean condition over one table's columns (qualified with <paramref name="alias"/>).</summary>
    private string Predicate(string table, string alias, int depth = 0)
    {
        if (depth < 2 && _rng.Next(3) == 0)
        {
            return _rng.Next(3) switch
            {
                0 => $"({Predicate(table, alias, depth + 1)} AND {Predicate(table, alias, depth + 1)})",
                1 => $"({Predicate(table, alias, depth + 1)} OR {Predicate(table, alias, depth + 1)})",
                _ => $"NOT ({Predicate(table, alias, depth + 1)})",
            };
        }

        var (_, col, kind) = Column(table);
        string c = $"{alias}.{col}";
        return kind switch
        {
            'i' => _rng.Next(6) switch
            {
                0 => $"{c} {Pick("=", "<>", "<", "<=", ">", ">=")} {_rng.Next(-2, 11)}",
                1 => $"{c} BETWEEN {_rng.Next(-2, 5)} AND {_rng.Next(4, 11)}",
                2 => $"{c} IN ({string.Join(", ", Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => Int()))})",
                3 => $"{c} IS {Pick("", "NOT ")}NULL",
                4 => $"{c} % 3 = {_rng.Next(3)}",
                _ => $"{c} + {alias}.{Column(table, 'i').Column} > {_rng.Next(0, 15)}",
            },
            'n' => _rng.Next(3) switch
            {
                0 => $"{c} > {_rng.Next(-5, 15)}.5",
                1 => $"{c} IS NULL",
                _ => $"round({c}) = {_rng.Next(0, 10)}",
            },
            't' => _rng.Next(5) switch
            {
                0 => $"{c} = {Pick(Texts)}",
                1 => $"{c} < {Pick(Texts)}",
                2 => $"{c} LIKE {Pick("'a%'", "'%b'", "'_'", "'%'", "'A%'")}",
                3 => $"length({c}) = {_rng.Next(0, 4)}",
                _ => $"{c} IS DISTINCT FROM {Pick(Texts)}",
            },
            _ => _rng.Next(3) switch
            {
                0 => c,
                1 => $"{c} IS {Pick("TRUE", "FALSE", "UNKNOWN", "NOT TRUE")}",
                _ => $"NOT {c}",
            },
        };
    }

    private string Filter()
    {
        var cols = Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => "t." + Column("t1").Column).Distinct().ToList();
        return $"SELECT {string.Join(", ", cols)} FROM t1 t WHERE {Predicate("t1", "t")}{OrderAll(cols.Count)}";
    }

    private string Grouped()
    {
        var key = Column("t1", Pick('i', 't', 'b')).Column;
        var agg = Pick("count(*)", "count(t.b)", "sum(t.b)", "min(t.c)", "max(t.a)", "sum(t.e)", "avg(t.a)", "count(DISTINCT t.a)", "bool_or(t.d)");
        var having = _rng.Next(2) == 0 ? $" HAVING count(*) > {_rng.Next(0, 3)}" : "";
        return $"SELECT t.{key}, {agg} FROM t1 t WHERE {Predicate("t1", "t")} GROUP BY t.{key}{having}{OrderAll(2)}";
    }

    private string Join()
    {
        var kind = Pick("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN");
        var on = Pick("t.a = u.a", "t.b = u.x", "t.id = u.id", "t.c = u.s", "t.a = u.a AND t.d = u.f", "t.a < u.x");
        if (kind == "FULL JOIN" && on.Contains('<', StringComparison.Ordinal))
        {
            on = "t.a = u.a"; // PostgreSQL runs FULL JOIN only on hash- or merge-joinable conditions (0A000 otherwise)
        }

        var where = _rng.Next(2) == 0 ? $" WHERE {Predicate("t1", "t")}" : "";
        return $"SELECT t.id, u.id, t.{Column("t1").Column}, u.{Column("t2").Column} FROM t1 t {kind} t2 u ON {on}{where}{OrderAll(4)}";
    }

    private string Subquery()
    {
        var op = Pick("IN", "NOT IN");
        var col = Pick(("a", "a"), ("b", "x"), ("c", "s"));
        return $"SELECT t.id, t.{col.Item1} FROM t1 t WHERE t.{col.Item1} {op} (SELECT u.{col.Item2} FROM t2 u WHERE {Predicate("t2", "u")}){OrderAll(2)}";
    }

    private string Correlated() => _rng.Next(3) switch
    {
        0 => $"SELECT t.id FROM t1 t WHERE {Pick("", "NOT ")}EXISTS (SELECT 1 FROM t2 u WHERE u.a = t.a AND {Predicate("t2", "u")}){OrderAll(1)}",
        1 => $"SELECT t.id, (SELECT max(u.x) FROM t2 u WHERE u.a = t.b) FROM t1 t WHERE {Predicate("t1", "t")}{OrderAll(2)}",
        _ => $"SELECT t.id, t.a FROM t1 t WHERE t.a > (SELECT {Pick("min", "max", "avg")}(u.a) FROM t2 u WHERE u.f){OrderAll(2)}",
    };

    private string Scalars()
    {
        string IntExpr() => _rng.Next(7) switch
        {
            0 => $"t.a {Pick("+", "-", "*")} t.b",
            1 => $"t.a / {Pick("t.b", "2", "-3", "(t.b + 1)")}",
            2 => $"t.a % {Pick("t.b", "4", "-3")}",
            3 => $"COALESCE(t.a, t.b, {_rng.Next(10)})",
            4 => $"NULLIF(t.a, {_rng.Next(5)})",
            5 => $"CASE WHEN t.a > t.b THEN t.a WHEN t.b IS NULL THEN -1 ELSE t.b END",
            _ => $"abs(t.a - {_rng.Next(10)})",
        };
        string OtherExpr() => _rng.Next(7) switch
        {
            0 => "t.c || '-' || t.a",
            1 => $"upper(t.c)",
            2 => $"substr(t.c, {_rng.Next(1, 3)}, {_rng.Next(1, 3)})",
            3 => "t.e * 2",
            4 => "t.e / 3",
            5 => "t.a = t.b",
            _ => "round(t.e, 1)",
        };
        return $"SELECT t.id, {IntExpr()}, {OtherExpr()} FROM t1 t WHERE {Predicate("t1", "t")}{OrderAll(3)}";
    }

    private string SetOperation()
    {
        var op = Pick("UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL");
        var cols = Pick(("a", "a"), ("b", "x"), ("c", "s"), ("a, c", "a, s"));
        int n = cols.Item1.Count(ch => ch == ',') + 1;
        return $"SELECT {cols.Item1} FROM t1 t WHERE {Predicate("t1", "t")} {op} SELECT {cols.Item2} FROM t2 u WHERE {Predicate("t2", "u")}{OrderAll(n)}";
    }

    private string DistinctLimit() => _rng.Next(2) == 0
        ? $"SELECT DISTINCT t.{Column("t1").Column}, t.{Column("t1").Column} FROM t1 t{OrderAll(2)}"
        : $"SELECT t.id, t.c FROM t1 t WHERE {Predicate("t1", "t")} ORDER BY t.id {Pick("", "DESC")} LIMIT {_rng.Next(0, 8)} OFFSET {_rng.Next(0, 5)}";

    private string Aggregates() =>
        $"SELECT count(*), count(t.a), sum(t.a), min(t.b), max(t.c), {Pick("avg(t.b)", "avg(t.e)", "sum(t.e)", "bool_and(t.d)", "count(DISTINCT t.c)")} FROM t1 t WHERE {Predicate("t1", "t")}";

    /// <summary>BETWEEN and IN with NULL bounds and items, NOT over them, and aggregates over NULLs and empty sets.</summary>
    private string NullLogic() => _rng.Next(5) switch
    {
        0 => $"SELECT t.id FROM t1 t WHERE t.a {Pick("", "NOT ")}BETWEEN {Pick("NULL", "t.b", "2")} AND {Pick("NULL", "t.b", "8")}{OrderAll(1)}",
        1 => $"SELECT t.id FROM t1 t WHERE {Pick("", "NOT ")}(t.a {Pick("IN", "NOT IN")} ({Int()}, NULL, {Int()})){OrderAll(1)}",
        2 => $"SELECT sum(t.a), avg(t.b), count(t.a), min(t.c), count(*) FROM t1 t WHERE t.a {Pick("IS NULL", "> 100", "< 5")}",
        3 => $"SELECT t.id, t.a = NULL, t.a IS NULL, NULL IS NOT DISTINCT FROM t.a, (t.a > 3) IS {Pick("TRUE", "NOT FALSE", "UNKNOWN")} FROM t1 t{OrderAll(1)}",
        _ => $"SELECT t.b, count(t.a), sum(t.a) FROM t1 t GROUP BY t.b HAVING {Pick("sum(t.a) IS NULL", "count(t.a) > 1", "NULL", "max(t.a) BETWEEN 1 AND NULL")}{OrderAll(3)}",
    };

    /// <summary>CASE (simple and searched), CAST and ::, integer versus numeric division.</summary>
    private string CaseCast()
    {
        string expr = _rng.Next(8) switch
        {
            0 => "CASE t.a WHEN 1 THEN 'one' WHEN NULL THEN 'null' WHEN 2 THEN 'two' ELSE 'other' END",
            1 => "CASE WHEN t.a IS NULL THEN -1 WHEN t.a % 2 = 0 THEN t.a / 2 END",
            2 => $"CAST(t.a AS numeric) / {Pick("4", "3", "-8")}",
            3 => $"t.e::int + {_rng.Next(5)}",
            4 => "CAST(t.b AS text) || t.c",
            5 => $"t.a::bigint * {Pick("1000000", "-7", "0")}",
            6 => "(t.a + 0.5)::integer",
            _ => $"CASE WHEN t.b > 5 THEN t.e ELSE t.a END",
        };
        return $"SELECT t.id, {expr} FROM t1 t WHERE {Predicate("t1", "t")}{OrderAll(2)}";
    }

    /// <summary>Subqueries inside subqueries, correlated to one or both enclosing queries, and EXISTS / NOT IN with extra conditions.</summary>
    private string Nested() => _rng.Next(5) switch
    {
        0 => $"SELECT t.id FROM t1 t WHERE t.a IN (SELECT u.a FROM t2 u WHERE u.x > (SELECT min(v.b) FROM t1 v WHERE v.id {Pick("=", "<")} t.id)){OrderAll(1)}",
        1 => $"SELECT t.id FROM t1 t WHERE {Pick("", "NOT ")}EXISTS (SELECT 1 FROM t2 u WHERE u.a = t.a AND u.x {Pick(">", "<>", "=")} t.b){OrderAll(1)}",
        2 => $"SELECT t.id, (SELECT count(*) FROM t2 u WHERE u.a = t.a AND EXISTS (SELECT 1 FROM t1 w WHERE w.b = u.x)) FROM t1 t{OrderAll(2)}",
        3 => $"SELECT t.id FROM t1 t WHERE t.b NOT IN (SELECT u.x FROM t2 u WHERE u.a = t.a){OrderAll(1)}",
        _ => $"SELECT t.id FROM t1 t WHERE t.a IN (SELECT u.a FROM t2 u WHERE u.f) AND t.b {Pick("IN", "NOT IN")} (SELECT u.x FROM t2 u WHERE u.x IS NOT NULL){OrderAll(1)}",
    };

    private string ViewQuery() => _rng.Next(3) switch
    {
        0 => $"SELECT v.id, v.b1 FROM v1 v WHERE v.b1 {Pick(">", "<", "=")} {_rng.Next(0, 12)}{OrderAll(2)}",
        1 => $"SELECT v.a, count(*), sum(v.b1) FROM v1 v GROUP BY v.a{OrderAll(3)}",
        _ => $"SELECT v.id, u.id FROM v1 v JOIN t2 u ON u.a = v.a{OrderAll(2)}",
    };

    /// <summary>ORDER BY an expression, an output alias, an ordinal and DESC NULLS FIRST / LAST, ties broken by id.</summary>
    private string OrderByExpression() => _rng.Next(3) switch
    {
        0 => $"SELECT t.id, t.a + t.b AS s FROM t1 t ORDER BY t.a + t.b {Pick("", "DESC", "NULLS FIRST", "DESC NULLS LAST")}, t.id",
        1 => $"SELECT t.a % 3 AS m, t.id FROM t1 t ORDER BY m {Pick("ASC", "DESC")}, 2",
        _ => $"SELECT t.id, t.c FROM t1 t ORDER BY length(t.c) {Pick("", "DESC")}, t.c, 1 LIMIT {_rng.Next(1, 10)}",
    };
}
