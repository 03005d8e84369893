using System.Diagnostics;
using System.Globalization;
using ThunderDb.Host.Lifecycle;
using ThunderDb.Io;

namespace ThunderDb.Host.Admin;

/// <summary>
/// Runs the checks behind <c>/admin/health</c> and reports exactly what was checked: the data
/// directory, a small write+fsync+read probe, free disk space, and the engine's own check when an
/// engine is plugged in (otherwise "not_checked", never a pretend "ok").
/// </summary>
public sealed class HealthReporter(LiveSettings settings, Func<IDatabaseEngine?> engine, BackupService? backups = null)
{
    private const string ProbeFileName = ".thunderdb-health-probe";
    private readonly SemaphoreSlim _probeGate = new(1, 1);

    public async Task<HealthResponse> CheckAsync(CancellationToken cancellationToken)
    {
        var s = settings.Current;
        var dataDir = Path.GetFullPath(s.DataDir);
        var checks = new Dictionary<string, HealthCheckResponse>(StringComparer.Ordinal);

        var db = engine();
        checks["database"] = db is null
            ? Response(new HealthCheck(HealthStatus.NotChecked, "no database engine is plugged into this build yet; nothing to check"))
            : Response(SafeEngineCheck(db));

        var storage = CheckDirectory(dataDir);
        checks["storage"] = Response(storage);
        checks["disk_io"] = Response(storage.Status == HealthStatus.Ok
            ? await ProbeIoAsync(dataDir, cancellationToken).ConfigureAwait(false)
            : new HealthCheck(HealthStatus.NotChecked, "skipped: the data directory check failed"));

        double? freePercent = null;
        HealthCheck space;
        try
        {
            var info = DiskSpace.Probe(dataDir);
            freePercent = Math.Round(info.AvailablePercent, 2);
            var text = string.Create(CultureInfo.InvariantCulture, $"{info.AvailablePercent:0.##}% free ({info.AvailableBytes / (1024 * 1024)} MiB of {info.TotalBytes / (1024 * 1024)} MiB)");
            space = info.AvailablePercent < s.Storage.DiskSpaceCriticalPercent
                ? new HealthCheck(HealthStatus.Fail, $"{text}: below disk_space_critical_percent {s.Storage.DiskSpaceCriticalPercent}%")
                : info.AvailablePercent < s.Storage.DiskSpaceWarnPercent
                    ? new HealthCheck(HealthStatus.Warn, $"{text}: below disk_space_warn_percent {s.Storage.DiskSpaceWarnPercent}%")
                    : new HealthCheck(HealthStatus.Ok, text);
        }
        catch (IoException e)
        {
            space = new HealthCheck(HealthStatus.Fail, e.Message);
        }

        checks["disk_space"] = Response(space);
        if (backups is not null)
        {
            checks["backup"] = Response(BackupCheck(backups));
        }

        var worst = checks.Values.Select(c => c.Status).ToList();
        var overall = worst.Contains("fail") ? "unhealthy" : worst.Contains("warn") ? "degraded" : "healthy";
        return new HealthResponse(overall, space.Status is HealthStatus.Ok or HealthStatus.Warn, freePercent, checks);
    }

    /// <summary>A failed backup or WAL archiving is a warning (the data is fine; the safety net is not).</summary>
    private static HealthCheck BackupCheck(BackupService backups)
    {
        if (backups.LastFailure is { } failure)
        {
            return new HealthCheck(HealthStatus.Warn, failure);
        }

        if (backups.Archive?.LastError is { } archive)
        {
            return new HealthCheck(HealthStatus.Warn, archive);
        }

        var newest = ThunderDb.Core.Storage.Backup.BackupCatalog.List(backups.BackupDir).FirstOrDefault(b => b.Complete);
        return new HealthCheck(HealthStatus.Ok, newest is null
            ? $"no complete backup in '{backups.BackupDir}'"
            : $"newest complete backup {newest.Id} ({newest.SizeBytes} bytes)");
    }

    private static HealthCheck SafeEngineCheck(IDatabaseEngine db)
    {
        try
        {
            return db.CheckHealth();
        }
#pragma warning disable CA1031 // a failing probe is a failed check, not a crashed endpoint
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new HealthCheck(HealthStatus.Fail, $"{db.Name}: {e.Message}");
        }
    }

    private static HealthCheck CheckDirectory(string dataDir)
    {
        if (!Directory.Exists(dataDir))
        {
            return new HealthCheck(HealthStatus.Fail, $"data directory '{dataDir}' does not exist");
        }

        return Configuration.StartupChecks.IsWritable(dataDir)
            ? new HealthCheck(HealthStatus.Ok, $"data directory '{dataDir}' exists and is writable")
            : new HealthCheck(HealthStatus.Fail, $"data directory '{dataDir}' is not writable");
    }

    private async Task<HealthCheck> ProbeIoAsync(string dataDir, CancellationToken cancellationToken)
    {
        await _probeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(dataDir, ProbeFileName);
        try
        {
            var payload = new byte[4096];
            Random.Shared.NextBytes(payload);
            var sw = Stopwatch.StartNew();
            using (var f = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None))
            {
                f.Write(payload);
                f.Flush(flushToDisk: true);
                f.Position = 0;
                var back = new byte[payload.Length];
                f.ReadExactly(back);
                if (!back.AsSpan().SequenceEqual(payload))
                {
                    return new HealthCheck(HealthStatus.Fail, $"read back different bytes than written in '{path}'");
                }
            }

            var ms = sw.Elapsed.TotalMilliseconds;
            return new HealthCheck(HealthStatus.Ok, string.Create(CultureInfo.InvariantCulture, $"wrote, fsynced and read back 4096 bytes in {ms:0.###} ms"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HealthCheck(HealthStatus.Fail, $"I/O probe in '{dataDir}' failed: {e.Message}");
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // The probe result above is what matters; a leftover probe file is overwritten next time.
            }

            _probeGate.Release();
        }
    }

    private static HealthCheckResponse Response(HealthCheck c) => new(
        c.Status switch
        {
            HealthStatus.Ok => "ok",
            HealthStatus.Warn => "warn",
            HealthStatus.Fail => "fail",
            _ => "not_checked",
        },
        c.Detail);
}
