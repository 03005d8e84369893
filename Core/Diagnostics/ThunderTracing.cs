using System.Diagnostics;

namespace ThunderDb.Core.Diagnostics;

/// <summary>
/// The server's one trace source: a span per SQL statement and per Redis command. Nothing listens
/// unless the binary was built with OpenTelemetry export (<c>-p:Otel=true</c>) and
/// <c>logging.otel_endpoint</c> is set, and then <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null after one check, so the hot paths pay a branch, not an allocation.
/// </summary>
public static class ThunderTracing
{
    public const string SourceName = "ThunderDb";

    public static readonly ActivitySource Source = new(SourceName, "0.1.0");

    /// <summary>A span for one Redis command (the OpenTelemetry database conventions: db.system = redis).</summary>
    public static Activity? StartRedisCommand(string command)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(command, ActivityKind.Server);
        activity?.SetTag("db.system", "redis");
        activity?.SetTag("db.operation", command);
        return activity;
    }

    /// <summary>A span for one SQL statement: named by its verb, the text as db.statement.</summary>
    public static Activity? StartSqlStatement(string system, string verb, string? text, string? database)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(verb, ActivityKind.Server);
        if (activity is not null)
        {
            activity.SetTag("db.system", system);
            activity.SetTag("db.operation", verb);
            activity.SetTag("db.name", database);
            activity.SetTag("db.statement", text);
        }

        return activity;
    }

    /// <summary>Marks a span failed with the error the client got.</summary>
    public static void Fail(Activity? activity, string code, string message)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, message);
        activity.SetTag("db.response.status_code", code);
    }
}
