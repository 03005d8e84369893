using System.Globalization;
using System.Text;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// Interval text: months, days and microseconds kept apart as PostgreSQL does (a month is not 30 days until
/// an operation needs it). Output is IntervalStyle <c>postgres</c>: <c>1 year 2 mons 3 days 04:05:06.5</c>.
/// Input takes <c>quantity unit</c> pairs (fractions spill into smaller units), <c>HH:MM[:SS]</c>, a leading
/// <c>@</c> and a trailing <c>ago</c>.
/// </summary>
public static class SqlInterval
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Format(int months, int days, long micros)
    {
        var sb = new StringBuilder();
        int years = months / 12;
        int mons = months % 12;
        Part(sb, years, "year", "years");
        Part(sb, mons, "mon", "mons");
        Part(sb, days, "day", "days");
        if (micros != 0 || sb.Length == 0)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            if (micros < 0)
            {
                sb.Append('-');
                micros = -micros;
            }
            else if (sb.Length > 0 && (months < 0 || days < 0))
            {
                sb.Append('+');
            }

            long seconds = micros / SqlDateTime.MicrosPerSecond;
            long fraction = micros % SqlDateTime.MicrosPerSecond;
            sb.Append((seconds / 3600).ToString("00", Invariant)).Append(':')
              .Append((seconds / 60 % 60).ToString("00", Invariant)).Append(':')
              .Append((seconds % 60).ToString("00", Invariant));
            if (fraction != 0)
            {
                sb.Append('.').Append(fraction.ToString("000000", Invariant).TrimEnd('0'));
            }
        }

        return sb.ToString();
    }

    private static void Part(StringBuilder sb, int n, string one, string many)
    {
        if (n == 0)
        {
            return;
        }

        if (sb.Length > 0)
        {
            sb.Append(' ');
        }

        sb.Append(n.ToString(Invariant)).Append(' ').Append(n == 1 ? one : many);
    }

    public static SqlValue Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return ParseFields(text);
        }
        catch (OverflowException)
        {
            // a field beyond what decimal holds (28 digits), long before the interval's own limits
            throw new SqlException(SqlState.IntervalFieldOverflow, $"interval field value out of range: \"{text}\"");
        }
    }

    private static SqlValue ParseFields(string text)
    {
        string[] words = text.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        decimal months = 0, days = 0, micros = 0;
        bool any = false, ago = false;
        for (int i = 0; i < words.Length; i++)
        {
            string w = words[i];
            if (w == "@")
            {
                continue;
            }

            if (w.Equals("ago", StringComparison.OrdinalIgnoreCase) && i == words.Length - 1)
            {
                ago = true;
                continue;
            }

            if (w.Contains(':', StringComparison.Ordinal))
            {
                micros += ParseClock(w, text);
                any = true;
                continue;
            }

            string unit;
            string number = w;
            int split = 0;
            while (split < w.Length && (char.IsAsciiDigit(w[split]) || w[split] is '.' or '-' or '+'))
            {
                split++;
            }

            if (split < w.Length && split > 0)
            {
                number = w[..split];
                unit = w[split..];
            }
            else if (i + 1 < words.Length)
            {
                unit = words[++i];
            }
            else if (split == w.Length && decimal.TryParse(w, NumberStyles.Float, Invariant, out decimal bare))
            {
                micros += bare * SqlDateTime.MicrosPerSecond; // a bare number means seconds
                any = true;
                continue;
            }
            else
            {
                throw Invalid(text);
            }

            if (!decimal.TryParse(number, NumberStyles.Float, Invariant, out decimal q))
            {
                throw Invalid(text);
            }

            switch (unit.ToLowerInvariant().TrimEnd(','))
            {
                case "microsecond" or "microseconds" or "us" or "usec" or "usecs": micros += q; break;
                case "millisecond" or "milliseconds" or "ms" or "msec" or "msecs": micros += q * 1000; break;
                case "second" or "seconds" or "s" or "sec" or "secs": micros += q * SqlDateTime.MicrosPerSecond; break;
                case "minute" or "minutes" or "m" or "min" or "mins": micros += q * 60 * SqlDateTime.MicrosPerSecond; break;
                case "hour" or "hours" or "h" or "hr" or "hrs": micros += q * 3600 * SqlDateTime.MicrosPerSecond; break;
                case "day" or "days" or "d": days += q; break;
                case "week" or "weeks" or "w": days += q * 7; break;
                case "month" or "months" or "mon" or "mons": months += q; break;
                case "year" or "years" or "y" or "yr" or "yrs": months += q * 12; break;
                case "decade" or "decades": months += q * 120; break;
                case "century" or "centuries": months += q * 1200; break;
                case "millennium" or "millennia" or "millenniums": months += q * 12000; break;
                default: throw Invalid(text);
            }

            any = true;
        }

        if (!any)
        {
            throw Invalid(text);
        }

        // Fractions spill down as PostgreSQL does: 1.5 months = 1 month 15 days, 1.5 days = 1 day 12 hours.
        decimal wholeMonths = decimal.Truncate(months);
        days += (months - wholeMonths) * 30;
        decimal wholeDays = decimal.Truncate(days);
        micros += (days - wholeDays) * SqlDateTime.MicrosPerDay;
        int sign = ago ? -1 : 1;
        try
        {
            return SqlValue.FromInterval(sign * (int)wholeMonths, sign * (int)wholeDays, sign * (long)decimal.Round(micros));
        }
        catch (OverflowException)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, $"interval out of range: \"{text}\"");
        }
    }

    private static decimal ParseClock(string w, string text)
    {
        bool negative = w.StartsWith('-');
        string[] parts = w.TrimStart('-', '+').Split(':');
        if (parts.Length is < 2 or > 3
            || !int.TryParse(parts[0], NumberStyles.None, Invariant, out int h)
            || !int.TryParse(parts[1], NumberStyles.None, Invariant, out int m))
        {
            throw Invalid(text);
        }

        decimal s = 0;
        if (parts.Length == 3 && !decimal.TryParse(parts[2], NumberStyles.AllowDecimalPoint, Invariant, out s))
        {
            throw Invalid(text);
        }

        decimal micros = (((h * 3600m) + (m * 60m)) * SqlDateTime.MicrosPerSecond) + (s * SqlDateTime.MicrosPerSecond);
        return negative ? -micros : micros;
    }

    private static SqlException Invalid(string text) =>
        new(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type interval: \"{text}\"");

    /// <summary>Total length in microseconds with a month as 30 days (PostgreSQL's interval comparison rule).</summary>
    public static decimal ComparableMicros(SqlValue interval) =>
        (((interval.IntervalMonths * 30m) + interval.IntervalDays) * SqlDateTime.MicrosPerDay) + interval.IntervalMicros;
}
