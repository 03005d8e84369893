using ThunderDb.Core.Diagnostics;

namespace ThunderDb.Core.Txn.Locks;

public sealed partial class KeyLockManager
{
    // Scratch for the search; only used with every stripe lock held, so one search runs at a time.
    private readonly List<LockOwner> _searchStack = [];
    private long _searchPass;

    /// <summary>
    /// Looks for a cycle in the wait-for graph through the owner of <paramref name="request"/> and, when there is one,
    /// fails this wait with <see cref="DeadlockDetectedException"/> (the waiter that closed the cycle gives way, as in
    /// PostgreSQL). Every stripe lock is taken, in index order, so the graph cannot change during the search: a
    /// cycle found is real, not an artefact of reading edges at different times.
    /// </summary>
    private void CheckForDeadlock(LockRequest request)
    {
        var taken = 0;
        try
        {
            for (; taken < StripeCount; taken++)
            {
                _stripes[taken].Gate.Enter();
            }

            if (request.State != LockRequestState.Waiting)
            {
                return;
            }

            var blocker = FindCycle(request.Owner);
            if (blocker is not null)
            {
                Interlocked.Increment(ref _deadlocks);
                ThunderMetrics.DeadlocksTotal.Inc();
                FailWait(request, new DeadlockDetectedException(
                    $"deadlock detected: transaction {request.Owner.Id} waits for transaction {blocker.Id} (which holds or is queued first for a key lock it needs), which waits, directly or through others, for transaction {request.Owner.Id}; the lock wait of transaction {request.Owner.Id} was cancelled"));
            }
        }
        finally
        {
            while (taken > 0)
            {
                _stripes[--taken].Gate.Exit();
            }
        }
    }

    /// <summary>Depth-first search from <paramref name="start"/>'s wait; returns the direct blocker on a path back to it, or null.</summary>
    private LockOwner? FindCycle(LockOwner start)
    {
        var pass = ++_searchPass;
        var stack = _searchStack;
        stack.Clear();
        var waiting = start.Waiting!;
        PushBlockers(waiting, stack);
        var direct = stack.Count;
        LockOwner? firstBlocker = null;
        while (stack.Count > 0)
        {
            var owner = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            if (stack.Count < direct)
            {
                direct = stack.Count; // popped a direct blocker of start: the path below it starts here
                firstBlocker = owner;
            }

            if (owner == start)
            {
                stack.Clear();
                return firstBlocker;
            }

            if (owner.DeadlockVisit == pass)
            {
                continue;
            }

            owner.DeadlockVisit = pass;
            if (owner.Waiting is { } next)
            {
                PushBlockers(next, stack);
            }
        }

        return null;
    }

    /// <summary>The owners <paramref name="waiting"/> waits for: holders it conflicts with, and conflicting waiters ahead of it (FIFO).</summary>
    private static void PushBlockers(LockRequest waiting, List<LockOwner> stack)
    {
        var entry = waiting.Entry;
        for (var r = entry.GrantedHead; r is not null; r = r.NextGranted)
        {
            if (r.Owner != waiting.Owner && Conflicts(r.Mode, waiting.Mode))
            {
                stack.Add(r.Owner);
            }
        }

        for (var r = entry.QueueHead; r is not null && r != waiting; r = r.Next)
        {
            if (r.Owner != waiting.Owner && Conflicts(r.Mode, waiting.Mode))
            {
                stack.Add(r.Owner);
            }
        }
    }

    private static bool Conflicts(KeyLockMode a, KeyLockMode b) => a == KeyLockMode.Exclusive || b == KeyLockMode.Exclusive;
}
