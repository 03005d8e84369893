using System.Net;
using ThunderDb.Net.Transport;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// A protocol server as a host listener on <c>listen_addr:&lt;protocol&gt;_port</c>. The server is created when the
/// listener starts (after the engine is open), so a factory is passed rather than a server.
/// </summary>
public sealed class ProtocolListener(string protocol, IPEndPoint endPoint, Func<IProtocolServer> createServer) : IProtocolListener
{
    private IProtocolServer? _server;

    public string Protocol => protocol;

    public ValueTask<EndPoint> StartAsync(CancellationToken cancellationToken)
    {
        IProtocolServer server = createServer();
        server.Start(endPoint);
        _server = server;
        return ValueTask.FromResult<EndPoint>(server.LocalEndPoint!);
    }

    public async ValueTask StopAcceptingAsync()
    {
        if (_server is { } server)
        {
            await server.StopAcceptingAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask<bool> DrainAsync(TimeSpan grace, TimeSpan closeTimeout, CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            try
            {
                await server.WaitForInFlightAsync(grace, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // grace over: the remaining connections are closed below
            }

            return await server.StopAsync(closeTimeout).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
