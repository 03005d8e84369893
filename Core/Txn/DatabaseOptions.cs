using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

/// <summary>How a <see cref="Database"/> is opened: the storage settings plus knobs tests and tools need.</summary>
public sealed record DatabaseOptions
{
    public required StorageOptions Storage { get; init; }

    /// <summary>WAL layout; defaults to <see cref="WalOptions.From"/> of <see cref="Storage"/>.</summary>
    public WalOptions? Wal { get; init; }

    /// <summary>Pause between vacuum passes of the background compaction workers.</summary>
    public TimeSpan VacuumInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>User keys examined per vacuum batch (one commit-lock hold).</summary>
    public int VacuumBatchKeys { get; init; } = 256;

    /// <summary>
    /// Committers prune the dead versions of recently written keys once this many are queued (0 = never; only
    /// the vacuum pass reclaims them). Small batches keep each commit-lock hold short.
    /// </summary>
    public int PruneBatch { get; init; } = 32;

    /// <summary>Start the checkpoint and compaction workers (tests drive them by hand).</summary>
    public bool BackgroundWorkers { get; init; } = true;

    /// <summary>Tests: maps a <see cref="System.Diagnostics.Stopwatch"/> timestamp to unix ms (default <see cref="Txn.WallClock"/>), to step the clock.</summary>
    internal Func<long, long>? WallClock { get; init; }

    internal WalOptions EffectiveWal => Wal ?? WalOptions.From(Storage);
}
