using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Logging;

/// <summary>
/// Serilog configured in code (no reflection-driven settings, so it works under native AOT):
/// console and optional daily-rotated file, text or JSON (one object per line), with a level switch
/// that SIGHUP can change. <see cref="LoggerFactory"/> bridges Microsoft.Extensions.Logging
/// (what Core, Net and Kestrel log through) into the same pipeline.
/// </summary>
public sealed class ServerLogging : IDisposable
{
    private readonly Logger _logger;

    private ServerLogging(Logger logger, LoggingLevelSwitch levelSwitch)
    {
        _logger = logger;
        LevelSwitch = levelSwitch;
        LoggerFactory = new SerilogLoggerFactory(logger, dispose: false);
    }

    public LoggingLevelSwitch LevelSwitch { get; }

    public Serilog.ILogger Logger => _logger;

    public ILoggerFactory LoggerFactory { get; }

    public static ServerLogging Create(LoggingSettings settings)
    {
        var levelSwitch = new LoggingLevelSwitch(settings.Level);
        ITextFormatter formatter = settings.Format == LogFormat.Json ? new RenderedCompactJsonFormatter() : new TextLogFormatter();
        var config = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(levelSwitch)
            // ASP.NET Core's own informational chatter (request logs, "Now listening on") is not ours to print;
            // the host logs the endpoints it really bound.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .WriteTo.Console(formatter);
        if (settings.File is { } file)
        {
            config = config.WriteTo.File(formatter, file, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 31, shared: false);
        }

        return new ServerLogging(config.CreateLogger(), levelSwitch);
    }

    public Serilog.ILogger For(string sourceContext) => _logger.ForContext(Constants.SourceContextPropertyName, sourceContext);

    public void Dispose()
    {
        LoggerFactory.Dispose();
        _logger.Dispose();
    }
}
