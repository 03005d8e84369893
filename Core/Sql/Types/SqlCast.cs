namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// Conversion of a value to a type: <c>CAST</c>/<c>::</c> (explicit) and storing into a column or binding a
/// parameter (assignment). The binder decides which conversions are allowed implicitly; this performs them
/// with PostgreSQL's rules: range errors name the type, varchar(n) too long is an error on assignment and
/// truncates on an explicit cast, char(n) pads, numeric(p,s) rounds to s and checks p.
/// </summary>
public static class SqlCast
{
    public static SqlValue Coerce(SqlValue value, SqlType target, bool isExplicit = false)
    {
        if (value.IsNull)
        {
            return value;
        }

        if (target.IsArray)
        {
            return CoerceArray(value, target, isExplicit);
        }

        if (value.IsArray)
        {
            if (target.IsString)
            {
                return ApplyLength(SqlValue.FromString(TextKind(target), SqlText.FormatArray(value.AsArray)), target, isExplicit);
            }

            throw CannotCast(value, target);
        }

        SqlTypeKind from = value.Kind;
        SqlTypeKind to = target.Kind;
        if (to == SqlTypeKind.Unknown)
        {
            return value;
        }

        if (from == SqlTypeKind.Unknown || (SqlCompare.IsString(from) && !target.IsString && to is not (SqlTypeKind.Json or SqlTypeKind.Jsonb or SqlTypeKind.Bytea) ))
        {
            // text input: a literal, a text parameter, or text::type
            return ApplyModifiers(SqlText.Parse(value.AsString, target), target, isExplicit);
        }

        if (target.IsString)
        {
            string text = SqlCompare.IsString(from) ? value.AsString
                : from == SqlTypeKind.Bool ? (value.AsBool ? "true" : "false") // bool::text is the word; boolout prints t/f
                : SqlText.Format(value);
            if (from == SqlTypeKind.Char && to != SqlTypeKind.Char)
            {
                text = text.TrimEnd(' '); // char(n) loses its padding when it becomes text
            }

            return ApplyLength(SqlValue.FromString(TextKind(target), text), target, isExplicit);
        }

        if (from == to)
        {
            return ApplyModifiers(value, target, isExplicit);
        }

        SqlValue converted = (from, to) switch
        {
            (_, SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid) when SqlCompare.IsNumber(from) => ToInteger(value, target),
            (SqlTypeKind.Bool, SqlTypeKind.Int4) when isExplicit => SqlValue.FromInt4(value.AsBool ? 1 : 0),
            (SqlTypeKind.Int4 or SqlTypeKind.Int2 or SqlTypeKind.Int8, SqlTypeKind.Bool) when isExplicit => SqlValue.FromBool(value.AsInt64 != 0),
            (_, SqlTypeKind.Float8) when SqlCompare.IsNumber(from) => SqlValue.FromFloat8(value.ToDouble()),
            (_, SqlTypeKind.Float4) when SqlCompare.IsNumber(from) => ToFloat4(value),
            (_, SqlTypeKind.Numeric) when SqlCompare.IsNumber(from) => ApplyModifiers(ToNumeric(value), target, isExplicit),
            (SqlTypeKind.Date, SqlTypeKind.Timestamp) => SqlValue.FromTimestamp(value.AsDate * SqlDateTime.MicrosPerDay),
            (SqlTypeKind.Date, SqlTypeKind.TimestampTz) => SqlValue.FromTimestampTz(value.AsDate * SqlDateTime.MicrosPerDay),
            (SqlTypeKind.Timestamp, SqlTypeKind.TimestampTz) => SqlValue.FromTimestampTz(value.AsMicros),
            (SqlTypeKind.TimestampTz, SqlTypeKind.Timestamp) => SqlValue.FromTimestamp(value.AsMicros),
            (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, SqlTypeKind.Date) => SqlValue.FromDate((int)Math.Floor(value.AsMicros / (double)SqlDateTime.MicrosPerDay)),
            (SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz, SqlTypeKind.Time) => SqlValue.FromTime(((value.AsMicros % SqlDateTime.MicrosPerDay) + SqlDateTime.MicrosPerDay) % SqlDateTime.MicrosPerDay),
            (SqlTypeKind.Json, SqlTypeKind.Jsonb) => SqlValue.FromString(SqlTypeKind.Jsonb, SqlJson.Validate(value.AsString, SqlTypeKind.Jsonb)),
            (SqlTypeKind.Jsonb, SqlTypeKind.Json) => SqlValue.FromString(SqlTypeKind.Json, value.AsString),
            (_, SqlTypeKind.Json or SqlTypeKind.Jsonb) when SqlCompare.IsString(from) => SqlText.Parse(value.AsString, target),
            (_, SqlTypeKind.Bytea) when SqlCompare.IsString(from) => SqlText.Parse(value.AsString, target),
            _ => throw CannotCast(value, target),
        };
        return converted;
    }

    private static SqlTypeKind TextKind(SqlType target) => target.Kind == SqlTypeKind.Unknown ? SqlTypeKind.Text : target.Kind;

    private static SqlException CannotCast(SqlValue value, SqlType target) =>
        new(SqlState.CannotCoerce, $"cannot cast type {(value.IsArray ? value.AsArray.ElementType.ArrayOf().ToString() : SqlTypeInfo.Of(value.Kind).DisplayName)} to {target}");

    private static SqlValue ApplyModifiers(SqlValue value, SqlType target, bool isExplicit) =>
        target.Kind switch
        {
            SqlTypeKind.Numeric when target.NumericPrecision >= 0 => ApplyNumericScale(value.AsDecimal, target),
            SqlTypeKind.Varchar or SqlTypeKind.Char => ApplyLength(value, target, isExplicit),
            _ => value,
        };

    /// <summary>varchar(n)/char(n): longer values fail (assignment) unless only spaces are cut, or truncate (explicit); char pads.</summary>
    public static SqlValue ApplyLength(SqlValue value, SqlType target, bool isExplicit)
    {
        int n = target.Length;
        if (n < 0 || value.IsNull)
        {
            return value;
        }

        string s = value.AsString;
        if (s.Length > n)
        {
            if (!isExplicit && s.AsSpan(n).ContainsAnyExcept(' '))
            {
                throw new SqlException(SqlState.StringDataRightTruncation, $"value too long for type {target}");
            }

            s = s[..n];
        }

        if (target.Kind == SqlTypeKind.Char && s.Length < n)
        {
            s = s.PadRight(n);
        }

        return ReferenceEquals(s, value.AsString) && value.Kind == target.Kind ? value : SqlValue.FromString(target.Kind, s);
    }

    private static SqlValue ApplyNumericScale(decimal d, SqlType target)
    {
        int precision = target.NumericPrecision, scale = target.NumericScale;
        decimal rounded = decimal.Round(d, Math.Min(scale, 28), MidpointRounding.AwayFromZero);
        decimal limit = Pow10(precision - scale);
        if (Math.Abs(rounded) >= limit)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "numeric field overflow",
                detail: $"A field with precision {precision}, scale {scale} must round to an absolute value less than 10^{precision - scale}.");
        }

        return SqlValue.FromNumeric(WithScale(rounded, scale));
    }

    /// <summary>Exactly <paramref name="scale"/> digits after the point (rounding half away from zero, padding with zeros), as numeric prints: 1.5 at scale 2 is 1.50.</summary>
    public static decimal WithScale(decimal value, int scale)
    {
        scale = Math.Clamp(scale, 0, 28);
        decimal rounded = decimal.Round(value, scale, MidpointRounding.AwayFromZero);
        if (rounded.Scale >= scale)
        {
            return rounded;
        }

        try
        {
            return rounded + new decimal(0, 0, 0, false, (byte)scale); // adding a zero of that scale widens the scale
        }
        catch (OverflowException)
        {
            return rounded; // no room for more digits in 96 bits
        }
    }

    private static decimal Pow10(int n)
    {
        decimal r = 1;
        for (int i = 0; i < n && r < 1e27m; i++)
        {
            r *= 10;
        }

        return n > 27 ? decimal.MaxValue : r;
    }

    private static SqlValue ToInteger(SqlValue value, SqlType target)
    {
        long v;
        switch (value.Kind)
        {
            case SqlTypeKind.Float4 or SqlTypeKind.Float8:
                double d = Math.Round(value.AsDouble, MidpointRounding.ToEven); // PostgreSQL uses rint()
                if (double.IsNaN(d) || d < -9.2233720368547758E+18 || d >= 9.2233720368547758E+18)
                {
                    throw OutOfRange(target);
                }

                v = (long)d;
                break;
            case SqlTypeKind.Numeric:
                decimal m = decimal.Round(value.AsDecimal, MidpointRounding.AwayFromZero);
                if (m < long.MinValue || m > long.MaxValue)
                {
                    throw OutOfRange(target);
                }

                v = (long)m;
                break;
            default:
                v = value.AsInt64;
                break;
        }

        (long min, long max) = target.Kind switch
        {
            SqlTypeKind.Int2 => (short.MinValue, short.MaxValue),
            SqlTypeKind.Int4 => (int.MinValue, int.MaxValue),
            SqlTypeKind.Oid => (0L, uint.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (v < min || v > max)
        {
            throw OutOfRange(target);
        }

        return SqlValue.FromInteger(target.Kind, v);
    }

    public static SqlException OutOfRange(SqlType type) =>
        new(SqlState.NumericValueOutOfRange, $"{SqlTypeInfo.Of(type.Kind).DisplayName} out of range");

    private static SqlValue ToFloat4(SqlValue value)
    {
        double d = value.ToDouble();
        if (!double.IsInfinity(d) && float.IsInfinity((float)d))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow");
        }

        return SqlValue.FromFloat4((float)d);
    }

    private static SqlValue ToNumeric(SqlValue value)
    {
        if (value.Kind is SqlTypeKind.Float4 or SqlTypeKind.Float8)
        {
            double d = value.AsDouble;
            if (double.IsNaN(d) || double.IsInfinity(d))
            {
                throw SqlException.NotSupported("numeric NaN and Infinity");
            }

            try
            {
                // Through the shortest round-trip text, as PostgreSQL's float8 -> numeric does (0.1 stays 0.1).
                return SqlValue.FromNumeric(SqlText.ParseNumeric(SqlText.FormatFloat(d, value.Kind == SqlTypeKind.Float4)));
            }
            catch (OverflowException)
            {
                throw OutOfRange(SqlType.Numeric);
            }
        }

        return SqlValue.FromNumeric(value.AsInt64);
    }

    private static SqlValue CoerceArray(SqlValue value, SqlType target, bool isExplicit)
    {
        if (!value.IsArray)
        {
            if (SqlCompare.IsString(value.Kind))
            {
                return SqlText.ParseArray(value.AsString, target.Element);
            }

            throw CannotCast(value, target);
        }

        IReadOnlyList<SqlValue> items = value.AsArray.Items;
        var converted = new SqlValue[items.Count];
        for (int i = 0; i < converted.Length; i++)
        {
            converted[i] = Coerce(items[i], target.Element, isExplicit);
        }

        return SqlValue.FromArray(value.AsArray.WithItems(target.Element, converted));
    }
}
