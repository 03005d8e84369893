using Serilog;
using ILogger = Serilog.ILogger;
using Serilog.Core;
using ThunderDb.Host.Cli;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// SIGHUP: re-reads the config (file, the same CLI flags and environment), applies the hot-reloadable
/// keys (<c>logging.level</c>, <c>query_timeout</c>, <c>max_result_rows</c>, <c>logging.slow_query_enabled</c>,
/// <c>logging.slow_query_threshold</c>) and logs every other changed key as
/// "requires restart". A file that fails to load leaves the running settings untouched.
/// </summary>
public sealed class ConfigReloader(
    CommandLineOptions cli,
    IReadOnlyDictionary<string, string> environment,
    LiveSettings live,
    LoggingLevelSwitch levelSwitch,
    ILogger log)
{
    private static readonly HashSet<string> HotKeys = new(StringComparer.Ordinal) 
    {
        "logging.level", "query_timeout", "max_result_rows", "logging.slow_query_enabled", "logging.slow_query_threshold",
    };
    private readonly Lock _gate = new();

    public void Reload()
    {
        lock (_gate)
        {
            var current = live.Current;
            ServerSettings fresh;
            try
            {
                fresh = ConfigLoader.Load(cli, environment);
            }
            catch (ConfigException e)
            {
                log.Error("Configuration reload failed, keeping the current settings: {Error}", e.Message);
                return;
            }

            var before = current.Describe();
            var after = fresh.Describe();
            var changed = 0;
            foreach (var (key, oldValue) in before)
            {
                var newValue = after[key];
                if (oldValue == newValue || HotKeys.Contains(key))
                {
                    continue;
                }

                changed++;
                log.Warning("Configuration reload: {Key} changed ({Old} -> {New}) but requires restart; not applied", key, oldValue, newValue);
            }

            var next = current with
            {
                QueryTimeout = fresh.QueryTimeout,
                MaxResultRows = fresh.MaxResultRows,
                Logging = current.Logging with
                {
                    Level = fresh.Logging.Level,
                    SlowQueryEnabled = fresh.Logging.SlowQueryEnabled,
                    SlowQueryThreshold = fresh.Logging.SlowQueryThreshold,
                },
            };

            foreach (string key in (ReadOnlySpan<string>)["query_timeout", "max_result_rows", "logging.slow_query_enabled", "logging.slow_query_threshold"])
            {
                if (before[key] != after[key])
                {
                    changed++;
                    log.Information("Configuration reload: {Key} changed {Old} -> {New}", key, before[key], after[key]);
                }
            }

            live.Replace(next);

            if (fresh.Logging.Level != current.Logging.Level)
            {
                changed++;
                // Log at whichever of the two levels is more verbose, so the line is visible under the old or the new level.
                levelSwitch.MinimumLevel = fresh.Logging.Level < current.Logging.Level ? fresh.Logging.Level : current.Logging.Level;
                log.Information("Configuration reload: logging.level changed {Old} -> {New}", before["logging.level"], after["logging.level"]);
                levelSwitch.MinimumLevel = fresh.Logging.Level;
            }

            if (changed == 0)
            {
                log.Information("Configuration reloaded from {Path}: no changes", current.ConfigPath ?? "(no config file)");
            }
        }
    }
}
