using System.Net;

namespace ThunderDb.Host.Lifecycle;

/// <summary>Outcome of one health check; <see cref="HealthStatus.NotChecked"/> when nothing could be checked.</summary>
public enum HealthStatus
{
    Ok,
    Warn,
    Fail,
    NotChecked,
}

public sealed record HealthCheck(HealthStatus Status, string Detail);

/// <summary>
/// The seam between the host and the storage engine. The host calls <see cref="OpenAsync"/> once at
/// startup (after the admin HTTP endpoint is bound, before any protocol listener starts, so
/// <c>/admin/ready</c> stays 503 during recovery), <see cref="CheckpointAsync"/> from the checkpoint
/// worker and once more at shutdown, and <see cref="CloseAsync"/> last.
/// </summary>
public interface IDatabaseEngine
{
    /// <summary>Short name for logs, e.g. "btree-kv".</summary>
    string Name { get; }

    /// <summary>Creates or recovers the database in the configured directories.</summary>
    ValueTask OpenAsync(CancellationToken cancellationToken);

    /// <summary>The "database" entry of <c>/admin/health</c>: a real probe of the engine.</summary>
    HealthCheck CheckHealth();

    /// <summary>Flushes dirty pages and writes a checkpoint; null when written, otherwise why none was (a read-only store writes none).</summary>
    ValueTask<string?> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Refuses writes from now on (the disk monitor's critical-space action); reads keep working.</summary>
    void SetReadOnly(string reason);

    /// <summary>
    /// Makes every commit applied so far durable in the WAL; false when that did not happen within
    /// <paramref name="timeout"/>. The forced-shutdown path: a connection is stuck in a command, so the engine
    /// cannot be checkpointed or closed under it, but nothing acknowledged may be lost.
    /// </summary>
    bool FlushLog(TimeSpan timeout);

    /// <summary>Flushes the buffer pool and closes every file. Called once, after the final checkpoint.</summary>
    ValueTask CloseAsync(CancellationToken cancellationToken);
}

/// <summary>A protocol server (PostgreSQL, MySQL, RESP, ...) the host starts and stops.</summary>
public interface IProtocolListener : IAsyncDisposable
{
    /// <summary>"resp", "postgres", "mysql"...</summary>
    string Protocol { get; }

    /// <summary>
    /// Binds and starts accepting; returns the bound endpoint. Throws
    /// <see cref="System.Net.Sockets.SocketException"/> with <c>AddressAlreadyInUse</c> when the port is taken.
    /// </summary>
    ValueTask<EndPoint> StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops accepting new connections; open connections keep running.</summary>
    ValueTask StopAcceptingAsync();

    /// <summary>
    /// Waits up to <paramref name="grace"/> for in-flight requests, then closes every connection and waits up to
    /// <paramref name="closeTimeout"/> for them to end. False when a connection is still inside a command after
    /// that (a command that does not yield, e.g. CPU-bound): the caller must not close the engine under it.
    /// </summary>
    ValueTask<bool> DrainAsync(TimeSpan grace, TimeSpan closeTimeout, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ServerComposition"/> plugged in: the engine (null until one is built) and the listeners.</summary>
public sealed record ServerComponents(IDatabaseEngine? Engine, IReadOnlyList<IProtocolListener> Listeners);
