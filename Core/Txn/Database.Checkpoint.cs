using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage.Wal;

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
    /// Makes the store durable up to the last applied commit and drops the WAL segments that are no longer needed.
    /// The commit lock is held only while the checkpoint's content is fixed (<see cref="ICheckpointTarget.Freeze"/>:
    /// microseconds, no I/O); the WAL flush and the page writes run outside it while commits go on. A target that
    /// cannot freeze is checkpointed whole under the lock.
    /// Open transactions need no WAL (their writes are private until commit), except a large one logging its chunks:
    /// redo then starts at its first chunk (<see cref="OldestChunkedLsn"/>), so the chunks stay in the WAL.
    /// </summary>
    public void Checkpoint()
    {
        lock (_checkpointLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfReadOnly();
            var started = Stopwatch.GetTimestamp();
            ulong lsn;
            IPendingCheckpoint? pending;
            long lockedAt;
            Volatile.Write(ref _checkpointing, true);
            try
            {
                lock (_commitLock)
                {
                    lockedAt = Stopwatch.GetTimestamp();
                    lsn = Math.Min(_appliedEndLsn, OldestChunkedLsn());
                    var state = new CheckpointState(lsn, _lastCommitTs, Volatile.Read(ref _nextTxnId), _lastWallClockMs);
                    pending = RunCheckpointStep(lsn, () => _checkpointTarget.Freeze(state));
                    if (pending is null)
                    {
                        // Committers that reserved before us may still be copying; the flusher waits for them.
                        _wal.FlushTo(lsn);
                        RunCheckpointStep(lsn, () =>
                        {
                            _checkpointTarget.Checkpoint(state);
                            return null;
                        });
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _checkpointing, false);
            }

            var frozenAt = Stopwatch.GetTimestamp();
            if (pending is not null)
            {
                _wal.FlushTo(lsn); // before the meta page may point redo past these records
                RunCheckpointStep(lsn, () =>
                {
                    pending.Complete();
                    return null;
                });
            }

            Volatile.Write(ref _lastCheckpointLsn, lsn);
            var removed = _wal.RemoveSegmentsBelow(lsn);
            ThunderMetrics.CheckpointDurationSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            ThunderMetrics.CheckpointCommitPauseSeconds.Observe(Stopwatch.GetElapsedTime(lockedAt, frozenAt).TotalSeconds);
            _logger.LogInformation("Checkpoint at WAL LSN {Lsn} in {Ms:F1} ms (commits paused {PauseUs:F0} us); removed {Segments} WAL segments",
                lsn, Stopwatch.GetElapsedTime(started).TotalMilliseconds, Stopwatch.GetElapsedTime(lockedAt, frozenAt).TotalMicroseconds, removed);
        }
    }

    /// <summary>Runs a step of the checkpoint that touches the store; any failure makes the database read-only for good.</summary>
    private IPendingCheckpoint? RunCheckpointStep(ulong lsn, Func<IPendingCheckpoint?> step)
    {
        try
        {
            return step();
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
