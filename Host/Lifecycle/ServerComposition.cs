using System.Net;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Net.Resp;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// The one place where the storage engine and the protocol listeners are chosen. The host holds no
/// database logic: it asks this factory for the components and drives their lifecycle.
/// </summary>
public static class ServerComposition
{
    public static ServerComponents Create(ServerSettings settings, LiveSettings live, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        var storage = settings.ToStorageOptions();
        var engine = new KvStorageEngine(storage, loggerFactory);
        var resp = new RespListener(
            new IPEndPoint(settings.ListenAddress, settings.RespPort),
            engine,
            new RespServerOptions
            {
                AuthEnabled = settings.Security.AuthenticationEnabled,
                SuperuserName = settings.Security.Superuser,
                SuperuserPasswordHash = settings.Security.SuperuserPasswordHash,
                MaxConnections = settings.MaxConnectionsPerProtocol,
                AuthenticationTimeout = settings.Security.AuthenticationTimeout,
                IdleTimeout = settings.IdleTimeout,
                SyncCommit = settings.Storage.SyncCommit,
                MaxValueBytes = RespServerOptions.MaxValueBytesFor(WalOptions.From(storage).BufferSize, storage.PageSize),
            },
            loggerFactory);

        // PostgreSQL (pg_port), MySQL (mysql_port) and the cluster transport (grpc_port) are not built
        // yet; their ports stay unbound and the host says so at startup.
        return new ServerComponents(Engine: engine, Listeners: [resp]);
    }
}
