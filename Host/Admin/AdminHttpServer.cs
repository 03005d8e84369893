using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Host.Lifecycle;
using ThunderDb.Net.Transport;

namespace ThunderDb.Host.Admin;

/// <summary>
/// The admin HTTP surface on Kestrel (slim builder, no reflection): probes, health, Prometheus
/// metrics and the token-protected <c>/admin/*</c> API (deny by default: only endpoints marked public skip the token). Bound to <c>listen_addr:http_port</c>.
/// </summary>
public sealed class AdminHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminHttpServer(WebApplication app) => _app = app;

    public IPEndPoint EndPoint { get; private init; } = new(IPAddress.Loopback, 0);

    public static AdminHttpServer Create(IPEndPoint endPoint, ServerState state, HealthReporter health, AdminTokenVerifier verifier, ILoggerProvider logging,
        X509Certificate2? tlsCertificate = null, BackupService? backups = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "thunderdb" });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logging);
        // The generic host logs a failed start with a stack trace; ServerLifecycle reports it in one line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // Signals belong to the host's shutdown sequence, not to the generic host's console lifetime.
        builder.Services.AddSingleton<IHostLifetime, ExternallyControlledLifetime>();
        // Kestrel's default listen socket has no SO_REUSEADDR: a restart failed with "address in use" while the previous
        // process's closed connections sat in TIME_WAIT on the port.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ListenSocket.Bind);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endPoint, listen =>
            {
                if (tlsCertificate is not null)
                {
                    listen.Use(OptionalTlsConnection.Create(tlsCertificate, logging.CreateLogger("Admin")));
                }
            });
        });

        var app = builder.Build();
        var log = logging.CreateLogger("Admin");

        // Authorization belongs to the endpoint routing chose, not to the spelling of the path: routing ignores
        // case and decodes %XX, so a prefix test on the raw path let "/ADMIN/connections" through. Every endpoint
        // needs the token unless it carries PublicEndpoint (probes, /metrics, the 404 fallback).
        app.UseRouting();
        app.Use(async (ctx, next) =>
        {
            if (ctx.GetEndpoint()?.Metadata.GetMetadata<PublicEndpoint>() is null)
            {
                var result = await verifier.CheckAsync(ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, ctx.Connection.RemoteIpAddress, ctx.RequestAborted).ConfigureAwait(false);
                if (result != AdminAuthResult.Allowed)
                {
                    if (result == AdminAuthResult.Invalid)
                    {
                        log.LogWarning("Admin API: bearer token rejected from {Remote} for {Method} {Path}", ctx.Connection.RemoteIpAddress, ctx.Request.Method, ctx.Request.Path);
                    }

                    ctx.Response.Headers.WWWAuthenticate = "Bearer";
                    var detail = result switch
                    {
                        AdminAuthResult.Missing => "this endpoint needs 'Authorization: Bearer <admin-token>'",
                        AdminAuthResult.NotConfigured => "no admin token is configured: set security.admin_token_hash (or THUNDERDB_ADMIN_TOKEN_HASH) to the output of 'thunderdb --hash-password <token>'",
                        _ => "the bearer token is not valid",
                    };
                    await WriteAsync(ctx, StatusCodes.Status401Unauthorized, new ErrorResponse("unauthorized", detail), AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
                    return;
                }
            }

            await next(ctx).ConfigureAwait(false);
        });

        app.MapGet("/admin/live", ctx => WriteAsync(ctx, 200, new StatusResponse("alive"), AdminJsonContext.Default.StatusResponse)).WithMetadata(PublicEndpoint.Instance);
        app.MapGet("/admin/ready", ctx => state.Phase switch
        {
            ServerPhase.Ready => WriteAsync(ctx, 200, new StatusResponse("ready", state.Engine is null ? "startup finished; no database engine is plugged into this build yet" : $"database engine {state.Engine.Name} is open"), AdminJsonContext.Default.StatusResponse),
            ServerPhase.Starting => WriteAsync(ctx, 503, new StatusResponse("starting"), AdminJsonContext.Default.StatusResponse),
            _ => WriteAsync(ctx, 503, new StatusResponse("stopping"), AdminJsonContext.Default.StatusResponse),
        }).WithMetadata(PublicEndpoint.Instance);
        app.MapGet("/admin/health", async ctx =>
        {
            var report = await health.CheckAsync(ctx.RequestAborted).ConfigureAwait(false);
            await WriteAsync(ctx, report.Status == "unhealthy" ? 503 : 200, report, AdminJsonContext.Default.HealthResponse).ConfigureAwait(false);
        }).WithMetadata(PublicEndpoint.Instance);
        app.MapGet("/metrics", async ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await ThunderMetrics.Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        }).WithMetadata(PublicEndpoint.Instance);
        app.MapGet("/admin/metrics", ctx => WriteAsync(ctx, 200, ReadMetrics(), AdminJsonContext.Default.AdminMetricsResponse));

        BackupEndpoints.Map(app, backups);
        ConnectionEndpoints.Map(app, ConnectionRegistry.Shared);

        app.MapGet("/admin/queries", ctx => WriteAsync(ctx, 200, ConnectionEndpoints.Queries(ConnectionRegistry.Shared), AdminJsonContext.Default.QueryListResponse));
        VacuumEndpoint.Map(app, state);

        app.MapFallback(ctx => WriteAsync(ctx, 404, new ErrorResponse("not_found", $"no endpoint {ctx.Request.Method} {ctx.Request.Path}"), AdminJsonContext.Default.ErrorResponse))
            .WithMetadata(PublicEndpoint.Instance);

        return new AdminHttpServer(app) { EndPoint = endPoint };
    }

    /// <summary>Binds the port and starts serving. A port in use surfaces as an <see cref="IOException"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static void MapNotSupported(WebApplication app, string method, string pattern, string what) =>
        app.MapMethods(pattern, [method], ctx => WriteAsync(
            ctx,
            StatusCodes.Status501NotImplemented,
            new ErrorResponse("not_supported", $"{what} ({method} {pattern}) is not supported yet in this build"),
            AdminJsonContext.Default.ErrorResponse));

    internal static AdminMetricsResponse ReadMetrics()
    {
        ThunderMetrics.Refresh(); // the transaction metrics are counted outside prometheus-net until a collect
        var count = ThunderMetrics.QueryDurationSeconds.Count;
        return new AdminMetricsResponse(
            ThunderMetrics.QueriesTotal.Value,
            ThunderMetrics.QueriesFailedTotal.Value,
            ThunderMetrics.ActiveConnections.Value,
            ThunderMetrics.ActiveTransactions.Value,
            ThunderMetrics.BufferPoolHitRatio.Value,
            count == 0 ? null : ThunderMetrics.QueryDurationSeconds.Sum / count * 1000.0);
    }

    internal static Task WriteAsync<T>(HttpContext ctx, int status, T body, JsonTypeInfo<T> type)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(body, type, contentType: "application/json", ctx.RequestAborted);
    }

    /// <summary>Start/stop are driven by <see cref="ServerLifecycle"/>; no console or signal handling here.</summary>
    private sealed class ExternallyControlledLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Endpoint metadata: this endpoint answers without the admin bearer token (runbook: probes and metrics).</summary>
    private sealed class PublicEndpoint
    {
        public static readonly PublicEndpoint Instance = new();
    }
}
