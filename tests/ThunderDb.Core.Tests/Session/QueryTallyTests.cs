using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Session;

namespace ThunderDb.Core.Tests.Session;

[NotInParallel("query-metrics")]
public class QueryTallyTests
{
    [Test]
    public async Task Counts_reach_the_metrics_once_per_flush()
    {
        var tally = new QueryTally("test", slowQueries: null);
        double queries = ThunderMetrics.QueriesTotal.Value;
        double failed = ThunderMetrics.QueriesFailedTotal.Value;
        long durations = ThunderMetrics.QueryDurationSeconds.Count;

        long started = Stopwatch.GetTimestamp() - Stopwatch.Frequency / 100;
        long elapsed = tally.Ended(started, failed: false);
        tally.Ended(started, started + Stopwatch.Frequency, statements: 3, failed: 1);
        await Assert.That(elapsed).IsGreaterThanOrEqualTo(Stopwatch.Frequency / 100);
        await Assert.That(tally.Pending).IsEqualTo(4);
        await Assert.That(ThunderMetrics.QueriesTotal.Value).IsEqualTo(queries); // nothing published before the flush

        tally.Flush();
        await Assert.That(ThunderMetrics.QueriesTotal.Value).IsEqualTo(queries + 4);
        await Assert.That(ThunderMetrics.QueriesFailedTotal.Value).IsEqualTo(failed + 1);
        await Assert.That(ThunderMetrics.QueryDurationSeconds.Count).IsEqualTo(durations + 2);
        await Assert.That(tally.Pending).IsEqualTo(0);

        tally.Flush();
        await Assert.That(ThunderMetrics.QueriesTotal.Value).IsEqualTo(queries + 4);
    }

    [Test]
    public async Task Slow_statements_are_logged_with_their_duration_and_without_passwords()
    {
        var logger = new ListLogger();
        var log = new SlowQueryLog(logger);
        var tally = new QueryTally("pg", log);
        long second = Stopwatch.Frequency;

        tally.ObserveSql(second, 7, "admin", "SELECT 1");
        await Assert.That(logger.Lines).IsEmpty(); // the log is off until configured

        log.Configure(enabled: true, TimeSpan.FromMilliseconds(500));
        await Assert.That(tally.IsSlow(second / 2 - 1)).IsFalse();
        await Assert.That(tally.IsSlow(second / 2)).IsTrue();
        tally.ObserveSql(second / 10, 7, "admin", "SELECT fast");
        tally.ObserveSql(second * 3 / 2, 7, "admin", "SELECT pg_sleep(1.5)");
        tally.ObserveSql(second, 7, "admin", "ALTER USER bob PASSWORD 'secret'");

        await Assert.That(logger.Lines).Count().IsEqualTo(2);
        await Assert.That(logger.Lines[0]).IsEqualTo("slow_query: duration: 1500.000 ms protocol=pg connection=7 user=admin statement: SELECT pg_sleep(1.5)");
        await Assert.That(logger.Lines[1]).DoesNotContain("secret");
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
