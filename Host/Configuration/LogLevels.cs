using Serilog.Events;

namespace ThunderDb.Host.Configuration;

/// <summary>The level names users write (<c>trace</c>..<c>error</c>) and Serilog's levels.</summary>
public static class LogLevels
{
    public const string Accepted = "trace, debug, info, warn, error";

    public static bool TryParse(string text, out LogEventLevel level)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "trace":
                level = LogEventLevel.Verbose;
                return true;
            case "debug":
                level = LogEventLevel.Debug;
                return true;
            case "info":
            case "information":
                level = LogEventLevel.Information;
                return true;
            case "warn":
            case "warning":
                level = LogEventLevel.Warning;
                return true;
            case "error":
                level = LogEventLevel.Error;
                return true;
            default:
                level = LogEventLevel.Information;
                return false;
        }
    }

    public static string Name(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "trace",
        LogEventLevel.Debug => "debug",
        LogEventLevel.Information => "info",
        LogEventLevel.Warning => "warn",
        _ => "error",
    };

    /// <summary>Upper-case tag used in text log lines, e.g. <c>INFO ThunderDB server stopped</c>.</summary>
    public static string Tag(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "TRACE",
        LogEventLevel.Debug => "DEBUG",
        LogEventLevel.Information => "INFO",
        LogEventLevel.Warning => "WARN",
        LogEventLevel.Error => "ERROR",
        _ => "FATAL",
    };
}
