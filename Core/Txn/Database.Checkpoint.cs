using ThunderDb.Core.Storage.Wal;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Core.Txn;

public sealed partial class Database
{
    private readonly ManualResetEventSlim _checkpointWake = new(false);
    private readonly CancellationTokenSource _stopWorkers = new();
    private readonly List<Thread> _workers = [];
    private readonly Lock _checkpointLock = new();
    private ulong _lastCheckpointLsn;
    private bool _checkpointing;

    /// <inheritdoc/>
    public bool IsCheckpointing => Volatile.Read(ref _checkpointing);

    /// <summary>The WAL LSN the last checkpoint made redo start from.</summary>
    public ulong LastCheckpointLsn => Volatile.Read(ref _lastCheckpointLsn);

    /// <summary>
    /// Makes the store durable up to the last applied commit and drops the WAL segments that are no
    /// longer needed. Holds the commit lock for the store flush, so commits pause meanwhile.
    /// Open transactions need no WAL (their writes are private until commit), so no segment is kept for them.
    /// </summary>
    public void Checkpoint()
    {
        lock (_checkpointLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfReadOnly();
            ulong lsn;
            Volatile.Write(ref _checkpointing, true);
            try
            {
                lock (_commitLock)
                {
                    lsn = _appliedEndLsn;
                    // Committers that reserved before us may still be copying; the flusher waits for them.
                    _wal.FlushTo(lsn);
                    try
                    {
                        _checkpointTarget.Checkpoint(new CheckpointState(lsn, _lastCommitTs, Volatile.Read(ref _nextTxnId), _lastWallClockMs));
                    }
                    catch (Exception ex) when (ex is not StorageReadOnlyException)
                    {
                        // The old meta page and the WAL from its redo LSN stay authoritative. Never checkpoint again in
                        // this process: a later fdatasync can succeed without the writes this one lost (PostgreSQL's
                        // fsync lesson), so the store goes read-only and a restart recovers from the WAL.
                        _logger.LogCritical(ex, "Checkpoint at WAL LSN {Lsn} failed; keeping the WAL from LSN {Redo} and switching to read-only", lsn, _lastCheckpointLsn);
                        SetReadOnly($"a checkpoint failed ({ex.Message}); restart to recover from the WAL");
                        throw;
                    }

                    Volatile.Write(ref _lastCheckpointLsn, lsn);
                }
            }
            finally
            {
                Volatile.Write(ref _checkpointing, false);
            }

            var removed = _wal.RemoveSegmentsBelow(lsn);
            _logger.LogInformation("Checkpoint at WAL LSN {Lsn}; removed {Segments} WAL segments", lsn, removed);
        }
    }

    private void StartWorkers()
    {
        var checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "checkpoint" };
        _workers.Add(checkpointer);
        for (var i = 0; i < Math.Max(0, _options.Storage.CompactionThreads); i++)
        {
            _workers.Add(new Thread(CompactionLoop) { IsBackground = true, Name = $"compaction-{i}" });
        }

        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    private void CheckpointLoop()
    {
        var interval = _options.Storage.CheckpointInterval;
        while (!_stopWorkers.IsCancellationRequested)
        {
            try
            {
                _checkpointWake.Wait(interval, _stopWorkers.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _checkpointWake.Reset();
            if (IsReadOnly)
            {
                continue;
            }

            try
            {
                Checkpoint();
            }
            catch (Exception ex) when (ex is IOException or StorageReadOnlyException or InvalidOperationException)
            {
                _logger.LogError(ex, "Checkpoint failed");
            }
        }
    }

    private void StopWorkers()
    {
        _stopWorkers.Cancel();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _workers.Clear();
    }

    /// <summary>Graceful shutdown: stop the workers, take a final checkpoint (so a restart replays nothing), close the WAL.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        StopWorkers();
        if (!IsReadOnly)
        {
            try
            {
                Checkpoint();
            }
            catch (Exception ex) when (ex is IOException or StorageReadOnlyException)
            {
                _logger.LogError(ex, "Final checkpoint failed; the next start replays the WAL");
            }
        }

        lock (_commitLock)
        {
            _disposed = true;
        }

        _wal.Dispose();
        _checkpointWake.Dispose();
        _stopWorkers.Dispose();
    }

    /// <summary>Tests: die like a killed process. No checkpoint, no flush of the WAL ring; files are closed as they are.</summary>
    internal void SimulateCrash()
    {
        StopWorkers();

        // A dead process finishes no checkpoint: wait out one in progress and let none start.
        lock (_checkpointLock)
        {
            lock (_commitLock)
            {
                _disposed = true;
            }

            _wal.Abandon();
        }
    }
}
