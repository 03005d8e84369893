using ThunderDb.Core.Sql.Syntax;
using static ThunderDb.Core.Tests.Sql.Syntax.SqlTestHelpers;

namespace ThunderDb.Core.Tests.Sql.Syntax;

public class SqlExpressionParserTests
{
    [Test]
    public async Task Arithmetic_precedence_and_left_associativity()
    {
        await Assert.That(Expr("1 + 2 * 3")).IsEqualTo("(1 + (2 * 3))");
        await Assert.That(Expr("1 - 2 - 3")).IsEqualTo("((1 - 2) - 3)");
        await Assert.That(Expr("a / b % c")).IsEqualTo("((a / b) % c)");
        await Assert.That(Expr("2 ^ 3 ^ 2")).IsEqualTo("((2 ^ 3) ^ 2)");
        await Assert.That(Expr("a * b ^ c")).IsEqualTo("(a * (b ^ c))");
        // Unary minus binds tighter than ^ in PostgreSQL: -2 ^ 2 = 4.
        await Assert.That(Expr("- x ^ 2")).IsEqualTo("((- x) ^ 2)");
        await Assert.That(Expr("(1 + 2) * 3")).IsEqualTo("((1 + 2) * 3)");
    }

    [Test]
    public async Task Negative_numbers_fold_into_constants()
    {
        await Assert.That(Same(ParseExpr("-2147483648"), new LiteralExpr(LiteralKind.Integer, "-2147483648"))).IsTrue();
        await Assert.That(Same(ParseExpr("-1.5"), new LiteralExpr(LiteralKind.Numeric, "-1.5"))).IsTrue();
        await Assert.That(Expr("- - 1")).IsEqualTo("(- -1)");
        await Assert.That(Expr("-a")).IsEqualTo("(- a)");
        // :: binds tighter than unary minus, so -1::text negates a text value, as PostgreSQL parses it.
        await Assert.That(Expr("-1::text")).IsEqualTo("(- CAST(1 AS text))");
    }

    [Test]
    public async Task Boolean_operators_precedence_and_flattening()
    {
        await Assert.That(Expr("a OR b AND NOT c = d")).IsEqualTo("(a OR (b AND (NOT (c = d))))");
        await Assert.That(Expr("a AND b AND c OR d")).IsEqualTo("((a AND b AND c) OR d)");
        var chain = (BoolExpr)ParseExpr("a OR b OR c OR d");
        await Assert.That(chain.Args.Count).IsEqualTo(4);
        await Assert.That(Expr("NOT a AND b")).IsEqualTo("((NOT a) AND b)");
    }

    [Test]
    public async Task Comparison_is_and_concatenation_levels()
    {
        await Assert.That(Expr("a || b = c")).IsEqualTo("((a || b) = c)");
        await Assert.That(Expr("a = b IS NULL")).IsEqualTo("((a = b) IS NULL)");
        await Assert.That(Expr("a + 1 < b * 2")).IsEqualTo("((a + 1) < (b * 2))");
        await Assert.That(Expr("a != b")).IsEqualTo("(a <> b)");
        await Assert.That(Expr("a IS NOT NULL")).IsEqualTo("(a IS NOT NULL)");
        await Assert.That(Expr("a ISNULL")).IsEqualTo("(a IS NULL)");
        await Assert.That(Expr("a NOTNULL")).IsEqualTo("(a IS NOT NULL)");
        await Assert.That(Expr("a IS TRUE AND b IS NOT FALSE AND c IS UNKNOWN")).IsEqualTo("((a IS TRUE) AND (b IS NOT FALSE) AND (c IS UNKNOWN))");
        await Assert.That(Expr("a IS DISTINCT FROM b")).IsEqualTo("(a IS DISTINCT FROM b)");
        await Assert.That(Expr("a IS NOT DISTINCT FROM b + 1")).IsEqualTo("(a IS NOT DISTINCT FROM (b + 1))");
        await Assert.That(Expr("j -> 'k' ->> 'z'")).IsEqualTo("((j -> 'k') ->> 'z')");
        await Assert.That(Expr("a ~ 'x' AND b !~* 'y' AND c ~~ 'z'")).IsEqualTo("((a ~ 'x') AND (b !~* 'y') AND (c ~~ 'z'))");
        await Assert.That(Expr("a OPERATOR(pg_catalog.~) '^x'")).IsEqualTo("(a ~ '^x')");
        await Assert.That(Expr("d @> '{1}'")).IsEqualTo("(d @> '{1}')");
    }

    [Test]
    public async Task Between_in_like_and_their_negations()
    {
        await Assert.That(Expr("a BETWEEN 1 AND 2 AND b")).IsEqualTo("((a BETWEEN 1 AND 2) AND b)");
        await Assert.That(Expr("a NOT BETWEEN SYMMETRIC b + 1 AND 10")).IsEqualTo("(a NOT BETWEEN SYMMETRIC (b + 1) AND 10)");
        await Assert.That(Expr("x IN (1, 2, 3)")).IsEqualTo("(x IN (1, 2, 3))");
        await Assert.That(Expr("x NOT IN (SELECT a FROM t)")).IsEqualTo("(x NOT IN (SELECT a FROM t))");
        await Assert.That(ParseExpr("x IN (SELECT 1)")).IsTypeOf<InSubqueryExpr>();
        await Assert.That(Expr("a LIKE 'x!%' ESCAPE '!'")).IsEqualTo("(a LIKE 'x!%' ESCAPE '!')");
        await Assert.That(Expr("a NOT ILIKE b")).IsEqualTo("(a NOT ILIKE b)");
        await Assert.That(Expr("a SIMILAR TO '(x|y)%'")).IsEqualTo("(a SIMILAR TO '(x|y)%')");
        await Assert.That(Expr("NOT a LIKE b")).IsEqualTo("(NOT (a LIKE b))");
    }

    [Test]
    public async Task Casts_and_type_normalisation()
    {
        await Assert.That(Expr("x::int + 1")).IsEqualTo("(CAST(x AS int4) + 1)");
        await Assert.That(Expr("'1'::numeric(10,2)")).IsEqualTo("CAST('1' AS numeric(10, 2))");
        await Assert.That(Expr("CAST(x AS double precision)")).IsEqualTo("CAST(x AS float8)");
        await Assert.That(Expr("x::timestamp with time zone")).IsEqualTo("CAST(x AS timestamptz)");
        await Assert.That(Expr("x::timestamp(3) without time zone")).IsEqualTo("CAST(x AS timestamp(3))");
        await Assert.That(Expr("x::int[]")).IsEqualTo("CAST(x AS int4[])");
        await Assert.That(Expr("x::varchar(20)")).IsEqualTo("CAST(x AS varchar(20))");
        await Assert.That(Expr("x::character varying")).IsEqualTo("CAST(x AS varchar)");
        await Assert.That(Expr("x::char")).IsEqualTo("CAST(x AS bpchar(1))");
        await Assert.That(Expr("x::bigint::text")).IsEqualTo("CAST(CAST(x AS int8) AS text)");
        await Assert.That(Expr("x::pg_catalog.regtype::pg_catalog.text")).IsEqualTo("CAST(CAST(x AS pg_catalog.regtype) AS pg_catalog.text)");
        await Assert.That(Expr("x::smallint + y::real + z::boolean::float")).IsEqualTo("((CAST(x AS int2) + CAST(y AS float4)) + CAST(CAST(z AS bool) AS float8))");
        var cast = (CastExpr)ParseExpr("CAST(a AS decimal(5))");
        await Assert.That(cast.Type.Name).IsEqualTo("numeric");
        await Assert.That(cast.Type.Modifiers.Count).IsEqualTo(1);
    }

    [Test]
    public async Task Typed_literals_and_interval_fields()
    {
        await Assert.That(Same(ParseExpr("DATE '2020-01-01'"), new TypedLiteralExpr(TypeName.Simple("date"), "2020-01-01"))).IsTrue();
        var ts = (TypedLiteralExpr)ParseExpr("TIMESTAMP WITH TIME ZONE '2020-01-01 00:00+00'");
        await Assert.That(ts.Type.Name).IsEqualTo("timestamptz");
        var interval = (TypedLiteralExpr)ParseExpr("INTERVAL '1' DAY");
        await Assert.That(interval.Type.Name).IsEqualTo("interval");
        await Assert.That(interval.IntervalFields).IsEqualTo("day");
        await Assert.That(Expr("INTERVAL '1 day' + now()")).IsEqualTo("(interval '1 day' + now())");
        await Assert.That(Expr("int4 '1'")).IsEqualTo("int4 '1'");
        // Type keywords are still usable as column names.
        await Assert.That(Same(ParseExpr("time"), new ColumnRefExpr(["time"]))).IsTrue();
        await Assert.That(Expr("timestamp + 1")).IsEqualTo("(\"timestamp\" + 1)");
    }

    [Test]
    public async Task Case_forms()
    {
        await Assert.That(Expr("CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN NULL ELSE 'y' END"))
            .IsEqualTo("CASE WHEN (a > 1) THEN 'x' WHEN (a IS NULL) THEN NULL ELSE 'y' END");
        var simple = (CaseExpr)ParseExpr("CASE a WHEN 1 THEN 2 END");
        await Assert.That(Same(simple.Operand!, new ColumnRefExpr(["a"]))).IsTrue();
        await Assert.That(simple.Else).IsNull();
        await Assert.That(simple.Whens.Count).IsEqualTo(1);
    }

    [Test]
    public async Task Function_calls_aggregates_and_windows()
    {
        var count = (FunctionCallExpr)ParseExpr("count(*)");
        await Assert.That(count.Star).IsTrue();
        await Assert.That(Expr("count(DISTINCT a)")).IsEqualTo("count(DISTINCT a)");
        await Assert.That(Expr("sum(x) FILTER (WHERE x > 0)")).IsEqualTo("sum(x) FILTER (WHERE (x > 0))");
        await Assert.That(Expr("string_agg(a, ',' ORDER BY a DESC)")).IsEqualTo("string_agg(a, ',' ORDER BY a DESC)");
        await Assert.That(Expr("row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"))
            .IsEqualTo("row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
        await Assert.That(Expr("lag(x, 1) OVER w")).IsEqualTo("lag(x, 1) OVER w");
        await Assert.That(Expr("sum(x) OVER (ORDER BY y RANGE 3 PRECEDING)")).IsEqualTo("sum(x) OVER (ORDER BY y RANGE 3 PRECEDING)");
        await Assert.That(Expr("percentile_cont(0.5) WITHIN GROUP (ORDER BY x)")).IsEqualTo("percentile_cont(0.5) WITHIN GROUP (ORDER BY x)");
        await Assert.That(Expr("pg_catalog.pg_get_userbyid(c.relowner)")).IsEqualTo("pg_catalog.pg_get_userbyid(c.relowner)");
        await Assert.That(Expr("COALESCE(a, b, 0) + NULLIF(c, 0) + GREATEST(1, 2) + LEAST(3, 4)"))
            .IsEqualTo("(((coalesce(a, b, 0) + nullif(c, 0)) + greatest(1, 2)) + least(3, 4))");
        await Assert.That(Expr("left(s, 2) || right(s, 1)")).IsEqualTo("(left(s, 2) || right(s, 1))");
    }

    [Test]
    public async Task Special_function_forms_become_plain_calls()
    {
        await Assert.That(Same(ParseExpr("EXTRACT(YEAR FROM ts)"), new ExtractExpr("year", new ColumnRefExpr(["ts"])))).IsTrue();
        var position = (FunctionCallExpr)ParseExpr("POSITION('b' IN s)");
        await Assert.That(position.FunctionName).IsEqualTo("position");
        await Assert.That(Same(position.Args[0], new ColumnRefExpr(["s"]))).IsTrue();
        await Assert.That(Expr("POSITION('b' IN s)")).IsEqualTo("POSITION('b' IN s)");
        await Assert.That(Expr("SUBSTRING(s FROM 2 FOR 3)")).IsEqualTo("substring(s, 2, 3)");
        await Assert.That(Expr("SUBSTRING(s FOR 3)")).IsEqualTo("substring(s, 1, 3)");
        await Assert.That(Expr("substring(s, 2)")).IsEqualTo("substring(s, 2)");
        await Assert.That(Expr("TRIM(LEADING 'x' FROM s)")).IsEqualTo("ltrim(s, 'x')");
        await Assert.That(Expr("TRIM(BOTH FROM s)")).IsEqualTo("btrim(s)");
        await Assert.That(Expr("TRIM(s)")).IsEqualTo("btrim(s)");
        await Assert.That(Expr("CURRENT_TIMESTAMP(3) > CURRENT_DATE")).IsEqualTo("(CURRENT_TIMESTAMP(3) > CURRENT_DATE)");
        await Assert.That(Same(ParseExpr("current_user"), new SqlValueFunctionExpr(SqlValueFunction.CurrentUser))).IsTrue();
        await Assert.That(Expr("ts AT TIME ZONE 'UTC'")).IsEqualTo("(ts AT TIME ZONE 'UTC')");
        await Assert.That(Expr("name COLLATE \"C\"")).IsEqualTo("(name COLLATE \"C\")");
    }

    [Test]
    public async Task Subqueries_quantifiers_arrays_rows_and_parameters()
    {
        await Assert.That(Expr("EXISTS (SELECT 1 FROM t WHERE t.a = x.a)")).IsEqualTo("EXISTS (SELECT 1 FROM t WHERE (t.a = x.a))");
        await Assert.That(ParseExpr("(SELECT max(a) FROM t)")).IsTypeOf<SubqueryExpr>();
        var any = (QuantifiedExpr)ParseExpr("a = ANY(ARRAY[1, 2])");
        await Assert.That(any.Quantifier).IsEqualTo(Quantifier.Any);
        await Assert.That(any.Array).IsTypeOf<ArrayExpr>();
        var all = (QuantifiedExpr)ParseExpr("a > ALL (SELECT b FROM t)");
        await Assert.That(all.Subquery).IsNotNull();
        await Assert.That(Expr("oid = any (pol.polroles)")).IsEqualTo("(oid = ANY (pol.polroles))");
        await Assert.That(Expr("ARRAY[[1, 2], [3, 4]]")).IsEqualTo("ARRAY[ARRAY[1, 2], ARRAY[3, 4]]");
        await Assert.That(Expr("ARRAY(SELECT 1)")).IsEqualTo("ARRAY(SELECT 1)");
        await Assert.That(Expr("a[1] + b[1:2][3]")).IsEqualTo("((a)[1] + ((b)[1:2])[3])");
        await Assert.That(Expr("(1, 'a')")).IsEqualTo("(1, 'a')");
        await Assert.That(Expr("ROW(1, 2) = ROW(a, b)")).IsEqualTo("(ROW(1, 2) = ROW(a, b))");
        await Assert.That(Same(ParseExpr("$12"), new ParameterExpr(12))).IsTrue();
        await Assert.That(Expr("(pg_get_keywords()).word")).IsEqualTo("(pg_get_keywords()).word");
    }

    [Test]
    public async Task Literals_decode_their_values()
    {
        await Assert.That(Same(ParseExpr("E'a\\nb'"), new LiteralExpr(LiteralKind.String, "a\nb"))).IsTrue();
        await Assert.That(Same(ParseExpr("$$it's$$"), new LiteralExpr(LiteralKind.String, "it's"))).IsTrue();
        await Assert.That(Same(ParseExpr("B'101'"), new LiteralExpr(LiteralKind.BitString, "101"))).IsTrue();
        await Assert.That(Same(ParseExpr("X'1F'"), new LiteralExpr(LiteralKind.HexString, "1F"))).IsTrue();
        await Assert.That(Same(ParseExpr("TRUE"), new LiteralExpr(LiteralKind.Boolean, "true"))).IsTrue();
        await Assert.That(Same(ParseExpr("1e3"), new LiteralExpr(LiteralKind.Numeric, "1e3"))).IsTrue();
        await Assert.That(Same(ParseExpr("99999999999999999999"), new LiteralExpr(LiteralKind.Integer, "99999999999999999999"))).IsTrue();
        await Assert.That(Expr("'a\\b'")).IsEqualTo("E'a\\\\b'");
        await Assert.That(Same(ParseExpr("\"Mixed Case\".\"Col\""), new ColumnRefExpr(["Mixed Case", "Col"]))).IsTrue();
        await Assert.That(Same(ParseExpr("MyCol"), new ColumnRefExpr(["mycol"]))).IsTrue();
    }

    [Test]
    public async Task Like_any_and_string_continuation()
    {
        var like = (QuantifiedExpr)ParseExpr("x NOT ILIKE ANY (ARRAY['a%', 'b%'])");
        await Assert.That(like.Operator).IsEqualTo("!~~*");
        await Assert.That(like.Array).IsTypeOf<ArrayExpr>();
        // 'a' <newline> 'b' is one literal 'ab'; without a newline it is an error, as in PostgreSQL.
        await Assert.That(Same(ParseExpr("'a'\n  'b''c'"), new LiteralExpr(LiteralKind.String, "ab'c"))).IsTrue();
        await Assert.That(Same(ParseExpr("E'\\t'\r\n'x'"), new LiteralExpr(LiteralKind.String, "\tx"))).IsTrue();
        await Assert.That(Same(ParseExpr("B'10'\n'01'"), new LiteralExpr(LiteralKind.BitString, "1001"))).IsTrue();
        await Assert.That(Error("SELECT 'a' 'b'").Message).IsEqualTo("syntax error at or near \"'b'\"");
        await Assert.That(Same(SqlParser.ParseExpression("'a' 'b'", SqlDialect.MySql), new LiteralExpr(LiteralKind.String, "ab"))).IsTrue();
    }

    [Test]
    public async Task Positions_point_at_the_first_token()
    {
        var e = (BinaryExpr)ParseExpr("a + foo(1)");
        await Assert.That(e.Position).IsEqualTo(0);
        await Assert.That(e.Right.Position).IsEqualTo(4);
    }
}
