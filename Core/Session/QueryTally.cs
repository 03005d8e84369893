using System.Diagnostics;
using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Core.Session;

/// <summary>
/// Query accounting for one connection, the same for every protocol: <c>thunderdb_queries_total</c>,
/// <c>thunderdb_queries_failed_total</c>, <c>thunderdb_query_duration_seconds</c> (what <c>/admin/queries</c> reads) and
/// the runbook's slow-query log. A protocol reports each statement or command as it ends (<see cref="Ended(long, bool)"/>)
/// and publishes the counts once per received batch (<see cref="Flush"/>), so a pipeline of a thousand RESP commands costs
/// a thousand additions, not a thousand metric updates. Not thread-safe: one per connection.
/// </summary>
public sealed class QueryTally(string protocol, SlowQueryLog? slowQueries)
{
    private readonly HistogramBatch _durations = new(ThunderMetrics.QueryDurationSeconds, ThunderMetrics.LatencyBuckets);
    private int _queries;
    private int _failed;

    /// <summary>Statements counted since the last <see cref="Flush"/>.</summary>
    public int Pending => _queries;

    /// <summary>
    /// A statement or command that started at <paramref name="started"/> (<see cref="Stopwatch.GetTimestamp"/>) ended now.
    /// Returns the elapsed <see cref="Stopwatch"/> ticks, for the slow logs.
    /// </summary>
    public long Ended(long started, bool failed) => Ended(started, Stopwatch.GetTimestamp(), statements: 1, failed ? 1 : 0);

    /// <summary>
    /// A request of <paramref name="statements"/> statements (<paramref name="failed"/> of them failed) that started at
    /// <paramref name="started"/> ended at <paramref name="now"/>: its duration is one observation.
    /// </summary>
    public long Ended(long started, long now, int statements, int failed)
    {
        long elapsed = now - started;
        _queries += statements;
        _failed += failed;
        _durations.Add((double)elapsed / Stopwatch.Frequency);
        return elapsed;
    }

    /// <summary>Failures known only by their number (a pipeline group keeps how many of its commands failed, not which).</summary>
    public void Failed(int count) => _failed += count;

    /// <summary>Whether the runbook's slow-query log wants a statement that took <paramref name="elapsedTicks"/>.</summary>
    public bool IsSlow(long elapsedTicks) => slowQueries is { } log && log.IsSlow(elapsedTicks);

    /// <summary>Logs a statement <see cref="IsSlow"/> found slow; <paramref name="statement"/> is its text as the protocol shows it.</summary>
    public void ReportSlow(long elapsedTicks, long connectionId, string? user, string statement) =>
        slowQueries?.Report(elapsedTicks, protocol, connectionId, user, statement);

    /// <summary>Logs SQL text when its statement was slow, without the text of one that sets a password.</summary>
    public void ObserveSql(long elapsedTicks, long connectionId, string? user, string sql)
    {
        if (IsSlow(elapsedTicks))
        {
            ReportSlow(elapsedTicks, connectionId, user, SlowQueryLog.WithoutSqlSecrets(sql));
        }
    }

    /// <summary>Publishes what was counted since the last call.</summary>
    public void Flush()
    {
        if (_queries == 0)
        {
            return;
        }

        ThunderMetrics.QueriesTotal.Inc(_queries);
        if (_failed > 0)
        {
            ThunderMetrics.QueriesFailedTotal.Inc(_failed);
        }

        _durations.Flush();
        _queries = 0;
        _failed = 0;
    }
}
