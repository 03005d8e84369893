using System.Globalization;

namespace ThunderDb.Core.Redis;

/// <summary>Counting (Redis's register histogram and Ertl's estimator) and PFDEBUG DECODE's text.</summary>
internal static partial class HyperLogLogFormat
{
    /// <summary>PFDEBUG DECODE: the opcodes of a sparse value as Redis prints them ("z:3 Z:16000 v:2,1 ...").</summary>
    public static string Describe(ReadOnlySpan<byte> hll)
    {
        var text = new System.Text.StringBuilder();
        ReadOnlySpan<byte> opcodes = hll[HeaderSize..];
        int p = 0;
        while (p < opcodes.Length)
        {
            byte op = opcodes[p];
            if (IsZero(op))
            {
                text.Append(CultureInfo.InvariantCulture, $"z:{ZeroLength(op)} ");
                p++;
            }
            else if (IsXZero(op))
            {
                text.Append(CultureInfo.InvariantCulture, $"Z:{XZeroLength(opcodes, p)} ");
                p += 2;
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"v:{ValValue(op)},{ValLength(op)} ");
                p++;
            }
        }

        return text.ToString().Trim(' ');
    }

    // ---- counting ------------------------------------------------------------------------------------

    /// <summary>Redis <c>hllCount</c> of a valid HLL value; false when its sparse opcodes are corrupt.</summary>
    public static bool TryCount(ReadOnlySpan<byte> hll, out long count)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        bool valid = true;
        if (hll[4] == Dense)
        {
            ReadOnlySpan<byte> registers = hll[HeaderSize..];
            for (int i = 0; i < Registers; i++)
            {
                histogram[DenseGet(registers, i)]++;
            }
        }
        else
        {
            valid = SparseHistogram(hll[HeaderSize..], histogram);
        }

        count = valid ? Estimate(histogram) : 0;
        return valid;
    }

    /// <summary>The count of raw registers (one byte each), as PFCOUNT of several keys computes it.</summary>
    public static long CountRaw(ReadOnlySpan<byte> raw)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        foreach (byte r in raw)
        {
            histogram[r & 63]++;
        }

        return Estimate(histogram);
    }

    private static bool SparseHistogram(ReadOnlySpan<byte> opcodes, Span<int> histogram)
    {
        int index = 0;
        int p = 0;
        while (p < opcodes.Length)
        {
            byte op = opcodes[p];
            if (IsZero(op))
            {
                int run = ZeroLength(op);
                index += run;
                histogram[0] += run;
                p++;
            }
            else if (IsXZero(op))
            {
                int run = XZeroLength(opcodes, p);
                index += run;
                histogram[0] += run;
                p += 2;
            }
            else
            {
                int run = ValLength(op);
                index += run;
                histogram[ValValue(op)] += run;
                p++;
            }
        }

        return index == Registers;
    }

    /// <summary>Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog sketches"), as Redis computes it.</summary>
    private static long Estimate(ReadOnlySpan<int> histogram)
    {
        const double m = Registers;
        double z = m * Tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; j--)
        {
            z += histogram[j];
            z *= 0.5;
        }

        z += m * Sigma(histogram[0] / m);
        return (long)Math.Round(AlphaInf * m * m / z, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }

        double zPrime;
        double y = 1;
        double z = x;
        do
        {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        }
        while (zPrime != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0)
        {
            return 0.0;
        }

        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do
        {
            x = Math.Sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= Math.Pow(1 - x, 2) * y;
        }
        while (zPrime != z);
        return z / 3;
    }
}
