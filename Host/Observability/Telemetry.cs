#if OTEL
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ThunderDb.Core.Diagnostics;
#endif
using ThunderDb.Host.Configuration;
using ILogger = Serilog.ILogger;

namespace ThunderDb.Host.Observability;

/// <summary>
/// OpenTelemetry export (runbook: OpenTelemetry Integration). Compiled in only by
/// <c>dotnet publish -p:Otel=true</c>: then, with <c>logging.otel_endpoint</c> set, the spans of
/// <see cref="ThunderDb.Core.Diagnostics.ThunderTracing"/> (one per SQL statement and Redis command) and the
/// runbook's metrics go to an OTLP collector, over gRPC (the usual port 4317) or HTTP/protobuf (port 4318,
/// or <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>). The default binary carries none of it.
/// </summary>
public static class Telemetry
{
#if OTEL
    public const bool Built = true;
#else
    public const bool Built = false;
#endif

    /// <summary>Starts export when configured; the result stops it (flushing what is buffered). Null: nothing to export.</summary>
    public static IDisposable? Start(LoggingSettings settings, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
#if OTEL
        if (settings.OtelEndpoint is null)
        {
            return null;
        }

        var endpoint = new Uri(settings.OtelEndpoint.TrimEnd('/'));
        var protocol = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL") switch
        {
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            _ => endpoint.Port == 4318 ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
        };

        // With HTTP the exporter posts to the endpoint as given, so the signal's path is added here.
        Uri For(string signal) => protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, $"{endpoint.AbsolutePath.TrimEnd('/')}/v1/{signal}") : endpoint;

        var version = typeof(Telemetry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var resource = ResourceBuilder.CreateDefault().AddService(settings.OtelServiceName, serviceVersion: version);
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(ThunderTracing.SourceName)
            .AddOtlpExporter(o => { o.Endpoint = For("traces"); o.Protocol = protocol; })
            .Build();
        var meter = new Meter(ThunderTracing.SourceName, version);
        RuntimeMetricsBridge.Register(meter);
        var meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(ThunderTracing.SourceName)
            .AddOtlpExporter(o => { o.Endpoint = For("metrics"); o.Protocol = protocol; })
            .Build();
        log.Information("OpenTelemetry: exporting traces and metrics to {Endpoint} over {Protocol} as service {Service}",
            endpoint, protocol == OtlpExportProtocol.Grpc ? "gRPC" : "HTTP/protobuf", settings.OtelServiceName);
        return new Export(tracer, meters, meter);
#else
        return null;
#endif
    }

#if OTEL
    private sealed class Export(TracerProvider? tracer, MeterProvider? meters, Meter meter) : IDisposable
    {
        public void Dispose()
        {
            tracer?.ForceFlush(2000);
            meters?.ForceFlush(2000);
            tracer?.Dispose();
            meters?.Dispose();
            meter.Dispose();
        }
    }
#endif
}
