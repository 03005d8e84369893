using System.Diagnostics;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Tests.Txn.Locks;

public class KeyLockManagerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private static readonly byte[] K1 = [.. "row:1"u8];
    private static readonly byte[] K2 = [.. "row:2"u8];

    private static LockOwner Owner(long id) => new() { Id = id };

    [Test]
    public async Task An_uncontended_lock_is_granted_at_once_and_released_without_leaving_an_entry()
    {
        var locks = new KeyLockManager();
        var a = Owner(1);
        var acquire = locks.AcquireAsync(a, K1, KeyLockMode.Exclusive, Long);
        await Assert.That(acquire.IsCompletedSuccessfully).IsTrue();
        await Assert.That(locks.IsHeld(a, K1, KeyLockMode.Exclusive)).IsTrue();
        await Assert.That(locks.IsHeld(a, K1, KeyLockMode.Shared)).IsTrue(); // exclusive covers shared
        await Assert.That(locks.AcquireAsync(a, K1, KeyLockMode.Shared, Long).IsCompletedSuccessfully).IsTrue(); // re-entrant
        await Assert.That(a.HeldCount).IsEqualTo(1);
        await Assert.That(locks.ActiveEntries).IsEqualTo(1);

        locks.ReleaseAll(a);
        await Assert.That(a.HeldCount).IsEqualTo(0);
        await Assert.That(locks.IsHeld(a, K1, KeyLockMode.Shared)).IsFalse();
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
        await Assert.That(locks.Waits).IsEqualTo(0L);
    }

    [Test]
    public async Task Shared_locks_coexist_and_an_exclusive_request_waits_for_all_of_them()
    {
        var locks = new KeyLockManager();
        var (a, b, c) = (Owner(1), Owner(2), Owner(3));
        await locks.AcquireAsync(a, K1, KeyLockMode.Shared, Long);
        await locks.AcquireAsync(b, K1, KeyLockMode.Shared, Long);
        var exclusive = locks.AcquireAsync(c, K1, KeyLockMode.Exclusive, Long).AsTask();
        await Assert.That(locks.TryAcquire(c, K2, KeyLockMode.Exclusive)).IsTrue(); // other keys are not affected

        locks.ReleaseAll(a);
        await Task.Delay(50);
        await Assert.That(exclusive.IsCompleted).IsFalse();
        locks.ReleaseAll(b);
        await exclusive.WaitAsync(Long);
        await Assert.That(locks.IsHeld(c, K1, KeyLockMode.Exclusive)).IsTrue();
        locks.ReleaseAll(c);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task Waiters_are_granted_in_arrival_order_and_a_shared_request_does_not_overtake_a_queued_exclusive_one()
    {
        var locks = new KeyLockManager();
        var holder = Owner(1);
        await locks.AcquireAsync(holder, K1, KeyLockMode.Shared, Long);

        var order = new List<long>();
        var owners = new[] { Owner(2), Owner(3), Owner(4), Owner(5) };
        var modes = new[] { KeyLockMode.Exclusive, KeyLockMode.Shared, KeyLockMode.Exclusive, KeyLockMode.Exclusive };
        var waits = new List<Task>();
        for (var i = 0; i < owners.Length; i++)
        {
            var owner = owners[i];
            var pending = locks.AcquireAsync(owner, K1, modes[i], Long);
            if (i == 1)
            {
                // Compatible with the shared holder, but an exclusive request is queued before it.
                await Assert.That(pending.IsCompleted).IsFalse();
            }

            waits.Add(GrantedThenRelease(pending, owner));
        }

        async Task GrantedThenRelease(ValueTask pending, LockOwner owner)
        {
            await pending;
            lock (order)
            {
                order.Add(owner.Id);
            }

            await Task.Delay(10);
            locks.ReleaseAll(owner);
        }

        locks.ReleaseAll(holder);
        await Task.WhenAll(waits).WaitAsync(Long);
        await Assert.That(order).IsEquivalentTo(new long[] { 2, 3, 4, 5 }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task A_lock_wait_times_out_with_sqlstate_55P03_and_mysql_1205_and_later_waiters_still_get_the_lock()
    {
        var locks = new KeyLockManager();
        var (a, b, c) = (Owner(1), Owner(2), Owner(3));
        await locks.AcquireAsync(a, K1, KeyLockMode.Exclusive, Long);
        var timeoutsMetric = ThunderMetrics.LockWaitTimeoutsTotal.Value;

        var started = Stopwatch.GetTimestamp();
        var timedOut = locks.AcquireAsync(b, K1, KeyLockMode.Exclusive, TimeSpan.FromMilliseconds(300)).AsTask();
        var patient = locks.AcquireAsync(c, K1, KeyLockMode.Exclusive, Long).AsTask();
        var error = await Assert.That(async () => await timedOut.WaitAsync(Long)).Throws<LockWaitTimeoutException>();
        var waited = Stopwatch.GetElapsedTime(started);
        await Assert.That(waited).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
        await Assert.That(waited).IsLessThan(TimeSpan.FromSeconds(3));
        await Assert.That(error!.SqlState).IsEqualTo("55P03");
        await Assert.That(error.MySqlErrorCode).IsEqualTo(1205);
        await Assert.That(error.Message).Contains("transaction 1");
        await Assert.That(b.IsWaiting).IsFalse();
        await Assert.That(b.HeldCount).IsEqualTo(0);
        await Assert.That(locks.Timeouts).IsEqualTo(1L);
        await Assert.That(ThunderMetrics.LockWaitTimeoutsTotal.Value).IsGreaterThanOrEqualTo(timeoutsMetric + 1); // thunderdb_lock_wait_timeouts_total

        locks.ReleaseAll(a);
        await patient.WaitAsync(Long);
        await Assert.That(locks.IsHeld(c, K1, KeyLockMode.Exclusive)).IsTrue();
        locks.ReleaseAll(b); // the timed-out owner ends too: nothing to release
        locks.ReleaseAll(c);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task A_zero_timeout_fails_at_once_like_nowait()
    {
        var locks = new KeyLockManager();
        var (a, b) = (Owner(1), Owner(2));
        await locks.AcquireAsync(a, K1, KeyLockMode.Exclusive, Long);
        var attempt = locks.AcquireAsync(b, K1, KeyLockMode.Shared, TimeSpan.Zero);
        await Assert.That(attempt.IsFaulted).IsTrue();
        await Assert.That(async () => await attempt).Throws<LockWaitTimeoutException>();
        await Assert.That(locks.TryAcquire(b, K1, KeyLockMode.Shared)).IsFalse();
        locks.ReleaseAll(a);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task A_two_owner_deadlock_fails_one_victim_well_under_a_second_and_the_other_proceeds()
    {
        var locks = new KeyLockManager();
        var (a, b) = (Owner(1), Owner(2));
        await locks.AcquireAsync(a, K1, KeyLockMode.Exclusive, Long);
        await locks.AcquireAsync(b, K2, KeyLockMode.Exclusive, Long);
        var deadlocksMetric = ThunderMetrics.DeadlocksTotal.Value;

        var started = Stopwatch.GetTimestamp();
        var aWaits = locks.AcquireAsync(a, K2, KeyLockMode.Exclusive, Long).AsTask();
        var bWaits = locks.AcquireAsync(b, K1, KeyLockMode.Exclusive, Long).AsTask();
        var first = await Task.WhenAny(aWaits, bWaits).WaitAsync(Long);
        var detectedAfter = Stopwatch.GetElapsedTime(started);

        await Assert.That(first.IsFaulted).IsTrue();
        var error = first.Exception!.InnerException as DeadlockDetectedException;
        await Assert.That(error).IsNotNull();
        await Assert.That(error!.SqlState).IsEqualTo("40P01");
        await Assert.That(error.MySqlErrorCode).IsEqualTo(1213);
        await Assert.That(error.Message).Contains(first == aWaits ? "transaction 1 waits for transaction 2" : "transaction 2 waits for transaction 1");
        await Assert.That(detectedAfter).IsLessThan(TimeSpan.FromMilliseconds(500));
        await Assert.That(locks.Deadlocks).IsEqualTo(1L);
        await Assert.That(ThunderMetrics.DeadlocksTotal.Value).IsGreaterThanOrEqualTo(deadlocksMetric + 1); // thunderdb_deadlocks_total

        // The victim rolls back; the survivor gets the lock it waited for.
        var (victim, survivor, survivorWait) = first == aWaits ? (a, b, bWaits) : (b, a, aWaits);
        await Task.Delay(100);
        await Assert.That(survivorWait.IsCompleted).IsFalse(); // no second victim
        locks.ReleaseAll(victim);
        await survivorWait.WaitAsync(Long);
        await Assert.That(survivor.HeldCount).IsEqualTo(2);
        locks.ReleaseAll(survivor);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task A_three_owner_cycle_is_detected()
    {
        var locks = new KeyLockManager(TimeSpan.FromMilliseconds(20));
        var owners = new[] { Owner(1), Owner(2), Owner(3) };
        byte[][] keys = [K1, K2, [.. "row:3"u8]];
        for (var i = 0; i < 3; i++)
        {
            await locks.AcquireAsync(owners[i], keys[i], KeyLockMode.Exclusive, Long);
        }

        // Each owner "commits" (releases everything) once it has the lock it waits for.
        var waits = Enumerable.Range(0, 3).Select(i => WaitThenCommit(owners[i], keys[(i + 1) % 3])).ToArray();
        async Task WaitThenCommit(LockOwner owner, byte[] key)
        {
            await locks.AcquireAsync(owner, key, KeyLockMode.Exclusive, Long);
            locks.ReleaseAll(owner);
        }

        var victim = await Task.WhenAny(waits).WaitAsync(Long);
        await Assert.That(victim.Exception?.InnerException).IsTypeOf<DeadlockDetectedException>();
        locks.ReleaseAll(owners[Array.IndexOf(waits, victim)]); // the victim rolls back
        await Task.WhenAll(waits.Where(w => w != victim)).WaitAsync(Long);

        await Assert.That(locks.Deadlocks).IsEqualTo(1L);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task Two_shared_holders_upgrading_deadlock_and_one_upgrade_succeeds()
    {
        var locks = new KeyLockManager(TimeSpan.FromMilliseconds(20));
        var (a, b) = (Owner(1), Owner(2));
        await locks.AcquireAsync(a, K1, KeyLockMode.Shared, Long);
        await locks.AcquireAsync(b, K1, KeyLockMode.Shared, Long);
        var aUp = locks.AcquireAsync(a, K1, KeyLockMode.Exclusive, Long).AsTask();
        var bUp = locks.AcquireAsync(b, K1, KeyLockMode.Exclusive, Long).AsTask();
        var victim = await Task.WhenAny(aUp, bUp).WaitAsync(Long);
        await Assert.That(victim.Exception?.InnerException).IsTypeOf<DeadlockDetectedException>();
        var (loser, winner, winnerUp) = victim == aUp ? (a, b, bUp) : (b, a, aUp);
        locks.ReleaseAll(loser);
        await winnerUp.WaitAsync(Long);
        await Assert.That(locks.IsHeld(winner, K1, KeyLockMode.Exclusive)).IsTrue();
        locks.ReleaseAll(winner);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
    }

    [Test]
    public async Task A_cancelled_wait_leaves_the_queue_and_ending_the_owner_mid_wait_cancels_it()
    {
        var locks = new KeyLockManager();
        var (a, b, c) = (Owner(1), Owner(2), Owner(3));
        await locks.AcquireAsync(a, K1, KeyLockMode.Exclusive, Long);
        using var cancel = new CancellationTokenSource();
        var cancelled = locks.AcquireAsync(b, K1, KeyLockMode.Exclusive, Long, cancel.Token).AsTask();
        var abandoned = locks.AcquireAsync(c, K1, KeyLockMode.Exclusive, Long).AsTask();
        await cancel.CancelAsync();
        await Assert.That(async () => await cancelled.WaitAsync(Long)).Throws<OperationCanceledException>();

        locks.ReleaseAll(c); // c's transaction ends while it waits
        await Assert.That(async () => await abandoned.WaitAsync(Long)).Throws<OperationCanceledException>();
        locks.ReleaseAll(a);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);

        // The key is free again for anyone.
        await Assert.That(locks.TryAcquire(b, K1, KeyLockMode.Exclusive)).IsTrue();
        locks.ReleaseAll(b);
    }

    [Test]
    public async Task Many_owners_hammering_few_keys_keep_mutual_exclusion_and_leave_nothing_behind()
    {
        var locks = new KeyLockManager();
        byte[][] keys = [K1, K2];
        var inside = new int[2];
        var violations = 0;
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var owner = Owner(t + 1);
            for (var i = 0; i < 300; i++)
            {
                var k = (i + t) % 2;
                await locks.AcquireAsync(owner, keys[k], KeyLockMode.Exclusive, Long);
                if (Interlocked.Increment(ref inside[k]) != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside[k]);
                locks.ReleaseAll(owner);
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        await Assert.That(violations).IsEqualTo(0);
        await Assert.That(locks.ActiveEntries).IsEqualTo(0);
        await Assert.That(locks.Deadlocks).IsEqualTo(0L);
    }

    [Test]
    public async Task Uncontended_acquire_and_release_allocate_nothing_once_the_pools_are_warm()
    {
        var locks = new KeyLockManager();
        var owner = Owner(1);
        byte[][] keys = [.. Enumerable.Range(0, 8).Select(i => System.Text.Encoding.ASCII.GetBytes($"row:{i}"))];
        LockAndRelease(); // warm-up fills the stripes' pools and the owner's held list
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 1000; round++)
        {
            LockAndRelease();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await Assert.That(allocated).IsEqualTo(0L);

        void LockAndRelease()
        {
            foreach (var key in keys)
            {
                locks.AcquireAsync(owner, key, KeyLockMode.Exclusive, Long).GetAwaiter().GetResult();
                locks.TryAcquire(owner, key, KeyLockMode.Shared);
            }

            locks.ReleaseAll(owner);
        }
    }

    [Test]
    public async Task An_owner_locking_more_keys_than_the_pools_keep_releases_them_all_and_locks_again()
    {
        var locks = new KeyLockManager();
        var (a, b) = (Owner(1), Owner(2));
        byte[][] keys = [.. Enumerable.Range(0, 50_000).Select(i => BitConverter.GetBytes(i))];
        for (var round = 0; round < 2; round++)
        {
            foreach (var key in keys)
            {
                await Assert.That(locks.TryAcquire(a, key, KeyLockMode.Exclusive)).IsTrue();
            }

            await Assert.That(locks.ActiveEntries).IsEqualTo(keys.Length);
            await Assert.That(locks.TryAcquire(b, keys[^1], KeyLockMode.Shared)).IsFalse();
            locks.ReleaseAll(a);
            await Assert.That(locks.ActiveEntries).IsEqualTo(0);
        }
    }
}
