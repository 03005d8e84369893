using System.Globalization;
using System.Text;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// to_char(timestamp, fmt) and to_date / to_timestamp(text, fmt): PostgreSQL's template patterns
/// (YYYY YYY YY Y IYYY MM DDD DD D ID HH24 HH12 HH MI SS MS US SSSS AM/PM Mon Month Dy Day Q WW IW W J CC TZ),
/// the FM prefix (no padding), "quoted text" and backslash escapes. Name patterns follow the pattern's case
/// (Month, MONTH, month) and pad to 9 characters unless FM is given, as PostgreSQL does.
/// </summary>
internal static class DateFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // longest first, so HH24 wins over HH and MONTH over MON and MM
    private static readonly string[] Patterns =
    [
        "HH24", "HH12", "IYYY", "YYYY", "SSSS", "MONTH", "A.M.", "P.M.", "DDD", "YYY", "DAY", "MON", "HH", "MI", "SS", "MS", "US",
        "AM", "PM", "YY", "MM", "DD", "DY", "ID", "IW", "WW", "CC", "TZ", "Y", "D", "Q", "W", "J",
    ];

    public static string Format(long micros, string format, bool withZone)
    {
        DateTime t = Fn.Calendar(micros);
        var sb = new StringBuilder(format.Length + 8);
        for (int i = 0; i < format.Length;)
        {
            bool fill = true;
            if (Matches(format, i, "FM"))
            {
                fill = false;
                i += 2;
            }

            if (i >= format.Length)
            {
                break;
            }

            string? pattern = Patterns.FirstOrDefault(p => Matches(format, i, p));
            if (pattern is null)
            {
                i = Literal(format, i, sb);
                continue;
            }

            string written = format.Substring(i, pattern.Length);
            sb.Append(Field(pattern, written, t, fill, withZone));
            i += pattern.Length;
        }

        return sb.ToString();
    }

    private static bool Matches(string s, int at, string pattern) =>
        at + pattern.Length <= s.Length && string.Compare(s, at, pattern, 0, pattern.Length, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>Copies one literal: a "quoted string", a backslash-escaped character, or the character itself.</summary>
    private static int Literal(string format, int i, StringBuilder sb)
    {
        char c = format[i];
        if (c == '"')
        {
            int end = i + 1;
            for (; end < format.Length && format[end] != '"'; end++)
            {
                if (format[end] == '\\' && end + 1 < format.Length)
                {
                    end++;
                }

                sb.Append(format[end]);
            }

            return end + 1;
        }

        if (c == '\\' && i + 1 < format.Length)
        {
            sb.Append(format[i + 1]);
            return i + 2;
        }

        sb.Append(c);
        return i + 1;
    }

    private static string Field(string pattern, string written, DateTime t, bool fill, bool withZone)
    {
        string Num(long value, int width) => fill ? value.ToString(new string('0', width), Invariant) : value.ToString(Invariant);
        int hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        long fraction = t.Ticks % TimeSpan.TicksPerSecond / 10;
        return pattern switch
        {
            "HH24" => Num(t.Hour, 2),
            "HH12" or "HH" => Num(hour12, 2),
            "MI" => Num(t.Minute, 2),
            "SS" => Num(t.Second, 2),
            "MS" => Num(fraction / 1000, 3),
            "US" => Num(fraction, 6),
            "SSSS" => ((t.Hour * 3600) + (t.Minute * 60) + t.Second).ToString(Invariant),
            "AM" or "PM" => Cased(t.Hour < 12 ? "AM" : "PM", written),
            "A.M." or "P.M." => Cased(t.Hour < 12 ? "A.M." : "P.M.", written),
            "YYYY" => Num(t.Year, 4),
            "IYYY" => Num(ISOWeek.GetYear(t), 4),
            "YYY" => Num(t.Year % 1000, 3),
            "YY" => Num(t.Year % 100, 2),
            "Y" => (t.Year % 10).ToString(Invariant),
            "CC" => Num((t.Year + 99) / 100, 2),
            "MM" => Num(t.Month, 2),
            "MONTH" => Name(Invariant.DateTimeFormat.GetMonthName(t.Month), written, fill),
            "MON" => Cased(Invariant.DateTimeFormat.GetAbbreviatedMonthName(t.Month), written),
            "DDD" => Num(t.DayOfYear, 3),
            "DD" => Num(t.Day, 2),
            "D" => ((int)t.DayOfWeek + 1).ToString(Invariant),
            "ID" => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(Invariant),
            "DAY" => Name(Invariant.DateTimeFormat.GetDayName(t.DayOfWeek), written, fill),
            "DY" => Cased(Invariant.DateTimeFormat.GetAbbreviatedDayName(t.DayOfWeek), written),
            "Q" => (((t.Month - 1) / 3) + 1).ToString(Invariant),
            "WW" => Num(((t.DayOfYear - 1) / 7) + 1, 2),
            "IW" => Num(ISOWeek.GetWeekOfYear(t), 2),
            "W" => (((t.Day - 1) / 7) + 1).ToString(Invariant),
            "J" => (SqlDateTime.DaysFromDateOnly(DateOnly.FromDateTime(t)) + 2440588L).ToString(Invariant),
            "TZ" => withZone ? Cased("UTC", written) : "",
            _ => throw new InvalidOperationException($"pattern {pattern} has no formatter"),
        };
    }

    /// <summary>A name in the case the pattern was written in: MONTH → MARCH, Month → March, month → march.</summary>
    private static string Cased(string name, string written) =>
        char.IsLower(written[0]) ? name.ToLowerInvariant()
        : written.Length > 1 && char.IsUpper(written[1]) ? name.ToUpperInvariant()
        : name;

    private static string Name(string name, string written, bool fill)
    {
        string s = Cased(name, written);
        return fill ? s.PadRight(9) : s;
    }

    /// <summary>to_date / to_timestamp: reads the fields the template names; other template characters skip one input character.</summary>
    public static long Parse(string input, string format)
    {
        int year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0;
        long fraction = 0;
        bool pm = false, twelveHour = false;
        int p = 0;
        for (int i = 0; i < format.Length;)
        {
            if (Matches(format, i, "FM"))
            {
                i += 2;
                continue;
            }

            string? pattern = Patterns.FirstOrDefault(x => Matches(format, i, x));
            if (pattern is null)
            {
                if (char.IsWhiteSpace(format[i]))
                {
                    while (p < input.Length && char.IsWhiteSpace(input[p]))
                    {
                        p++;
                    }
                }
                else if (p < input.Length && !char.IsLetterOrDigit(input[p]))
                {
                    p++;
                }

                i++;
                continue;
            }

            i += pattern.Length;
            int at = i;
            bool fieldFollows = Patterns.Any(x => Matches(format, at, x)); // YYYYMMDD: read fixed widths, not every digit
            while (p < input.Length && char.IsWhiteSpace(input[p]) && pattern is not ("AM" or "PM"))
            {
                p++;
            }

            switch (pattern)
            {
                case "YYYY" or "IYYY": year = Digits(input, ref p, 4, greedy: !fieldFollows); break;
                case "YY": year = 2000 + Digits(input, ref p, 2, greedy: false); year -= year > 2069 ? 100 : 0; break;
                case "MM": month = Digits(input, ref p, 2, greedy: false); break;
                case "DD": day = Digits(input, ref p, 2, greedy: false); break;
                case "HH24": hour = Digits(input, ref p, 2, greedy: false); break;
                case "HH12" or "HH": hour = Digits(input, ref p, 2, greedy: false); twelveHour = true; break;
                case "MI": minute = Digits(input, ref p, 2, greedy: false); break;
                case "SS": second = Digits(input, ref p, 2, greedy: false); break;
                case "MS": fraction = Digits(input, ref p, 3, greedy: false) * 1000L; break;
                case "US": fraction = Digits(input, ref p, 6, greedy: false); break;
                case "AM" or "PM": pm = p + 1 < input.Length && char.ToUpperInvariant(input[p]) == 'P'; p += 2; break;
                case "MON" or "MONTH": month = MonthName(input, ref p, full: pattern == "MONTH"); break;
                case "DY" or "DAY": SkipLetters(input, ref p); break;
                default: throw SqlException.NotSupported($"the to_date pattern \"{pattern}\"");
            }
        }

        if (twelveHour)
        {
            if (hour is < 1 or > 12)
            {
                throw new SqlException(SqlState.InvalidDatetimeFormat, $"hour \"{hour}\" is invalid for the 12-hour clock", hint: "Use the 24-hour clock, or give an hour between 1 and 12.");
            }

            hour = (hour % 12) + (pm ? 12 : 0);
        }

        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, $"date/time field value out of range: \"{input}\"");
        }

        long days = SqlDateTime.DaysFromDateOnly(new DateOnly(year, month, day));
        return (days * SqlDateTime.MicrosPerDay) + (((((hour * 60L) + minute) * 60) + second) * SqlDateTime.MicrosPerSecond) + fraction;
    }

    private static int Digits(string s, ref int p, int width, bool greedy)
    {
        int start = p, value = 0;
        while (p < s.Length && char.IsAsciiDigit(s[p]) && (greedy || p - start < width) && p - start < 9)
        {
            value = (value * 10) + (s[p] - '0');
            p++;
        }

        if (p == start)
        {
            throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid value \"{(start < s.Length ? s[start..] : "")}\" for pattern",
                detail: "Value must be an integer.");
        }

        return value;
    }

    private static int MonthName(string s, ref int p, bool full)
    {
        for (int m = 1; m <= 12; m++)
        {
            string name = full ? Invariant.DateTimeFormat.GetMonthName(m) : Invariant.DateTimeFormat.GetAbbreviatedMonthName(m);
            if (Matches(s, p, name))
            {
                p += name.Length;
                return m;
            }
        }

        throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid value \"{s[p..]}\" for \"{(full ? "Month" : "Mon")}\"",
            detail: "The given value did not match any of the allowed values for this field.");
    }

    private static void SkipLetters(string s, ref int p)
    {
        while (p < s.Length && char.IsLetter(s[p]))
        {
            p++;
        }
    }
}
