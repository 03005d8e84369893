using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Core.Txn.Locks;

/// <summary>
/// Shared and exclusive locks on byte-string keys (rows, RESP keys), held by <see cref="LockOwner"/>s until
/// <see cref="ReleaseAll"/> (commit or rollback). Keys hash into 256 stripes, each a small chained table of
/// <see cref="LockEntry"/>s under its own lock; an entry exists only while somebody holds or waits for its key, and
/// entries and requests are pooled per stripe, so an uncontended acquire and release allocate nothing.
/// <para>
/// Waits are asynchronous (a <see cref="ValueTask"/>; no thread blocks) and strictly FIFO per key: a request that
/// finds others queued waits behind them even when it would be compatible with the holders (no starvation of
/// exclusive waiters by a stream of shared ones). The exception is an upgrade (shared to exclusive by a holder),
/// which goes to the front: it waits only for the other holders, never for waiters that wait for it.
/// </para>
/// <para>
/// A wait ends when the lock is granted, when its timeout passes (<see cref="LockWaitTimeoutException"/>), when its
/// token is cancelled, or when the deadlock check picks it as the victim (<see cref="DeadlockDetectedException"/>).
/// The check runs once per wait, <see cref="DeadlockCheckDelay"/> after it started (PostgreSQL's deadlock_timeout,
/// 1 s there): it freezes every stripe, so it runs only for waits that outlast the few commit times a hot key's
/// queue normally takes. Every wait-for edge is created when a wait starts, so the check of the wait that closed a
/// cycle finds it; that waiter gives way.
/// </para>
/// </summary>
public sealed partial class KeyLockManager
{
    private const int StripeBits = 8;
    private const int StripeCount = 1 << StripeBits;
    private const int BucketsPerStripe = 64;

    // Free entries and requests kept per stripe (16K and 32K in all): enough for every key locked at once by a busy
    // OLTP load, while a transaction that locked millions of keys gives the memory back when it ends.
    private const int PooledEntriesPerStripe = 64;
    private const int PooledRequestsPerStripe = 128;

    /// <summary>The default <see cref="DeadlockCheckDelay"/>: far under a second, yet past most waits for a hot key.</summary>
    public static readonly TimeSpan DefaultDeadlockCheckDelay = TimeSpan.FromMilliseconds(50);

    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private long _waits;
    private long _timeouts;
    private long _deadlocks;

    public KeyLockManager()
        : this(DefaultDeadlockCheckDelay)
    {
    }

    public KeyLockManager(TimeSpan deadlockCheckDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(deadlockCheckDelay, TimeSpan.Zero);
        DeadlockCheckDelay = deadlockCheckDelay;
        DeadlockCheckDelayMs = Math.Max(1, (long)deadlockCheckDelay.TotalMilliseconds);
        for (var i = 0; i < StripeCount; i++)
        {
            _stripes[i] = new Stripe(this);
        }
    }

    /// <summary>How long a wait lasts before it is checked for a deadlock.</summary>
    public TimeSpan DeadlockCheckDelay { get; }

    internal long DeadlockCheckDelayMs { get; }

    /// <summary>Lock requests that had to wait, since creation.</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>Waits that ended with <see cref="LockWaitTimeoutException"/>.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Waits that ended with <see cref="DeadlockDetectedException"/>.</summary>
    public long Deadlocks => Interlocked.Read(ref _deadlocks);

    /// <summary>
    /// Locks <paramref name="key"/> for <paramref name="owner"/> in <paramref name="mode"/>, waiting (asynchronously,
    /// in arrival order) up to <paramref name="timeout"/> while others hold it (<see cref="Timeout.InfiniteTimeSpan"/>:
    /// no limit; zero: fail at once, like NOWAIT). Completes at once when the owner already holds a covering lock.
    /// </summary>
    public ValueTask AcquireAsync(LockOwner owner, ReadOnlySpan<byte> key, KeyLockMode mode, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (owner.Pending is not null)
        {
            ThrowWaitPending(owner);
        }

        var hash = KeyHash.Hash64(key);
        var stripeIndex = StripeOf(hash);
        var stripe = _stripes[stripeIndex];
        LockRequest request;
        ValueTask wait;
        lock (stripe.Gate)
        {
            var entry = stripe.FindOrAdd(key, hash, stripeIndex);
            if (TryGrant(stripe, entry, owner, mode, out var upgrade))
            {
                return default;
            }

            if (timeout == TimeSpan.Zero || cancellationToken.IsCancellationRequested)
            {
                return FailAtOnce(owner, entry, cancellationToken);
            }

            request = stripe.RentRequest();
            request.Init(owner, entry, mode);
            entry.Enqueue(request, first: upgrade);
            owner.Waiting = request;
            owner.Pending = request;
            var now = Environment.TickCount64;
            wait = request.BeginWait(now, DeadlineOf(now, timeout));
        }

        Interlocked.Increment(ref _waits);
        request.WatchCancellation(cancellationToken);
        return wait;
    }

    /// <summary>Locks <paramref name="key"/> if that needs no wait; never queues.</summary>
    public bool TryAcquire(LockOwner owner, ReadOnlySpan<byte> key, KeyLockMode mode)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var hash = KeyHash.Hash64(key);
        var stripeIndex = StripeOf(hash);
        var stripe = _stripes[stripeIndex];
        lock (stripe.Gate)
        {
            var entry = stripe.FindOrAdd(key, hash, stripeIndex);
            if (TryGrant(stripe, entry, owner, mode, out _))
            {
                return true;
            }

            stripe.RemoveIfUnused(entry);
            return false;
        }
    }

    /// <summary>True when <paramref name="owner"/> holds a lock on <paramref name="key"/> that covers <paramref name="mode"/>.</summary>
    public bool IsHeld(LockOwner owner, ReadOnlySpan<byte> key, KeyLockMode mode) => FindHeld(owner, key, mode) is not null;

    /// <summary>The owner's granted request covering <paramref name="mode"/> on <paramref name="key"/>, or null.</summary>
    internal LockRequest? FindHeld(LockOwner owner, ReadOnlySpan<byte> key, KeyLockMode mode)
    {
        var hash = KeyHash.Hash64(key);
        var stripe = _stripes[StripeOf(hash)];
        lock (stripe.Gate)
        {
            return stripe.Find(key, hash)?.HeldBy(owner, mode);
        }
    }

    /// <summary>
    /// Releases every lock of <paramref name="owner"/> and grants what waiters can now have. A wait still pending
    /// (the owner ended while waiting) is cancelled; a lock granted to it that the owner never collected is released too.
    /// </summary>
    public void ReleaseAll(LockOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (owner.Pending is { } pending)
        {
            AbandonPending(owner, pending);
        }

        foreach (var request in owner.Held)
        {
            var stripe = _stripes[request.Entry.Stripe];
            lock (stripe.Gate)
            {
                var entry = request.Entry;
                entry.RemoveGranted(request);
                GrantWaiters(entry);
                stripe.RemoveIfUnused(entry);
                stripe.ReturnRequest(request);
            }
        }

        owner.ClearHeld();
    }

    /// <summary>Keys locked or waited for right now (tests: after every owner released, zero).</summary>
    public int ActiveEntries
    {
        get
        {
            var count = 0;
            foreach (var stripe in _stripes)
            {
                lock (stripe.Gate)
                {
                    count += stripe.Live;
                }
            }

            return count;
        }
    }

    private static int StripeOf(ulong hash) => (int)(hash >> (64 - StripeBits));

    private static long DeadlineOf(long now, TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || timeout.TotalMilliseconds >= long.MaxValue / 2 ? long.MaxValue : now + Math.Max(1, (long)timeout.TotalMilliseconds);

    /// <summary>Under the stripe lock: grants at once when the owner holds a covering lock or nothing stands in the way.</summary>
    private static bool TryGrant(Stripe stripe, LockEntry entry, LockOwner owner, KeyLockMode mode, out bool upgrade)
    {
        upgrade = false;
        if (entry.HeldBy(owner, mode) is { } held)
        {
            owner.LastGranted = held;
            return true;
        }

        upgrade = mode == KeyLockMode.Exclusive && entry.HeldBy(owner, KeyLockMode.Shared) is not null;
        if ((entry.QueueHead is not null && !upgrade) || !entry.IsCompatible(owner, mode))
        {
            return false;
        }

        var request = stripe.RentRequest();
        request.Init(owner, entry, mode);
        request.State = LockRequestState.Granted;
        entry.AddGranted(request);
        owner.AddHeld(request);
        return true;
    }

    private ValueTask FailAtOnce(LockOwner owner, LockEntry entry, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Interlocked.Increment(ref _timeouts);
        ThunderMetrics.LockWaitTimeoutsTotal.Inc();
        return ValueTask.FromException(new LockWaitTimeoutException(
            $"could not obtain lock on a key: transaction {owner.Id} would have to wait for transaction {BlockerId(entry, owner)} (lock wait timeout 0)", waited: false));
    }

    /// <summary>Under the stripe lock: grants waiting requests from the head of the queue while they fit (FIFO, no overtaking).</summary>
    private static void GrantWaiters(LockEntry entry)
    {
        while (entry.QueueHead is { } head && entry.IsCompatible(head.Owner, head.Mode))
        {
            entry.QueueHead = head.Next;
            if (entry.QueueHead is null)
            {
                entry.QueueTail = null;
            }

            head.Next = null;
            entry.AddGranted(head);
            head.Owner.Waiting = null;
            head.CompleteGranted();
        }
    }

    /// <summary>Under the stripe lock: ends a wait without the lock; waiters behind it may now fit.</summary>
    private void FailWait(LockRequest request, Exception error)
    {
        var entry = request.Entry;
        entry.Unqueue(request);
        request.Owner.Waiting = null;
        request.CompleteFailed(error);
        GrantWaiters(entry);
        _stripes[entry.Stripe].RemoveIfUnused(entry);
    }

    /// <summary>The wait's owner collected the outcome (on its own thread, in the request's GetResult).</summary>
    internal void CollectWait(LockRequest request, bool granted)
    {
        var stripe = _stripes[request.Entry.Stripe];
        lock (stripe.Gate)
        {
            if (request.Owner.Pending == request)
            {
                request.Owner.Pending = null;
            }

            if (granted && !request.Abandoned)
            {
                request.Owner.AddHeld(request);
            }
        }
    }

    internal void CancelWait(LockRequest request, CancellationToken token)
    {
        var stripe = _stripes[request.Entry.Stripe];
        lock (stripe.Gate)
        {
            if (request.State == LockRequestState.Waiting)
            {
                FailWait(request, new OperationCanceledException(token));
            }
        }
    }

    private void AbandonPending(LockOwner owner, LockRequest pending)
    {
        var stripe = _stripes[pending.Entry.Stripe];
        lock (stripe.Gate)
        {
            if (owner.Pending != pending)
            {
                return; // collected meanwhile: it is in the held list if it was granted
            }

            owner.Pending = null;
            pending.Abandoned = true;
            if (pending.State == LockRequestState.Waiting)
            {
                FailWait(pending, new OperationCanceledException("the transaction ended while waiting for a key lock"));
            }
            else if (pending.State == LockRequestState.Granted)
            {
                var entry = pending.Entry;
                entry.RemoveGranted(pending);
                GrantWaiters(entry);
                stripe.RemoveIfUnused(entry);
            }
        }
    }

    /// <summary>The wait's timer: its deadlock check is due, or its timeout passed.</summary>
    internal void OnWaitTimer(LockRequest request)
    {
        var entry = request.Entry;
        var stripe = _stripes[entry.Stripe];
        lock (stripe.Gate)
        {
            if (request.State != LockRequestState.Waiting || request.Entry != entry)
            {
                return; // a late tick of a wait that already ended
            }

            var now = Environment.TickCount64;
            if (now >= request.Deadline)
            {
                Interlocked.Increment(ref _timeouts);
                ThunderMetrics.LockWaitTimeoutsTotal.Inc();
                FailWait(request, new LockWaitTimeoutException(
                    $"lock wait timeout exceeded: transaction {request.Owner.Id} waited for a key lock held by transaction {BlockerId(entry, request.Owner)}"));
                return;
            }

            if (request.DeadlockChecked || now < request.DeadlockCheckAt)
            {
                request.ArmTimer(now);
                return;
            }

            request.DeadlockChecked = true;
        }

        CheckForDeadlock(request);
        lock (stripe.Gate)
        {
            if (request.State == LockRequestState.Waiting && request.Entry == entry)
            {
                request.ArmTimer(Environment.TickCount64);
            }
        }
    }

    /// <summary>Under the stripe lock: a transaction standing in the way of <paramref name="owner"/>, for messages.</summary>
    private static long BlockerId(LockEntry entry, LockOwner owner)
    {
        for (var r = entry.GrantedHead; r is not null; r = r.NextGranted)
        {
            if (r.Owner != owner)
            {
                return r.Owner.Id;
            }
        }

        return entry.QueueHead?.Owner.Id ?? 0;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowWaitPending(LockOwner owner) =>
        throw new InvalidOperationException($"transaction {owner.Id} is already waiting for a key lock (one wait at a time)");

    /// <summary>One stripe: its lock, a chained table of live entries, and free lists of entries and requests.</summary>
    private sealed class Stripe(KeyLockManager manager)
    {
        public readonly Lock Gate = new();
        private readonly LockEntry?[] _buckets = new LockEntry?[BucketsPerStripe];
        private LockEntry? _freeEntries;
        private LockRequest? _freeRequests;
        private int _pooledEntries;
        private int _pooledRequests;

        public int Live { get; private set; }

        public LockEntry? Find(ReadOnlySpan<byte> key, ulong hash)
        {
            for (var e = _buckets[(int)hash & (BucketsPerStripe - 1)]; e is not null; e = e.Next)
            {
                if (e.Matches(key, hash))
                {
                    return e;
                }
            }

            return null;
        }

        public LockEntry FindOrAdd(ReadOnlySpan<byte> key, ulong hash, int stripeIndex)
        {
            if (Find(key, hash) is { } found)
            {
                return found;
            }

            var entry = _freeEntries;
            if (entry is null)
            {
                entry = new LockEntry();
            }
            else
            {
                _freeEntries = entry.Next;
                _pooledEntries--;
            }

            entry.Init(key, hash, stripeIndex);
            ref var bucket = ref _buckets[(int)hash & (BucketsPerStripe - 1)];
            entry.Next = bucket;
            bucket = entry;
            Live++;
            return entry;
        }

        public void RemoveIfUnused(LockEntry entry)
        {
            if (!entry.IsUnused)
            {
                return;
            }

            ref var link = ref _buckets[(int)entry.Hash & (BucketsPerStripe - 1)];
            while (link != entry)
            {
                link = ref link!.Next;
            }

            link = entry.Next;
            entry.Next = null;
            Live--;
            if (_pooledEntries < PooledEntriesPerStripe)
            {
                entry.Reset();
                entry.Next = _freeEntries;
                _freeEntries = entry;
                _pooledEntries++;
            }
        }

        public LockRequest RentRequest()
        {
            if (_freeRequests is { } request)
            {
                _freeRequests = request.Next;
                request.Next = null;
                _pooledRequests--;
                return request;
            }

            return new LockRequest(manager);
        }

        public void ReturnRequest(LockRequest request)
        {
            if (request.Abandoned)
            {
                return; // its wait may still be collected by a late continuation: never reuse it
            }

            request.Owner = null!;
            if (_pooledRequests < PooledRequestsPerStripe)
            {
                request.Next = _freeRequests;
                _freeRequests = request;
                _pooledRequests++;
            }
            else
            {
                request.DisposeTimer();
            }
        }
    }
}
