using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Net.Transport;

/// <summary>The accept loop: hands every accepted socket to <c>onAccepted</c>, which runs the connection on its own.</summary>
public sealed class SocketListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<Socket, Task> _onAccepted;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    public SocketListener(IPEndPoint endPoint, Func<Socket, Task> onAccepted, ILogger logger)
    {
        _onAccepted = onAccepted;
        _logger = logger;
        _socket = ListenSocket.Bind(endPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start(int backlog = 511)
    {
        _socket.Listen(backlog);
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "accept failed on {EndPoint}", LocalEndPoint);
                continue;
            }

            client.NoDelay = true;
            _ = _onAccepted(client);
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // Idempotent: graceful shutdown stops accepting first and disposes the server later.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
