using System.Globalization;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// <c>x AT TIME ZONE zone</c>, which is PostgreSQL's <c>timezone(zone, x)</c>: a timestamptz becomes the wall-clock
/// timestamp in the zone, a timestamp is read as wall-clock time in the zone and becomes a timestamptz. The zone is a
/// name from the system's tz database (<c>'Europe/Paris'</c>, with its daylight-saving rules), <c>'UTC'</c> (needs no
/// tz database), a POSIX-style numeric offset as PostgreSQL reads one (<c>'+05'</c> is five hours west of UTC), or an
/// interval (<c>INTERVAL '+05:30'</c>, east of UTC). Sessions themselves run in UTC.
/// </summary>
internal static class TimeZoneFunctions
{
    public static void Register(List<ScalarFunction> f)
    {
        SqlType ts = SqlType.Timestamp, tz = SqlType.TimestampTz, text = SqlType.Text, interval = SqlType.Interval;
        f.Add("timezone", ts, (a, _) => SqlValue.FromTimestamp(ToLocal(a[1].AsMicros, Zone.Of(a[0].AsString))), text, tz);
        f.Add("timezone", tz, (a, _) => SqlValue.FromTimestampTz(ToUtc(a[1].AsMicros, Zone.Of(a[0].AsString))), text, ts);
        f.Add("timezone", ts, (a, _) => SqlValue.FromTimestamp(ToLocal(a[1].AsMicros, Zone.Of(a[0]))), interval, tz);
        f.Add("timezone", tz, (a, _) => SqlValue.FromTimestampTz(ToUtc(a[1].AsMicros, Zone.Of(a[0]))), interval, ts);
    }

    /// <summary>A zone: a tz-database entry, or a fixed offset east of UTC.</summary>
    private readonly record struct Zone(TimeZoneInfo? Info, long OffsetMicros)
    {
        public static Zone Of(SqlValue interval)
        {
            if (interval.IntervalMonths != 0 || interval.IntervalDays != 0)
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"interval time zone \"{SqlText.Format(interval)}\" must not include months or days");
            }

            return new Zone(null, interval.IntervalMicros);
        }

        public static Zone Of(string name)
        {
            string trimmed = name.Trim();
            if (trimmed.ToUpperInvariant() is "UTC" or "GMT" or "Z" or "ZULU" or "UCT" or "UNIVERSAL" or "ETC/UTC" or "ETC/GMT")
            {
                return new Zone(null, 0);
            }

            if (PosixOffset(trimmed) is { } west)
            {
                return new Zone(null, -west);
            }

            try
            {
                return new Zone(TimeZoneInfo.FindSystemTimeZoneById(trimmed), 0);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
            {
                throw new SqlException(SqlState.InvalidParameterValue, $"time zone \"{name}\" not recognized");
            }
        }

        /// <summary><c>[+-]hh[:mm[:ss]]</c> (optionally after UTC/GMT) as POSIX reads it: hours west of UTC; null when not one.</summary>
        private static long? PosixOffset(string text)
        {
            string s = text.StartsWith("UTC", StringComparison.OrdinalIgnoreCase) || text.StartsWith("GMT", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
            if (s.Length == 0 || !(char.IsAsciiDigit(s[0]) || ((s[0] is '+' or '-') && s.Length > 1)))
            {
                return null;
            }

            int sign = s[0] == '-' ? -1 : 1;
            string[] parts = s.TrimStart('+', '-').Split(':');
            if (parts.Length > 3 || !parts.All(p => p.Length is > 0 and <= 2 && p.All(char.IsAsciiDigit)))
            {
                return null;
            }

            int[] v = [.. parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
            long seconds = (v[0] * 3600L) + (v.Length > 1 ? v[1] * 60L : 0) + (v.Length > 2 ? v[2] : 0);
            return seconds > 15 * 3600 + 59 * 60 + 59 ? null : sign * seconds * 1_000_000;
        }
    }

    private static long ToLocal(long utcMicros, Zone zone) => utcMicros + OffsetAt(zone, utcMicros, isUtc: true);

    private static long ToUtc(long localMicros, Zone zone) => localMicros - OffsetAt(zone, localMicros, isUtc: false);

    /// <summary>The zone's offset east of UTC at an instant (or at a wall-clock time, <paramref name="isUtc"/> false).</summary>
    private static long OffsetAt(Zone zone, long micros, bool isUtc)
    {
        if (zone.Info is not { } info)
        {
            return zone.OffsetMicros;
        }

        DateTime at;
        try
        {
            at = DateTime.SpecifyKind(SqlDateTime.ToDateTime(micros), isUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new SqlException(SqlState.DatetimeFieldOverflow, "timestamp out of range");
        }

        TimeSpan offset = isUtc ? info.GetUtcOffset(at) : LocalOffset(info, at);
        return offset.Ticks / 10;
    }

    /// <summary>
    /// The offset of a wall-clock time: in a fall-back overlap the standard time's (the later instant), in a
    /// spring-forward gap the offset before the change, as PostgreSQL resolves both.
    /// </summary>
    private static TimeSpan LocalOffset(TimeZoneInfo info, DateTime local)
    {
        if (info.IsAmbiguousTime(local))
        {
            return info.GetAmbiguousTimeOffsets(local).Min();
        }

        return info.IsInvalidTime(local) ? info.GetUtcOffset(local.AddHours(-3)) : info.GetUtcOffset(local);
    }
}
