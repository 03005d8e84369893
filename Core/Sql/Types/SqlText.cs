using System.Globalization;
using System.Text;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// PostgreSQL's text input and output functions for the built-in types: what a value looks like in a
/// simple-query result, in COPY text, and what a string literal or text parameter means for a type.
/// Output follows PostgreSQL's defaults (DateStyle ISO, TimeZone UTC, IntervalStyle postgres,
/// extra_float_digits 1, bytea_output hex).
/// </summary>
public static partial class SqlText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Format(SqlValue value)
    {
        if (value.IsNull)
        {
            return "NULL";
        }

        if (value.IsArray)
        {
            return FormatArray(value.AsArray);
        }

        return value.Kind switch
        {
            SqlTypeKind.Bool => value.AsBool ? "t" : "f",
            SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid => value.AsInt64.ToString(Invariant),
            SqlTypeKind.Float4 => FormatFloat(value.AsDouble, single: true),
            SqlTypeKind.Float8 => FormatFloat(value.AsDouble, single: false),
            SqlTypeKind.Numeric => value.AsDecimal.ToString(Invariant),
            SqlTypeKind.Bytea => FormatBytea(value.AsBytes),
            SqlTypeKind.Date => SqlDateTime.FormatDate(value.AsDate),
            SqlTypeKind.Time => SqlDateTime.FormatTime(value.AsMicros),
            SqlTypeKind.Timestamp => SqlDateTime.FormatTimestamp(value.AsMicros),
            SqlTypeKind.TimestampTz => SqlDateTime.FormatTimestamp(value.AsMicros) + "+00",
            SqlTypeKind.Interval => SqlInterval.Format(value.IntervalMonths, value.IntervalDays, value.IntervalMicros),
            SqlTypeKind.Uuid => value.AsUuid.ToString("D", Invariant),
            SqlTypeKind.Record => value.AsRecord.Format(),
            _ => value.AsString,
        };
    }

    /// <summary>
    /// Shortest text that reads back as the same value, in PostgreSQL's layout: plain digits while the decimal
    /// exponent is in [-4, 15) (float4: [-4, 6)), otherwise <c>d.ddde+XX</c> with at least two exponent digits.
    /// </summary>
    public static string FormatFloat(double value, bool single)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        string r = single ? ((float)value).ToString("R", Invariant) : value.ToString("R", Invariant);
        bool negative = r[0] == '-';
        int at = negative ? 1 : 0;
        int e = r.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? r[at..] : r[at..e];
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, Invariant);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointAt = (dot < 0 ? mantissa.Length : dot) + exponent; // digits before the decimal point
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        pointAt -= lead;
        if (digits.Length == 0)
        {
            digits = "0";
        }

        int decimalExponent = pointAt - 1;
        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        int limit = single ? 6 : 15;
        if (decimalExponent < -4 || decimalExponent >= limit)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(decimalExponent < 0 ? '-' : '+').Append(Math.Abs(decimalExponent).ToString("00", Invariant));
        }
        else if (pointAt <= 0)
        {
            sb.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            sb.Append(digits).Append('0', pointAt - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }

        return sb.ToString();
    }

    public static string FormatBytea(ReadOnlySpan<byte> bytes) => "\\x" + Convert.ToHexStringLower(bytes);

    // ---- input ------------------------------------------------------------------------------------

    /// <summary>
    /// Reads <paramref name="text"/> as a value of <paramref name="type"/> (PostgreSQL's input function: what
    /// <c>'...'::type</c>, an untyped literal stored into a column, a text parameter and COPY text do).
    /// Length limits of varchar(n)/char(n) and numeric(p,s) are applied by <see cref="SqlCast.Coerce"/>, not here.
    /// </summary>
    public static SqlValue Parse(string text, SqlType type)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (type.IsArray)
        {
            return ParseArray(text, type.Element);
        }

        return type.Kind switch
        {
            SqlTypeKind.Bool => SqlValue.FromBool(ParseBool(text)),
            SqlTypeKind.Int2 => SqlValue.FromInt2((short)ParseInteger(text, short.MinValue, short.MaxValue, "smallint")),
            SqlTypeKind.Int4 => SqlValue.FromInt4((int)ParseInteger(text, int.MinValue, int.MaxValue, "integer")),
            SqlTypeKind.Int8 => SqlValue.FromInt8(ParseInteger(text, long.MinValue, long.MaxValue, "bigint")),
            SqlTypeKind.Oid => SqlValue.FromOid((uint)ParseInteger(text, int.MinValue, uint.MaxValue, "oid")),
            SqlTypeKind.Float4 => SqlValue.FromFloat4((float)ParseFloat(text, "real", single: true)),
            SqlTypeKind.Float8 => SqlValue.FromFloat8(ParseFloat(text, "double precision", single: false)),
            SqlTypeKind.Numeric => SqlValue.FromNumeric(ParseNumeric(text)),
            SqlTypeKind.Bytea => SqlValue.FromBytea(ParseBytea(text)),
            SqlTypeKind.Date => SqlValue.FromDate(SqlDateTime.ParseDate(text)),
            SqlTypeKind.Time => SqlValue.FromTime(SqlDateTime.ParseTime(text)),
            SqlTypeKind.Timestamp => SqlValue.FromTimestamp(SqlDateTime.ParseTimestamp(text, withTimeZone: false)),
            SqlTypeKind.TimestampTz => SqlValue.FromTimestampTz(SqlDateTime.ParseTimestamp(text, withTimeZone: true)),
            SqlTypeKind.Interval => SqlInterval.Parse(text),
            SqlTypeKind.Uuid => SqlValue.FromUuid(ParseUuid(text)),
            SqlTypeKind.Json or SqlTypeKind.Jsonb => SqlValue.FromString(type.Kind, SqlJson.Validate(text, type.Kind)),
            SqlTypeKind.Char => SqlValue.FromString(SqlTypeKind.Char, text),
            SqlTypeKind.Enum => (type.Enum ?? throw new InvalidOperationException("an enum type without its labels")).Parse(text),
            _ => SqlValue.FromString(type.Kind == SqlTypeKind.Unknown ? SqlTypeKind.Text : type.Kind, text),
        };
    }

    internal static SqlException InvalidInput(string typeName, string text) =>
        new(SqlState.InvalidTextRepresentation, $"invalid input syntax for type {typeName}: \"{text}\"");

    public static bool ParseBool(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> t = text.AsSpan().Trim();
        if (t.Length > 0)
        {
            if (IsPrefixOf(t, "true") || IsPrefixOf(t, "yes") || t.Equals("on", StringComparison.OrdinalIgnoreCase) || t is "1")
            {
                return true;
            }

            if (IsPrefixOf(t, "false") || IsPrefixOf(t, "no") || (t.Length >= 2 && IsPrefixOf(t, "off")) || t is "0")
            {
                return false;
            }
        }

        throw InvalidInput("boolean", text);
    }

    private static bool IsPrefixOf(ReadOnlySpan<char> t, string word) =>
        t.Length <= word.Length && word.AsSpan(0, t.Length).Equals(t, StringComparison.OrdinalIgnoreCase);

    /// <summary>Decimal integer with optional sign and surrounding white space; range errors name the type.</summary>
    public static long ParseInteger(string text, long min, long max, string typeName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> t = text.AsSpan().Trim();
        if (!long.TryParse(t, NumberStyles.AllowLeadingSign, Invariant, out long value))
        {
            ReadOnlySpan<char> digits = t.Length > 0 && t[0] is '+' or '-' ? t[1..] : t;
            if (digits.Length > 0 && !digits.ContainsAnyExcept("0123456789"))
            {
                throw new SqlException(SqlState.NumericValueOutOfRange, $"value \"{text}\" is out of range for type {typeName}");
            }

            throw InvalidInput(typeName, text);
        }

        if (value < min || value > max)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, $"value \"{text}\" is out of range for type {typeName}");
        }

        return value;
    }

    public static double ParseFloat(string text, string typeName, bool single)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> t = text.AsSpan().Trim();
        if (t.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        ReadOnlySpan<char> unsigned = t.TrimStart("+-");
        if (unsigned.Equals("Infinity", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            return t[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (unsigned.Length == 0 || !char.IsAsciiDigit(unsigned[0]) && unsigned[0] != '.'
            || !double.TryParse(t, NumberStyles.Float, Invariant, out double value))
        {
            throw InvalidInput(typeName, text);
        }

        if (double.IsInfinity(value) || (single && float.IsInfinity((float)value)))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, $"\"{text}\" is out of range for type {typeName}");
        }

        return value;
    }

    public static decimal ParseNumeric(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> t = text.AsSpan().Trim();
        if (t.Equals("NaN", StringComparison.OrdinalIgnoreCase) || t.TrimStart("+-").Equals("Infinity", StringComparison.OrdinalIgnoreCase))
        {
            throw SqlException.NotSupported("numeric NaN and Infinity");
        }

        ReadOnlySpan<char> unsigned = t.TrimStart("+-");
        if (unsigned.Length == 0 || (!char.IsAsciiDigit(unsigned[0]) && unsigned[0] != '.'))
        {
            throw InvalidInput("numeric", text);
        }

        try
        {
            if (decimal.TryParse(t, NumberStyles.Float, Invariant, out decimal value))
            {
                return value;
            }
        }
        catch (OverflowException)
        {
        }

        if (double.TryParse(t, NumberStyles.Float, Invariant, out _))
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "numeric field overflow",
                detail: "numeric values are limited to 28 significant digits in this version");
        }

        throw InvalidInput("numeric", text);
    }

    /// <summary>Hex format (<c>\x0a0b</c>) or the escape format (<c>ab\000\\</c>).</summary>
    public static byte[] ParseBytea(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("\\x", StringComparison.OrdinalIgnoreCase))
        {
            string hex = string.Concat(text.AsSpan(2).ToString().Where(c => !char.IsWhiteSpace(c)));
            if (hex.Length % 2 != 0)
            {
                throw InvalidInput("bytea", text);
            }

            try
            {
                return Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                throw InvalidInput("bytea", text);
            }
        }

        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\')
            {
                foreach (byte b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    bytes.Add(b);
                }

                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
            }
            else if (i + 3 < text.Length && IsOctal(text[i + 1]) && IsOctal(text[i + 2]) && IsOctal(text[i + 3]) && text[i + 1] <= '3')
            {
                bytes.Add((byte)(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0')));
                i += 3;
            }
            else
            {
                throw InvalidInput("bytea", text);
            }
        }

        return [.. bytes];
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    public static Guid ParseUuid(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (Guid.TryParseExact(t, "D", out Guid g) || Guid.TryParseExact(t, "N", out g) || Guid.TryParseExact(t, "B", out g))
        {
            return g;
        }

        throw InvalidInput("uuid", text);
    }
}
