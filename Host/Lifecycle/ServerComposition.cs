using Microsoft.Extensions.Logging;
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

        // The storage engine (settings.ToStorageOptions()) and the RESP/PostgreSQL/MySQL listeners
        // are not plugged in yet: no database engine runs and no protocol port is bound.
        return new ServerComponents(Engine: null, Listeners: []);
    }
}
