using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Execution;

/// <summary>Results compared with PostgreSQL 15 on the same expressions.</summary>
public class SqlArithmeticTests
{
    private static string Div(string a, string b) =>
        SqlText.Format(SqlArithmetic.Apply(ArithmeticOperator.Divide, SqlText.Parse(a, SqlType.Numeric), SqlText.Parse(b, SqlType.Numeric), SqlType.Numeric));

    [Test]
    [Arguments("1", "3", "0.33333333333333333333")]
    [Arguments("10", "3", "3.3333333333333333")]
    [Arguments("2", "3", "0.66666666666666666667")]
    [Arguments("3.50", "3", "1.16666666666666666667")] // equal first base-10000 digits (3 and 3): one more digit group, as PostgreSQL
    [Arguments("3.59", "3", "1.19666666666666666667")]
    [Arguments("15.23", "3", "5.0766666666666667")]
    [Arguments("1.5", "0.5", "3.0000000000000000")]
    [Arguments("100000", "7", "14285.714285714286")]
    [Arguments("0.001", "3", "0.00033333333333333333")]
    [Arguments("12345678901234567890", "7", "1763668414462081127")]
    public async Task Numeric_division_picks_postgres_scale(string a, string b, string expected)
    {
        await Assert.That(Div(a, b)).IsEqualTo(expected);
    }

    [Test]
    public async Task Integer_operators_truncate_and_check_range()
    {
        SqlValue Int(long v) => SqlValue.FromInt4((int)v);
        await Assert.That(SqlArithmetic.Apply(ArithmeticOperator.Divide, Int(7), Int(2), SqlType.Int4).AsInt64).IsEqualTo(3);
        await Assert.That(SqlArithmetic.Apply(ArithmeticOperator.Divide, Int(-7), Int(2), SqlType.Int4).AsInt64).IsEqualTo(-3);
        await Assert.That(SqlArithmetic.Apply(ArithmeticOperator.Modulo, Int(-7), Int(3), SqlType.Int4).AsInt64).IsEqualTo(-1);
        await Assert.That(SqlArithmetic.Apply(ArithmeticOperator.Modulo, Int(7), Int(-3), SqlType.Int4).AsInt64).IsEqualTo(1);
        var overflow = Assert.Throws<SqlException>(() => SqlArithmetic.Apply(ArithmeticOperator.Add, Int(int.MaxValue), Int(1), SqlType.Int4));
        await Assert.That(overflow.Message).IsEqualTo("integer out of range");
        await Assert.That(overflow.SqlState).IsEqualTo("22003");
        var minOverMinusOne = Assert.Throws<SqlException>(() => SqlArithmetic.Apply(ArithmeticOperator.Divide, Int(int.MinValue), Int(-1), SqlType.Int4));
        await Assert.That(minOverMinusOne.Message).IsEqualTo("integer out of range");
        var zero = Assert.Throws<SqlException>(() => SqlArithmetic.Apply(ArithmeticOperator.Divide, Int(1), Int(0), SqlType.Int4));
        await Assert.That(zero.SqlState).IsEqualTo("22012");
        await Assert.That(zero.Message).IsEqualTo("division by zero");
        await Assert.That(SqlArithmetic.Apply(ArithmeticOperator.Add, SqlValue.FromInt8(long.MaxValue - 1), SqlValue.FromInt4(1), SqlType.Int8).AsInt64).IsEqualTo(long.MaxValue);
        await Assert.That(Assert.Throws<SqlException>(() => SqlArithmetic.Negate(SqlValue.FromInt8(long.MinValue))).Message).IsEqualTo("bigint out of range");
    }

    [Test]
    public async Task Date_and_interval_arithmetic_follows_postgres()
    {
        SqlValue Parse(string text, SqlType type) => SqlText.Parse(text, type);
        string Op(ArithmeticOperator op, SqlValue a, SqlValue b, SqlType result) => SqlText.Format(SqlArithmetic.Apply(op, a, b, result));

        await Assert.That(Op(ArithmeticOperator.Add, Parse("2024-01-31", SqlType.Timestamp), Parse("1 month", SqlType.Interval), SqlType.Timestamp)).IsEqualTo("2024-02-29 00:00:00");
        await Assert.That(Op(ArithmeticOperator.Subtract, Parse("2024-03-01 00:00", SqlType.Timestamp), Parse("2024-02-28 12:00", SqlType.Timestamp), SqlType.Interval)).IsEqualTo("1 day 12:00:00");
        await Assert.That(Op(ArithmeticOperator.Subtract, Parse("2024-03-01", SqlType.Date), Parse("2024-02-01", SqlType.Date), SqlType.Int4)).IsEqualTo("29");
        await Assert.That(Op(ArithmeticOperator.Add, Parse("2024-03-01", SqlType.Date), SqlValue.FromInt4(1), SqlType.Date)).IsEqualTo("2024-03-02");
        await Assert.That(Op(ArithmeticOperator.Multiply, Parse("1 day", SqlType.Interval), SqlValue.FromNumeric(1.5m), SqlType.Interval)).IsEqualTo("1 day 12:00:00");
        await Assert.That(Op(ArithmeticOperator.Divide, Parse("1 mon", SqlType.Interval), SqlValue.FromInt4(3), SqlType.Interval)).IsEqualTo("10 days");
        await Assert.That(Op(ArithmeticOperator.Add, Parse("23:00", SqlType.Time), Parse("2 hours", SqlType.Interval), SqlType.Time)).IsEqualTo("01:00:00");
    }

    [Test]
    [Arguments("abc", "a%", false, true)]
    [Arguments("abc", "_b_", false, true)]
    [Arguments("abc", "a\\%", false, false)]
    [Arguments("a%c", "a\\%c", false, true)]
    [Arguments("ABC", "a%", true, true)]
    [Arguments("abc", "%c%c", false, false)]
    [Arguments("", "%", false, true)]
    [Arguments("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%a%a%a%a%c", false, false)]
    public async Task Like_matches_as_postgres(string text, string pattern, bool ignoreCase, bool expected)
    {
        await Assert.That(LikePattern.Matches(text, pattern, ignoreCase)).IsEqualTo(expected);
    }

    [Test]
    public async Task Three_valued_logic_in_and_or_in()
    {
        var ctx = new EvalContext([]);
        BoundExpr T = new ConstantExpr(SqlValue.FromBool(true), SqlType.Bool), F = new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool),
            N = new ConstantExpr(SqlValue.Null, SqlType.Bool);
        await Assert.That(new AndExpr([T, N]).Evaluate(ctx).IsNull).IsTrue();
        await Assert.That(new AndExpr([N, F]).Evaluate(ctx).AsBool).IsFalse();
        await Assert.That(new OrExpr([N, T]).Evaluate(ctx).AsBool).IsTrue();
        await Assert.That(new OrExpr([N, F]).Evaluate(ctx).IsNull).IsTrue();
        await Assert.That(new NotExpr(N).Evaluate(ctx).IsNull).IsTrue();

        BoundExpr one = new ConstantExpr(SqlValue.FromInt4(1), SqlType.Int4), two = new ConstantExpr(SqlValue.FromInt4(2), SqlType.Int4),
            nullInt = new ConstantExpr(SqlValue.Null, SqlType.Int4);
        await Assert.That(new InListExpr(one, [two, nullInt], false).Evaluate(ctx).IsNull).IsTrue(); // 1 IN (2, NULL) is NULL
        await Assert.That(new InListExpr(one, [one, nullInt], false).Evaluate(ctx).AsBool).IsTrue();
        await Assert.That(new InListExpr(one, [two], true).Evaluate(ctx).AsBool).IsTrue();
        await Assert.That(new IsDistinctExpr(nullInt, nullInt, false).Evaluate(ctx).AsBool).IsFalse();
        await Assert.That(new IsExpr(N, null, false).Evaluate(ctx).AsBool).IsTrue();
        await Assert.That(new IsExpr(N, true, true).Evaluate(ctx).AsBool).IsTrue(); // NULL IS NOT TRUE
        await Assert.That(new ComparisonExpr(ComparisonOperator.Less, one, nullInt).Evaluate(ctx).IsNull).IsTrue();
    }
}
