using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Security;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// The PostgreSQL protocol (v3) server over one <see cref="SqlEngine"/>: a handler on the transport's
/// <see cref="ProtocolServer{THandler}"/> (one <see cref="PgConnection"/> per connection) and the backends a
/// CancelRequest can reach.
/// </summary>
public sealed class PgServer : IProtocolServer
{
    public const string ProtocolName = "pg";

    private readonly CancellationTokenSource _stop = new();
    private readonly ProtocolServer<PgConnectionHandler> _transport;
    private readonly ConcurrentDictionary<int, PgConnection> _backends = new();
    private bool _stopCalled;

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
        // TLS is not at accept: the client asks for it with SSLRequest (PgStartup.cs)
        _transport = new ProtocolServer<PgConnectionHandler>(ProtocolName, new PgConnectionHandler(this), Registry,
            () => Options.MaxConnections, tls: null, logger);
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

    public IPEndPoint? LocalEndPoint => _transport.LocalEndPoint;

    public void Start(IPEndPoint endPoint)
    {
        _transport.Start(endPoint);
        Logger.LogInformation("PostgreSQL server listening on {EndPoint}{Tls}", _transport.LocalEndPoint, Options.Tls is null ? "" : " (TLS required)");
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

    public Task StopAcceptingAsync() => _transport.StopAcceptingAsync();

    /// <summary>Waits until no connection is inside a statement, or until <paramref name="grace"/> has passed.</summary>
    public Task WaitForInFlightAsync(TimeSpan grace, CancellationToken cancellationToken) =>
        _transport.WaitForInFlightAsync(grace, cancellationToken);

    /// <summary>Closes every connection and waits up to <paramref name="sessionTimeout"/>; false when one is still inside a statement.</summary>
    public async Task<bool> StopAsync(TimeSpan sessionTimeout)
    {
        Volatile.Write(ref _stopCalled, true);
        await _stop.CancelAsync().ConfigureAwait(false);
        int stuck = await _transport.StopAsync(sessionTimeout).ConfigureAwait(false);
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

/// <summary>PostgreSQL plugged into the transport: one <see cref="PgConnection"/> per connection, run even past the
/// limit so the client hears FATAL 53300 after its startup packet.</summary>
internal readonly struct PgConnectionHandler(PgServer server) : IConnectionHandler
{
    public bool RunsOverLimit => true;

    public ReadOnlyMemory<byte> OverLimitReply => ReadOnlyMemory<byte>.Empty;

    public void Accepted(bool refused)
    {
    }

    public Task RunAsync(Connection connection) => new PgConnection(server, connection).RunAsync();
}
