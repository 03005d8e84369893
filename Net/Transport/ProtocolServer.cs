using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ThunderDb.Net.Transport.Tls;

namespace ThunderDb.Net.Transport;

/// <summary>
/// What a protocol plugs into <see cref="ProtocolServer{THandler}"/>: it runs each accepted <see cref="Connection"/>
/// (its receive loop parses complete frames in place from pooled pinned buffers and writes replies through the
/// connection's bounded send), and says how a client past the connection limit is answered.
/// </summary>
/// <remarks>Implemented by a struct, so the server's generic code calls it without a virtual dispatch.</remarks>
public interface IConnectionHandler
{
    /// <summary>
    /// True: a client past the limit is run anyway, unregistered (<see cref="Connection.Client"/> null), so the
    /// protocol refuses it in its own words (PostgreSQL's FATAL 53300 after the startup packet). False: it gets
    /// <see cref="OverLimitReply"/> (on a plaintext port) and is closed.
    /// </summary>
    bool RunsOverLimit { get; }

    /// <summary>Sent to a refused client before the close (Redis: <c>-ERR max number of clients reached</c>).</summary>
    ReadOnlyMemory<byte> OverLimitReply { get; }

    /// <summary>Counts an accepted client (INFO's total_connections_received, rejected_connections).</summary>
    void Accepted(bool refused);

    /// <summary>Runs one connection until it ends; the handler disposes it (and unregisters its client).</summary>
    Task RunAsync(Connection connection);
}

/// <summary>
/// One protocol's listener, written once for every protocol: the accept loop, the per-protocol connection limit and
/// registration (<see cref="ConnectionRegistry"/>), TLS at accept when the port is TLS-only, the in-flight count
/// graceful drain waits on, and the close of every connection at stop.
/// </summary>
public sealed class ProtocolServer<THandler>
    where THandler : struct, IConnectionHandler
{
    private readonly string _protocol;
    private readonly THandler _handler;
    private readonly Func<int> _maxConnections;
    private readonly TlsAcceptor? _tls;
    private readonly ILogger _logger;
    private readonly ConnectionTasks _running = new();
    private readonly RequestCounter _inFlight = new();
    private SocketListener? _listener;

    /// <param name="maxConnections">Read at every accept (CONFIG SET maxclients changes it at run time).</param>
    /// <param name="tls">When set, every connection is TLS from its first byte (Redis's tls-port model).</param>
    public ProtocolServer(string protocol, THandler handler, ConnectionRegistry registry, Func<int> maxConnections, TlsAcceptor? tls, ILogger logger)
    {
        _protocol = protocol;
        _handler = handler;
        Registry = registry;
        _maxConnections = maxConnections;
        _tls = tls;
        _logger = logger;
    }

    public ConnectionRegistry Registry { get; }

    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    /// <summary>Connections inside a request (a received batch, a statement): graceful drain waits for zero.</summary>
    public int InFlight => _inFlight.Count;

    public void Start(IPEndPoint endPoint)
    {
        _listener = new SocketListener(endPoint, OnAcceptedAsync, _logger);
        _listener.Start();
    }

    private async Task OnAcceptedAsync(Socket socket)
    {
        bool admitted = Registry.TryRegister(_protocol, socket.RemoteEndPoint, socket.LocalEndPoint, _maxConnections(), out ClientConnection? client);
        _handler.Accepted(refused: !admitted);
        if (!admitted && !_handler.RunsOverLimit)
        {
            await RefuseAsync(socket).ConfigureAwait(false);
            return;
        }

        ConnectionIo? io = _tls is { } tls
            ? await tls.AcceptAsync(socket, _protocol, _logger, client?.Killed ?? CancellationToken.None).ConfigureAwait(false)
            : new ConnectionIo(socket);
        if (io is null)
        {
            if (client is not null)
            {
                Registry.Unregister(client);
            }

            return;
        }

        await _running.RunAsync(_handler.RunAsync(new Connection(io, client, _logger, _inFlight))).ConfigureAwait(false);
    }

    private async Task RefuseAsync(Socket socket)
    {
        try
        {
            // On a TLS port there is no channel to say it on before the handshake: just close.
            if (_tls is null && !_handler.OverLimitReply.IsEmpty)
            {
                await socket.SendAsync(_handler.OverLimitReply, SocketFlags.None).ConfigureAwait(false);
            }

            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // the client went away first
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Closes the listening socket only: open connections keep being served (graceful shutdown, step 1).</summary>
    public async Task StopAcceptingAsync()
    {
        if (_listener is { } listener)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until no connection is inside a request, or <paramref name="grace"/> has passed (step 2).</summary>
    public Task WaitForInFlightAsync(TimeSpan grace, CancellationToken cancellationToken) =>
        ConnectionTasks.WaitForInFlightAsync(() => _inFlight.Count, grace, cancellationToken);

    /// <summary>
    /// Stops accepting, kills every connection of the protocol and waits up to <paramref name="timeout"/> for their
    /// loops; returns how many are still running (inside a request that does not observe the kill).
    /// </summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        await StopAcceptingAsync().ConfigureAwait(false);
        return await _running.CloseAllAsync(Registry, _protocol, timeout).ConfigureAwait(false);
    }
}
