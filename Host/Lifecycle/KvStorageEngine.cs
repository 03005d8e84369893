using Microsoft.Extensions.Logging;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// Plugs the storage engine (B+tree pager + WAL + MVCC, <see cref="StorageEngine"/>) into the host's lifecycle.
/// The engine runs its own checkpoint and compaction workers; the host asks for one more checkpoint at shutdown.
/// </summary>
public sealed class KvStorageEngine(StorageOptions options, ILoggerFactory loggerFactory) : IDatabaseEngine
{
    private StorageEngine? _engine;

    public string Name => "btree-mvcc";

    /// <summary>The opened database; throws before <see cref="OpenAsync"/> completed.</summary>
    public IKvDatabase Database => _engine ?? throw new InvalidOperationException("the storage engine is not open yet");

    public StorageEngine? Engine => _engine;

    /// <summary>The SQL engine over <see cref="Database"/> (catalog opened once with the store), for the PostgreSQL front end.</summary>
    public SqlEngine Sql => _sql ?? throw new InvalidOperationException("the storage engine is not open yet");

    private SqlEngine? _sql;

    /// <summary>True once <see cref="OpenAsync"/> has opened the store and the SQL catalog.</summary>
    public bool IsOpen => Volatile.Read(ref _sql) is not null;

    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        // Recovery does blocking file I/O: keep it off the caller's context.
        _engine = await Task.Run(() => StorageEngine.Open(options, loggerFactory.CreateLogger("Storage")), cancellationToken).ConfigureAwait(false);
        _sql = await SqlEngine.OpenAsync(_engine.Database, cancellationToken).ConfigureAwait(false);
    }

    public HealthCheck CheckHealth()
    {
        if (_engine is not { } engine)
        {
            return new HealthCheck(HealthStatus.Fail, "storage engine not open");
        }

        try
        {
            // A real read through a snapshot: the B+tree root and the buffer pool answer.
            using var txn = engine.Begin(IsolationLevel.ReadCommitted);
            using var cursor = txn.Scan([], [], reverse: false);
            cursor.MoveNext();
            return engine.IsReadOnly
                ? new HealthCheck(HealthStatus.Warn, "read-only: " + (engine.ReadOnlyReason ?? "storage refused writes"))
                : new HealthCheck(HealthStatus.Ok, $"open; last checkpoint at WAL LSN {engine.LastCheckpointLsn}");
        }
#pragma warning disable CA1031 // a failing probe is reported, not thrown
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new HealthCheck(HealthStatus.Fail, e.Message);
        }
    }

    public ValueTask<string?> CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_engine is not { } engine)
        {
            return ValueTask.FromResult<string?>("the engine is not open");
        }

        if (engine.IsReadOnly)
        {
            return ValueTask.FromResult<string?>("the store is read-only: " + (engine.ReadOnlyReason ?? "storage refused writes"));
        }

        engine.Checkpoint();
        return ValueTask.FromResult<string?>(null);
    }

    public void SetReadOnly(string reason) => _engine?.Database.SetReadOnly(reason);

    public bool FlushLog(TimeSpan timeout) => _engine is not { } engine || engine.FlushLog(timeout);

    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        _engine?.Dispose();
        _engine = null;
        _sql = null;
        return ValueTask.CompletedTask;
    }
}
