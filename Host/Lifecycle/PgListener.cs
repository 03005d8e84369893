using System.Net;
using Microsoft.Extensions.Logging;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Transport;

namespace ThunderDb.Host.Lifecycle;

/// <summary>The PostgreSQL protocol server as a host listener on <c>listen_addr:pg_port</c>, over the engine's SQL engine.</summary>
public sealed class PgListener(IPEndPoint endPoint, KvStorageEngine engine, PgServerOptions options, ILoggerFactory loggerFactory) : IProtocolListener
{
    private PgServer? _server;

    public string Protocol => PgServer.ProtocolName;

    public ValueTask<EndPoint> StartAsync(CancellationToken cancellationToken)
    {
        var server = new PgServer(engine.Sql, options, loggerFactory.CreateLogger("Postgres"), ConnectionRegistry.Shared);
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
