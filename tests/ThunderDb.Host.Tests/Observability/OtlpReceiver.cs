using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ThunderDb.Host.Tests.Observability;

/// <summary>
/// A minimal OTLP collector on loopback: gRPC (HTTP/2 without TLS, the exporter's default on 4317) and
/// HTTP/protobuf (<c>/v1/traces</c>, <c>/v1/metrics</c>), keeping each export request's protobuf body.
/// The tests look for the strings protobuf carries verbatim (service name, span names, attribute and
/// metric names), which is enough to tell that the server's spans and metrics arrived.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var grpcPort = EndToEnd.ServerProcess.FreePort();
        var httpPort = EndToEnd.ServerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, grpcPort, httpPort);
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", ctx => receiver.GrpcAsync(ctx, "traces"));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", ctx => receiver.GrpcAsync(ctx, "metrics"));
        app.MapPost("/v1/traces", ctx => receiver.HttpAsync(ctx, "traces"));
        app.MapPost("/v1/metrics", ctx => receiver.HttpAsync(ctx, "metrics"));
        await app.StartAsync().ConfigureAwait(false);
        return receiver;
    }

    /// <summary>Everything received for a signal ("traces" or "metrics"), as one string of the raw bodies.</summary>
    public string Received(string signal) =>
        string.Concat(_received.Where(r => r.Signal == signal).Select(r => Encoding.UTF8.GetString(r.Body)));

    public int Count(string signal) => _received.Count(r => r.Signal == signal);

    private async Task GrpcAsync(HttpContext ctx, string signal)
    {
        var body = await ReadAsync(ctx).ConfigureAwait(false);
        // a gRPC message: 1 byte compressed flag, 4 bytes big-endian length, the protobuf
        _received.Enqueue((signal, body.Length >= 5 ? body[5..] : body));
        ctx.Response.ContentType = "application/grpc";
        ctx.Response.AppendTrailer("grpc-status", "0");
        await ctx.Response.Body.WriteAsync(new byte[5]).ConfigureAwait(false); // an empty Export*ServiceResponse
    }

    private async Task HttpAsync(HttpContext ctx, string signal)
    {
        _received.Enqueue((signal, await ReadAsync(ctx).ConfigureAwait(false)));
        ctx.Response.ContentType = "application/x-protobuf";
        ctx.Response.StatusCode = 200;
    }

    private static async Task<byte[]> ReadAsync(HttpContext ctx)
    {
        using var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms).ConfigureAwait(false);
        return ms.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
