using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Transport;

public class AsyncLockTests
{
    [Test]
    public async Task Only_one_holder_at_a_time_under_a_mix_of_try_and_async_acquires()
    {
        var gate = new AsyncLock();
        int inside = 0, maxInside = 0, counter = 0;
        async Task Worker(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < 2000; i++)
            {
                if (random.Next(3) == 0)
                {
                    if (!gate.TryEnter())
                    {
                        continue;
                    }
                }
                else
                {
                    await gate.EnterAsync();
                }

                int now = Interlocked.Increment(ref inside);
                if (now > Volatile.Read(ref maxInside))
                {
                    Volatile.Write(ref maxInside, now);
                }

                int c = counter; // not atomic: only exclusion keeps the count exact
                if (random.Next(8) == 0)
                {
                    await Task.Yield();
                }

                counter = c + 1;
                Interlocked.Decrement(ref inside);
                gate.Release();
            }
        }

        int expectedMax = 1;
        var workers = Enumerable.Range(0, 8).Select(i => Task.Run(() => Worker(i))).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(maxInside).IsEqualTo(expectedMax);
        await Assert.That(gate.TryEnter()).IsTrue(); // nothing leaked: the lock ends up free
        gate.Release();
        await Assert.That(counter).IsGreaterThan(0);
    }

    [Test]
    public async Task Release_hands_the_lock_to_waiters_in_arrival_order()
    {
        var gate = new AsyncLock();
        await gate.EnterAsync();
        var order = new List<int>();
        var waiters = new List<Task>();
        for (int i = 0; i < 4; i++)
        {
            int id = i;
            waiters.Add(Task.Run(async () =>
            {
                await gate.EnterAsync();
                lock (order)
                {
                    order.Add(id);
                }

                gate.Release();
            }));
            await Task.Delay(30); // let waiter i queue before waiter i+1
        }

        await Assert.That(gate.TryEnter()).IsFalse();
        gate.Release();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(string.Join(",", order)).IsEqualTo("0,1,2,3");
    }

    [Test]
    public async Task A_cancelled_waiter_leaves_the_queue_and_never_owns_the_lock()
    {
        var gate = new AsyncLock();
        await gate.EnterAsync();
        using var cts = new CancellationTokenSource();
        Task cancelled = gate.EnterAsync(cts.Token).AsTask();
        Task next = gate.EnterAsync().AsTask();
        await cts.CancelAsync();
        await Assert.That(async () => await cancelled).Throws<OperationCanceledException>();
        gate.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(5)); // the lock went to the waiter behind the cancelled one
        await Assert.That(gate.TryEnter()).IsFalse();
        gate.Release();
        await Assert.That(gate.TryEnter()).IsTrue();
        gate.Release();
    }

    [Test]
    public async Task Cancellation_racing_release_never_loses_the_lock()
    {
        var gate = new AsyncLock();
        for (int round = 0; round < 500; round++)
        {
            await gate.EnterAsync();
            using var cts = new CancellationTokenSource();
            Task waiter = gate.EnterAsync(cts.Token).AsTask();
            var cancel = Task.Run(cts.Cancel);
            gate.Release();
            await cancel;
            bool owned;
            try
            {
                await waiter.WaitAsync(TimeSpan.FromSeconds(5));
                owned = true;
            }
            catch (OperationCanceledException)
            {
                owned = false;
            }

            if (owned)
            {
                gate.Release();
            }

            // Whoever won the race, the lock is free again afterwards.
            if (!gate.TryEnter())
            {
                throw new InvalidOperationException($"lock lost in round {round} (waiter owned: {owned})");
            }

            gate.Release();
        }

        await Assert.That(gate.TryEnter()).IsTrue();
    }

    [Test]
    public async Task A_spinning_try_gives_up_on_a_held_lock_and_never_overtakes_a_queued_waiter()
    {
        var gate = new AsyncLock();
        await Assert.That(gate.TryEnterSpinning(40)).IsTrue(); // free: taken at once
        await Assert.That(gate.TryEnterSpinning(40)).IsFalse(); // held and never released: bounded, gives up
        Task waiter = gate.EnterAsync().AsTask();
        gate.Release(); // handed to the queued waiter, not left free for a spinner
        await waiter.WaitAsync(TimeSpan.FromSeconds(5));
        await Assert.That(gate.TryEnterSpinning(10)).IsFalse();
        gate.Release();
        await Assert.That(gate.TryEnterSpinning(10)).IsTrue();
        gate.Release();
    }
}
