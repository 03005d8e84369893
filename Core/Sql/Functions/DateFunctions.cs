using System.Globalization;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// Date/time functions. The session time zone is UTC (as SqlDateTime assumes), so timestamptz fields equal
/// timestamp fields. now() and its synonyms read <see cref="Execution.EvalContext.StatementTimestampMicros"/>,
/// so they are stable within a statement; clock_timestamp() reads the clock (volatile). date_part returns
/// double precision and extract numeric, as in PostgreSQL 14 and later.
/// </summary>
internal static class DateFunctions
{
    private static readonly SqlType T = SqlType.Text, Ts = SqlType.Timestamp, Tz = SqlType.TimestampTz, I4 = SqlType.Int4;

    public static void Register(List<ScalarFunction> f)
    {
        foreach (string name in (string[])["now", "transaction_timestamp", "statement_timestamp"])
        {
            f.Add(name, Tz, (_, c) => SqlValue.FromTimestampTz(c.StatementTimestampMicros));
        }

        // CURRENT_DATE, CURRENT_TIMESTAMP[(p)], LOCALTIMESTAMP[(p)], CURRENT_TIME[(p)], LOCALTIME[(p)]: the parser's
        // SqlValueFunctionExpr, which the binder resolves by these names (with the precision as an int4 argument)
        f.Add("current_date", SqlType.Date, (_, c) => SqlValue.FromDate((int)(MidnightOf(c.StatementTimestampMicros) / SqlDateTime.MicrosPerDay)));
        f.Add("current_timestamp", Tz, (_, c) => SqlValue.FromTimestampTz(c.StatementTimestampMicros));
        f.Add("current_timestamp", Tz, (a, c) => SqlValue.FromTimestampTz(RoundFraction(c.StatementTimestampMicros, a[0].AsInt32)), I4);
        f.Add("localtimestamp", Ts, (_, c) => SqlValue.FromTimestamp(c.StatementTimestampMicros));
        f.Add("localtimestamp", Ts, (a, c) => SqlValue.FromTimestamp(RoundFraction(c.StatementTimestampMicros, a[0].AsInt32)), I4);
        foreach (string name in (string[])["current_time", "localtime"]) // no timetz type yet: CURRENT_TIME is the UTC time of day
        {
            f.Add(name, SqlType.Time, (_, c) => SqlValue.FromTime(c.StatementTimestampMicros - MidnightOf(c.StatementTimestampMicros)));
            f.Add(name, SqlType.Time, (a, c) =>
            {
                long rounded = RoundFraction(c.StatementTimestampMicros, a[0].AsInt32);
                return SqlValue.FromTime(rounded - MidnightOf(rounded));
            }, I4);
        }

        f.Add(new ScalarFunction("clock_timestamp", [], Tz, (_, _) => SqlValue.FromTimestampTz(SqlDateTime.NowMicros()), IsVolatile: true));

        foreach (SqlType source in (SqlType[])[Ts, Tz, SqlType.Date, SqlType.Time, SqlType.Interval])
        {
            SqlTypeKind kind = source.Kind;
            f.Add("extract", SqlType.Numeric, (a, _) => SqlValue.FromNumeric(Extract(a[0].AsString, a[1], kind)), T, source);
            // date_part(text, date) is date_part(text, date::timestamp) in PostgreSQL: time fields read as zero
            SqlTypeKind partKind = kind == SqlTypeKind.Date ? SqlTypeKind.Timestamp : kind;
            f.Add("date_part", SqlType.Float8, (a, _) => SqlValue.FromFloat8((double)Extract(a[0].AsString, ToPartSource(a[1]), partKind)), T, source);
        }

        f.Add("date_trunc", Ts, (a, _) => SqlValue.FromTimestamp(Truncate(a[0].AsString, a[1].AsMicros, SqlTypeKind.Timestamp)), T, Ts);
        f.Add("date_trunc", Tz, (a, _) => SqlValue.FromTimestampTz(Truncate(a[0].AsString, a[1].AsMicros, SqlTypeKind.TimestampTz)), T, Tz);
        f.Add("date_trunc", SqlType.Interval, (a, _) => TruncateInterval(a[0].AsString, a[1]), T, SqlType.Interval);

        f.Add("age", SqlType.Interval, (a, _) => Age(a[0].AsMicros, a[1].AsMicros), Ts, Ts);
        f.Add("age", SqlType.Interval, (a, _) => Age(a[0].AsMicros, a[1].AsMicros), Tz, Tz);
        f.Add("age", SqlType.Interval, (a, c) => Age(MidnightOf(c.StatementTimestampMicros), a[0].AsMicros), Ts);
        f.Add("age", SqlType.Interval, (a, c) => Age(MidnightOf(c.StatementTimestampMicros), a[0].AsMicros), Tz);

        f.Add("make_date", SqlType.Date, (a, _) => SqlValue.FromDate(MakeDate(a[0].AsInt32, a[1].AsInt32, a[2].AsInt32)), I4, I4, I4);
        f.Add("make_timestamp", Ts, (a, _) => SqlValue.FromTimestamp(MakeTimestamp(a)), I4, I4, I4, I4, I4, SqlType.Float8);
        f.Add("to_timestamp", Tz, (a, _) => SqlValue.FromTimestampTz(FromEpoch(a[0].AsDouble)), SqlType.Float8);

        f.Add("to_char", T, (a, _) => Fn.Text(DateFormat.Format(a[0].AsMicros, a[1].AsString, withZone: false)), Ts, T);
        f.Add("to_char", T, (a, _) => Fn.Text(DateFormat.Format(a[0].AsMicros, a[1].AsString, withZone: true)), Tz, T);
        foreach (SqlType number in (SqlType[])[SqlType.Int4, SqlType.Int8, SqlType.Numeric, SqlType.Float8])
        {
            f.Add("to_char", T, (_, _) => throw SqlException.NotSupported("to_char of a number"), number, T);
        }

        f.Add("to_date", SqlType.Date, (a, _) => SqlValue.FromDate((int)(DateFormat.Parse(a[0].AsString, a[1].AsString) / SqlDateTime.MicrosPerDay)), T, T);
        f.Add("to_timestamp", Tz, (a, _) => SqlValue.FromTimestampTz(DateFormat.Parse(a[0].AsString, a[1].AsString)), T, T);
    }

    /// <summary>Rounds the fraction of a second to <paramref name="precision"/> digits (0 to 6), half up, as CURRENT_TIMESTAMP(p) does.</summary>
    private static long RoundFraction(long micros, int precision)
    {
        if (precision < 0)
        {
            throw Fn.InvalidParameter($"TIMESTAMP({precision}) precision must not be negative");
        }

        long step = precision >= 6 ? 1 : (long)Math.Pow(10, 6 - precision);
        return (long)Math.Round(micros / (decimal)step, MidpointRounding.AwayFromZero) * step;
    }

    private static SqlValue ToPartSource(SqlValue v) => v.Kind == SqlTypeKind.Date ? SqlValue.FromTimestamp(v.AsDate * SqlDateTime.MicrosPerDay) : v;

    private static long MidnightOf(long micros) => Math.DivRem(micros, SqlDateTime.MicrosPerDay, out long r) * SqlDateTime.MicrosPerDay - (r < 0 ? SqlDateTime.MicrosPerDay : 0);

    /// <summary>The unit names and abbreviations PostgreSQL's datetktbl accepts, mapped to one spelling.</summary>
    private static string Unit(string field) => field.ToLowerInvariant() switch
    {
        "year" or "years" or "y" or "yr" or "yrs" => "year",
        "month" or "months" or "mon" or "mons" => "month",
        "day" or "days" or "d" => "day",
        "hour" or "hours" or "h" or "hr" or "hrs" => "hour",
        "minute" or "minutes" or "m" or "min" or "mins" => "minute",
        "second" or "seconds" or "s" or "sec" or "secs" => "second",
        "millisecond" or "milliseconds" or "ms" or "msec" or "msecs" or "mseconds" => "milliseconds",
        "microsecond" or "microseconds" or "us" or "usec" or "usecs" or "useconds" => "microseconds",
        "week" or "weeks" or "w" => "week",
        "quarter" or "qtr" => "quarter",
        "decade" or "decades" or "dec" => "decade",
        "century" or "centuries" or "c" or "cent" => "century",
        "millennium" or "millennia" or "mil" or "mils" => "millennium",
        "j" or "julian" => "julian",
        string other => other,
    };

    private static string TypeName(SqlTypeKind kind) => SqlTypeInfo.Of(kind).DisplayName;

    private static SqlException UnknownUnit(string field, SqlTypeKind kind) =>
        Fn.InvalidParameter($"unit \"{field}\" not recognized for type {TypeName(kind)}");

    private static SqlException UnsupportedUnit(string field, SqlTypeKind kind) =>
        new(SqlState.FeatureNotSupported, $"unit \"{field}\" not supported for type {TypeName(kind)}");

    /// <summary>EXTRACT's numeric value: seconds and epoch carry 6 decimals, milliseconds 3, the rest are whole.</summary>
    public static decimal Extract(string field, SqlValue v, SqlTypeKind kind)
    {
        string unit = Unit(field);
        return kind switch
        {
            SqlTypeKind.Interval => ExtractInterval(field, unit, v),
            SqlTypeKind.Time => ExtractTime(field, unit, v.AsMicros),
            SqlTypeKind.Date => ExtractDate(field, unit, v.AsDate),
            _ => ExtractTimestamp(field, unit, v.AsMicros, kind),
        };
    }

    private static decimal ExtractTimestamp(string field, string unit, long micros, SqlTypeKind kind)
    {
        DateTime t = Fn.Calendar(micros);
        long inMinute = (t.Second * SqlDateTime.MicrosPerSecond) + (t.Ticks % TimeSpan.TicksPerSecond / 10);
        return unit switch
        {
            "microseconds" => inMinute,
            "milliseconds" => SqlCast.WithScale(inMinute / 1000m, 3),
            "second" => SqlCast.WithScale(inMinute / 1_000_000m, 6),
            "minute" => t.Minute,
            "hour" => t.Hour,
            "epoch" => SqlCast.WithScale(micros / 1_000_000m, 6),
            "timezone" or "timezone_hour" or "timezone_minute" when kind == SqlTypeKind.TimestampTz => 0,
            "timezone" or "timezone_hour" or "timezone_minute" => throw UnsupportedUnit(field, kind),
            "julian" => SqlCast.WithScale(DayNumber(t) + 2440588 + (micros - (MidnightOf(micros))) / (decimal)SqlDateTime.MicrosPerDay, 0),
            _ => DateField(field, unit, t, kind),
        };
    }

    private static long DayNumber(DateTime t) => SqlDateTime.DaysFromDateOnly(DateOnly.FromDateTime(t));

    private static decimal ExtractDate(string field, string unit, int days)
    {
        DateTime t = Fn.Calendar(days * SqlDateTime.MicrosPerDay);
        return unit switch
        {
            "epoch" => days * 86400m,
            "julian" => days + 2440588,
            "microseconds" or "milliseconds" or "second" or "minute" or "hour" or "timezone" or "timezone_hour" or "timezone_minute" => throw UnsupportedUnit(field, SqlTypeKind.Date),
            _ => DateField(field, unit, t, SqlTypeKind.Date),
        };
    }

    private static decimal DateField(string field, string unit, DateTime t, SqlTypeKind kind) => unit switch
    {
        "day" => t.Day,
        "month" => t.Month,
        "year" => t.Year,
        "quarter" => ((t.Month - 1) / 3) + 1,
        "week" => ISOWeek.GetWeekOfYear(t),
        "isoyear" => ISOWeek.GetYear(t),
        "dow" => (int)t.DayOfWeek,
        "isodow" => t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek,
        "doy" => t.DayOfYear,
        "decade" => t.Year / 10,
        "century" => (t.Year + 99) / 100,
        "millennium" => (t.Year + 999) / 1000,
        _ => throw UnknownUnit(field, kind),
    };

    private static decimal ExtractTime(string field, string unit, long micros)
    {
        long inMinute = micros % (60 * SqlDateTime.MicrosPerSecond);
        return unit switch
        {
            "microseconds" => inMinute,
            "milliseconds" => SqlCast.WithScale(inMinute / 1000m, 3),
            "second" => SqlCast.WithScale(inMinute / 1_000_000m, 6),
            "minute" => micros / (60 * SqlDateTime.MicrosPerSecond) % 60,
            "hour" => micros / (3600 * SqlDateTime.MicrosPerSecond),
            "epoch" => SqlCast.WithScale(micros / 1_000_000m, 6),
            "day" or "month" or "year" or "quarter" or "decade" or "century" or "millennium" or "week" => throw UnsupportedUnit(field, SqlTypeKind.Time),
            _ => throw UnknownUnit(field, SqlTypeKind.Time),
        };
    }

    private static decimal ExtractInterval(string field, string unit, SqlValue v)
    {
        int months = v.IntervalMonths;
        long micros = v.IntervalMicros;
        long inMinute = micros % (60 * SqlDateTime.MicrosPerSecond);
        return unit switch
        {
            "microseconds" => inMinute,
            "milliseconds" => SqlCast.WithScale(inMinute / 1000m, 3),
            "second" => SqlCast.WithScale(inMinute / 1_000_000m, 6),
            "minute" => micros / (60 * SqlDateTime.MicrosPerSecond) % 60,
            "hour" => micros / (3600 * SqlDateTime.MicrosPerSecond),
            "day" => v.IntervalDays,
            "month" => months % 12,
            "quarter" => (months % 12 / 3) + 1,
            "year" => months / 12,
            "decade" => months / 120,
            "century" => months / 1200,
            "millennium" => months / 12000,
            // a year is 365.25 days and a month 30 days here, as interval_part's epoch says
            "epoch" => SqlCast.WithScale((months / 12 * 365.25m * 86400) + (months % 12 * 30m * 86400) + (v.IntervalDays * 86400m) + (micros / 1_000_000m), 6),
            "week" or "dow" or "doy" or "isodow" or "isoyear" or "timezone" => throw UnsupportedUnit(field, SqlTypeKind.Interval),
            _ => throw UnknownUnit(field, SqlTypeKind.Interval),
        };
    }

    private static long Truncate(string field, long micros, SqlTypeKind kind)
    {
        DateTime t = Fn.Calendar(micros);
        DateTime r = Unit(field) switch
        {
            "microseconds" => t,
            "milliseconds" => new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerMillisecond)),
            "second" => new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond)),
            "minute" => new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0),
            "hour" => new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0),
            "day" => t.Date,
            "week" => t.Date.AddDays(-(((int)t.DayOfWeek + 6) % 7)),
            "month" => new DateTime(t.Year, t.Month, 1),
            "quarter" => new DateTime(t.Year, (((t.Month - 1) / 3) * 3) + 1, 1),
            "year" => new DateTime(t.Year, 1, 1),
            "decade" => new DateTime(Math.Max(1, t.Year / 10 * 10), 1, 1),
            "century" => new DateTime(((t.Year - 1) / 100 * 100) + 1, 1, 1),
            "millennium" => new DateTime(((t.Year - 1) / 1000 * 1000) + 1, 1, 1),
            _ => throw UnknownUnit(field, kind),
        };
        return SqlDateTime.FromDateTime(DateTime.SpecifyKind(r, DateTimeKind.Utc));
    }

    private static SqlValue TruncateInterval(string field, SqlValue v)
    {
        int months = v.IntervalMonths, days = v.IntervalDays;
        long micros = v.IntervalMicros;
        const long Minute = 60 * SqlDateTime.MicrosPerSecond, Hour = 60 * Minute;
        return Unit(field) switch
        {
            "microseconds" => v,
            "milliseconds" => SqlValue.FromInterval(months, days, micros - (micros % 1000)),
            "second" => SqlValue.FromInterval(months, days, micros - (micros % SqlDateTime.MicrosPerSecond)),
            "minute" => SqlValue.FromInterval(months, days, micros - (micros % Minute)),
            "hour" => SqlValue.FromInterval(months, days, micros - (micros % Hour)),
            "day" => SqlValue.FromInterval(months, days, 0),
            "month" => SqlValue.FromInterval(months, 0, 0),
            "quarter" => SqlValue.FromInterval(months - (months % 3), 0, 0),
            "year" => SqlValue.FromInterval(months - (months % 12), 0, 0),
            "decade" => SqlValue.FromInterval(months - (months % 120), 0, 0),
            "century" => SqlValue.FromInterval(months - (months % 1200), 0, 0),
            "millennium" => SqlValue.FromInterval(months - (months % 12000), 0, 0),
            "week" => throw UnsupportedUnit(field, SqlTypeKind.Interval),
            _ => throw UnknownUnit(field, SqlTypeKind.Interval),
        };
    }

    /// <summary>age(a, b): a - b in years, months and days counted on the calendar (timestamp_age), not as a span of days.</summary>
    private static SqlValue Age(long a, long b)
    {
        DateTime t1 = Fn.Calendar(a), t2 = Fn.Calendar(b);
        bool flip = a < b;
        int sign = flip ? -1 : 1;
        long fsec = sign * ((t1.Ticks % TimeSpan.TicksPerSecond) - (t2.Ticks % TimeSpan.TicksPerSecond)) / 10;
        int sec = sign * (t1.Second - t2.Second), min = sign * (t1.Minute - t2.Minute), hour = sign * (t1.Hour - t2.Hour);
        int day = sign * (t1.Day - t2.Day), mon = sign * (t1.Month - t2.Month), year = sign * (t1.Year - t2.Year);
        for (; fsec < 0; fsec += SqlDateTime.MicrosPerSecond, sec--)
        {
        }

        for (; sec < 0; sec += 60, min--)
        {
        }

        for (; min < 0; min += 60, hour--)
        {
        }

        for (; hour < 0; hour += 24, day--)
        {
        }

        DateTime borrowFrom = flip ? t1 : t2; // the days of the earlier month fill the borrow
        for (; day < 0; day += DateTime.DaysInMonth(borrowFrom.Year, borrowFrom.Month), mon--)
        {
        }

        for (; mon < 0; mon += 12, year--)
        {
        }

        long micros = ((((hour * 60L) + min) * 60) + sec) * SqlDateTime.MicrosPerSecond + fsec;
        return SqlValue.FromInterval(sign * ((year * 12) + mon), sign * day, sign * micros);
    }

    internal static int MakeDate(int year, int month, int day)
    {
        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, string.Create(CultureInfo.InvariantCulture, $"date field value out of range: {year}-{month:00}-{day:00}"));
        }

        return SqlDateTime.DaysFromDateOnly(new DateOnly(year, month, day));
    }

    private static long MakeTimestamp(SqlValue[] a)
    {
        int days = MakeDate(a[0].AsInt32, a[1].AsInt32, a[2].AsInt32);
        int hour = a[3].AsInt32, minute = a[4].AsInt32;
        double seconds = a[5].AsDouble;
        if (hour is < 0 or > 24 || minute is < 0 or > 59 || !(seconds >= 0 && seconds <= 60))
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, string.Create(CultureInfo.InvariantCulture,
                $"time field value out of range: {hour}:{minute:00}:{SqlText.FormatFloat(seconds, single: false)}"));
        }

        long time = (((hour * 60L) + minute) * 60 * SqlDateTime.MicrosPerSecond) + (long)Math.Round(seconds * SqlDateTime.MicrosPerSecond);
        return (days * SqlDateTime.MicrosPerDay) + time;
    }

    private static long FromEpoch(double seconds)
    {
        double micros = Math.Round(seconds * SqlDateTime.MicrosPerSecond);
        if (double.IsNaN(micros) || micros < Fn.MinMicros || micros > Fn.MaxMicros)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, $"timestamp out of range: \"{SqlText.FormatFloat(seconds, single: false)}\"");
        }

        return (long)micros;
    }
}
