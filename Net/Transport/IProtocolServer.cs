using System.Net;

namespace ThunderDb.Net.Transport;

/// <summary>
/// What the host needs of a protocol server (RESP, PostgreSQL, later MySQL) to run the runbook's lifecycle:
/// start on an endpoint, stop accepting, wait for in-flight commands, then close every connection.
/// </summary>
public interface IProtocolServer : IAsyncDisposable
{
    IPEndPoint? LocalEndPoint { get; }

    void Start(IPEndPoint endPoint);

    /// <summary>Closes the listening socket only: open connections keep being served.</summary>
    Task StopAcceptingAsync();

    /// <summary>Waits until no connection is inside a command, or <paramref name="grace"/> has passed.</summary>
    Task WaitForInFlightAsync(TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Closes every connection; false when one is still inside a command after <paramref name="sessionTimeout"/>.</summary>
    Task<bool> StopAsync(TimeSpan sessionTimeout);
}
