using System.Diagnostics;
using System.Runtime.CompilerServices;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

public sealed partial class Database
{
    /// <summary>
    /// The commit protocol. Under the commit lock: first-committer-wins check, next commit timestamp,
    /// WAL reservation (so LSN order is commit order), apply to the store. Outside it: seal and copy
    /// the record into the WAL ring in parallel with other committers, then (sync_commit) wait for the
    /// flusher to make it durable (key locks are released before that wait, see below).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask CommitAsync(KvTransaction txn)
    {
        ulong durableAt;
        long endedAt;
        try
        {
            durableAt = AppendCommit(txn, out endedAt);
        }
        catch
        {
            txn.Finish(committed: false);
            throw;
        }

        if (_syncCommit)
        {
            // Early lock release: the commit is applied and its record is in the WAL ring, so a transaction queued on one
            // of its keys may go on now and read it (a current read at the newest applied commit, see KvTransaction.OnLocked)
            // instead of waiting out this fsync too. Safe because LSN order is commit order: whatever builds on this commit
            // logs after it, so its own acknowledgement waits for this record as well; a reader that writes nothing waits
            // for what it read (DependsOnLsn). If this flush fails the WAL stops and those transactions fail with it.
            txn.ReleaseLocksEarly();
            durableAt = Math.Max(durableAt, txn.DependsOnLsn);
        }

        if (durableAt != 0 && _syncCommit)
        {
            try
            {
                await _wal.WaitForDurableAsync(durableAt).ConfigureAwait(false);
            }
            catch
            {
                txn.Finish(committed: false);
                throw;
            }

            endedAt = 0; // the wait is part of the transaction's duration: read the clock again
        }

        txn.Finish(committed: true, endedAt);
    }

    /// <summary>
    /// Returns the LSN that must be durable for the commit to be, or 0 for a read-only transaction.
    /// <paramref name="sealedAt"/> is the <see cref="Stopwatch"/> time the record's wall clock was taken from (0 when
    /// none was): one clock read serves the record and the transaction's duration (each read is ~25 ns, ~3% of a SET).
    /// </summary>
    private ulong AppendCommit(KvTransaction txn, out long sealedAt)
    {
        sealedAt = 0;
        var writes = txn.Writes;
        if (writes.Count == 0)
        {
            return 0;
        }

        ThrowIfReadOnly();
        var builder = txn.RecordBuilder;
        builder.Reset();
        uint chunks = 0;
        if (writes.EncodedBytes + WalRecord.HeaderSize + 8 > _wal.BufferCapacity / 4)
        {
            // Large: logged as chunk records ahead of the commit record, outside the commit lock (see Database.Chunks.cs).
            chunks = LogChunks(txn, builder);
            AfterChunksLogged?.Invoke();
        }
        else
        {
            foreach (var (key, entry) in writes.Entries)
            {
                if (entry.IsDelete)
                {
                    builder.AddDelete(key);
                }
                else
                {
                    builder.AddPut(key, entry.Value);
                }
            }
        }

        var record = builder.Complete();
        if (record.Length > _wal.BufferCapacity)
        {
            if (chunks > 0)
            {
                ForgetChunked(txn.Id);
            }

            ThrowRecordTooLarge(record.Length);
        }

        ulong lsn;
        ulong commitTs;
        long wallClockTicks;
        try
        {
            lock (_commitLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                ThrowIfReadOnly();
                foreach (var (key, entry) in writes.Entries)
                {
                    if (!MayHaveNewerVersion(entry.Hash, entry.SnapshotTs))
                    {
                        continue;
                    }

                    var newest = NewestVersionTs(key);
                    if (newest > entry.SnapshotTs)
                    {
                        throw new TransactionConflictException(
                            $"could not serialize access due to concurrent update: a transaction that committed at timestamp {newest} wrote a key this transaction also wrote (snapshot {entry.SnapshotTs})");
                    }

                    writes.SetSupersedes(key, newest);
                }

                commitTs = _lastCommitTs + 1;
                lsn = _wal.Reserve(record.Length);
                _lastCommitTs = commitTs;
                try
                {
                    foreach (var (key, entry) in writes.Entries)
                    {
                        ApplyVersion(key, commitTs, !entry.IsDelete, entry.Value);
                    }
                }
                catch (Exception ex)
                {
                    // The store failed half-way (disk error). The reservation must still be filled or the
                    // flusher would wait for it forever: fill it with a padding record that replay ignores.
                    WalRecord.Seal(record, WalRecordType.Padding, lsn, txn.Id, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _wal.FlushedLsn);
                    _wal.Publish(lsn, record);
                    SetReadOnly($"applying a commit to the store failed: {ex.Message}");
                    throw new StorageReadOnlyException("the commit could not be applied to the store; the database is now read-only", ex);
                }

                // Under the lock, so commit wall-clock times follow LSN order; clamped so they never go back (a clock step,
                // NTP, a restart on a machine whose clock is behind): point-in-time recovery stops at a time in this order.
                sealedAt = Stopwatch.GetTimestamp();
                // Strictly increasing (one tick past the previous commit at least), so every commit has its own instant
                // and a recovery target can fall between any two of them.
                wallClockTicks = Math.Max(_lastWallClockTicks + 1, _wallClockTicks(sealedAt));
                _lastWallClockTicks = wallClockTicks;
                _lastWallClockMs = wallClockTicks / TimeSpan.TicksPerMillisecond;
                Volatile.Write(ref _appliedEndLsn, lsn + (ulong)record.Length);
                Volatile.Write(ref _appliedTs, commitTs);
                if (!_syncCommit)
                {
                    Volatile.Write(ref _visibleTs, commitTs);
                }

                RecordCommittedKeys(writes, commitTs);

                if (chunks > 0)
                {
                    // Applied and covered by _appliedEndLsn: a checkpoint from now on may start redo after the chunks.
                    ForgetChunked(txn.Id);
                }
            }
        }
        catch when (chunks > 0)
        {
            ForgetChunked(txn.Id);
            throw;
        }

        WalRecord.Seal(record, WalRecordType.Commit, lsn, txn.Id, commitTs, wallClockTicks / TimeSpan.TicksPerMillisecond, _wal.FlushedLsn, chunks,
            (ushort)(wallClockTicks % TimeSpan.TicksPerMillisecond));
        txn.CommitWallClockTicks = wallClockTicks;
        _wal.Publish(lsn, record);
        int recordLength = record.Length;
        builder.Reset(); // the record is in the WAL: a large one's buffer goes back now, not at this session's next commit
        if (_options.PruneBatch > 0 && Volatile.Read(ref _pruneCount) >= _options.PruneBatch)
        {
            PruneQueuedKeysAfterCommit();
        }

        return lsn + (ulong)recordLength;
    }

    /// <summary>
    /// Pruning runs once a batch is queued, after the record is published (so it never delays the WAL flusher).
    /// The commit is complete by then: a store failure here switches to read-only but does not fail it.
    /// </summary>
    private void PruneQueuedKeysAfterCommit()
    {
        try
        {
            lock (_commitLock)
            {
                if (!_disposed && !IsReadOnly)
                {
                    PruneQueuedKeys();
                }
            }
        }
#pragma warning disable CA1031 // the commit is durable and applied: whatever pruning throws must not turn it into a failure
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SetReadOnly($"pruning dead versions failed: {ex.Message}");
        }
    }

    /// <summary>The commit timestamp of the newest version of a key, visible or not (0 when none).</summary>
    private ulong NewestVersionTs(ReadOnlySpan<byte> userKey)
    {
        var maxLength = MvccKey.MaxVersionedLength(userKey.Length);
        if (_applyKey.Length < maxLength)
        {
            _applyKey = new byte[Math.Max(maxLength, _applyKey.Length * 2)];
        }

        var prefixLength = MvccKey.WritePrefix(userKey, _applyKey);
        var prefix = _applyKey.AsSpan(0, prefixLength);
        var cursor = _commitCursor ??= _store.OpenCursor();
        if (cursor.Seek(prefix) && MvccKey.IsVersionOf(cursor.Key, prefix))
        {
            return MvccKey.ReadTimestamp(cursor.Key);
        }

        return 0;
    }
}
