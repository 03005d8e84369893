using System.Globalization;
using System.Numerics;
using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>
/// A real number as the C library's <c>long double</c> (x87 80-bit: 64-bit significand) holds it:
/// <c>(-1)^sign * Mantissa * 2^Exponent</c>, or an infinity. Exact decimal input is rounded to nearest-even.
/// </summary>
public readonly struct ExtendedReal
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
