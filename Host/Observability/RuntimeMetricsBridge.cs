#if OTEL
using System.Diagnostics.Metrics;
using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Host.Observability;

/// <summary>
/// The runbook's metrics as OpenTelemetry instruments, observed from the same counters /metrics serves
/// (one set of numbers, two exports). Names follow OpenTelemetry's dotted style; units are UCUM.
/// </summary>
internal static class RuntimeMetricsBridge
{
    /// <summary>The transaction counters are published from the engine on demand, as before a scrape.</summary>
    private static T Fresh<T>(T metric)
    {
        ThunderMetrics.Refresh();
        return metric;
    }

    public static void Register(Meter meter)
    {
        meter.CreateObservableCounter("thunderdb.queries", () => ThunderMetrics.QueriesTotal.Value, "{query}", "Total queries executed");
        meter.CreateObservableCounter("thunderdb.queries.failed", () => ThunderMetrics.QueriesFailedTotal.Value, "{query}", "Total failed queries");
        meter.CreateObservableCounter("thunderdb.transactions.started", () => Fresh(ThunderMetrics.TransactionsStartedTotal).Value, "{transaction}", "Transactions started");
        meter.CreateObservableCounter("thunderdb.transactions.committed", () => Fresh(ThunderMetrics.TransactionsCommittedTotal).Value, "{transaction}", "Transactions committed");
        meter.CreateObservableCounter("thunderdb.transactions.aborted", () => Fresh(ThunderMetrics.TransactionsAbortedTotal).Value, "{transaction}", "Transactions aborted/rolled back");
        meter.CreateObservableGauge("thunderdb.connections.active", () => ThunderMetrics.ActiveConnections.Value, "{connection}", "Currently active connections");
        meter.CreateObservableGauge("thunderdb.transactions.active", () => Fresh(ThunderMetrics.ActiveTransactions).Value, "{transaction}", "Currently open transactions");
        meter.CreateObservableGauge("thunderdb.buffer_pool.hit_ratio", () => ThunderMetrics.BufferPoolHitRatio.Value, "1", "Buffer pool cache hit ratio (0.0-1.0)");
        meter.CreateObservableGauge("thunderdb.wal.size", () => ThunderMetrics.WalSizeBytes.Value, "By", "Current WAL size on disk");
        meter.CreateObservableCounter("thunderdb.pages.read", () => ThunderMetrics.PagesReadTotal.Value, "{page}", "Total pages read from disk");
        meter.CreateObservableCounter("thunderdb.pages.written", () => ThunderMetrics.PagesWrittenTotal.Value, "{page}", "Total pages written to disk");
        meter.CreateObservableCounter("thunderdb.io.read", () => ThunderMetrics.BytesReadTotal.Value, "By", "Total bytes read");
        meter.CreateObservableCounter("thunderdb.io.written", () => ThunderMetrics.BytesWrittenTotal.Value, "By", "Total bytes written");
    }
}
#endif
