using System.Net.Security;
using System.Net.Sockets;

namespace ThunderDb.Net.Transport;

/// <summary>
/// The bytes of one accepted connection: the socket itself, or a TLS stream over it. Protocol sessions
/// read and write through this so plaintext and TLS connections run the same session code; the plain path
/// calls the socket directly (no stream in between).
/// </summary>
public sealed class ConnectionIo : IDisposable
{
    private readonly Socket _socket;
    private readonly SslStream? _tls;

    public ConnectionIo(Socket socket, SslStream? tls = null)
    {
        _socket = socket;
        _tls = tls;
    }

    public Socket Socket => _socket;

    public bool IsTls => _tls is not null;

    /// <summary>Reads what is available into <paramref name="buffer"/>; 0 when the peer closed.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _tls is null
            ? _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)
            : _tls.ReadAsync(buffer, cancellationToken);

    /// <summary>Sends all of <paramref name="data"/>. Callers serialise their sends (one writer at a time).</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }

        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Shuts both directions down and releases the socket (and the TLS session).</summary>
    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _tls?.Dispose();
        _socket.Dispose();
    }
}
