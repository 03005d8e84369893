using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// abs, ceil, floor, round, trunc, sign, sqrt, cbrt, power, exp, ln, log, mod, div, pi, random and the
/// trigonometric functions, for the types PostgreSQL declares them on. Numeric results get the scale
/// PostgreSQL's numeric.c chooses (at least 16 significant digits: NUMERIC_MIN_SIG_DIGITS).
/// </summary>
internal static class MathFunctions
{
    private const int MinSigDigits = 16;
    private static readonly SqlType F8 = SqlType.Float8, N = SqlType.Numeric, I4 = SqlType.Int4;

    public static void Register(List<ScalarFunction> f)
    {
        f.Add("abs", SqlType.Int2, (a, _) => a[0].AsInt64 == short.MinValue ? throw SqlCast.OutOfRange(SqlType.Int2) : SqlValue.FromInt2((short)Math.Abs(a[0].AsInt64)), SqlType.Int2);
        f.Add("abs", I4, (a, _) => a[0].AsInt64 == int.MinValue ? throw SqlCast.OutOfRange(I4) : SqlValue.FromInt4((int)Math.Abs(a[0].AsInt64)), I4);
        f.Add("abs", SqlType.Int8, (a, _) => a[0].AsInt64 == long.MinValue ? throw SqlCast.OutOfRange(SqlType.Int8) : SqlValue.FromInt8(Math.Abs(a[0].AsInt64)), SqlType.Int8);
        f.Add("abs", SqlType.Float4, (a, _) => SqlValue.FromFloat4(MathF.Abs((float)a[0].AsDouble)), SqlType.Float4);
        f.Add("abs", F8, (a, _) => SqlValue.FromFloat8(Math.Abs(a[0].AsDouble)), F8);
        f.Add("abs", N, (a, _) => SqlValue.FromNumeric(Math.Abs(a[0].AsDecimal)), N);

        foreach (string name in (string[])["ceil", "ceiling"])
        {
            f.Add(name, F8, (a, _) => SqlValue.FromFloat8(Math.Ceiling(a[0].AsDouble)), F8);
            f.Add(name, N, (a, _) => SqlValue.FromNumeric(decimal.Ceiling(a[0].AsDecimal)), N);
        }

        f.Add("floor", F8, (a, _) => SqlValue.FromFloat8(Math.Floor(a[0].AsDouble)), F8);
        f.Add("floor", N, (a, _) => SqlValue.FromNumeric(decimal.Floor(a[0].AsDecimal)), N);
        f.Add("round", F8, (a, _) => SqlValue.FromFloat8(Math.Round(a[0].AsDouble, MidpointRounding.ToEven)), F8); // rint()
        f.Add("round", N, (a, _) => SqlValue.FromNumeric(RoundTo(a[0].AsDecimal, 0, truncate: false)), N);
        f.Add("round", N, (a, _) => SqlValue.FromNumeric(RoundTo(a[0].AsDecimal, a[1].AsInt32, truncate: false)), N, I4);
        f.Add("trunc", F8, (a, _) => SqlValue.FromFloat8(Math.Truncate(a[0].AsDouble)), F8);
        f.Add("trunc", N, (a, _) => SqlValue.FromNumeric(RoundTo(a[0].AsDecimal, 0, truncate: true)), N);
        f.Add("trunc", N, (a, _) => SqlValue.FromNumeric(RoundTo(a[0].AsDecimal, a[1].AsInt32, truncate: true)), N, I4);
        f.Add("sign", F8, (a, _) => SqlValue.FromFloat8(double.IsNaN(a[0].AsDouble) ? double.NaN : Math.Sign(a[0].AsDouble)), F8);
        f.Add("sign", N, (a, _) => SqlValue.FromNumeric(Math.Sign(a[0].AsDecimal)), N);

        f.Add("sqrt", F8, (a, _) => SqlValue.FromFloat8(a[0].AsDouble < 0 ? throw NegativeSqrt() : Math.Sqrt(a[0].AsDouble)), F8);
        f.Add("sqrt", N, (a, _) => Fn.Numeric(() => SqrtNumeric(a[0].AsDecimal)), N);
        f.Add("cbrt", F8, (a, _) => SqlValue.FromFloat8(Math.Cbrt(a[0].AsDouble)), F8);
        foreach (string name in (string[])["power", "pow"])
        {
            f.Add(name, F8, (a, _) => SqlArithmetic.Apply(ArithmeticOperator.Power, a[0], a[1], F8), F8, F8);
            f.Add(name, N, (a, _) => Fn.Numeric(() => PowerNumeric(a[0].AsDecimal, a[1].AsDecimal)), N, N);
        }

        f.Add("exp", F8, (a, _) => Float(Math.Exp(a[0].AsDouble), a[0].AsDouble), F8);
        f.Add("exp", N, (a, _) => Fn.Numeric(() => ExpNumeric(a[0].AsDecimal)), N);
        f.Add("ln", F8, (a, _) => SqlValue.FromFloat8(Math.Log(CheckLogArgument(a[0].AsDouble))), F8);
        f.Add("ln", N, (a, _) => Fn.Numeric(() => Round(Ln(CheckLogArgument(a[0].AsDecimal)), Math.Max(MinSigDigits - LnDigitWeight(a[0].AsDecimal), a[0].AsDecimal.Scale))), N);
        foreach (string name in (string[])["log", "log10"])
        {
            f.Add(name, F8, (a, _) => SqlValue.FromFloat8(Math.Log10(CheckLogArgument(a[0].AsDouble))), F8);
            f.Add(name, N, (a, _) => Fn.Numeric(() => LogNumeric(10m, a[0].AsDecimal)), N);
        }

        f.Add("log", N, (a, _) => Fn.Numeric(() => LogNumeric(a[0].AsDecimal, a[1].AsDecimal)), N, N);

        f.Add("mod", SqlType.Int2, (a, _) => SqlArithmetic.Apply(ArithmeticOperator.Modulo, a[0], a[1], SqlType.Int2), SqlType.Int2, SqlType.Int2);
        f.Add("mod", I4, (a, _) => SqlArithmetic.Apply(ArithmeticOperator.Modulo, a[0], a[1], I4), I4, I4);
        f.Add("mod", SqlType.Int8, (a, _) => SqlArithmetic.Apply(ArithmeticOperator.Modulo, a[0], a[1], SqlType.Int8), SqlType.Int8, SqlType.Int8);
        f.Add("mod", N, (a, _) => SqlArithmetic.Apply(ArithmeticOperator.Modulo, a[0], a[1], N), N, N);
        f.Add("div", N, (a, _) => a[1].AsDecimal == 0 ? throw SqlArithmetic.DivisionByZero() : Fn.Numeric(() => decimal.Truncate(a[0].AsDecimal / a[1].AsDecimal)), N, N);

        f.Add("pi", F8, (_, _) => SqlValue.FromFloat8(Math.PI));
        f.Add("degrees", F8, (a, _) => SqlValue.FromFloat8(a[0].AsDouble * (180.0 / Math.PI)), F8);
        f.Add("radians", F8, (a, _) => SqlValue.FromFloat8(a[0].AsDouble * (Math.PI / 180.0)), F8);
        f.Add("sin", F8, (a, _) => SqlValue.FromFloat8(Math.Sin(a[0].AsDouble)), F8);
        f.Add("cos", F8, (a, _) => SqlValue.FromFloat8(Math.Cos(a[0].AsDouble)), F8);
        f.Add("tan", F8, (a, _) => SqlValue.FromFloat8(Math.Tan(a[0].AsDouble)), F8);
        f.Add("asin", F8, (a, _) => SqlValue.FromFloat8(Math.Abs(a[0].AsDouble) > 1 ? throw OutOfRangeInput() : Math.Asin(a[0].AsDouble)), F8);
        f.Add("acos", F8, (a, _) => SqlValue.FromFloat8(Math.Abs(a[0].AsDouble) > 1 ? throw OutOfRangeInput() : Math.Acos(a[0].AsDouble)), F8);
        f.Add("atan", F8, (a, _) => SqlValue.FromFloat8(Math.Atan(a[0].AsDouble)), F8);
        f.Add("atan2", F8, (a, _) => SqlValue.FromFloat8(Math.Atan2(a[0].AsDouble, a[1].AsDouble)), F8, F8);
    }

    private static SqlException NegativeSqrt() => new("2201F", "cannot take square root of a negative number");

    private static SqlException OutOfRangeInput() => new(SqlState.NumericValueOutOfRange, "input is out of range");

    private static SqlValue Float(double result, double input) =>
        double.IsInfinity(result) && !double.IsInfinity(input) ? throw new SqlException(SqlState.NumericValueOutOfRange, "value out of range: overflow") : SqlValue.FromFloat8(result);

    private static double CheckLogArgument(double x) => x == 0 ? throw LogOfZero() : x < 0 ? throw LogOfNegative() : x;

    private static decimal CheckLogArgument(decimal x) => x == 0 ? throw LogOfZero() : x < 0 ? throw LogOfNegative() : x;

    private static SqlException LogOfZero() => new("2201E", "cannot take logarithm of zero");

    private static SqlException LogOfNegative() => new("2201E", "cannot take logarithm of a negative number");

    /// <summary>round(numeric, s) / trunc(numeric, s): a negative s works on the digits left of the point; the result has scale max(s, 0).</summary>
    public static decimal RoundTo(decimal value, int scale, bool truncate)
    {
        MidpointRounding mode = truncate ? MidpointRounding.ToZero : MidpointRounding.AwayFromZero;
        if (scale >= 0)
        {
            return SqlCast.WithScale(decimal.Round(value, Math.Min(scale, 28), mode), Math.Min(scale, 28));
        }

        if (scale < -28)
        {
            return 0;
        }

        decimal factor = Pow10(-scale);
        return decimal.Round(value / factor, 0, mode) * factor;
    }

    private static decimal Pow10(int n)
    {
        decimal p = 1;
        for (int i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    internal static decimal Round(decimal value, int scale) => SqlCast.WithScale(value, Math.Clamp(scale, 0, 28));

    /// <summary>PostgreSQL's base-10000 weight of the first digit group (numeric's "weight").</summary>
    private static int Base10000Weight(decimal d)
    {
        d = Math.Abs(d);
        if (d == 0)
        {
            return 0;
        }

        int w = 0;
        for (; d >= 10000; d /= 10000)
        {
            w++;
        }

        for (; d < 1; d *= 10000)
        {
            w--;
        }

        return w;
    }

    private static decimal SqrtNumeric(decimal x)
    {
        int sweight = ((Base10000Weight(x) + 1) * 4 / 2) - 1;
        return Round(Sqrt(x), Math.Max(MinSigDigits - sweight, x.Scale));
    }

    /// <summary>The square root to decimal's precision (the caller rounds it to the scale it wants).</summary>
    internal static decimal Sqrt(decimal x)
    {
        if (x < 0)
        {
            throw NegativeSqrt();
        }

        if (x == 0)
        {
            return 0m;
        }

        decimal r = (decimal)Math.Sqrt((double)x);
        for (int i = 0; i < 4; i++)
        {
            r = (r + (x / r)) / 2; // Newton steps take the double's 16 digits to decimal's 28
        }

        return r;
    }

    private static decimal ExpNumeric(decimal x)
    {
        int dweight = (int)((double)x * 0.434294481903252);
        return Round(Exp(x), Math.Max(MinSigDigits - dweight, x.Scale));
    }

    private static decimal PowerNumeric(decimal x, decimal y)
    {
        if (x == 0 && y < 0)
        {
            throw new SqlException("2201F", "zero raised to a negative power is undefined");
        }

        if (y == decimal.Truncate(y) && Math.Abs(y) <= int.MaxValue)
        {
            int scale = Math.Max(MinSigDigits, Math.Max((int)x.Scale, y.Scale));
            decimal r = 1, b = x;
            for (long n = (long)Math.Abs(y); n > 0; n >>= 1, b = n > 0 ? b * b : b)
            {
                if ((n & 1) != 0)
                {
                    r *= b;
                }
            }

            return Round(y < 0 ? 1 / r : r, scale);
        }

        if (x < 0)
        {
            throw new SqlException("2201F", "a negative number raised to a non-integer power yields a complex result");
        }

        int dweight = (int)((double)y * Math.Log((double)x) * 0.434294481903252);
        return Round(x == 0 ? 0 : Exp(y * Ln(x)), Math.Max(MinSigDigits - dweight, Math.Max((int)x.Scale, y.Scale)));
    }

    private static decimal LogNumeric(decimal b, decimal x)
    {
        CheckLogArgument(b);
        CheckLogArgument(x);
        decimal lnBase = Ln(b);
        if (lnBase == 0)
        {
            throw SqlArithmetic.DivisionByZero();
        }

        int dweight = LnDigitWeight(x) - LnDigitWeight(b);
        return Round(Ln(x) / lnBase, Math.Max(MinSigDigits - dweight, Math.Max((int)b.Scale, x.Scale)));
    }

    /// <summary>estimate_ln_dweight: the decimal weight of ln(x), which sets how many decimals ln and log print.</summary>
    private static int LnDigitWeight(decimal x)
    {
        if (x >= 0.9m && x <= 1.1m)
        {
            decimal d = Math.Abs(x - 1);
            return d == 0 ? 0 : (int)Math.Floor(Math.Log10((double)d));
        }

        return (int)Math.Log10(Math.Abs(Math.Log((double)x)));
    }

    private const decimal Ln2 = 0.6931471805599453094172321215m;
    private const decimal E = 2.7182818284590452353602874714m;

    /// <summary>ln to decimal's precision: x = m * 2^k with m near 1, then the atanh series for ln(m).</summary>
    private static decimal Ln(decimal x)
    {
        int k = 0;
        while (x > 1.5m)
        {
            x /= 2;
            k++;
        }

        while (x < 0.75m)
        {
            x *= 2;
            k--;
        }

        decimal z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
        for (int n = 1; n < 200 && term != 0; n += 2)
        {
            sum += term / n;
            term *= z2;
        }

        return (2 * sum) + (k * Ln2);
    }

    /// <summary>exp to decimal's precision: e^n for the integer part times the Taylor series of the fraction.</summary>
    private static decimal Exp(decimal x)
    {
        if (x < -66)
        {
            return 0; // below decimal's smallest step (1e-28)
        }

        decimal n = decimal.Round(x, 0, MidpointRounding.ToEven), f = x - n;
        decimal sum = 1, term = 1;
        for (int i = 1; i < 60 && term != 0; i++)
        {
            term = term * f / i;
            sum += term;
        }

        decimal whole = 1, b = n < 0 ? 1 / E : E;
        for (long m = (long)Math.Abs(n); m > 0; m--)
        {
            whole *= b;
        }

        return whole * sum;
    }
}
