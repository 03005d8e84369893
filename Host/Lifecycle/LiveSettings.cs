using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// The current settings, swapped atomically on SIGHUP. Readers take <see cref="Current"/> once per
/// operation (e.g. <c>Current.QueryTimeout</c> when a query starts) and never see a half-applied reload.
/// </summary>
public sealed class LiveSettings(ServerSettings initial)
{
    private ServerSettings _current = initial;

    public ServerSettings Current => Volatile.Read(ref _current);

    public TimeSpan QueryTimeout => Current.QueryTimeout;

    /// <summary>Raised after a reload swapped the settings in, for components that hold a setting themselves.</summary>
    public event Action<ServerSettings>? Replaced;

    internal void Replace(ServerSettings next)
    {
        Volatile.Write(ref _current, next);
        Replaced?.Invoke(next);
    }
}
