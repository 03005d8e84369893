using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Security;
using ThunderDb.Net.Resp.Scripting;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>The Redis protocol server: accept loop, sessions, and the active expiry sweep over one <see cref="IKvDatabase"/>.</summary>
public sealed class RespServer : IProtocolServer
{
    public const string ProtocolName = "resp";

    private readonly ILogger _logger;
    private bool _stopCalled;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConnectionTasks _connections = new();
    private SocketListener? _listener;
    private Task? _sweeper;
    private Task? _timeouts;

    public RespServer(IKvDatabase database, RespServerOptions options, ILogger logger, ConnectionRegistry? registry = null)
    {
        Database = database;
        Options = options;
        Tuning = new RedisTuningConfig(options.SyncCommit);
        _logger = logger;
        Registry = registry ?? ConnectionRegistry.Shared;
        Passwords = new SecretVerifier(options.SuperuserPasswordHash);
    }

    public IKvDatabase Database { get; }

    public RespServerOptions Options { get; }

    /// <summary>Redis's tuning parameters that do not apply to this engine, remembered for CONFIG GET.</summary>
    public RedisTuningConfig Tuning { get; }

    public ConnectionRegistry Registry { get; }

    /// <summary>Checks AUTH passwords off the event loop, remembers them and throttles failures (shared by every session).</summary>
    internal SecretVerifier Passwords { get; }

    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    internal KeyspaceSignals Signals { get; } = new();

    internal PubSubBroker PubSub { get; } = new();

    /// <summary>EVAL scripts and function libraries, and the script running now (<c>Net/Resp/Scripting</c>).</summary>
    internal ScriptRegistry Scripts { get; } = new();

    /// <summary>Received batches of commands whose replies are not sent yet (graceful drain waits for zero).</summary>
#pragma warning disable CA1051 // a field so sessions can Interlocked it
    internal int InFlightBatches;
#pragma warning restore CA1051

    internal ScanCursorTable ScanCursors { get; } = new();

    /// <summary>
    /// Write commands on the same key (by first key, hashed to a stripe) run one after another instead of racing
    /// into snapshot conflicts and retries: a hot counter under 50 clients would otherwise mostly retry.
    /// </summary>
    internal AsyncLock[] WriteStripes { get; } = CreateStripes(16384);

    private static AsyncLock[] CreateStripes(int count)
    {
        var stripes = new AsyncLock[count];
        for (int i = 0; i < count; i++)
        {
            stripes[i] = new AsyncLock();
        }

        return stripes;
    }

    internal DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    internal long TotalCommands;
    internal long TotalConnections;
    internal long RejectedConnections;
    internal long ExpiredKeys;

    internal ILogger Logger => _logger;

    public void Start(IPEndPoint endPoint)
    {
        _listener = new SocketListener(endPoint, OnAcceptedAsync, _logger);
        _listener.Start();
        if (Options.ExpirySweepInterval > TimeSpan.Zero)
        {
            _sweeper = SweepLoopAsync();
        }

        _timeouts = RespClientTimeouts.RunAsync(this, _stop.Token);

        _logger.LogInformation("RESP server listening on {EndPoint}{Tls}", _listener.LocalEndPoint, Options.Tls is null ? "" : " (TLS)");
    }

    private async Task OnAcceptedAsync(Socket socket)
    {
        Interlocked.Increment(ref TotalConnections);
        if (!Registry.TryRegister(ProtocolName, socket.RemoteEndPoint, socket.LocalEndPoint, Options.MaxConnections, out ClientConnection? connection))
        {
            Interlocked.Increment(ref RejectedConnections);
            try
            {
                // On a TLS port there is no channel to say it on before the handshake: just close.
                if (Options.Tls is null)
                {
                    await socket.SendAsync("-ERR max number of clients reached\r\n"u8.ToArray(), SocketFlags.None).ConfigureAwait(false);
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

            return;
        }

        ConnectionIo? io = Options.Tls is { } tls
            ? await tls.AcceptAsync(socket, ProtocolName, _logger, connection!.Killed).ConfigureAwait(false)
            : new ConnectionIo(socket);
        if (io is null)
        {
            Registry.Unregister(connection!);
            return;
        }

        var session = new RespSession(this, new Connection(io, connection, _logger));
        await _connections.RunAsync(session.RunAsync()).ConfigureAwait(false);
    }

    /// <summary>Active expiry: deletes keys whose deadline passed, in small transactions, so memory and disk are reclaimed without reads.</summary>
    private async Task SweepLoopAsync()
    {
        var keyspace = new RedisKeyspace();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.ExpirySweepInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                using IKvTransaction txn = Database.Begin();
                keyspace.Attach(txn, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                int n = keyspace.SweepExpired(Options.ExpirySweepBatch);
                if (keyspace.HasWrites)
                {
                    await txn.CommitAsync(_stop.Token).ConfigureAwait(false);
                    Interlocked.Add(ref ExpiredKeys, n);
                }

                keyspace.Detach();
            }
            catch (TransactionConflictException)
            {
                // a client touched the same keys; the next round retries
            }
            catch (StorageReadOnlyException)
            {
                // reads still work; expired keys stay hidden by lazy expiry
            }
            catch (OperationCanceledException)
            {
                break;
            }
#pragma warning disable CA1031 // the sweeper must survive any single failure and keep the server up
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogError(ex, "expiry sweep failed");
            }
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

    /// <summary>
    /// Waits until no connection of this server is in the middle of a command, or until
    /// <paramref name="grace"/> has passed (graceful shutdown, step 2).
    /// </summary>
    public Task WaitForInFlightAsync(TimeSpan grace, CancellationToken cancellationToken) =>
        ConnectionTasks.WaitForInFlightAsync(() => Volatile.Read(ref InFlightBatches), grace, cancellationToken);

    public Task StopAsync() => StopAsync(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Stops the server: closes every connection and waits up to <paramref name="sessionTimeout"/> for their loops
    /// to end. False when some connection is still inside a command (one that does not observe the kill).
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan sessionTimeout)
    {
        Volatile.Write(ref _stopCalled, true);
        await _stop.CancelAsync().ConfigureAwait(false);
        await StopAcceptingAsync().ConfigureAwait(false);

        int stuck = await _connections.CloseAllAsync(Registry, ProtocolName, sessionTimeout).ConfigureAwait(false);
        if (stuck > 0)
        {
            _logger.LogError("{Count} RESP connection(s) still inside a command {Seconds} s after being closed", stuck, sessionTimeout.TotalSeconds);
            return false;
        }

        try
        {
            if (_sweeper is not null)
            {
                await _sweeper.WaitAsync(sessionTimeout).ConfigureAwait(false);
            }

            if (_timeouts is not null)
            {
                await _timeouts.WaitAsync(sessionTimeout).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            _logger.LogError("RESP background loops still running {Seconds} s after the stop", sessionTimeout.TotalSeconds);
            return false;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Volatile.Read(ref _stopCalled))
        {
            await StopAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
