using Microsoft.Extensions.Logging;

namespace ThunderDb.Net.Tests.Support;

/// <summary>A logger that keeps the exceptions logged at Error level (a server's internal failures), for tests to assert on.</summary>
internal sealed class ErrorLog : ILogger
{
    public List<Exception> Errors { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.Error && exception is not null)
        {
            lock (Errors)
            {
                Errors.Add(exception);
            }
        }
    }
}
