using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Net.Transport;

/// <summary>
/// One accepted connection as the transport owns it, whatever the protocol: its bytes (socket or TLS), the received
/// bytes not yet consumed (<see cref="Input"/>), its registry entry, the bounded send path and the per-statement
/// cancellation hook.
/// </summary>
/// <remarks>
/// <para><b>Bounded send.</b> Every reply a protocol sends goes through <see cref="SendAsync"/> (or
/// <see cref="SendWhileStreaming"/>) with the connection's <see cref="OutputLimit"/>, Redis's
/// <c>client-output-buffer-limit</c> semantics: a reply buffer never grows past <see cref="OutputLimit.BufferMaxBytes"/>
/// (the writer throws <see cref="OutputLimitExceededException"/>), and output at or above the soft limit that the client
/// leaves unread for longer than the soft seconds closes the connection. A client that does not read therefore costs
/// the server at most its limit, never a buffer growing toward <see cref="Array.MaxLength"/>.</para>
/// <para><b>Statement cancellation.</b> A statement observes <see cref="BeginStatement"/>'s token. It is cancelled by
/// <see cref="CancelStatement"/> (PostgreSQL's CancelRequest, pg_cancel_backend), by its timeout
/// (<c>query_timeout</c>), and by a kill of the connection (<c>DELETE /admin/connections/&lt;id&gt;</c>, CLIENT KILL,
/// server stop), to which the token is linked. One source serves statement after statement (reset when it was not
/// cancelled), so a statement neither allocates nor links a new one.</para>
/// </remarks>
public sealed class Connection : IDisposable
{
    /// <summary>Output above the soft limit is sent in pieces of this size, each one checked against the deadline.</summary>
    private const int SoftLimitChunk = 64 * 1024;

    private readonly AsyncLock _sendLock = new();
    private readonly Lock _cancelGate = new();
    private readonly ILogger _logger;
    private readonly RequestCounter? _requests;
    private ConnectionIo _io;
    private CancellationTokenSource? _statement;
    private bool _statementRunning;
    private bool _statementTimedOut;
    private int _limitHit;

    /// <param name="client">The registry entry; null for a connection accepted over its protocol's limit, which is only
    /// answered and closed.</param>
    /// <param name="requests">Its server's in-flight count (<see cref="RequestStarted"/>).</param>
    public Connection(ConnectionIo io, ClientConnection? client, ILogger logger, RequestCounter? requests = null)
    {
        ArgumentNullException.ThrowIfNull(io);
        _io = io;
        Client = client;
        _logger = logger;
        _requests = requests;
    }

    /// <summary>A request (a received batch, a statement) starts: graceful drain waits until every one has ended.</summary>
    public void RequestStarted() => _requests?.Enter();

    /// <summary>The request ended: the connection is idle again (as <c>/admin/queries</c> reports it).</summary>
    public void RequestEnded()
    {
        if (Client is { } client)
        {
            client.CommandStartedTicks = 0;
        }

        _requests?.Exit();
    }

    public ConnectionIo Io => _io;

    public ClientConnection? Client { get; }

    /// <summary>Cancelled when the connection is killed; the receive loop and every send observe it.</summary>
    public CancellationToken Killed => Client?.Killed ?? CancellationToken.None;

    /// <summary>True once an output limit closed the connection.</summary>
    public bool ClosedForOutputLimit => Volatile.Read(ref _limitHit) != 0;

    /// <summary>Replaces the plaintext bytes by a TLS stream over the same socket (PostgreSQL's SSLRequest).</summary>
    public void UpgradeIo(ConnectionIo secured)
    {
        ArgumentNullException.ThrowIfNull(secured);
        _io = secured;
    }

    /// <summary>Reads what is available into <paramref name="buffer"/>; 0 when the peer closed.</summary>
    public ValueTask<int> ReceiveAsync() => ReceiveAsync(Killed);

    /// <summary>
    /// Receives more bytes behind those in <see cref="Input"/> (the protocol reserved room for its frame with
    /// <see cref="ReceiveBuffer.Reserve"/>); the count that arrived, 0 when the peer closed. The state machine of a
    /// receive that waits is pooled, so a connection's steady state allocates nothing per receive.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (Input.Free.IsEmpty && !Input.Reserve(0, Array.MaxLength))
        {
            throw new InvalidOperationException("the receive buffer has no room");
        }

        int n = await _io.ReceiveAsync(Input.Free, cancellationToken).ConfigureAwait(false);
        Input.Received(n);
        return n;
    }

    /// <summary>What arrived and the protocol has not consumed: frames are parsed in place there.</summary>
    public ReceiveBuffer Input { get; } = new();

    /// <summary>
    /// Sends <paramref name="data"/> after any send in progress (sends never interleave). The part at or above
    /// <paramref name="limit"/>'s soft bytes must be read by the client within its soft seconds, or the connection is
    /// closed for its output limit (<see cref="OutputLimitExceededException"/>).
    /// </summary>
    /// <param name="cancellationToken">Instead of <see cref="Killed"/> (a startup timeout, or a last FATAL message sent to
    /// a killed connection).</param>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, OutputLimit? limit = null, CancellationToken cancellationToken = default)
    {
        CancellationToken token = cancellationToken.CanBeCanceled ? cancellationToken : Killed;
        await _sendLock.EnterAsync(token).ConfigureAwait(false);
        try
        {
            if (limit is { SoftBytes: > 0 } soft && data.Length >= soft.SoftBytes)
            {
                data = await SendAboveSoftLimitAsync(data, soft, token).ConfigureAwait(false);
            }

            await _io.SendAsync(data, token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Sends from inside a statement that streams its rows synchronously (a PostgreSQL SELECT running off the socket
    /// event loop): the statement waits for the client as PostgreSQL's backend does, so its output stays bounded. The
    /// send must finish within <paramref name="limit"/>'s soft seconds (at most a minute when it sets none), or the
    /// connection is closed for its output limit. Never call it on a socket event-loop thread.
    /// </summary>
    public void SendWhileStreaming(ReadOnlyMemory<byte> data, OutputLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        TimeSpan patience = TimeSpan.FromSeconds(limit.SoftSeconds > 0 ? limit.SoftSeconds : 60);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Killed);
        deadline.CancelAfter(patience);
        // Blocking is the point here: the statement's thread is the one that must wait (the loop never runs this).
        if (!_sendLock.TryEnter())
        {
            _sendLock.EnterAsync(Killed).AsTask().GetAwaiter().GetResult();
        }

        try
        {
            _io.SendAsync(data, deadline.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!Killed.IsCancellationRequested)
        {
            throw new OutputLimitExceededException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{data.Length} bytes of rows unread for {patience.TotalSeconds:0} s; {limit.Describe("pg")}"));
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> SendAboveSoftLimitAsync(ReadOnlyMemory<byte> data, OutputLimit limit, CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(TimeSpan.FromSeconds(limit.SoftSeconds) + TimeSpan.FromMilliseconds(1));
        try
        {
            while (data.Length >= limit.SoftBytes)
            {
                ReadOnlyMemory<byte> chunk = data[..Math.Min(data.Length, SoftLimitChunk)];
                await _io.SendAsync(chunk, deadline.Token).ConfigureAwait(false);
                data = data[chunk.Length..];
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new OutputLimitExceededException(
                $"{data.Length} bytes of replies unread for {limit.SoftSeconds} s, soft limit {limit.SoftBytes} bytes");
        }

        return data;
    }

    /// <summary>Closes the connection for passing an output limit, with one warning line that names the client.</summary>
    public void CloseForOutputLimit(string detail)
    {
        if (Interlocked.Exchange(ref _limitHit, 1) == 0)
        {
            _logger.LogWarning("Client id={Id} addr={Remote} name={Name} closed for overcoming of output buffer limits ({Detail})",
                Client?.Id ?? 0, Client?.Remote ?? "?", Client?.Name ?? "", detail);
        }

        Kill();
    }

    /// <summary>Closes the connection: its loop ends and its socket closes (the registry entry's kill).</summary>
    public void Kill() => Client?.Kill();

    /// <summary>
    /// A statement starts: the token it observes. <paramref name="timeout"/> above zero cancels it after that long
    /// (<c>query_timeout</c>; <see cref="StatementTimedOut"/> then reads true).
    /// </summary>
    public CancellationToken BeginStatement(TimeSpan timeout = default)
    {
        lock (_cancelGate)
        {
            if (_statement is null || !_statement.TryReset())
            {
                // a cancel that came between statements spent the old source; the next statement starts clean
                _statement?.Dispose();
                _statement = CancellationTokenSource.CreateLinkedTokenSource(Killed);
            }

            _statementTimedOut = false;
            if (timeout > TimeSpan.Zero)
            {
                _statementTimedOut = true; // read only once the token fired; a cancel by request clears it
                _statement.CancelAfter(timeout);
            }

            _statementRunning = true;
            return _statement.Token;
        }
    }

    /// <summary>True when the statement's token fired because its timeout passed (not a cancel request or a kill).</summary>
    public bool StatementTimedOut
    {
        get
        {
            lock (_cancelGate)
            {
                return _statementTimedOut && !Killed.IsCancellationRequested;
            }
        }
    }

    public void EndStatement()
    {
        lock (_cancelGate)
        {
            _statementRunning = false;
        }
    }

    /// <summary>Cancels the running statement, if any (a cancel between statements is ignored, as in PostgreSQL).</summary>
    public void CancelStatement()
    {
        lock (_cancelGate)
        {
            try
            {
                if (_statementRunning && _statement is { IsCancellationRequested: false } statement)
                {
                    _statementTimedOut = false;
                    statement.Cancel();
                }
            }
            catch (ObjectDisposedException)
            {
                // the connection just closed
            }
        }
    }

    /// <summary>Releases the socket (and the TLS session) and the statement's source.</summary>
    public void Dispose()
    {
        lock (_cancelGate)
        {
            _statement?.Dispose();
            _statement = null;
        }

        _io.Dispose();
        Input.Dispose();
    }
}

/// <summary>Requests in progress across one server's connections (what graceful drain waits on).</summary>
public sealed class RequestCounter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit() => Interlocked.Decrement(ref _count);
}
