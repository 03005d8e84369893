using System.Globalization;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// Dates, times and timestamps in text, PostgreSQL style (ISO output; ISO 8601-like input with a space or
/// <c>T</c>, optional fraction and time zone offset, plus the special words <c>now</c>, <c>today</c>,
/// <c>tomorrow</c>, <c>yesterday</c>, <c>epoch</c>). The session time zone is UTC. Years 1 to 9999.
/// </summary>
public static class SqlDateTime
{
    public const long MicrosPerSecond = 1_000_000;
    public const long MicrosPerDay = 86_400 * MicrosPerSecond;
    private static readonly int EpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string FormatDate(int days) => DateOnly.FromDayNumber(days + EpochDayNumber).ToString("yyyy-MM-dd", Invariant);

    public static string FormatTime(long micros)
    {
        long seconds = micros / MicrosPerSecond;
        long fraction = micros % MicrosPerSecond;
        string text = string.Create(Invariant, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
        return fraction == 0 ? text : text + "." + fraction.ToString("000000", Invariant).TrimEnd('0');
    }

    public static string FormatTimestamp(long micros)
    {
        long days = Math.DivRem(micros, MicrosPerDay, out long inDay);
        if (inDay < 0)
        {
            days--;
            inDay += MicrosPerDay;
        }

        return FormatDate((int)days) + " " + FormatTime(inDay);
    }

    public static DateTime ToDateTime(long micros) => DateTime.UnixEpoch.AddTicks(micros * 10);

    public static long FromDateTime(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static int DaysFromDateOnly(DateOnly date) => date.DayNumber - EpochDayNumber;

    public static DateOnly ToDateOnly(int days) => DateOnly.FromDayNumber(days + EpochDayNumber);

    /// <summary>The current transaction time, truncated to microseconds.</summary>
    public static long NowMicros() => FromDateTime(DateTime.UtcNow);

    public static int ParseDate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int today = (int)Math.Floor(NowMicros() / (double)MicrosPerDay);
        switch (t.ToLowerInvariant())
        {
            case "today" or "now":
                return today;
            case "tomorrow":
                return today + 1;
            case "yesterday":
                return today - 1;
            case "epoch":
                return 0;
        }

        if (!TryParseDateTime(t, out long micros, out _, out _))
        {
            throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type date: \"{text}\"");
        }

        return (int)Math.Floor(micros / (double)MicrosPerDay);
    }

    public static long ParseTime(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            long now = NowMicros() % MicrosPerDay;
            return now;
        }

        int at = 0;
        if (!TryParseClock(t, ref at, out long micros) || !TrySkipZone(t, ref at, out _))
        {
            throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type time: \"{text}\"");
        }

        return micros;
    }

    /// <summary>Microseconds since the epoch; with <paramref name="withTimeZone"/> an offset in the text converts to UTC.</summary>
    public static long ParseTimestamp(string text, bool withTimeZone)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case "now":
                return NowMicros();
            case "today":
                return ParseDate("today") * MicrosPerDay;
            case "tomorrow":
                return ParseDate("tomorrow") * MicrosPerDay;
            case "yesterday":
                return ParseDate("yesterday") * MicrosPerDay;
            case "epoch":
                return 0;
        }

        if (!TryParseDateTime(t, out long micros, out long offsetSeconds, out bool hasZone))
        {
            string name = withTimeZone ? "timestamp with time zone" : "timestamp";
            throw new SqlException(SqlState.InvalidDatetimeFormat, $"invalid input syntax for type {name}: \"{text}\"");
        }

        return withTimeZone && hasZone ? micros - (offsetSeconds * MicrosPerSecond) : micros;
    }

    /// <summary><c>YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][ ][zone]</c>; the zone is Z, UTC, GMT or ±HH[:MM].</summary>
    private static bool TryParseDateTime(string t, out long micros, out long offsetSeconds, out bool hasZone)
    {
        micros = 0;
        offsetSeconds = 0;
        hasZone = false;
        int at = 0;
        if (!TryNumber(t, ref at, 1, 4, out int year) || !Expect(t, ref at, '-') || !TryNumber(t, ref at, 1, 2, out int month)
            || !Expect(t, ref at, '-') || !TryNumber(t, ref at, 1, 2, out int day))
        {
            return false;
        }

        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, $"date/time field value out of range: \"{t}\"");
        }

        long clock = 0;
        if (at < t.Length && (t[at] == ' ' || t[at] == 'T' || t[at] == 't'))
        {
            int save = at;
            at++;
            while (at < t.Length && t[at] == ' ')
            {
                at++;
            }

            if (!TryParseClock(t, ref at, out clock))
            {
                at = save;
                clock = 0;
            }
        }

        if (!TrySkipZone(t, ref at, out long? offset))
        {
            return false;
        }

        hasZone = offset.HasValue;
        offsetSeconds = offset ?? 0;
        micros = (DaysFromDateOnly(new DateOnly(year, month, day)) * MicrosPerDay) + clock;
        return true;
    }

    private static bool TryParseClock(string t, ref int at, out long micros)
    {
        micros = 0;
        int start = at;
        if (!TryNumber(t, ref at, 1, 2, out int hour) || !Expect(t, ref at, ':') || !TryNumber(t, ref at, 2, 2, out int minute))
        {
            at = start;
            return false;
        }

        int second = 0;
        long fraction = 0;
        if (at < t.Length && t[at] == ':')
        {
            at++;
            if (!TryNumber(t, ref at, 2, 2, out second))
            {
                at = start;
                return false;
            }

            if (at < t.Length && t[at] == '.')
            {
                at++;
                int digits = 0;
                while (at < t.Length && char.IsAsciiDigit(t[at]))
                {
                    if (digits < 6)
                    {
                        fraction = (fraction * 10) + (t[at] - '0');
                    }
                    else if (digits == 6 && t[at] >= '5')
                    {
                        fraction++; // round to microseconds
                    }

                    digits++;
                    at++;
                }

                for (; digits < 6; digits++)
                {
                    fraction *= 10;
                }
            }
        }

        if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute > 0 || second > 0 || fraction > 0)))
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, $"date/time field value out of range: \"{t}\"");
        }

        micros = (((hour * 3600L) + (minute * 60L) + second) * MicrosPerSecond) + fraction;
        return true;
    }

    private static bool TrySkipZone(string t, ref int at, out long? offsetSeconds)
    {
        offsetSeconds = null;
        while (at < t.Length && t[at] == ' ')
        {
            at++;
        }

        if (at == t.Length)
        {
            return true;
        }

        ReadOnlySpan<char> rest = t.AsSpan(at);
        if (rest.Equals("Z", StringComparison.OrdinalIgnoreCase) || rest.Equals("UTC", StringComparison.OrdinalIgnoreCase) || rest.Equals("GMT", StringComparison.OrdinalIgnoreCase))
        {
            offsetSeconds = 0;
            at = t.Length;
            return true;
        }

        if (rest[0] is not ('+' or '-'))
        {
            return false;
        }

        int sign = rest[0] == '-' ? -1 : 1;
        at++;
        if (!TryNumber(t, ref at, 1, 2, out int hours))
        {
            return false;
        }

        int minutes = 0;
        if (at < t.Length && t[at] == ':')
        {
            at++;
            if (!TryNumber(t, ref at, 2, 2, out minutes))
            {
                return false;
            }
        }
        else if (at + 2 <= t.Length && TryNumber(t, ref at, 2, 2, out int compact))
        {
            minutes = compact;
        }

        offsetSeconds = sign * ((hours * 3600L) + (minutes * 60L));
        return at == t.Length;
    }

    private static bool TryNumber(string t, ref int at, int minDigits, int maxDigits, out int value)
    {
        value = 0;
        int digits = 0;
        while (at < t.Length && digits < maxDigits && char.IsAsciiDigit(t[at]))
        {
            value = (value * 10) + (t[at] - '0');
            at++;
            digits++;
        }

        return digits >= minDigits;
    }

    private static bool Expect(string t, ref int at, char c)
    {
        if (at < t.Length && t[at] == c)
        {
            at++;
            return true;
        }

        return false;
    }
}
