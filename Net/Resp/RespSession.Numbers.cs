using System.Globalization;
using System.Numerics;
using System.Text;

namespace ThunderDb.Net.Resp;

/// <summary>
/// Number parsing and formatting the way Redis does it with the C library: <c>strtod</c>/<c>strtold</c>
/// (hex floats, leading spaces rejected, range errors), <c>%.17g</c> for scores and <c>%.17Lf</c> over an x87
/// 80-bit long double for INCRBYFLOAT/HINCRBYFLOAT, so replies match byte for byte.
/// </summary>
internal sealed partial class RespSession
{
    /// <summary>Redis <c>string2d</c> (ZADD scores, ZINCRBY): the whole text is a finite-or-inf double, no range error, not NaN.</summary>
    internal static bool RedisParseDouble(ReadOnlySpan<byte> text, out double value)
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
    internal static bool RedisParseRangeDouble(ReadOnlySpan<byte> text, out double value)
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
    internal static bool RedisParseLongDouble(ReadOnlySpan<byte> text, out ExtendedReal value)
    {
        value = default;
        if (text.IsEmpty || text.Length >= 5 * 1024 || IsCSpace(text[0]) || !CStrToReal(text, out value, out bool nan) || nan)
        {
            return false;
        }

        return !value.RoundToExtended(out value);
    }

    /// <summary><c>%.17g</c>, how Redis 7.0 writes a double score (<c>inf</c>/<c>-inf</c> for infinities).</summary>
    internal static int FormatG17(double value, Span<byte> destination)
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

/// <summary>
/// A real number as the C library's <c>long double</c> (x87 80-bit: 64-bit significand) holds it:
/// <c>(-1)^sign * Mantissa * 2^Exponent</c>, or an infinity. Exact decimal input is rounded to nearest-even.
/// </summary>
internal readonly struct ExtendedReal
{
    private const int SignificandBits = 64;
    private const int MaxBinaryExponent = 16383; // largest finite: (2 - 2^-63) * 2^16383
    private const int MinBinaryExponent = -16445; // smallest subnormal: 2^-16445
    private static readonly BigInteger Ten17 = BigInteger.Pow(10, 17);

    private ExtendedReal(bool negative, BigInteger mantissa, long exponent, bool infinite)
    {
        Negative = negative;
        Mantissa = mantissa;
        Exponent = exponent;
        IsInfinity = infinite;
    }

    public bool Negative { get; }

    public BigInteger Mantissa { get; }

    public long Exponent { get; }

    public bool IsInfinity { get; }

    public static ExtendedReal Infinity(bool negative) => new(negative, BigInteger.Zero, 0, true);

    public static ExtendedReal FromBinary(bool negative, BigInteger mantissa, long exponent) => new(negative, mantissa, exponent, false);

    /// <summary>mantissa * 10^exponent exactly (huge exponents saturate to a value that overflows or underflows).</summary>
    public static ExtendedReal FromDecimal(bool negative, BigInteger mantissa, long exponent)
    {
        if (mantissa.IsZero)
        {
            return new(negative, BigInteger.Zero, 0, false);
        }

        long digits = (long)Math.Ceiling(BigInteger.Log10(mantissa));
        if (exponent + digits > 5000)
        {
            return Infinity(negative);
        }

        if (exponent + digits < -5000)
        {
            return new(negative, BigInteger.One, -20000, false);
        }

        if (exponent >= 0)
        {
            return new(negative, mantissa * BigInteger.Pow(10, (int)exponent), 0, false);
        }

        // m / 10^k: keep enough quotient bits for a correct rounding, remember a nonzero remainder as a sticky bit.
        BigInteger denominator = BigInteger.Pow(10, (int)-exponent);
        long shift = Math.Max(0, (long)denominator.GetBitLength() - (long)mantissa.GetBitLength() + SignificandBits + 3);
        BigInteger quotient = BigInteger.DivRem(mantissa << (int)shift, denominator, out BigInteger remainder);
        quotient <<= 1;
        if (!remainder.IsZero)
        {
            quotient += 1;
        }

        return new(negative, quotient, -shift - 1, false);
    }

    /// <summary>Rounds to the 64-bit significand; true on a range error (overflow to infinity, or underflow of a nonzero value to zero).</summary>
    public bool RoundToExtended(out ExtendedReal rounded)
    {
        rounded = this;
        if (IsInfinity || Mantissa.IsZero)
        {
            return false;
        }

        long bits = (long)Mantissa.GetBitLength();
        long top = Exponent + bits - 1; // exponent of the leading bit
        if (top > MaxBinaryExponent)
        {
            rounded = Infinity(Negative);
            return true;
        }

        long lowest = Math.Max(top - SignificandBits + 1, MinBinaryExponent);
        long drop = lowest - Exponent;
        if (drop <= 0)
        {
            return false;
        }

        if (drop > bits + 1)
        {
            rounded = new(Negative, BigInteger.Zero, 0, false);
            return true;
        }

        BigInteger kept = Mantissa >> (int)drop;
        BigInteger rest = Mantissa - (kept << (int)drop);
        BigInteger half = BigInteger.One << (int)(drop - 1);
        if (rest > half || (rest == half && !kept.IsEven))
        {
            kept += 1;
        }

        if (kept.IsZero)
        {
            rounded = new(Negative, BigInteger.Zero, 0, false);
            return true;
        }

        rounded = new(Negative, kept, lowest, false);
        if (lowest + (long)kept.GetBitLength() - 1 > MaxBinaryExponent)
        {
            rounded = Infinity(Negative);
            return true;
        }

        return false;
    }

    /// <summary>The nearest double; <paramref name="rangeError"/> as <c>strtod</c> reports ERANGE.</summary>
    public double ToDouble(out bool rangeError)
    {
        rangeError = false;
        if (IsInfinity)
        {
            return Negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (Mantissa.IsZero)
        {
            return Negative ? -0.0 : 0.0;
        }

        long bits = (long)Mantissa.GetBitLength();
        long top = Exponent + bits - 1;
        if (top > 1024)
        {
            rangeError = true;
            return Negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (top < -1080)
        {
            rangeError = true;
            return Negative ? -0.0 : 0.0;
        }

        // Round to 53 bits (or fewer for subnormals) with round-half-even, then scale exactly.
        long lowest = Math.Max(top - 52, -1074);
        long drop = lowest - Exponent;
        BigInteger kept = Mantissa;
        if (drop > 0)
        {
            kept = Mantissa >> (int)drop;
            BigInteger rest = Mantissa - (kept << (int)drop);
            BigInteger half = BigInteger.One << (int)(drop - 1);
            if (rest > half || (rest == half && !kept.IsEven))
            {
                kept += 1;
            }
        }
        else
        {
            lowest = Exponent;
        }

        double result = Math.ScaleB((double)kept, (int)Math.Clamp(lowest, -2000, 2000));
        if (double.IsInfinity(result) || result == 0)
        {
            rangeError = true;
        }

        return Negative ? -result : result;
    }

    /// <summary>
    /// C's <c>(long long)(x * 1000.0)</c> on a long double: the product rounded to 64 bits, truncated toward zero;
    /// anything outside the long range (and infinities) becomes <c>long.MinValue</c>, as the x87 conversion does.
    /// </summary>
    public long TimesThousandTruncated()
    {
        if (IsInfinity)
        {
            return long.MinValue;
        }

        new ExtendedReal(Negative, Mantissa * 1000, Exponent, false).RoundToExtended(out ExtendedReal product);
        if (product.IsInfinity)
        {
            return long.MinValue;
        }

        BigInteger whole = product.Exponent >= 0 ? product.Mantissa << (int)Math.Min(product.Exponent, 100) : product.Mantissa >> (int)Math.Min(-product.Exponent, 100_000);
        if (Negative)
        {
            whole = -whole;
        }

        return whole >= long.MinValue && whole <= long.MaxValue ? (long)whole : long.MinValue;
    }

    /// <summary>The exact sum, rounded to the long double (infinity on overflow).</summary>
    public static ExtendedReal Add(ExtendedReal a, ExtendedReal b)
    {
        if (a.IsInfinity || b.IsInfinity)
        {
            return a.IsInfinity ? a : b; // inf + -inf is rejected by the callers (NaN) before it matters
        }

        long exponent = Math.Min(a.Exponent, b.Exponent);
        BigInteger x = a.Mantissa << (int)(a.Exponent - exponent);
        BigInteger y = b.Mantissa << (int)(b.Exponent - exponent);
        BigInteger sum = (a.Negative ? -x : x) + (b.Negative ? -y : y);
        var exact = new ExtendedReal(sum.Sign < 0, BigInteger.Abs(sum), exponent, false);
        exact.RoundToExtended(out ExtendedReal rounded);
        return rounded;
    }

    /// <summary>True when adding <paramref name="a"/> and <paramref name="b"/> gives NaN (opposite infinities).</summary>
    public static bool SumIsNaN(ExtendedReal a, ExtendedReal b) => a.IsInfinity && b.IsInfinity && a.Negative != b.Negative;

    /// <summary>Redis <c>ld2string(..., LD_STR_HUMAN)</c>: <c>%.17Lf</c> with the trailing zeros and point removed, "-0" as "0".</summary>
    public string ToHumanString()
    {
        if (IsInfinity)
        {
            return Negative ? "-inf" : "inf";
        }

        BigInteger scaled; // the value * 10^17, rounded half-even
        if (Exponent >= 0)
        {
            scaled = (Mantissa << (int)Exponent) * Ten17;
        }
        else
        {
            BigInteger numerator = Mantissa * Ten17;
            BigInteger q = numerator >> (int)-Exponent;
            BigInteger rest = numerator - (q << (int)-Exponent);
            BigInteger half = BigInteger.One << (int)(-Exponent - 1);
            if (rest > half || (rest == half && !q.IsEven))
            {
                q += 1;
            }

            scaled = q;
        }

        BigInteger whole = BigInteger.DivRem(scaled, Ten17, out BigInteger fraction);
        string text = whole.ToString(CultureInfo.InvariantCulture) + "." + fraction.ToString("D17", CultureInfo.InvariantCulture);
        text = text.TrimEnd('0').TrimEnd('.');
        if (Negative && text != "0")
        {
            text = "-" + text;
        }

        return text;
    }
}
