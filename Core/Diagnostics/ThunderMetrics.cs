using Prometheus;

namespace ThunderDb.Core.Diagnostics;

/// <summary>
/// The one metrics registry: every <c>thunderdb_*</c> metric the runbook names, created once and fed
/// by the real code paths. Names, types and help texts follow the runbook's monitoring table.
/// </summary>
public static class ThunderMetrics
{
    public static readonly double[] LatencyBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    internal static readonly double[] TransactionBuckets =
        [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300];

    static ThunderMetrics()
    {
        // Drop the default process/.NET collectors: /metrics is ours and stays small and stable.
        Metrics.SuppressDefaultMetrics();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(Refresh);
    }

    private static readonly Lock PublishersLock = new();
    private static Action? s_publishers;

    /// <summary>
    /// Registers code that counts metrics off the Prometheus path (the transaction layer does, one engine transaction
    /// per RESP command) and hands them over in <paramref name="publish"/>. Registration goes this way round so the
    /// metrics registry stays below every layer that feeds it.
    /// </summary>
    public static void AddPublisher(Action publish)
    {
        lock (PublishersLock)
        {
            s_publishers += publish;
        }
    }

    /// <summary>
    /// Brings the metrics that are counted outside prometheus-net (the <c>thunderdb_transaction*</c> family) up to
    /// date. A collect (the /metrics scrape) does it itself; code that reads a metric's <c>Value</c> directly calls this first.
    /// </summary>
    public static void Refresh() => Volatile.Read(ref s_publishers)?.Invoke();

    public static CollectorRegistry Registry => Metrics.DefaultRegistry;

    public static readonly Counter QueriesTotal = Metrics.CreateCounter("thunderdb_queries_total", "Total queries executed");
    public static readonly Counter QueriesFailedTotal = Metrics.CreateCounter("thunderdb_queries_failed_total", "Total failed queries");
    public static readonly Histogram QueryDurationSeconds = Metrics.CreateHistogram("thunderdb_query_duration_seconds", "Query latency distribution",
        new HistogramConfiguration { Buckets = LatencyBuckets });

    public static readonly Counter TransactionsStartedTotal = Metrics.CreateCounter("thunderdb_transactions_started_total", "Transactions started");
    public static readonly Counter TransactionsCommittedTotal = Metrics.CreateCounter("thunderdb_transactions_committed_total", "Transactions committed");
    public static readonly Counter TransactionsAbortedTotal = Metrics.CreateCounter("thunderdb_transactions_aborted_total", "Transactions aborted/rolled back");

    public static readonly Gauge ActiveConnections = Metrics.CreateGauge("thunderdb_active_connections", "Currently active connections");
    public static readonly Gauge ActiveTransactions = Metrics.CreateGauge("thunderdb_active_transactions", "Currently open transactions");

    public static readonly Gauge BufferPoolHitRatio = Metrics.CreateGauge("thunderdb_buffer_pool_hit_ratio", "Buffer pool cache hit ratio (0.0-1.0)");
    public static readonly Counter BufferPoolHitsTotal = Metrics.CreateCounter("thunderdb_buffer_pool_hits_total", "Buffer pool cache hits");
    public static readonly Counter BufferPoolMissesTotal = Metrics.CreateCounter("thunderdb_buffer_pool_misses_total", "Buffer pool cache misses");

    public static readonly Gauge WalSizeBytes = Metrics.CreateGauge("thunderdb_wal_size_bytes", "Current WAL size on disk");

    public static readonly Counter PagesReadTotal = Metrics.CreateCounter("thunderdb_pages_read_total", "Total pages read from disk");
    public static readonly Counter PagesWrittenTotal = Metrics.CreateCounter("thunderdb_pages_written_total", "Total pages written to disk");
    public static readonly Counter BytesReadTotal = Metrics.CreateCounter("thunderdb_bytes_read_total", "Total bytes read");
    public static readonly Counter BytesWrittenTotal = Metrics.CreateCounter("thunderdb_bytes_written_total", "Total bytes written");

    public static readonly Counter RaftProposalsTotal = Metrics.CreateCounter("thunderdb_raft_proposals_total", "Raft proposals submitted");
    public static readonly Counter RaftCommitsTotal = Metrics.CreateCounter("thunderdb_raft_commits_total", "Raft commits applied");
    public static readonly Gauge RegionsCount = Metrics.CreateGauge("thunderdb_regions_count", "Number of data regions");

    public static readonly Histogram TransactionDurationSeconds = Metrics.CreateHistogram("thunderdb_transaction_duration_seconds", "Transaction duration distribution",
        new HistogramConfiguration { Buckets = TransactionBuckets });

    // Beyond the runbook's list: where commits wait.
    public static readonly Histogram CheckpointDurationSeconds = Metrics.CreateHistogram("thunderdb_checkpoint_duration_seconds",
        "Checkpoint duration, start to durable meta page", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 4, 10) });

    public static readonly Histogram CheckpointCommitPauseSeconds = Metrics.CreateHistogram("thunderdb_checkpoint_commit_pause_seconds",
        "How long each checkpoint held the commit lock (commits wait meanwhile)", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00001, 4, 10) });

    public static readonly Histogram LockWaitSeconds = Metrics.CreateHistogram("thunderdb_lock_wait_seconds",
        "Key-lock waits (row locks), from queueing to grant, timeout or deadlock; _count is the number of waits",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 4, 10) });

    public static readonly Counter LockWaitTimeoutsTotal = Metrics.CreateCounter("thunderdb_lock_wait_timeouts_total",
        "Key-lock waits that ended past the lock timeout (SQLSTATE 55P03, MySQL 1205)");

    public static readonly Counter DeadlocksTotal = Metrics.CreateCounter("thunderdb_deadlocks_total",
        "Key-lock waits failed as the victim of a deadlock (SQLSTATE 40P01, MySQL 1213)");

    public static readonly Counter BackupsTotal = Metrics.CreateCounter("thunderdb_backups_total", "Backups finished, by result (success, failure)",
        new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Histogram BackupDurationSeconds = Metrics.CreateHistogram("thunderdb_backup_duration_seconds",
        "Duration of successful backups", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 4, 10) });

    public static readonly Gauge BackupSizeBytes = Metrics.CreateGauge("thunderdb_backup_size_bytes", "Size of the last successful backup");

    public static readonly Gauge LastBackupTimestampSeconds = Metrics.CreateGauge("thunderdb_last_backup_timestamp_seconds",
        "Unix time at which the last successful backup ended");

    public static readonly Gauge WalArchiveSizeBytes = Metrics.CreateGauge("thunderdb_wal_archive_size_bytes", "Bytes of WAL segments kept in the archive for point-in-time recovery");

    public static readonly Gauge WalArchiveRawBytes = Metrics.CreateGauge("thunderdb_wal_archive_uncompressed_bytes", "Bytes of WAL the archive holds, before compression (equal to thunderdb_wal_archive_size_bytes when storage.compression is off)");

    /// <summary>Touches the static fields so every metric is registered (and exported) from startup.</summary>
    public static void EnsureRegistered() => _ = QueriesTotal;
}
