using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>
/// Number parsing and formatting the way Redis does it with the C library: <c>strtod</c>/<c>strtold</c>
/// (hex floats, leading spaces rejected, range errors), <c>%.17g</c> for scores and <c>%.17Lf</c> over an x87
/// 80-bit long double for INCRBYFLOAT/HINCRBYFLOAT, so replies match byte for byte.
/// </summary>
public static class RedisNumbers
{
    /// <summary>Redis <c>string2ll</c>: the whole text is a decimal long (no sign '+', no leading zeros, no spaces).</summary>
    public static bool ParseLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 20 || (text.Length > 1 && text[0] == '0') || (text.Length > 1 && text[0] == '-' && text[1] == '0'))
        {
            return text.Length == 1 && text[0] == '0';
        }

        return Utf8Parser.TryParse(text, out value, out int used) && used == text.Length && (text[0] != '+');
    }

    /// <summary>Redis <c>string2d</c> (ZADD scores, ZINCRBY): the whole text is a finite-or-inf double, no range error, not NaN.</summary>
    public static bool ParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || IsCSpace(text[0]) || !CStrToReal(text, out ExtendedReal real, out bool nan) || nan)
        {
            return false;
        }

        value = real.ToDouble(out bool rangeError);
        return !rangeError;
    }

    /// <summary>A score range bound after an optional '(' (ZRANGEBYSCORE): plain <c>strtod</c>, leading spaces and an empty text allowed.</summary>
    public static bool ParseRangeBound(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        int start = 0;
        while (start < text.Length && IsCSpace(text[start]))
        {
            start++;
        }

        if (start == text.Length)
        {
            return true; // strtod consumed nothing: 0, and the end pointer is at the terminator
        }

        if (!CStrToReal(text[start..], out ExtendedReal real, out bool nan) || nan)
        {
            return false;
        }

        value = real.ToDouble(out _);
        return true;
    }

    /// <summary>Redis <c>string2ld</c>: the whole text as a long double; no leading space, no NaN, no range error.</summary>
    public static bool ParseLongDouble(ReadOnlySpan<byte> text, out ExtendedReal value)
    {
        value = default;
        if (text.IsEmpty || text.Length >= 5 * 1024 || IsCSpace(text[0]) || !CStrToReal(text, out value, out bool nan) || nan)
        {
            return false;
        }

        return !value.RoundToExtended(out value);
    }

    /// <summary><c>%.17g</c>, how Redis 7.0 writes a double score (<c>inf</c>/<c>-inf</c> for infinities).</summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        if (double.IsInfinity(value))
        {
            ReadOnlySpan<byte> text = value > 0 ? "inf"u8 : "-inf"u8;
            text.CopyTo(destination);
            return text.Length;
        }

        if (value == 0)
        {
            ReadOnlySpan<byte> zero = double.IsNegative(value) ? "-0"u8 : "0"u8;
            zero.CopyTo(destination);
            return zero.Length;
        }

        // 17 significant digits, correctly rounded; then %g's choice between fixed and exponent notation.
        Span<char> sci = stackalloc char[32];
        value.TryFormat(sci, out int n, "E16", CultureInfo.InvariantCulture);
        int ePos = sci[..n].IndexOf('E');
        int exponent = int.Parse(sci[(ePos + 1)..n], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        bool negative = sci[0] == '-';
        Span<char> digits = stackalloc char[17];
        int d = 0;
        for (int i = negative ? 1 : 0; i < ePos; i++)
        {
            if (sci[i] != '.')
            {
                digits[d++] = sci[i];
            }
        }

        int significant = 17;
        while (significant > 1 && digits[significant - 1] == '0')
        {
            significant--;
        }

        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        if (exponent < -4 || exponent >= 17)
        {
            sb.Append(digits[0]);
            if (significant > 1)
            {
                sb.Append('.').Append(digits[1..significant]);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            sb.Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent >= 0)
        {
            int whole = exponent + 1;
            sb.Append(digits[..whole]);
            if (significant > whole)
            {
                sb.Append('.').Append(digits[whole..significant]);
            }
        }
        else
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(digits[..significant]);
        }

        return Encoding.ASCII.GetBytes(sb.ToString(), destination);
    }

    private static bool IsCSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    /// <summary>
    /// The C <c>strtod</c> grammar over the whole text (no leading space): sign, then <c>inf</c>/<c>infinity</c>,
    /// <c>nan</c>, a hex float (<c>0x1.8p3</c>) or a decimal; the value exactly, unrounded.
    /// </summary>
    private static bool CStrToReal(ReadOnlySpan<byte> text, out ExtendedReal value, out bool nan)
    {
        value = default;
        nan = false;
        int i = 0;
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }

        ReadOnlySpan<byte> rest = text[i..];
        if (Ascii.EqualsIgnoreCase(rest, "inf"u8) || Ascii.EqualsIgnoreCase(rest, "infinity"u8))
        {
            value = ExtendedReal.Infinity(negative);
            return true;
        }

        if (Ascii.EqualsIgnoreCase(rest, "nan"u8))
        {
            nan = true;
            return true;
        }

        bool hex = rest.Length > 2 && rest[0] == '0' && (rest[1] | 0x20) == 'x';
        int radix = hex ? 16 : 10;
        if (hex)
        {
            rest = rest[2..];
        }

        BigInteger mantissa = BigInteger.Zero;
        long scale = 0; // digits after the point
        bool anyDigit = false, point = false;
        int p = 0;
        for (; p < rest.Length; p++)
        {
            int digit = DigitValue(rest[p], radix);
            if (digit >= 0)
            {
                anyDigit = true;
                mantissa = (mantissa * radix) + digit;
                if (point)
                {
                    scale++;
                }
            }
            else if (rest[p] == '.' && !point)
            {
                point = true;
            }
            else
            {
                break;
            }
        }

        if (!anyDigit)
        {
            return false;
        }

        long exponent = 0;
        if (p < rest.Length)
        {
            byte marker = (byte)(rest[p] | 0x20);
            if (marker != (hex ? 'p' : 'e') || p + 1 == rest.Length)
            {
                return false;
            }

            p++;
            bool expNegative = false;
            if (rest[p] == '+' || rest[p] == '-')
            {
                expNegative = rest[p] == '-';
                p++;
            }

            if (p == rest.Length)
            {
                return false;
            }

            for (; p < rest.Length; p++)
            {
                if (rest[p] < '0' || rest[p] > '9')
                {
                    return false;
                }

                exponent = Math.Min(exponent * 10 + (rest[p] - '0'), 1_000_000_000);
            }

            if (expNegative)
            {
                exponent = -exponent;
            }
        }

        value = hex
            ? ExtendedReal.FromBinary(negative, mantissa, exponent - (4 * scale))
            : ExtendedReal.FromDecimal(negative, mantissa, exponent - scale);
        return true;
    }

    private static int DigitValue(byte b, int radix)
    {
        int v = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return v < radix ? v : -1;
    }
}
