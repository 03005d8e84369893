using System.Runtime.CompilerServices;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Txn;

/// <summary>
/// Key locks of a transaction. A locked key is read, and its write is checked at commit, at the timestamp stored with
/// the lock (<see cref="LockRequest.Tag"/>): under READ COMMITTED, for <see cref="LockAsync"/>, the newest commit
/// applied when the lock was granted (the "current read": the previous holder's commit is applied before it releases,
/// so a queued v = v + 1 builds on it); under REPEATABLE READ, and for a lock that a write takes by itself, the
/// snapshot (such a write may depend on what the caller read from the snapshot before locking, so a commit since then
/// must still fail it at commit).
/// <para>
/// With sync_commit a committer releases its locks once applied, before its fsync (early lock release, see
/// <see cref="Database.CommitAsync"/>), so a current read may see a commit that is not durable yet: the transaction
/// then depends on it (<see cref="DependsOnLsn"/>) and is acknowledged only once that is durable too.
/// </para>
/// </summary>
internal sealed partial class KvTransaction
{
    private TransactionOptions _options = TransactionOptions.RepeatableRead;

    /// <summary>The lock timeout set since the transaction began (<see cref="ChangeLockTimeout"/>); null: the options' one.</summary>
    private TimeSpan? _lockTimeout;

    public void ChangeLockTimeout(TimeSpan timeout) => _lockTimeout = timeout;
    private LockOwner? _lockOwner;

    // The newest current-read timestamp of a key this READ COMMITTED transaction locked. While it is above the statement
    // snapshot, reads and writes look their key's lock up; otherwise (no locks, or a later statement's snapshot already
    // covers every current read) they skip the lookup.
    private ulong _lockReadTsMax;

    private LockOwner Locker
    {
        get
        {
            var owner = _lockOwner ??= new LockOwner();
            owner.Id = Id;
            return owner;
        }
    }

    public ValueTask LockAsync(ReadOnlySpan<byte> key, KeyLockMode mode = KeyLockMode.Exclusive, CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        _db.ThrowIfKeyTooLarge(key);
        var owner = Locker;
        var pending = _db.Locks.AcquireAsync(owner, key, mode, _lockTimeout ?? _options.LockTimeout, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitLockAsync(pending, owner);
        }

        pending.GetAwaiter().GetResult();
        try
        {
            OnLocked(owner.LastGranted!, currentRead: true);
            return default;
        }
        catch (TransactionConflictException ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitLockAsync(ValueTask pending, LockOwner owner)
    {
        await pending.ConfigureAwait(false);
        ThrowIfFinished(); // ended (rolled back by another thread) while waiting: the lock went with it
        OnLocked(owner.LastGranted!, currentRead: true);
    }

    /// <summary>Fixes the timestamp the newly locked key is read and checked at (once per lock).</summary>
    private void OnLocked(LockRequest request, bool currentRead)
    {
        if (request.TagSet)
        {
            return;
        }

        if (request.Entry.KeySpan is [KeyspaceTag.Lock, ..])
        {
            request.Tag = SnapshotTs; // a name only the lock manager sees: no stored version to read or check
            request.TagSet = true;
            return;
        }

        var newestTs = NewestReadableTs();
        if (Isolation == IsolationLevel.RepeatableRead)
        {
            _db.ReadVisible(request.Entry.KeySpan, newestTs, null, _pointCursor ??= _db.Store.OpenCursor(), out var newest);
            if (newest > SnapshotTs)
            {
                throw new TransactionConflictException(
                    $"could not serialize access due to concurrent update: a transaction that committed at timestamp {newest} wrote a key this transaction locked (snapshot {SnapshotTs})");
            }

            request.Tag = SnapshotTs;
        }
        else if (currentRead)
        {
            request.Tag = newestTs;
            if (newestTs > _lockReadTsMax)
            {
                _lockReadTsMax = newestTs;
            }
        }
        else
        {
            request.Tag = SnapshotTs;
        }

        request.TagSet = true;
    }

    /// <summary>
    /// With sync_commit, an LSN that must be durable before this transaction is acknowledged: the end of the newest
    /// commit it may have read before that commit was durable (0: none). A transaction that writes logs after it anyway.
    /// </summary>
    internal ulong DependsOnLsn { get; private set; }

    /// <summary>
    /// The newest commit a current read may see: the newest applied one. Without sync_commit that is what is visible;
    /// with it, a commit still waiting for its fsync counts too, and this transaction then depends on it.
    /// </summary>
    private ulong NewestReadableTs()
    {
        var visible = _db.VisibleTimestamp;
        if (!_db.SyncCommit)
        {
            return visible;
        }

        var applied = _db.NewestApplied(out var endLsn);
        if (applied <= visible)
        {
            return visible;
        }

        if (endLsn > DependsOnLsn)
        {
            DependsOnLsn = endLsn;
        }

        return applied;
    }

    public bool TryLock(ReadOnlySpan<byte> key, KeyLockMode mode = KeyLockMode.Exclusive)
    {
        ThrowIfFinished();
        _db.ThrowIfKeyTooLarge(key);
        var owner = Locker;
        if (!_db.Locks.TryAcquire(owner, key, mode))
        {
            return false;
        }

        OnLocked(owner.LastGranted!, currentRead: true);
        return true;
    }

    public void AdvanceSnapshot()
    {
        ThrowIfFinished();
        if (_writes.Count > 0)
        {
            throw new InvalidOperationException($"transaction {Id} has written: its snapshot cannot move");
        }

        // The snapshot registry keeps the older timestamp entered at begin: a lower bound is what vacuum needs.
        var newest = NewestReadableTs();
        if (newest > SnapshotTs)
        {
            SnapshotTs = newest;
        }
    }

    /// <summary>The timestamp a store read of <paramref name="key"/> uses: the snapshot, or a locked key's current read.</summary>
    private ulong ReadTs(ReadOnlySpan<byte> key) => _lockReadTsMax <= SnapshotTs ? SnapshotTs : LockedReadTs(key);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong LockedReadTs(ReadOnlySpan<byte> key) =>
        _lockOwner is { HeldCount: > 0 } owner && _db.Locks.FindHeld(owner, key, KeyLockMode.Shared) is { TagSet: true } held && held.Tag > SnapshotTs
            ? held.Tag
            : SnapshotTs;

    /// <summary>What a write of <paramref name="key"/> is based on; with <see cref="TransactionOptions.LockWrites"/>, locks the key first.</summary>
    private ulong WriteTs(ReadOnlySpan<byte> key) => _options.LockWrites ? LockForWrite(key) : ReadTs(key);

    private ulong LockForWrite(ReadOnlySpan<byte> key)
    {
        var owner = Locker;
        if (!_db.Locks.TryAcquire(owner, key, KeyLockMode.Exclusive))
        {
            ThrowKeyLockedByOther();
        }

        var request = owner.LastGranted!;
        OnLocked(request, currentRead: false);
        return Math.Max(SnapshotTs, request.Tag);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowKeyLockedByOther() =>
        throw new InvalidOperationException($"transaction {Id} writes with key locks and another transaction holds this key's lock: await LockAsync(key) before writing it");

    /// <summary>Once the commit is applied, before it is durable (the caller then waits for <see cref="DependsOnLsn"/> too).</summary>
    internal void ReleaseLocksEarly() => ReleaseLocks();

    /// <summary>At the end of the transaction (after a commit is applied: early, or at the latest once it is visible).</summary>
    private void ReleaseLocks()
    {
        if (_lockOwner is { } owner && (owner.HeldCount > 0 || owner.Pending is not null))
        {
            _db.Locks.ReleaseAll(owner);
        }

        _lockReadTsMax = 0;
    }
}
