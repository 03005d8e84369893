using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ThunderDb.Net.Transport;

namespace ThunderDb.Host.Admin;

/// <summary>
/// <c>GET /admin/connections</c> and <c>DELETE /admin/connections/{id}</c> over the process-wide
/// <see cref="ConnectionRegistry"/> that every protocol server registers its clients in.
/// </summary>
internal static class ConnectionEndpoints
{
    public static void Map(WebApplication app, ConnectionRegistry registry)
    {
        app.MapGet("/admin/connections", ctx => AdminHttpServer.WriteAsync(ctx, 200, List(registry), AdminJsonContext.Default.ConnectionListResponse));

        app.MapDelete("/admin/connections/{id}", ctx =>
        {
            var text = ctx.Request.RouteValues["id"] as string;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return AdminHttpServer.WriteAsync(ctx, 400, new ErrorResponse("bad_request", $"connection id '{text}' is not a number"), AdminJsonContext.Default.ErrorResponse);
            }

            if (!registry.TryGet(id, out var connection) || connection is null || connection.IsKilled)
            {
                return AdminHttpServer.WriteAsync(ctx, 404, new ErrorResponse("not_found", $"no open connection with id {id}"), AdminJsonContext.Default.ErrorResponse);
            }

            // Cancels the connection's token: its protocol loop stops and closes the socket.
            connection.Kill();
            return AdminHttpServer.WriteAsync(ctx, 200, new ConnectionKilledResponse(id, "killed", connection.Protocol, connection.Remote), AdminJsonContext.Default.ConnectionKilledResponse);
        });
    }

    /// <summary>Connections in the middle of a command (a blocked BLPOP counts: it holds its connection).</summary>
    internal static QueryListResponse Queries(ConnectionRegistry registry)
    {
        var ticks = Environment.TickCount64;
        var list = new List<QueryResponse>();
        foreach (var c in registry.Snapshot())
        {
            var started = c.CommandStartedTicks;
            if (started == 0 || c.IsKilled)
            {
                continue;
            }

            list.Add(new QueryResponse(c.Id, c.Protocol, c.Remote, c.User, c.CurrentCommand, Math.Max(0, ticks - started)));
        }

        list.Sort((a, b) => b.RunningMs.CompareTo(a.RunningMs));
        return new QueryListResponse(list.Count, list);
    }

    internal static ConnectionListResponse List(ConnectionRegistry registry)
    {
        var now = DateTimeOffset.UtcNow;
        var ticks = Environment.TickCount64;
        var snapshot = registry.Snapshot();
        var list = new List<ConnectionResponse>(snapshot.Count);
        foreach (var c in snapshot)
        {
            if (c.IsKilled)
            {
                continue;
            }

            list.Add(new ConnectionResponse(
                c.Id,
                c.Protocol,
                c.Remote,
                c.Local,
                c.User,
                c.Name,
                c.StartedAt,
                Math.Round((now - c.StartedAt).TotalSeconds, 3),
                Math.Max(0, ticks - c.LastActivityTicks),
                c.CurrentCommand));
        }

        return new ConnectionListResponse(list.Count, list);
    }
}
