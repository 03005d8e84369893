namespace ThunderDb.Core.Txn.Locks;

/// <summary>
/// The lock state of one key while anybody holds or waits for it: the granted requests and the FIFO wait queue.
/// Pooled by its stripe (the key buffer is kept and reused); every field is guarded by the stripe's lock.
/// </summary>
internal sealed class LockEntry
{
    public byte[] Key = new byte[32];
    public int KeyLength;
    public ulong Hash;
    public int Stripe;

    /// <summary>Next entry in the same bucket, or in the stripe's free list.</summary>
    public LockEntry? Next;

    /// <summary>Granted requests, doubly linked (holders leave in any order).</summary>
    public LockRequest? GrantedHead;
    public int SharedCount;
    public LockOwner? ExclusiveOwner;

    /// <summary>Waiting requests in arrival order (an upgrade by a holder goes first).</summary>
    public LockRequest? QueueHead;
    public LockRequest? QueueTail;

    public ReadOnlySpan<byte> KeySpan => Key.AsSpan(0, KeyLength);

    public bool IsUnused => GrantedHead is null && QueueHead is null;

    public void Init(ReadOnlySpan<byte> key, ulong hash, int stripe)
    {
        if (Key.Length < key.Length)
        {
            Key = new byte[Math.Max(key.Length, Key.Length * 2)];
        }

        key.CopyTo(Key);
        KeyLength = key.Length;
        Hash = hash;
        Stripe = stripe;
    }

    public bool Matches(ReadOnlySpan<byte> key, ulong hash) => Hash == hash && key.SequenceEqual(KeySpan);

    /// <summary>True when <paramref name="owner"/> could hold <paramref name="mode"/> alongside every other current holder.</summary>
    public bool IsCompatible(LockOwner owner, KeyLockMode mode)
    {
        if (ExclusiveOwner is not null && ExclusiveOwner != owner)
        {
            return false;
        }

        if (mode == KeyLockMode.Shared || SharedCount == 0)
        {
            return true;
        }

        // Exclusive wanted while shared locks are held: only an upgrade by the sole shared holder fits.
        return SharedCount == 1 && HeldBy(owner, KeyLockMode.Shared) is not null;
    }

    /// <summary>The granted request of <paramref name="owner"/> that covers <paramref name="mode"/>, if any.</summary>
    public LockRequest? HeldBy(LockOwner owner, KeyLockMode mode)
    {
        if (ExclusiveOwner == owner)
        {
            for (var r = GrantedHead; r is not null; r = r.NextGranted)
            {
                if (r.Owner == owner && r.Mode == KeyLockMode.Exclusive)
                {
                    return r;
                }
            }
        }

        if (mode == KeyLockMode.Exclusive)
        {
            return null;
        }

        for (var r = GrantedHead; r is not null; r = r.NextGranted)
        {
            if (r.Owner == owner)
            {
                return r;
            }
        }

        return null;
    }

    public void AddGranted(LockRequest request)
    {
        request.PrevGranted = null;
        request.NextGranted = GrantedHead;
        if (GrantedHead is not null)
        {
            GrantedHead.PrevGranted = request;
        }

        GrantedHead = request;
        if (request.Mode == KeyLockMode.Exclusive)
        {
            ExclusiveOwner = request.Owner;
        }
        else
        {
            SharedCount++;
        }
    }

    public void RemoveGranted(LockRequest request)
    {
        if (request.PrevGranted is null)
        {
            GrantedHead = request.NextGranted;
        }
        else
        {
            request.PrevGranted.NextGranted = request.NextGranted;
        }

        if (request.NextGranted is not null)
        {
            request.NextGranted.PrevGranted = request.PrevGranted;
        }

        request.PrevGranted = null;
        request.NextGranted = null;
        if (request.Mode == KeyLockMode.Exclusive)
        {
            ExclusiveOwner = null;
        }
        else
        {
            SharedCount--;
        }
    }

    public void Enqueue(LockRequest request, bool first)
    {
        request.Next = null;
        if (QueueHead is null)
        {
            QueueHead = QueueTail = request;
        }
        else if (first)
        {
            request.Next = QueueHead;
            QueueHead = request;
        }
        else
        {
            QueueTail!.Next = request;
            QueueTail = request;
        }
    }

    /// <summary>Takes a waiting request out of the queue (it timed out, was cancelled or chosen as a deadlock victim).</summary>
    public void Unqueue(LockRequest request)
    {
        LockRequest? previous = null;
        for (var r = QueueHead; r is not null; previous = r, r = r.Next)
        {
            if (r != request)
            {
                continue;
            }

            if (previous is null)
            {
                QueueHead = r.Next;
            }
            else
            {
                previous.Next = r.Next;
            }

            if (QueueTail == r)
            {
                QueueTail = previous;
            }

            r.Next = null;
            return;
        }
    }

    public void Reset()
    {
        KeyLength = 0;
        GrantedHead = null;
        QueueHead = QueueTail = null;
        SharedCount = 0;
        ExclusiveOwner = null;
    }
}
