namespace ThunderDb.Net.Transport;

/// <summary>
/// The running connection loops of one protocol server, and the two shutdown steps every server takes: wait
/// (bounded) until no connection is inside a command, then close them all and wait (bounded) for their loops.
/// </summary>
public sealed class ConnectionTasks
{
    private readonly List<Task> _running = [];
    private readonly Lock _gate = new();

    /// <summary>Tracks one connection's loop until it ends.</summary>
    public async Task RunAsync(Task connectionLoop)
    {
        ArgumentNullException.ThrowIfNull(connectionLoop);
        lock (_gate)
        {
            _running.Add(connectionLoop);
        }

        try
        {
            await connectionLoop.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _running.Remove(connectionLoop);
            }
        }
    }

    /// <summary>Waits until <paramref name="inFlight"/> reads zero or <paramref name="grace"/> has passed (graceful shutdown, step 2).</summary>
    public static async Task WaitForInFlightAsync(Func<int> inFlight, TimeSpan grace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        long deadline = Environment.TickCount64 + (long)grace.TotalMilliseconds;
        while (inFlight() > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kills every registered connection of <paramref name="protocol"/> and waits up to <paramref name="timeout"/> for the
    /// loops to end; returns how many are still running (inside a command that does not observe the kill).
    /// </summary>
    public async Task<int> CloseAllAsync(ConnectionRegistry registry, string protocol, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (ClientConnection c in registry.Snapshot())
        {
            if (c.Protocol == protocol)
            {
                c.Kill();
            }
        }

        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(timeout).ConfigureAwait(false);
            return 0;
        }
        catch (TimeoutException)
        {
            return running.Count(t => !t.IsCompleted);
        }
    }
}
