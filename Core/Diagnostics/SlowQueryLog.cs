using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Core.Diagnostics;

/// <summary>
/// The slow-query log (<c>logging.slow_query_enabled</c>, <c>logging.slow_query_threshold</c>): every protocol hands it
/// (through <c>Core.Session.QueryTally</c>) each statement's elapsed time when the statement ends, and statements that took at least the threshold are logged
/// under the <c>slow_query</c> marker with their duration, protocol, connection, user and text (as PostgreSQL's
/// <c>log_min_duration_statement</c> does). The check is one comparison, so it stays on every statement's path; the text
/// is only rendered for a statement that is slow. SIGHUP reconfigures it in place.
/// </summary>
public sealed class SlowQueryLog(ILogger logger)
{
    /// <summary>Statement text past this many characters is cut (a multi-megabyte INSERT must not become a log line of that size).</summary>
    public const int MaxStatementChars = 2048;

    /// <summary>The threshold in <see cref="Stopwatch"/> ticks; <see cref="long.MaxValue"/> while the log is off.</summary>
    private long _thresholdTicks = long.MaxValue;

    public bool Enabled => Volatile.Read(ref _thresholdTicks) != long.MaxValue;

    /// <summary>Turns the log on or off and sets its threshold (zero logs every statement).</summary>
    public void Configure(bool enabled, TimeSpan threshold)
    {
        long ticks = enabled ? (long)Math.Max(0, Math.Min(threshold.TotalSeconds * Stopwatch.Frequency, long.MaxValue - 1)) : long.MaxValue;
        Volatile.Write(ref _thresholdTicks, ticks);
    }

    /// <summary>Whether a statement that took <paramref name="elapsedTicks"/> (<see cref="Stopwatch"/> ticks) is slow.</summary>
    public bool IsSlow(long elapsedTicks) => elapsedTicks >= Volatile.Read(ref _thresholdTicks);

    /// <summary>Logs a statement already known to be slow (<see cref="IsSlow"/>).</summary>
    public void Report(long elapsedTicks, string protocol, long connectionId, string? user, string statement)
    {
        double ms = elapsedTicks * 1000.0 / Stopwatch.Frequency;
        logger.LogWarning(
            "slow_query: duration: {DurationMs:F3} ms protocol={Protocol} connection={ConnectionId} user={User} statement: {Statement}",
            ms, protocol, connectionId, user ?? "", Shorten(statement));
    }

    /// <summary>SQL that sets a password (CREATE/ALTER USER/ROLE ... PASSWORD '...') is logged without its text.</summary>
    public static string WithoutSqlSecrets(string statement) =>
        statement.Contains("password", StringComparison.OrdinalIgnoreCase) ? "(statement with a password, not logged)" : statement;

    private static string Shorten(string statement) =>
        statement.Length <= MaxStatementChars ? statement : $"{statement.AsSpan(0, MaxStatementChars)}... ({statement.Length - MaxStatementChars} more characters)";
}
