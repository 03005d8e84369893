using System.Globalization;

namespace ThunderDb.Host.Configuration;

/// <summary>Durations as the runbook writes them: <c>"100ms"</c>, <c>"1s"</c>, <c>"5m"</c>, <c>"24h"</c>, <c>"7d"</c>, or compounds like <c>"1h30m"</c>.</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        long totalMs = 0;
        while (!s.IsEmpty)
        {
            var digits = 0;
            while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            {
                digits++;
            }

            if (digits == 0 || !long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            s = s[digits..];
            long unitMs;
            if (s.StartsWith("ms", StringComparison.Ordinal))
            {
                unitMs = 1;
                s = s[2..];
            }
            else if (!s.IsEmpty && s[0] is 's' or 'm' or 'h' or 'd')
            {
                unitMs = s[0] switch { 's' => 1000, 'm' => 60_000, 'h' => 3_600_000, _ => 86_400_000 };
                s = s[1..];
            }
            else
            {
                return false;
            }

            try
            {
                totalMs = checked(totalMs + checked(n * unitMs));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        if (totalMs > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>The shortest exact form: "0s", "250ms", "30s", "5m", "1h30m".</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        var parts = new System.Text.StringBuilder();
        Append(ref ms, 86_400_000, "d", parts);
        Append(ref ms, 3_600_000, "h", parts);
        Append(ref ms, 60_000, "m", parts);
        Append(ref ms, 1000, "s", parts);
        Append(ref ms, 1, "ms", parts);
        return parts.ToString();

        static void Append(ref long ms, long unit, string suffix, System.Text.StringBuilder sb)
        {
            if (ms >= unit)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{ms / unit}{suffix}");
                ms %= unit;
            }
        }
    }
}
