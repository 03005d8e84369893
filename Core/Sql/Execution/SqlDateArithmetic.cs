using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// Date/time arithmetic with PostgreSQL's operators: date ± integer (days), date - date (integer days),
/// date/timestamp ± interval (months first, then days, then time, in the session time zone UTC),
/// timestamp - timestamp (an interval of days and time), interval ± interval, interval * / number.
/// </summary>
public static class SqlDateArithmetic
{
    public static SqlValue Apply(ArithmeticOperator op, SqlValue left, SqlValue right, SqlType result)
    {
        SqlTypeKind l = left.Kind, r = right.Kind;
        switch (result.Kind)
        {
            case SqlTypeKind.Date when l == SqlTypeKind.Date && SqlCompare.IsInteger(r):
                return SqlValue.FromDate(checked(left.AsDate + (op == ArithmeticOperator.Subtract ? -(int)right.AsInt64 : (int)right.AsInt64)));
            case SqlTypeKind.Date when r == SqlTypeKind.Date && SqlCompare.IsInteger(l) && op == ArithmeticOperator.Add:
                return SqlValue.FromDate(checked(right.AsDate + (int)left.AsInt64));
            case SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz when r == SqlTypeKind.Interval && op is ArithmeticOperator.Add or ArithmeticOperator.Subtract:
                return WithKind(result.Kind, AddInterval(Micros(left), right, op == ArithmeticOperator.Subtract ? -1 : 1));
            case SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz when l == SqlTypeKind.Interval && op == ArithmeticOperator.Add:
                return WithKind(result.Kind, AddInterval(Micros(right), left, 1));
            case SqlTypeKind.Time when l == SqlTypeKind.Time && r == SqlTypeKind.Interval:
                long t = (left.AsMicros + ((op == ArithmeticOperator.Subtract ? -1 : 1) * right.IntervalMicros)) % SqlDateTime.MicrosPerDay;
                return SqlValue.FromTime(t < 0 ? t + SqlDateTime.MicrosPerDay : t);
            case SqlTypeKind.Interval when op == ArithmeticOperator.Subtract && IsTimeLine(l) && IsTimeLine(r):
                long diff = Micros(left) - Micros(right);
                long days = diff / SqlDateTime.MicrosPerDay;
                return SqlValue.FromInterval(0, (int)days, diff - (days * SqlDateTime.MicrosPerDay));
            case SqlTypeKind.Interval when l == SqlTypeKind.Interval && r == SqlTypeKind.Interval && op is ArithmeticOperator.Add or ArithmeticOperator.Subtract:
                int sign = op == ArithmeticOperator.Subtract ? -1 : 1;
                return SqlValue.FromInterval(checked(left.IntervalMonths + (sign * right.IntervalMonths)), checked(left.IntervalDays + (sign * right.IntervalDays)),
                    checked(left.IntervalMicros + (sign * right.IntervalMicros)));
            case SqlTypeKind.Interval when l == SqlTypeKind.Interval && SqlCompare.IsNumber(r) && op is ArithmeticOperator.Multiply or ArithmeticOperator.Divide:
                double factor = right.ToDouble();
                if (op == ArithmeticOperator.Divide)
                {
                    factor = factor == 0 ? throw SqlArithmetic.DivisionByZero() : 1 / factor;
                }

                return Scale(left, factor);
            case SqlTypeKind.Interval when r == SqlTypeKind.Interval && SqlCompare.IsNumber(l) && op == ArithmeticOperator.Multiply:
                return Scale(right, left.ToDouble());
            default:
                throw new SqlException(SqlState.UndefinedFunction,
                    $"operator does not exist: {SqlTypeInfo.Of(l).DisplayName} {op.Symbol()} {SqlTypeInfo.Of(r).DisplayName}",
                    hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");
        }
    }

    /// <summary>Integer days between two dates (date - date is an integer in PostgreSQL).</summary>
    public static SqlValue DateDifference(SqlValue left, SqlValue right) => SqlValue.FromInt4(left.AsDate - right.AsDate);

    private static bool IsTimeLine(SqlTypeKind k) => k is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    private static long Micros(SqlValue v) => v.Kind == SqlTypeKind.Date ? v.AsDate * SqlDateTime.MicrosPerDay : v.AsMicros;

    private static SqlValue WithKind(SqlTypeKind kind, long micros) =>
        kind == SqlTypeKind.TimestampTz ? SqlValue.FromTimestampTz(micros) : SqlValue.FromTimestamp(micros);

    private static long AddInterval(long micros, SqlValue interval, int sign)
    {
        DateTime at = SqlDateTime.ToDateTime(micros);
        try
        {
            if (interval.IntervalMonths != 0)
            {
                at = at.AddMonths(sign * interval.IntervalMonths); // clamps to the month's last day, as PostgreSQL does
            }

            return SqlDateTime.FromDateTime(at) + (sign * ((interval.IntervalDays * SqlDateTime.MicrosPerDay) + interval.IntervalMicros));
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, "timestamp out of range");
        }
    }

    /// <summary>interval * factor: fractional months spill into days and fractional days into time (PostgreSQL's interval_mul).</summary>
    private static SqlValue Scale(SqlValue interval, double factor)
    {
        double months = interval.IntervalMonths * factor;
        double wholeMonths = Math.Truncate(months);
        double days = (interval.IntervalDays * factor) + ((months - wholeMonths) * 30);
        double wholeDays = Math.Truncate(days);
        double micros = (interval.IntervalMicros * factor) + ((days - wholeDays) * SqlDateTime.MicrosPerDay);
        if (Math.Abs(wholeMonths) > int.MaxValue || Math.Abs(wholeDays) > int.MaxValue || Math.Abs(micros) > long.MaxValue)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, "interval out of range");
        }

        return SqlValue.FromInterval((int)wholeMonths, (int)wholeDays, (long)Math.Round(micros));
    }
}
