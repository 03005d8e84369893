using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Resp;
using ThunderDb.Net.Transport;
using ThunderDb.Net.Transport.Tls;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// The one place where the storage engine and the protocol listeners are chosen. The host holds no
/// database logic: it asks this factory for the components and drives their lifecycle.
/// </summary>
public static class ServerComposition
{
    /// <summary>A client that has not finished its TLS handshake by then is closed (PostgreSQL's authentication_timeout is of this order).</summary>
    public static readonly TimeSpan TlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    public static ServerComponents Create(ServerSettings settings, LiveSettings live, ILoggerFactory loggerFactory, X509Certificate2? tlsCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        var storage = settings.ToStorageOptions();
        var engine = new KvStorageEngine(storage, loggerFactory);
        var slowQueries = new SlowQueryLog(loggerFactory.CreateLogger("SlowQuery"));
        slowQueries.Configure(settings.Logging.SlowQueryEnabled, settings.Logging.SlowQueryThreshold);
        live.Replaced += next =>
        {
            slowQueries.Configure(next.Logging.SlowQueryEnabled, next.Logging.SlowQueryThreshold);
            if (engine.IsOpen)
            {
                engine.Sql.MaxResultRows = next.MaxResultRows;
            }
        };
        TlsAcceptor? tls = tlsCertificate is null ? null : new TlsAcceptor(tlsCertificate, TlsHandshakeTimeout);
        var pgOptions = new PgServerOptions
        {
            AuthEnabled = settings.Security.AuthenticationEnabled,
            SuperuserName = settings.Security.Superuser,
            SuperuserPasswordHash = settings.Security.SuperuserPasswordHash,
            AuthMethod = settings.Security.PgAuthMethod,
            MaxConnections = settings.MaxConnectionsPerProtocol,
            Tls = tls,
            QueryTimeout = () => live.QueryTimeout,
            SlowQueries = slowQueries,
        };
        var respOptions = new RespServerOptions
        {
            AuthEnabled = settings.Security.AuthenticationEnabled,
            SuperuserName = settings.Security.Superuser,
            SuperuserPasswordHash = settings.Security.SuperuserPasswordHash,
            MaxConnections = settings.MaxConnectionsPerProtocol,
            AuthenticationTimeout = settings.Security.AuthenticationTimeout,
            IdleTimeout = settings.IdleTimeout,
            SyncCommit = settings.Storage.SyncCommit,
            Tls = tls,
            MaxValueBytes = RespServerOptions.MaxValueBytesFor(WalOptions.From(storage).BufferSize, storage.PageSize),
            QueryTimeout = () => live.QueryTimeout,
            SlowQueries = slowQueries,
        };
        var pg = new ProtocolListener(PgServer.ProtocolName, new IPEndPoint(settings.ListenAddress, settings.PgPort),
            () =>
            {
                engine.Sql.MaxResultRows = live.Current.MaxResultRows;
                return new PgServer(engine.Sql, pgOptions, loggerFactory.CreateLogger("Postgres"), ConnectionRegistry.Shared);
            });
        var resp = new ProtocolListener(RespServer.ProtocolName, new IPEndPoint(settings.ListenAddress, settings.RespPort),
            () => new RespServer(engine.Database, respOptions, loggerFactory.CreateLogger("Resp"), ConnectionRegistry.Shared));

        // MySQL (mysql_port) and the cluster transport (grpc_port) are not built yet; their ports stay
        // unbound and the host says so at startup.
        return new ServerComponents(Engine: engine, Listeners: [pg, resp]);
    }
}
