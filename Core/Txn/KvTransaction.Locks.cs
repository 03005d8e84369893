using System.Runtime.CompilerServices;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Txn;

/// <summary>
/// Key locks of a transaction. A locked key is read, and its write is checked at commit, at the timestamp stored with
/// the lock (<see cref="LockRequest.Tag"/>): under READ COMMITTED, for <see cref="LockAsync"/>, the newest commit
/// visible when the lock was granted (the "current read": the previous holder's commit is visible before it releases,
/// so a queued v = v + 1 builds on it); under REPEATABLE READ, and for a lock that a write takes by itself, the
/// snapshot (such a write may depend on what the caller read from the snapshot before locking, so a commit since then
/// must still fail it at commit).
/// </summary>
internal sealed partial class KvTransaction
{
    private TransactionOptions _options = TransactionOptions.RepeatableRead;
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
        var pending = _db.Locks.AcquireAsync(owner, key, mode, _options.LockTimeout, cancellationToken);
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

        var visible = _db.VisibleTimestamp;
        if (Isolation == IsolationLevel.RepeatableRead)
        {
            _db.ReadVisible(request.Entry.KeySpan, visible, null, _pointCursor ??= _db.Store.OpenCursor(), out var newest);
            if (newest > SnapshotTs)
            {
                throw new TransactionConflictException(
                    $"could not serialize access due to concurrent update: a transaction that committed at timestamp {newest} wrote a key this transaction locked (snapshot {SnapshotTs})");
            }

            request.Tag = SnapshotTs;
        }
        else if (currentRead)
        {
            request.Tag = visible;
            if (visible > _lockReadTsMax)
            {
                _lockReadTsMax = visible;
            }
        }
        else
        {
            request.Tag = SnapshotTs;
        }

        request.TagSet = true;
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

    /// <summary>At the end of the transaction, after its commit is visible.</summary>
    private void ReleaseLocks()
    {
        if (_lockOwner is { } owner && (owner.HeldCount > 0 || owner.Pending is not null))
        {
            _db.Locks.ReleaseAll(owner);
        }

        _lockReadTsMax = 0;
    }
}
