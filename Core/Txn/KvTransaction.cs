using System.Buffers;
using System.Diagnostics;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn;

/// <summary>
/// One transaction: a snapshot timestamp plus a private write set. Reads merge the write set over
/// the snapshot, so a transaction sees its own writes; nothing reaches the store before commit.
/// </summary>
internal sealed partial class KvTransaction : IKvTransaction
{
    private readonly Database _db;
    private readonly WriteSet _writes = new();
    private WalRecordBuilder? _recordBuilder;
    private IStoreCursor? _pointCursor;

    // The last few keys read from the store at the current snapshot, with the version found (0 = none), so a write
    // that follows a read (SET after its lookup, HSET after reading the field) knows which version it replaces.
    private const int RecentReads = 4;
    private readonly byte[][] _readKeys = [new byte[64], new byte[64], new byte[64], new byte[64]];
    private readonly int[] _readLengths = new int[RecentReads];
    private readonly ulong[] _readVersions = new ulong[RecentReads];
    private int _readCount;
    private int _readNext;
    private bool _finished;
    private bool _committing;
    private long _id;

    public KvTransaction(Database db, TransactionOptions options)
    {
        _db = db;
        Restart(options);
    }

    /// <summary>Assigned on first use (the commit record, an error message): a read-only transaction never takes one,
    /// which spares every RESP GET an interlocked increment of a counter all sessions share.</summary>
    public long Id => _id != 0 ? _id : _id = _db.NextTransactionId();

    public IsolationLevel Isolation { get; private set; }

    internal Database Owner => _db;

    internal bool IsFinished => _finished;

    /// <summary>The commit timestamp this transaction (or its current statement) reads at.</summary>
    public ulong SnapshotTs { get; set; }

    /// <summary>
    /// The smallest snapshot any buffered write was made under (<see cref="ulong.MaxValue"/>: none). A READ COMMITTED
    /// transaction's registry slot stays at it across statements, so vacuum keeps what the commit check compares against.
    /// </summary>
    internal ulong OldestWriteSnapshot { get; private set; } = ulong.MaxValue;

    /// <summary>The <see cref="SnapshotRegistry"/> slot holding the snapshot while open; kept as the first one to try when reused (-1: none yet).</summary>
    internal int SnapshotSlot = -1;

    public long StartedAt { get; private set; }

    public long StartedAtUnixMilliseconds => WallClock.UnixMilliseconds(StartedAt);

    /// <summary>After a commit that wrote: its WAL record's wall-clock time in unix 100 ns ticks (what point-in-time recovery compares).</summary>
    public long CommitWallClockTicks { get; internal set; }

    /// <summary>
    /// Starts this finished object over as a new transaction (its owner asked for reuse through
    /// <see cref="Database.Begin(TransactionOptions, IKvTransaction?)"/>): the write set, the WAL record buffer, the
    /// point-read cursor and the lock owner are kept, so a session running one command per transaction allocates nothing per command.
    /// </summary>
    internal void Restart(TransactionOptions options)
    {
        _id = 0;
        _options = options;
        _lockTimeout = null;
        Isolation = options.Isolation;
        _lockReadTsMax = 0;
        DependsOnLsn = 0;
        StartedAt = Stopwatch.GetTimestamp();
        _finished = false;
        _committing = false;
        OldestWriteSnapshot = ulong.MaxValue;
        ForgetReads();
    }

    internal void ForgetReads() => _readCount = 0;

    private void RememberRead(ReadOnlySpan<byte> key, ulong version)
    {
        if (_readKeys[_readNext].Length < key.Length)
        {
            _readKeys[_readNext] = new byte[Math.Max(key.Length, _readKeys[_readNext].Length * 2)];
        }

        key.CopyTo(_readKeys[_readNext]);
        _readLengths[_readNext] = key.Length;
        _readVersions[_readNext] = version;
        _readNext = (_readNext + 1) % RecentReads;
        _readCount = Math.Min(_readCount + 1, RecentReads);
    }

    /// <summary>The version a write of <paramref name="key"/> replaces, as far as this transaction's reads tell.</summary>
    private ulong SupersededVersion(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < _readCount; i++)
        {
            var slot = (_readNext - 1 - i + RecentReads) % RecentReads;
            if (key.SequenceEqual(_readKeys[slot].AsSpan(0, _readLengths[slot])))
            {
                return _readVersions[slot];
            }
        }

        return WriteSet.UnknownVersion;
    }

    internal WriteSet Writes => _writes;

    internal WalRecordBuilder RecordBuilder => _recordBuilder ??= new WalRecordBuilder();

    public bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value)
    {
        ThrowIfFinished();
        if (_writes.TryGet(key, out var entry))
        {
            if (entry.IsDelete)
            {
                return false;
            }

            value.Write(entry.Value.Span);
            return true;
        }

        var found = _db.ReadVisible(key, ReadTs(key), value, _pointCursor ??= _db.Store.OpenCursor(), out var version);
        RememberRead(key, version);
        return found;
    }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ThrowIfFinished();
        _db.ThrowIfReadOnly();
        _db.ThrowIfKeyTooLarge(key);
        Buffer(key, value, isDelete: false, WriteTs(key));
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        ThrowIfFinished();
        _db.ThrowIfReadOnly();
        _db.ThrowIfKeyTooLarge(key);
        Buffer(key, default, isDelete: true, WriteTs(key));
    }

    public void WriteOwned(byte[] key, byte[]? value)
    {
        ThrowIfFinished();
        _db.ThrowIfReadOnly();
        _db.ThrowIfKeyTooLarge(key);
        Buffer(key, value, isDelete: value is null, WriteTs(key));
    }

    /// <summary><paramref name="snapshotTs"/>: what the write is based on (the statement snapshot, or a locked key's current read).</summary>
    private void Buffer(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isDelete, ulong snapshotTs)
    {
        // Counted as if the key were new (an overwrite frees its old value): cheap, and errs on the safe side.
        if (_writes.EncodedBytes + WriteSet.SizeOf(key.Length, value.Length, isDelete) > _db.MaxTransactionSize)
        {
            _db.ThrowTransactionTooLarge(_writes.EncodedBytes, _writes.Count);
        }

        _writes.Set(key, value, isDelete, snapshotTs, SupersededVersion(key));
        if (snapshotTs < OldestWriteSnapshot)
        {
            OldestWriteSnapshot = snapshotTs;
        }
    }

    public IKvCursor Scan(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive, bool reverse = false)
    {
        ThrowIfFinished();
        return new SnapshotCursor(_db.Store, SnapshotTs, _writes, startInclusive, endExclusive, reverse);
    }

    /// <summary>
    /// The store's visible keys in the range (read past an empty write set, so nothing is sorted) and then the write set's
    /// own keys in the range get a tombstone; a key in both is written twice, the second time as the same delete.
    /// </summary>
    public void DeleteRange(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive)
    {
        ThrowIfFinished();
        var pending = _writes.KeysInRange(startInclusive, endExclusive);
        using (var cursor = new SnapshotCursor(_db.Store, SnapshotTs, WriteSet.Empty, startInclusive, endExclusive, reverse: false))
        {
            while (cursor.MoveNext())
            {
                Delete(cursor.Key);
            }
        }

        foreach (var key in pending)
        {
            Delete(key);
        }
    }

    /// <summary>
    /// Reading above the registered snapshot is safe: vacuum keeps the newest version at or below its horizon and everything newer.
    /// It reads the newest applied commit, durable or not (see <see cref="NewestReadableTs"/>).
    /// </summary>
    public IKvCursor ScanLatest(ReadOnlySpan<byte> startInclusive, ReadOnlySpan<byte> endExclusive)
    {
        ThrowIfFinished();
        return new SnapshotCursor(_db.Store, Math.Max(SnapshotTs, NewestReadableTs()), _writes, startInclusive, endExclusive, false);
    }

    public int Savepoint()
    {
        ThrowIfFinished();
        return _writes.Savepoint();
    }

    /// <summary>Key locks taken since the savepoint are kept, as in PostgreSQL: another transaction may already be queued behind them.</summary>
    public void RollbackTo(int savepoint)
    {
        ThrowIfFinished();
        _writes.RollbackTo(savepoint);
    }

    public void Release(int savepoint)
    {
        ThrowIfFinished();
        _writes.Release(savepoint);
    }

    public void BeginStatement()
    {
        ThrowIfFinished();
        if (Isolation == IsolationLevel.ReadCommitted)
        {
            _db.RefreshSnapshot(this);
        }
    }

    public ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        if (cancellationToken.IsCancellationRequested)
        {
            Rollback();
            return ValueTask.FromCanceled(cancellationToken);
        }

        // Once the record is appended the outcome no longer depends on the caller: the token is not observed after this point.
        _committing = true;
        return _db.CommitAsync(this);
    }

    public void Rollback()
    {
        if (!_finished && !_committing)
        {
            // A transaction that wrote nothing has nothing to undo: ending it is a successful (read-only)
            // transaction, not an abort. Otherwise every RESP GET would count in
            // thunderdb_transactions_aborted_total and drown the real aborts (conflicts, errors, ROLLBACK of writes).
            Finish(committed: _writes.Count == 0);
        }
    }

    /// <summary>Ends the transaction; <paramref name="endedAt"/> is a <see cref="Stopwatch"/> time already read for the end (0: read it here).</summary>
    internal void Finish(bool committed, long endedAt = 0)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _writes.Clear();
        _db.EndTransaction(this, committed, endedAt);
        ReleaseLocks(); // a commit released them once applied (early lock release); a rollback or a failed commit releases them here
    }

    public void Dispose() => Rollback();

    private void ThrowIfFinished()
    {
        if (_finished || _committing)
        {
            throw new InvalidOperationException($"transaction {Id} has already {(_committing && !_finished ? "started committing" : "ended")}");
        }
    }
}
