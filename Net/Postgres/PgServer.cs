using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Security;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Postgres;

/// <summary>The PostgreSQL protocol (v3) server: accept loop and connections over one <see cref="SqlEngine"/>.</summary>
public sealed class PgServer : IProtocolServer
{
    public const string ProtocolName = "pg";

    private readonly CancellationTokenSource _stop = new();
    private readonly ConnectionTasks _connections = new();
    private readonly ConcurrentDictionary<int, PgConnection> _backends = new();
    private SocketListener? _listener;
    private bool _stopCalled;

#pragma warning disable CA1051 // a field so connections can Interlocked it
    internal int InFlight;
#pragma warning restore CA1051

    public PgServer(SqlEngine engine, PgServerOptions options, ILogger logger, ConnectionRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Engine = engine;
        Options = options;
        Logger = logger;
        Registry = registry ?? ConnectionRegistry.Shared;
        Passwords = new SecretVerifier(options.SuperuserPasswordHash);
        engine.SuperuserName = options.SuperuserName;
        engine.PasswordEncryption = options.AuthMethod == PgAuthMethod.Md5 ? PasswordEncryption.Md5 : PasswordEncryption.ScramSha256;
        SuperuserHashFingerprint = options.SuperuserPasswordHash is { } hash
            ? Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hash)))
            : null;
    }

    public SqlEngine Engine { get; }

    public PgServerOptions Options { get; }

    public ConnectionRegistry Registry { get; }

    internal ILogger Logger { get; }

    internal SecretVerifier Passwords { get; }

    /// <summary>SHA-256 of the configured bcrypt hash: the superuser's derived secrets apply only while it matches.</summary>
    internal string? SuperuserHashFingerprint { get; }

    /// <summary>Per-process key for the mock SCRAM salts of unknown users.</summary>
    internal byte[] MockSecret { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    public void Start(IPEndPoint endPoint)
    {
        _listener = new SocketListener(endPoint, OnAcceptedAsync, Logger);
        _listener.Start();
        Logger.LogInformation("PostgreSQL server listening on {EndPoint}{Tls}", _listener.LocalEndPoint, Options.Tls is null ? "" : " (TLS required)");
    }

    private async Task OnAcceptedAsync(Socket socket)
    {
        // Over the limit the client still gets a PostgreSQL answer (FATAL 53300) after its startup packet.
        Registry.TryRegister(ProtocolName, socket.RemoteEndPoint, socket.LocalEndPoint, Options.MaxConnections, out ClientConnection? connection);
        var session = new PgConnection(this, new Connection(new ConnectionIo(socket), connection, Logger));
        await _connections.RunAsync(session.RunAsync()).ConfigureAwait(false);
    }

    internal void AddBackend(PgConnection connection) => _backends[connection.ProcessId] = connection;

    internal void RemoveBackend(PgConnection connection) => _backends.TryRemove(new KeyValuePair<int, PgConnection>(connection.ProcessId, connection));

    /// <summary>A CancelRequest: cancels the running statement of the backend when the secret matches (silently otherwise, as PostgreSQL).</summary>
    internal void Cancel(int processId, int secret)
    {
        if (_backends.TryGetValue(processId, out PgConnection? target) && target.SecretKey == secret)
        {
            target.CancelStatement();
        }
    }

    public async Task StopAcceptingAsync()
    {
        if (_listener is { } listener)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until no connection is inside a statement, or until <paramref name="grace"/> has passed.</summary>
    public Task WaitForInFlightAsync(TimeSpan grace, CancellationToken cancellationToken) =>
        ConnectionTasks.WaitForInFlightAsync(() => Volatile.Read(ref InFlight), grace, cancellationToken);

    /// <summary>Closes every connection and waits up to <paramref name="sessionTimeout"/>; false when one is still inside a statement.</summary>
    public async Task<bool> StopAsync(TimeSpan sessionTimeout)
    {
        Volatile.Write(ref _stopCalled, true);
        await _stop.CancelAsync().ConfigureAwait(false);
        await StopAcceptingAsync().ConfigureAwait(false);
        int stuck = await _connections.CloseAllAsync(Registry, ProtocolName, sessionTimeout).ConfigureAwait(false);
        if (stuck > 0)
        {
            Logger.LogError("{Count} PostgreSQL connection(s) still inside a statement {Seconds} s after being closed", stuck, sessionTimeout.TotalSeconds);
            return false;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Volatile.Read(ref _stopCalled))
        {
            await StopAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
