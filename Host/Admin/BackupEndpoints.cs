using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Txn.Backup;
using ThunderDb.Core.Txn;
using ThunderDb.Host.Lifecycle;

namespace ThunderDb.Host.Admin;

/// <summary>
/// <c>POST /admin/backup</c> (body <c>{"target_dir": "..."}</c>, optional; answers when the backup is complete, with its
/// manifest summary; 409 while another runs) and <c>GET /admin/backups</c> (the backups under backup_dir, newest first).
/// </summary>
internal static class BackupEndpoints
{
    public static void Map(WebApplication app, BackupService? backups)
    {
        app.MapPost("/admin/backup", async ctx =>
        {
            if (backups is null)
            {
                await AdminHttpServer.WriteAsync(ctx, 503, new ErrorResponse("unavailable", "no storage engine is open"), AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
                return;
            }

            string? target;
            try
            {
                target = await ReadTargetAsync(ctx).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                await AdminHttpServer.WriteAsync(ctx, 400, new ErrorResponse("bad_request", $"the body must be JSON like {{\"target_dir\": \"/path\"}} (or empty): {e.Message}"),
                    AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
                return;
            }

            try
            {
                var manifest = await backups.RunAsync(target).ConfigureAwait(false);
                await AdminHttpServer.WriteAsync(ctx, 200, Summary(manifest, target ?? Path.Combine(backups.BackupDir, manifest.Id)), AdminJsonContext.Default.BackupResponse).ConfigureAwait(false);
            }
            catch (BackupAlreadyRunningException e)
            {
                await AdminHttpServer.WriteAsync(ctx, 409, new ErrorResponse("conflict", e.Message), AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
            }
            catch (BackupTargetException e)
            {
                await AdminHttpServer.WriteAsync(ctx, 400, new ErrorResponse("bad_request", e.Message), AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or OperationCanceledException)
            {
                await AdminHttpServer.WriteAsync(ctx, 500, new ErrorResponse("backup_failed", e.Message), AdminJsonContext.Default.ErrorResponse).ConfigureAwait(false);
            }
        });

        app.MapGet("/admin/backups", ctx =>
        {
            if (backups is null)
            {
                return AdminHttpServer.WriteAsync(ctx, 503, new ErrorResponse("unavailable", "no storage engine is open"), AdminJsonContext.Default.ErrorResponse);
            }

            var entries = BackupCatalog.List(backups.BackupDir);
            var newestComplete = entries.FirstOrDefault(e => e.Complete)?.Id;
            var list = entries.Select(e => new BackupListEntry(
                e.Id, e.Path, e.Complete ? "complete" : "incomplete", DateTime.SpecifyKind(e.Time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                e.Manifest is { } m ? BackupManifest.FormatTime(m.EndTicks) : null,
                e.SizeBytes, e.Manifest?.StartLsn, e.Manifest?.EndLsn, e.Complete, e.Id == newestComplete, e.Problem)).ToList();
            return AdminHttpServer.WriteAsync(ctx, 200, new BackupListResponse(backups.BackupDir, list), AdminJsonContext.Default.BackupListResponse);
        });
    }

    private static async Task<string?> ReadTargetAsync(HttpContext ctx)
    {
        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(body.ToArray());
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("expected an object");
        }

        return doc.RootElement.TryGetProperty("target_dir", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } s ? s : null;
    }

    private static BackupResponse Summary(BackupManifest m, string path) => new(
        m.Id, Path.GetFullPath(path), "complete", BackupManifest.FormatTime(m.StartTicks), BackupManifest.FormatTime(m.EndTicks),
        (m.EndTicks - m.StartTicks) / (double)TimeSpan.TicksPerMillisecond, m.StartLsn, m.EndLsn, m.EndCommitTs, BackupManifest.FormatTime(m.EndCommitTicks),
        m.SystemId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), m.PageSize, m.TotalBytes, m.Files.Count, m.ThunderDbVersion);
}
