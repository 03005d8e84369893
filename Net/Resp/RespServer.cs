using System.Net;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Errors;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;
using ThunderDb.Net.Security;
using ThunderDb.Net.Resp.Scripting;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Resp;

/// <summary>
/// The Redis protocol server over one <see cref="IKvDatabase"/>: a handler on the transport's
/// <see cref="ProtocolServer{THandler}"/> (one <see cref="RespSession"/> per connection), the shared Redis state
/// (pub/sub, scripts, write stripes) and the active expiry sweep.
/// </summary>
public sealed class RespServer : IProtocolServer
{
    public const string ProtocolName = "resp";

    private readonly ILogger _logger;
    private bool _stopCalled;
    private readonly CancellationTokenSource _stop = new();
    private readonly ProtocolServer<RespConnectionHandler> _transport;
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
        _transport = new ProtocolServer<RespConnectionHandler>(ProtocolName, new RespConnectionHandler(this), Registry,
            () => Options.MaxConnections, options.Tls, logger);
    }

    public IKvDatabase Database { get; }

    public RespServerOptions Options { get; }

    /// <summary>Redis's tuning parameters that do not apply to this engine, remembered for CONFIG GET.</summary>
    public RedisTuningConfig Tuning { get; }

    /// <summary>SLOWLOG's entries (slowlog-log-slower-than, slowlog-max-len).</summary>
    public RedisSlowLog SlowLog { get; } = new();

    public ConnectionRegistry Registry { get; }

    /// <summary>Checks AUTH passwords off the event loop, remembers them and throttles failures (shared by every session).</summary>
    internal SecretVerifier Passwords { get; }

    public IPEndPoint? LocalEndPoint => _transport.LocalEndPoint;

    internal KeyspaceSignals Signals { get; } = new();

    internal PubSubBroker PubSub { get; } = new();

    /// <summary>EVAL scripts and function libraries, and the script running now (<c>Net/Resp/Scripting</c>).</summary>
    internal ScriptRegistry Scripts { get; } = new();

    /// <summary>Received batches of commands whose replies are not sent yet (graceful drain waits for zero).</summary>
    internal int InFlightBatches => _transport.InFlight;

    internal ScanCursorTable ScanCursors { get; } = new();

    /// <summary>
    /// Write commands on the same key (by first key, hashed to one of this many stripes) run one after another instead
    /// of racing into snapshot conflicts and retries: a hot counter under 50 clients would otherwise mostly retry. A
    /// stripe is a name in the engine's lock manager (<see cref="WriteStripeName"/>), held by the writing transaction
    /// and released when its commit is applied, before its fsync, so with sync_commit the writers of one hot key still
    /// share group commits.
    /// </summary>
    internal const int WriteStripeCount = 16384;

    /// <summary>The lock-manager name of the write stripe of <paramref name="key"/> in <paramref name="db"/> (4 bytes).</summary>
    internal static ReadOnlySpan<byte> WriteStripeName(Span<byte> into, int db, ReadOnlySpan<byte> key)
    {
        int stripe = (int)(KeyspaceSignals.Bucket(db, key) % WriteStripeCount);
        into[0] = KeyspaceTag.Lock;
        into[1] = (byte)'w';
        into[2] = (byte)(stripe >> 8);
        into[3] = (byte)stripe;
        return into[..4];
    }

    internal DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    internal long TotalCommands;
    internal long TotalConnections;
    internal long RejectedConnections;
    internal long ExpiredKeys;

    internal ILogger Logger => _logger;

    public void Start(IPEndPoint endPoint)
    {
        _transport.Start(endPoint);
        if (Options.ExpirySweepInterval > TimeSpan.Zero)
        {
            _sweeper = SweepLoopAsync();
        }

        _timeouts = RespClientTimeouts.RunAsync(this, _stop.Token);

        _logger.LogInformation("RESP server listening on {EndPoint}{Tls}", _transport.LocalEndPoint, Options.Tls is null ? "" : " (TLS)");
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
    public Task StopAcceptingAsync() => _transport.StopAcceptingAsync();

    /// <summary>
    /// Waits until no connection of this server is in the middle of a command, or until
    /// <paramref name="grace"/> has passed (graceful shutdown, step 2).
    /// </summary>
    public Task WaitForInFlightAsync(TimeSpan grace, CancellationToken cancellationToken) =>
        _transport.WaitForInFlightAsync(grace, cancellationToken);

    public Task StopAsync() => StopAsync(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Stops the server: closes every connection and waits up to <paramref name="sessionTimeout"/> for their loops
    /// to end. False when some connection is still inside a command (one that does not observe the kill).
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan sessionTimeout)
    {
        Volatile.Write(ref _stopCalled, true);
        await _stop.CancelAsync().ConfigureAwait(false);
        int stuck = await _transport.StopAsync(sessionTimeout).ConfigureAwait(false);
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

/// <summary>RESP plugged into the transport: one <see cref="RespSession"/> per connection; over the limit, Redis's refusal.</summary>
internal readonly struct RespConnectionHandler(RespServer server) : IConnectionHandler
{
    private static readonly byte[] MaxClientsReply = "-ERR max number of clients reached\r\n"u8.ToArray();

    public bool RunsOverLimit => false;

    public ReadOnlyMemory<byte> OverLimitReply => MaxClientsReply;

    public void Accepted(bool refused)
    {
        Interlocked.Increment(ref server.TotalConnections);
        if (refused)
        {
            Interlocked.Increment(ref server.RejectedConnections);
        }
    }

    public Task RunAsync(Connection connection) => new RespSession(server, connection).RunAsync();
}
