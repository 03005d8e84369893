using System.Globalization;
using System.Numerics;

namespace ThunderDb.SqlLogicTest;

/// <summary>
/// The C library conversions the reference runner's PostgreSQL driver applies to a value's text (psqlODBC converts a
/// column to SQL_C_SLONG with <c>strtol(text, NULL, 10)</c> and to SQL_C_DOUBLE with <c>strtod</c>; sqllogictest prints
/// them with <c>%ld</c> and <c>%.3f</c>), reproduced exactly rather than approximated with .NET parsing and formatting.
/// </summary>
public static class CNumbers
{
    /// <summary><c>strtol(s, NULL, 10)</c> with a 64-bit long: leading white space, a sign, decimal digits; no digits is 0; out of range saturates.</summary>
    public static long StrToLong(string s)
    {
        int i = SkipSpace(s, 0);
        bool negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        BigInteger value = BigInteger.Zero;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            value = (value * 10) + (s[i] - '0');
        }

        if (negative)
        {
            value = -value;
        }

        return value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
    }

    /// <summary><c>strtod(s, NULL)</c> for decimal input: white space, sign, digits with an optional point and exponent, or inf/infinity/nan; no number is 0.</summary>
    public static double StrToDouble(string s)
    {
        int start = SkipSpace(s, 0);
        int i = start;
        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        ReadOnlySpan<char> rest = s.AsSpan(i);
        bool negative = i > start && s[start] == '-';
        if (rest.StartsWith("inf", StringComparison.OrdinalIgnoreCase))
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (rest.StartsWith("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        int digits = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            digits++;
        }

        if (i < s.Length && s[i] == '.')
        {
            for (i++; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                digits++;
            }
        }

        if (digits == 0)
        {
            return 0;
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            int e = i + 1;
            if (e < s.Length && s[e] is '+' or '-')
            {
                e++;
            }

            if (e < s.Length && char.IsAsciiDigit(s[e]))
            {
                for (i = e; i < s.Length && char.IsAsciiDigit(s[i]); i++)
                {
                }
            }
        }

        // double.Parse rounds correctly (to nearest, ties to even), as glibc's strtod does; overflow gives ±infinity as strtod's HUGE_VAL.
        return double.Parse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>printf("%.3f", d)</c> as glibc prints it: the exact binary value rounded to three decimals, ties to even
    /// (0.0625 is "0.062"), the sign kept on a negative value that rounds to zero ("-0.000"), inf/-inf/nan spelled so.
    /// </summary>
    public static string FormatFixed3(double d)
    {
        if (double.IsNaN(d))
        {
            return double.IsNegative(d) ? "-nan" : "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        long bits = BitConverter.DoubleToInt64Bits(d);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mantissa = exponent == 0 ? fraction : fraction | (1L << 52);
        int shift = exponent == 0 ? -1074 : exponent - 1075; // |d| = mantissa * 2^shift
        BigInteger thousandths;
        if (shift >= 0)
        {
            thousandths = (mantissa << shift) * 1000;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -shift;
            thousandths = BigInteger.DivRem(mantissa * 1000, denominator, out BigInteger remainder);
            int half = (remainder * 2).CompareTo(denominator);
            if (half > 0 || (half == 0 && !thousandths.IsEven))
            {
                thousandths += 1;
            }
        }

        string digits = thousandths.ToString(CultureInfo.InvariantCulture).PadLeft(4, '0');
        return (negative ? "-" : "") + digits[..^3] + "." + digits[^3..];
    }

    /// <summary>C's isspace in the C locale: space, \t, \n, \v, \f, \r.</summary>
    private static int SkipSpace(string s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }

        return i;
    }
}
