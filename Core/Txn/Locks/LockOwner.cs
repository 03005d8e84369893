namespace ThunderDb.Core.Txn.Locks;

/// <summary>
/// Who holds and waits for key locks: one per transaction, reused with it. Used by one logical thread at a time
/// (the transaction's); the manager reads <see cref="Waiting"/> and the deadlock marks under its stripe locks.
/// </summary>
public sealed class LockOwner
{
    private LockRequest[] _held = new LockRequest[8];
    private int _heldCount;

    /// <summary>Names the owner in error messages (the transaction id).</summary>
    public long Id { get; set; }

    /// <summary>Locks granted and not yet released.</summary>
    public int HeldCount => _heldCount;

    /// <summary>True while a lock wait of this owner is pending.</summary>
    public bool IsWaiting => Volatile.Read(ref Waiting) is not null;

    /// <summary>The request this owner waits on; written under the stripe lock of that request's entry.</summary>
    internal LockRequest? Waiting;

    /// <summary>The owner's wait whose outcome it has not collected yet (set at wait start, cleared when collected); under the stripe lock.</summary>
    internal LockRequest? Pending;

    /// <summary>The request the owner's last acquire granted (or found already granted).</summary>
    internal LockRequest? LastGranted;

    /// <summary>Deadlock search: the search pass that last visited this owner (under every stripe lock).</summary>
    internal long DeadlockVisit;

    internal ReadOnlySpan<LockRequest> Held => _held.AsSpan(0, _heldCount);

    internal void AddHeld(LockRequest request)
    {
        if (_heldCount == _held.Length)
        {
            Array.Resize(ref _held, _held.Length * 2);
        }

        _held[_heldCount++] = request;
        LastGranted = request;
    }

    internal void ClearHeld()
    {
        // A transaction that locked very many keys gives the array back rather than keeping it for its next use.
        if (_held.Length > 4096)
        {
            _held = new LockRequest[8];
        }
        else
        {
            Array.Clear(_held, 0, _heldCount);
        }

        _heldCount = 0;
        LastGranted = null;
    }
}
