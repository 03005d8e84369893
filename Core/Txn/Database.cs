using System.Buffers;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The transactional store: MVCC snapshots over the ordered store, made durable by the WAL.
/// <para>
/// Timestamps: <c>_lastCommitTs</c> is the last one handed out (under the commit lock);
/// <c>_visibleTs</c> is what new snapshots see. With sync_commit it advances only when the WAL is
/// durable past the commit (the flusher reports it), so nobody reads a commit that a crash could
/// still take away; without, it advances at apply.
/// </para>
/// </summary>
public sealed partial class Database : IKvDatabase, IDisposable
{
    private readonly DatabaseOptions _options;
    private readonly IOrderedStore _store;
    private readonly ICheckpointTarget _checkpointTarget;
    private readonly ILogger _logger;
    private readonly WriteAheadLog _wal;
    private readonly bool _syncCommit;

    private readonly Lock _commitLock = new();
    private ulong _lastCommitTs; // under _commitLock
    private ulong _appliedEndLsn; // under _commitLock: end of the last record applied to the store
    private ulong _appliedTs; // written under _commitLock once a commit is wholly applied; read without it (see NewestApplied)
    private ulong _visibleTs;
    private long _nextTxnId; // the last id handed out
    private long _lastWallClockMs; // under _commitLock: the wall-clock time of the last commit record
    private long _lastWallClockTicks; // under _commitLock: the same in unix 100 ns ticks (strictly increasing)
    private readonly Func<long, long> _wallClockTicks;

    private readonly SnapshotRegistry _snapshots = new();

    private volatile string? _readOnlyReason;
    private volatile bool _disposed;

    // Scratch for applying write sets; only touched under the commit lock (or during single-threaded replay).
    private byte[] _applyKey = new byte[256];
    private byte[] _applyValue = new byte[256];

    private Database(DatabaseOptions options, IOrderedStore store, ICheckpointTarget checkpointTarget, CheckpointState checkpoint, ILogger logger)
    {
        _options = options;
        _store = store;
        _checkpointTarget = checkpointTarget;
        _logger = logger;
        var walOptions = options.EffectiveWal;
        _syncCommit = walOptions.SyncCommit;
        _wallClockTicks = options.WallClock is { } testClock ? ts => testClock(ts) * TimeSpan.TicksPerMillisecond : WallClock.UnixTicks;
        _wal = WriteAheadLog.Open(walOptions, checkpoint.WalLsn, checkpoint.MaxCommitTs, Replay, logger, out var recovery);
        Recovery = recovery;
        _lastCommitTs = recovery.MaxCommitTs;
        _visibleTs = recovery.MaxCommitTs;
        _appliedEndLsn = recovery.EndLsn;
        _appliedTs = recovery.MaxCommitTs;
        InitConflictFilter(recovery.MaxCommitTs);
        _lastCheckpointLsn = checkpoint.WalLsn;

        // Ids and commit wall-clock times continue from the highest ones durable anywhere: the meta page, or the WAL after it.
        // (The commit-timestamp floor covers meta pages written before they carried an id; ids are never below it.)
        _nextTxnId = Math.Max(Math.Max(checkpoint.MaxTxnId, recovery.MaxTxnId), (long)Math.Min(recovery.MaxCommitTs, long.MaxValue / 2) + 1);
        _lastWallClockMs = Math.Max(checkpoint.MaxWallClockMs, recovery.MaxWallClockMs);
        _lastWallClockTicks = Math.Max(recovery.MaxWallClockTicks, checkpoint.MaxWallClockMs * TimeSpan.TicksPerMillisecond);
        _wal.CommitsDurable = OnCommitsDurable;
        _wal.SizeAlertBytes = options.Storage.MaxWalSize;
        _wal.SizeAlert = () => _checkpointWake.Set();
        if (options.BackgroundWorkers)
        {
            StartWorkers();
        }
    }

    /// <summary>
    /// Opens the database over <paramref name="store"/>, which holds the state of the last checkpoint
    /// (<paramref name="checkpoint"/>, as its meta page records it; zeros for a new store),
    /// and replays the WAL from there.
    /// </summary>
    public static Database Open(DatabaseOptions options, IOrderedStore store, ICheckpointTarget checkpointTarget, CheckpointState checkpoint, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(checkpointTarget);
        ArgumentNullException.ThrowIfNull(logger);
        return new Database(options, store, checkpointTarget, checkpoint, logger);
    }

    /// <summary>What WAL replay did at open.</summary>
    public WalRecoveryResult Recovery { get; }

    public WriteAheadLog Wal => _wal;

    public bool IsReadOnly => _readOnlyReason is not null || _wal.IsFailed;

    /// <summary>
    /// Refuses a user key whose versioned form would not fit the store, before the write is buffered:
    /// a bad key must fail its own statement, never the commit (an apply failure makes the store read-only).
    /// </summary>
    internal void ThrowIfKeyTooLarge(ReadOnlySpan<byte> userKey)
    {
        var max = _store.MaxKeySize;
        // The escaped length is counted only when the worst case (every byte a 0x00, escaped to two) could exceed the limit.
        if ((2 * userKey.Length) + MvccKey.TimestampSize + 2 > max
            && (userKey.Length + MvccKey.TimestampSize + 2 > max || MvccKey.VersionedLength(userKey) > max))
        {
            ThrowKeyTooLarge(userKey.Length, max);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowKeyTooLarge(int length, int max) =>
        throw new KeyTooLargeException($"key too large: {length} bytes (the store holds keys up to about {max - MvccKey.TimestampSize - 2} bytes with this page_size)");

    /// <summary>Why writes are refused, or null while the store is writable.</summary>
    public string? ReadOnlyReason => _readOnlyReason ?? (_wal.IsFailed ? "the WAL failed to write (see the log)" : null);

    /// <summary>The newest commit timestamp new snapshots see.</summary>
    public ulong VisibleTimestamp => Volatile.Read(ref _visibleTs);

    /// <summary>Switches to read-only (the disk monitor's low-space action). Reads keep working.</summary>
    public void SetReadOnly(string reason)
    {
        _readOnlyReason = reason;
        _logger.LogWarning("Storage switched to read-only: {Reason}", reason);
    }

    public IKvTransaction Begin(IsolationLevel isolation = IsolationLevel.RepeatableRead) => Begin(isolation, null);

    /// <inheritdoc/>
    public bool CommitsVisibleAtApply => !_syncCommit;

    public IKvTransaction Begin(IsolationLevel isolation, IKvTransaction? reuse) => Begin(TransactionOptions.For(isolation), reuse);

    public IKvTransaction Begin(TransactionOptions options, IKvTransaction? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposed, this);
        KvTransaction txn;
        if (reuse is KvTransaction finished && finished.Owner == this && finished.IsFinished)
        {
            txn = finished;
            txn.Restart(options);
        }
        else
        {
            txn = new KvTransaction(this, options);
        }

        txn.SnapshotTs = _snapshots.Enter(ref txn.SnapshotSlot, ref _visibleTs);
        TransactionMetrics.Started();
        return txn;
    }

    internal long NextTransactionId() => Interlocked.Increment(ref _nextTxnId);

    internal void RefreshSnapshot(KvTransaction txn)
    {
        txn.SnapshotTs = _snapshots.Raise(txn.SnapshotSlot, ref _visibleTs, txn.OldestWriteSnapshot);
        txn.ForgetReads();
    }

    /// <summary>
    /// The newest commit wholly applied to the store, durable or not, and an LSN at or past the end of its record:
    /// waiting for that LSN to be durable makes every commit up to it durable. Written in that order under the commit
    /// lock, read here in the other, so the LSN can only be newer than the timestamp's own.
    /// </summary>
    internal ulong NewestApplied(out ulong endLsn)
    {
        var ts = Volatile.Read(ref _appliedTs);
        endLsn = Volatile.Read(ref _appliedEndLsn);
        return ts;
    }

    internal bool SyncCommit => _syncCommit;

    internal void EndTransaction(KvTransaction txn, bool committed, long endedAt)
    {
        _snapshots.Exit(txn.SnapshotSlot);
        TransactionMetrics.Ended(committed, txn.StartedAt, endedAt);
    }

    /// <summary>
    /// The oldest snapshot any open transaction may still read at: versions older than the newest one at or below
    /// it are garbage. Never above the snapshot of a transaction that is open or being opened (see <see cref="SnapshotRegistry"/>).
    /// </summary>
    internal ulong VacuumHorizon() => _snapshots.Horizon(ref _visibleTs);

    private void OnCommitsDurable(ulong commitTs)
    {
        if (_syncCommit && commitTs > Volatile.Read(ref _visibleTs))
        {
            Volatile.Write(ref _visibleTs, commitTs);
        }
    }

    /// <summary>Reads the newest version of <paramref name="userKey"/> at or below <paramref name="snapshotTs"/> (<paramref name="value"/> null: only its timestamp).</summary>
    internal bool ReadVisible(ReadOnlySpan<byte> userKey, ulong snapshotTs, IBufferWriter<byte>? value, IStoreCursor cursor, out ulong version)
    {
        version = 0;
        var length = MvccKey.VersionedLength(userKey);
        byte[]? rented = null;
        var seek = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            MvccKey.WriteVersioned(userKey, snapshotTs, seek);
            var prefix = seek[..(length - MvccKey.TimestampSize)];
            if (!cursor.Seek(seek[..length]) || !MvccKey.IsVersionOf(cursor.Key, prefix))
            {
                return false;
            }

            version = MvccKey.ReadTimestamp(cursor.Key);
            var stored = cursor.Value;
            if (MvccKey.IsTombstone(stored))
            {
                return false;
            }

            value?.Write(stored[1..]);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void Replay(ReadOnlySpan<byte> record)
    {
        // A committed large transaction's chunks arrive right before its commit record, carrying its commit timestamp.
        if (WalRecord.ReadType(record) is WalRecordType.Commit or WalRecordType.Chunk)
        {
            ApplyRecord(record, WalRecord.ReadCommitTs(record));
        }
    }

    /// <summary>Applies a commit record's operations as versions at <paramref name="commitTs"/> (idempotent).</summary>
    private void ApplyRecord(ReadOnlySpan<byte> record, ulong commitTs)
    {
        var ops = new WalOpReader(record);
        while (ops.MoveNext())
        {
            ApplyVersion(ops.Key, commitTs, ops.Kind == WalOpKind.Put, ops.Value);
        }
    }

    private void ApplyVersion(ReadOnlySpan<byte> userKey, ulong commitTs, bool isPut, ReadOnlySpan<byte> value)
    {
        var maxLength = MvccKey.MaxVersionedLength(userKey.Length); // no pass to count the 0x00 bytes first
        if (_applyKey.Length < maxLength)
        {
            _applyKey = new byte[Math.Max(maxLength, _applyKey.Length * 2)];
        }

        var keyLength = MvccKey.WriteVersioned(userKey, commitTs, _applyKey);
        if (_applyValue.Length < value.Length + 1)
        {
            _applyValue = new byte[Math.Max(value.Length + 1, _applyValue.Length * 2)];
        }

        _applyValue[0] = isPut ? MvccKey.KindValue : MvccKey.KindTombstone;
        value.CopyTo(_applyValue.AsSpan(1));
        _store.Put(_applyKey.AsSpan(0, keyLength), _applyValue.AsSpan(0, isPut ? value.Length + 1 : 1));
    }

    internal IOrderedStore Store => _store;

    internal void ThrowIfReadOnly()
    {
        if (_wal.Failure is { } failure)
        {
            throw new StorageReadOnlyException(failure.Message, failure);
        }

        if (_readOnlyReason is { } reason)
        {
            throw new StorageReadOnlyException($"the database is read-only: {reason}");
        }
    }
}
