using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Txn.Backup;
using ThunderDb.Core.Txn;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// Backups of the running server: <c>POST /admin/backup</c> (<see cref="RunAsync"/>, one at a time), the automatic backup
/// worker (<c>storage.backup_enabled</c>, every <c>backup_interval</c>, keeping <c>backup_retention_count</c>), the
/// <c>latest</c> link, and the WAL archive the checkpoints feed. Stopped by the shutdown sequence before the final checkpoint.
/// </summary>
public sealed class BackupService(ServerSettings settings, ILoggerFactory loggerFactory)
{
    private readonly ILogger _log = loggerFactory.CreateLogger("Backup");
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private StorageEngine? _engine;
    private WalArchive? _archive;
    private Task? _running;
    private Task? _worker;

    public string BackupDir { get; } = Path.GetFullPath(settings.EffectiveBackupDir);

    /// <summary>The last backup failure (null after a success); <c>/admin/health</c> reports it.</summary>
    public string? LastFailure { get; private set; }

    public WalArchive? Archive => _archive;

    /// <summary>After the engine opened: the WAL archive joins its checkpoints, and the worker starts when enabled.</summary>
    public void Attach(StorageEngine engine)
    {
        _engine = engine;
        _archive = new WalArchive(BackupDir, engine.Tree.SystemId, _log, settings.Storage.Compression ? settings.Storage.CompressionAlgorithm : null);
        _archive.Refresh();
        engine.Database.Wal.Archiver = _archive;
        if (settings.Storage.BackupEnabled)
        {
            _log.LogInformation("Automatic backups every {Interval} into {Dir}, keeping {Count}", settings.Storage.BackupInterval, BackupDir, settings.Storage.BackupRetentionCount);
            _worker = Task.Run(() => WorkerAsync(_stop.Token));
        }
    }

    /// <summary>
    /// Takes a backup into <paramref name="targetDir"/> (default: a new timestamped directory under <see cref="BackupDir"/>);
    /// completes with its manifest once it is complete. <see cref="BackupAlreadyRunningException"/> while one runs.
    /// </summary>
    public Task<BackupManifest> RunAsync(string? targetDir)
    {
        var engine = _engine ?? throw new InvalidOperationException("the storage engine is not open");
        var target = Path.GetFullPath(targetDir ?? BackupCatalog.NewBackupPath(BackupDir, DateTime.UtcNow));
        Task<BackupManifest> task;
        lock (_lock)
        {
            if (_running is { IsCompleted: false })
            {
                throw new BackupAlreadyRunningException();
            }

            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            task = Task.Run(() => RunOne(engine, target));
            _running = task;
        }

        return task;
    }

    private BackupManifest RunOne(StorageEngine engine, string target)
    {
        try
        {
            var manifest = BackupWriter.Run(engine, target, _log, _stop.Token);
            LastFailure = null;
            AfterBackup();
            return manifest;
        }
        catch (Exception e) when (e is not BackupAlreadyRunningException and not BackupTargetException)
        {
            LastFailure = $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}: backup into '{target}' failed: {e.Message}";
            throw;
        }
    }

    private void AfterBackup()
    {
        try
        {
            if (settings.Storage.BackupEnabled)
            {
                foreach (var id in BackupCatalog.Prune(BackupDir, settings.Storage.BackupRetentionCount, running: null))
                {
                    _log.LogInformation("Pruned backup {Id} (backup_retention_count = {Count})", id, settings.Storage.BackupRetentionCount);
                }
            }

            if (Directory.Exists(BackupDir))
            {
                BackupCatalog.UpdateLatest(BackupDir);
            }

            _archive?.Refresh();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(e, "Updating {Dir} after a backup failed", BackupDir);
        }
    }

    /// <summary>
    /// Backs up when the newest complete backup is <c>backup_interval</c> old (at once when there is none, so a server
    /// restarted more often than the interval still gets its backups); after a failure it waits a minute at most.
    /// </summary>
    private async Task WorkerAsync(CancellationToken ct)
    {
        var interval = settings.Storage.BackupInterval;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var newest = BackupCatalog.List(BackupDir).FirstOrDefault(b => b.Complete)?.Time;
                var wait = newest is { } t ? t + interval - DateTime.UtcNow : TimeSpan.Zero;
                if (wait > TimeSpan.Zero)
                {
                    // At most a day per wait (Task.Delay's limit is ~49 days), then look again: backups may have changed.
                    await Task.Delay(Min(wait, TimeSpan.FromDays(1)), ct).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    await RunAsync(null).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (BackupAlreadyRunningException)
                {
                    _log.LogInformation("Automatic backup skipped: a backup is already running");
                    await Task.Delay(Min(interval, TimeSpan.FromSeconds(5)), ct).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // logged and reported in /admin/health; the worker tries again
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _log.LogError("Automatic backup failed: {Error}", e.Message);
                    await Task.Delay(Min(interval, TimeSpan.FromMinutes(1)), ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Shutdown: stop the worker and cancel a running backup (its directory is removed), before the final checkpoint.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? running;
        lock (_lock)
        {
            running = _running;
        }

        foreach (var task in new[] { _worker, running })
        {
            if (task is null)
            {
                continue;
            }

            try
            {
                await task.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // already logged by the backup itself
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        // The archiver stays: the final checkpoint must archive what it removes, like any other.
    }
}
