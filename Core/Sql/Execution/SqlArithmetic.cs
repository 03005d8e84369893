using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

public enum ArithmeticOperator : byte
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Power,
}

public static class ArithmeticOperators
{
    /// <summary>The operator as SQL writes it (error messages, EXPLAIN).</summary>
    public static string Symbol(this ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        ArithmeticOperator.Modulo => "%",
        _ => "^",
    };
}

/// <summary>
/// Arithmetic on non-null values whose result type the binder has chosen (PostgreSQL's operator
/// resolution: int2/int4/int8 widen to the wider integer, integer with numeric is numeric, anything with a
/// float is float8). Integer overflow, division by zero and numeric overflow raise the SQLSTATEs PostgreSQL
/// raises; integer division truncates toward zero.
/// </summary>
public static class SqlArithmetic
{
    public static SqlValue Apply(ArithmeticOperator op, SqlValue left, SqlValue right, SqlType result)
    {
        return result.Kind switch
        {
            SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 => Integer(op, left.AsInt64, right.AsInt64, result),
            SqlTypeKind.Float4 or SqlTypeKind.Float8 => Float(op, left.ToDouble(), right.ToDouble(), result),
            SqlTypeKind.Numeric => Numeric(op, ToDecimal(left), ToDecimal(right)),
            SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Interval or SqlTypeKind.Time => SqlDateArithmetic.Apply(op, left, right, result),
            _ => throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist for type {result}"),
        };
    }

    public static SqlValue Negate(SqlValue value)
    {
        return value.Kind switch
        {
            SqlTypeKind.Int2 => value.AsInt64 == short.MinValue ? throw SqlCast.OutOfRange(SqlType.Int2) : SqlValue.FromInt2((short)-value.AsInt64),
            SqlTypeKind.Int4 => value.AsInt64 == int.MinValue ? throw SqlCast.OutOfRange(SqlType.Int4) : SqlValue.FromInt4((int)-value.AsInt64),
            SqlTypeKind.Int8 => value.AsInt64 == long.MinValue ? throw SqlCast.OutOfRange(SqlType.Int8) : SqlValue.FromInt8(-value.AsInt64),
            SqlTypeKind.Float4 => SqlValue.FromFloat4((float)-value.AsDouble),
            SqlTypeKind.Float8 => SqlValue.FromFloat8(-value.AsDouble),
            SqlTypeKind.Numeric => SqlValue.FromNumeric(-value.AsDecimal),
            SqlTypeKind.Interval => SqlValue.FromInterval(-value.IntervalMonths, -value.IntervalDays, -value.IntervalMicros),
            _ => throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: - {SqlTypeInfo.Of(value.Kind).DisplayName}"),
        };
    }

    private static decimal ToDecimal(SqlValue v) => v.Kind switch
    {
        SqlTypeKind.Numeric => v.AsDecimal,
        SqlTypeKind.Float4 or SqlTypeKind.Float8 => (decimal)v.AsDouble,
        _ => v.AsInt64,
    };

    private static SqlValue Integer(ArithmeticOperator op, long a, long b, SqlType result)
    {
        long r;
        try
        {
            r = op switch
            {
                ArithmeticOperator.Add => checked(a + b),
                ArithmeticOperator.Subtract => checked(a - b),
                ArithmeticOperator.Multiply => checked(a * b),
                ArithmeticOperator.Divide => b == 0 ? throw DivisionByZero() : (a == long.MinValue && b == -1 ? throw new OverflowException() : a / b),
                ArithmeticOperator.Modulo => b == 0 ? throw DivisionByZero() : (b == -1 ? 0 : a % b),
                ArithmeticOperator.Power => throw new InvalidOperationException("the binder types integer ^ as float8"),
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
        }
        catch (OverflowException)
        {
            throw SqlCast.OutOfRange(result);
        }

        (long min, long max) = result.Kind switch
        {
            SqlTypeKind.Int2 => (short.MinValue, short.MaxValue),
            SqlTypeKind.Int4 => (int.MinValue, int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (r < min || r > max)
        {
            throw SqlCast.OutOfRange(result);
        }

        return SqlValue.FromInteger(result.Kind, r);
    }

    private static SqlValue Float(ArithmeticOperator op, double a, double b, SqlType result)
    {
        double r = op switch
        {
            ArithmeticOperator.Add => a + b,
            ArithmeticOperator.Subtract => a - b,
            ArithmeticOperator.Multiply => a * b,
            ArithmeticOperator.Divide => b == 0 ? throw DivisionByZero() : a / b,
            ArithmeticOperator.Modulo => b == 0 ? throw DivisionByZero() : a % b,
            ArithmeticOperator.Power => Power(a, b),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        if (double.IsInfinity(r) && !double.IsInfinity(a) && !double.IsInfinity(b))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow");
        }

        return result.Kind == SqlTypeKind.Float4 ? SqlValue.FromFloat4((float)r) : SqlValue.FromFloat8(r);
    }

    private static double Power(double a, double b)
    {
        if (a == 0 && b < 0)
        {
            throw new SqlException("2201F", "zero raised to a negative power is undefined");
        }

        if (a < 0 && b != Math.Floor(b))
        {
            throw new SqlException("2201F", "a negative number raised to a non-integer power yields a complex result");
        }

        return Math.Pow(a, b);
    }

    private static SqlValue Numeric(ArithmeticOperator op, decimal a, decimal b)
    {
        try
        {
            decimal r = op switch
            {
                ArithmeticOperator.Add => a + b,
                ArithmeticOperator.Subtract => a - b,
                ArithmeticOperator.Multiply => a * b,
                ArithmeticOperator.Divide => b == 0 ? throw DivisionByZero() : DivideNumeric(a, b),
                ArithmeticOperator.Modulo => b == 0 ? throw DivisionByZero() : a % b,
                ArithmeticOperator.Power => (decimal)Power((double)a, (double)b),
                _ => throw new ArgumentOutOfRangeException(nameof(op)),
            };
            return SqlValue.FromNumeric(r);
        }
        catch (OverflowException)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value overflows numeric format");
        }
    }

    /// <summary>
    /// The quotient's scale as PostgreSQL's select_div_scale picks it: at least 16 significant digits (counted in
    /// its base-10000 digits) and no fewer decimals than either input (1/3 = 0.33333333333333333333, 10/3 = 3.3333333333333333).
    /// </summary>
    private static decimal DivideNumeric(decimal a, decimal b)
    {
        (int w1, decimal f1) = Base10000Weight(a);
        (int w2, decimal f2) = Base10000Weight(b);
        int qweight = w1 - w2 - (f1 <= f2 ? 1 : 0); // equal first digits: assume |a| < |b|, as PostgreSQL does
        int scale = Math.Max(16 - (qweight * 4), Math.Max(a.Scale, b.Scale));
        return SqlCast.WithScale(a / b, Math.Clamp(scale, 0, 28));
    }

    /// <summary>The weight of the first base-10000 digit of |d| (d != 0) and that digit.</summary>
    private static (int Weight, decimal First) Base10000Weight(decimal d)
    {
        d = Math.Abs(d);
        if (d == 0)
        {
            return (0, 0);
        }

        int weight = 0;
        while (d >= 10000)
        {
            d /= 10000;
            weight++;
        }

        while (d < 1)
        {
            d *= 10000;
            weight--;
        }

        return (weight, decimal.Truncate(d));
    }

    public static SqlException DivisionByZero() => new(SqlState.DivisionByZero, "division by zero");
}
