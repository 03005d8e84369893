using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The one ordered transactional store: the B+tree pager (<see cref="BTreeStore"/>) under the WAL and MVCC
/// layer (<see cref="Database"/>). Opening it recovers: the pager comes back at its last checkpoint and the
/// WAL is replayed from that checkpoint's LSN. Disposing it stops the workers, writes a final checkpoint
/// and closes every file.
/// </summary>
public sealed class StorageEngine : IKvDatabase, IDisposable
{
    private readonly BTreeStore _tree;
    private readonly Database _database;
    private bool _disposed;

    private StorageEngine(BTreeStore tree, Database database)
    {
        _tree = tree;
        _database = database;
    }

    /// <summary>Creates or recovers the store under <see cref="StorageOptions.DataDir"/>.</summary>
    public static StorageEngine Open(StorageOptions options, ILogger logger, bool backgroundWorkers = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var tree = BTreeStore.Open(options, logger);
        try
        {
            var database = Database.Open(
                new DatabaseOptions
                {
                    Storage = options,
                    Wal = WalOptions.From(options) with { SystemId = tree.SystemId, AdoptExisting = tree.UpgradedNow },
                    BackgroundWorkers = backgroundWorkers,
                },
                tree,
                new TreeCheckpointTarget(tree),
                tree.CheckpointState,
                logger);
            return new StorageEngine(tree, database);
        }
        catch
        {
            tree.Dispose();
            throw;
        }
    }

    /// <summary>The MVCC layer (WAL, recovery result, vacuum, checkpoints).</summary>
    /// <summary>Makes every applied commit durable (see <see cref="Txn.Database.FlushLog"/>).</summary>
    public bool FlushLog(TimeSpan timeout) => _database.FlushLog(timeout);

    public Database Database => _database;

    /// <summary>The ordered store under it.</summary>
    public BTreeStore Tree => _tree;

    public bool IsReadOnly => _database.IsReadOnly;

    public bool IsCheckpointing => _database.IsCheckpointing;

    public bool CommitsVisibleAtApply => _database.CommitsVisibleAtApply;

    public string? ReadOnlyReason => _database.ReadOnlyReason;

    public ulong LastCheckpointLsn => _database.LastCheckpointLsn;

    public IKvTransaction Begin(IsolationLevel isolation = IsolationLevel.RepeatableRead) => _database.Begin(isolation);

    public IKvTransaction Begin(IsolationLevel isolation, IKvTransaction? reuse) => _database.Begin(isolation, reuse);

    public IKvTransaction Begin(TransactionOptions options, IKvTransaction? reuse = null) => _database.Begin(options, reuse);

    /// <summary>Makes everything committed so far durable in the data file and lets the WAL recycle segments.</summary>
    public void Checkpoint() => _database.Checkpoint();

    public long Vacuum(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive) => _database.Vacuum(startInclusive, endExclusive);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _database.Dispose();
        _tree.Dispose();
    }

    /// <summary>Tests: die like a killed process (no checkpoint, the WAL ring and dirty pages are dropped).</summary>
    internal void SimulateCrash()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _database.SimulateCrash();
        _tree.Dispose();
    }

    private sealed class TreeCheckpointTarget(BTreeStore tree) : ICheckpointTarget
    {
        public void Checkpoint(CheckpointState state) => tree.Checkpoint(state);

        public IPendingCheckpoint? Freeze(CheckpointState state) => tree.FreezeCheckpoint(state);
    }
}
