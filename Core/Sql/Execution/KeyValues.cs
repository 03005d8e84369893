using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// Brings a comparison value to the key encoding of an index column so the key range holds every row the
/// comparison (by <see cref="SqlCompare"/>) accepts. Integers of every width share one encoding, floats another,
/// numerics a third: an integer column compared with 2.5 is bounded by 3 (lower) or 2 (upper); a value the
/// encoding cannot order the same way (a float against a numeric column) leaves the range open.
/// </summary>
public static class KeyValues
{
    // Beyond 2^52 a double no longer tells neighbouring integers apart, and integer-vs-float comparisons round.
    private const double ExactDoubleLimit = 4503599627370496d;

    /// <summary>Whether a value of <paramref name="value"/>'s type can bound a key of a <paramref name="column"/> column at all (checked when planning).</summary>
    public static bool Usable(SqlType column, SqlType value)
    {
        if (column.IsArray || value.IsArray)
        {
            return false;
        }

        // an untyped value is a NULL or a string literal (checked again on the value itself)
        return value.Kind == SqlTypeKind.Unknown || Comparable(column.Kind, value.Kind);
    }

    private static bool Comparable(SqlTypeKind c, SqlTypeKind v) =>
        c switch
        {
            _ when SqlCompare.IsInteger(c) => SqlCompare.IsNumber(v),
            SqlTypeKind.Float4 or SqlTypeKind.Float8 => SqlCompare.IsNumber(v),
            SqlTypeKind.Numeric => SqlCompare.IsInteger(v) || v == SqlTypeKind.Numeric,
            SqlTypeKind.Char => SqlCompare.IsString(v),
            SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Name => SqlCompare.IsString(v) && v != SqlTypeKind.Char,
            SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => v is SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz,
            SqlTypeKind.Bool or SqlTypeKind.Date or SqlTypeKind.Time or SqlTypeKind.Uuid or SqlTypeKind.Interval or SqlTypeKind.Bytea or SqlTypeKind.Enum => v == c,
            _ => false,
        };

    /// <summary>The key value for a non-null comparison value on one side of a range (or an equality), and whether it is inclusive.</summary>
    public static (KeyFit Fit, SqlValue Key, bool Inclusive) Fit(SqlValue value, SqlType column, KeySide side, bool inclusive)
    {
        if (value.IsArray || column.IsArray || !Comparable(column.Kind, value.Kind))
        {
            return (KeyFit.Unbounded, default, false);
        }

        SqlTypeKind c = column.Kind, v = value.Kind;
        if (SqlCompare.IsInteger(c))
        {
            if (SqlCompare.IsInteger(v))
            {
                return (KeyFit.Use, value, inclusive);
            }

            return v == SqlTypeKind.Numeric ? IntegerFromDecimal(value.AsDecimal, side, inclusive) : IntegerFromDouble(value.AsDouble, side, inclusive);
        }

        if (c is SqlTypeKind.Float4 or SqlTypeKind.Float8)
        {
            return (KeyFit.Use, SqlValue.FromFloat8(value.ToDouble()), inclusive);
        }

        if (c == SqlTypeKind.Numeric)
        {
            return (KeyFit.Use, v == SqlTypeKind.Numeric ? value : SqlValue.FromNumeric(value.AsInt64), inclusive);
        }

        if (c == SqlTypeKind.Char && v != SqlTypeKind.Char)
        {
            return (KeyFit.Use, SqlValue.FromString(SqlTypeKind.Char, value.AsString), inclusive); // compared without trailing spaces, as char(n) is
        }

        return (KeyFit.Use, value, inclusive);
    }

    private static (KeyFit, SqlValue, bool) IntegerFromDecimal(decimal d, KeySide side, bool inclusive)
    {
        decimal rounded = side switch
        {
            KeySide.Lower => decimal.Ceiling(d),
            KeySide.Upper => decimal.Floor(d),
            _ => d,
        };
        if (side == KeySide.Equal && rounded != decimal.Truncate(rounded))
        {
            return (KeyFit.Empty, default, false); // no integer equals 2.5
        }

        if (rounded > long.MaxValue)
        {
            return (side == KeySide.Upper ? KeyFit.Unbounded : KeyFit.Empty, default, false);
        }

        if (rounded < long.MinValue)
        {
            return (side == KeySide.Lower ? KeyFit.Unbounded : KeyFit.Empty, default, false);
        }

        return (KeyFit.Use, SqlValue.FromInt8((long)rounded), rounded != d || inclusive);
    }

    private static (KeyFit, SqlValue, bool) IntegerFromDouble(double d, KeySide side, bool inclusive)
    {
        if (double.IsNaN(d))
        {
            // NaN sorts above every number: x < NaN holds for all x, x = NaN and x > NaN for none
            return (side == KeySide.Upper ? KeyFit.Unbounded : KeyFit.Empty, default, false);
        }

        if (Math.Abs(d) >= ExactDoubleLimit)
        {
            return (KeyFit.Unbounded, default, false);
        }

        double rounded = side switch
        {
            KeySide.Lower => Math.Ceiling(d),
            KeySide.Upper => Math.Floor(d),
            _ => d,
        };
        if (side == KeySide.Equal && rounded != Math.Floor(rounded))
        {
            return (KeyFit.Empty, default, false);
        }

        return (KeyFit.Use, SqlValue.FromInt8((long)rounded), rounded != d || inclusive);
    }
}
