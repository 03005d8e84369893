using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

public sealed partial class Database
{
    private int _backupRunning;

    /// <summary>
    /// Runs <paramref name="pin"/> while no checkpoint runs (so the durable checkpoint is the one pinned) and pins the WAL
    /// from that checkpoint's redo LSN: checkpoints keep those segments in place until <see cref="EndBackup"/>.
    /// Throws <see cref="InvalidOperationException"/> when another backup holds the pin.
    /// </summary>
    internal T BeginBackup<T>(Func<T> pin, Func<T, ulong> redoLsn)
    {
        if (Interlocked.CompareExchange(ref _backupRunning, 1, 0) != 0)
        {
            throw new BackupAlreadyRunningException();
        }

        try
        {
            lock (_checkpointLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var pinned = pin();
                _wal.RetainFromLsn = redoLsn(pinned);
                return pinned;
            }
        }
        catch
        {
            Volatile.Write(ref _backupRunning, 0);
            throw;
        }
    }

    /// <summary>Releases the WAL pin <see cref="BeginBackup"/> took.</summary>
    internal void EndBackup()
    {
        _wal.RetainFromLsn = ulong.MaxValue;
        Volatile.Write(ref _backupRunning, 0);
    }

    /// <summary>
    /// The end of everything committed so far, made durable: the end LSN of the last applied commit, its commit timestamp
    /// and wall-clock time (unix 100 ns ticks). Every commit acknowledged before this call is below the LSN.
    /// </summary>
    internal (ulong EndLsn, ulong CommitTs, long WallClockTicks) FlushedCommitPosition()
    {
        ulong end;
        ulong ts;
        long ticks;
        lock (_commitLock)
        {
            end = _appliedEndLsn;
            ts = _lastCommitTs;
            ticks = _lastWallClockTicks;
        }

        _wal.FlushTo(end);
        ThrowIfReadOnly();
        return (end, ts, ticks);
    }
}

/// <summary>A second backup while one runs (HTTP 409).</summary>
public sealed class BackupAlreadyRunningException() : InvalidOperationException("a backup is already running; wait for it to finish");
