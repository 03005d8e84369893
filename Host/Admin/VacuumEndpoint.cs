using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Host.Lifecycle;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Host.Admin;

/// <summary>
/// <c>POST /admin/vacuum/{table}</c> (the runbook's Disk Full procedure): the work of <c>VACUUM table</c> (the store's
/// MVCC vacuum over the table's rows and index entries, then its live-row count recorded), run as the superuser in
/// the database named by <c>?database=</c> (default <c>postgres</c>). <c>table</c> may be schema-qualified
/// (<c>public.t</c>); names are matched as written (as a quoted identifier). <c>?analyze=true</c> analyzes too.
/// Unknown table: 404; any other SQL error: 409 with its SQLSTATE.
/// </summary>
internal static class VacuumEndpoint
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapPost("/admin/vacuum/{table}", async ctx =>
        {
            if (state.Engine is not KvStorageEngine { } engine || state.Phase != ServerPhase.Ready)
            {
                await AdminHttpServer.WriteAsync(ctx, 503, new ErrorResponse("unavailable", "the database is not open"), AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
                return;
            }

            string table = ctx.Request.RouteValues["table"] as string ?? "";
            string database = ctx.Request.Query["database"].ToString() is { Length: > 0 } d ? d : "postgres";
            bool analyze = ctx.Request.Query["analyze"].ToString() is "true" or "1" or "on";
            string[] parts = table.Split('.');
            if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            {
                await AdminHttpServer.WriteAsync(ctx, 400, new ErrorResponse("bad_request", $"'{table}' is not a table name (name or schema.name)"), AdminJsonContext.Default.ErrorResponse)
                    .ConfigureAwait(false);
                return;
            }

            SqlEngine sql = engine.Sql;
            if (sql.Catalog.Current.FindDatabase(database) is null)
            {
                await AdminHttpServer.WriteAsync(ctx, 404, new ErrorResponse("not_found", $"database \"{database}\" does not exist"), AdminJsonContext.Default.ErrorResponse)
                    .ConfigureAwait(false);
                return;
            }

            SqlSession session = sql.OpenSession(sql.SuperuserName ?? "thunderdb", database);
            try
            {
                IReadOnlyList<MaintenanceOutcome> outcomes = await session.VacuumAsync([new Ast.ObjectName(parts)], analyze, ctx.RequestAborted).ConfigureAwait(false);
                MaintenanceOutcome o = outcomes[0];
                await AdminHttpServer.WriteAsync(ctx, 200,
                    new VacuumResponse(o.Schema + "." + o.Table, database, o.Analyzed, o.VersionsRemoved, o.LiveRows, o.StatisticsRecorded, Math.Round(o.Milliseconds, 3)),
                    AdminJsonContext.Default.VacuumResponse).ConfigureAwait(false);
            }
            catch (SqlException e)
            {
                int status = e.SqlState == SqlState.UndefinedTable ? 404 : 409;
                await AdminHttpServer.WriteAsync(ctx, status, new ErrorResponse(status == 404 ? "not_found" : "sql_error", $"{e.Message} (SQLSTATE {e.SqlState})"),
                    AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
            }
        });
    }
}
