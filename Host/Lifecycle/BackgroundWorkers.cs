using System.Globalization;
using Serilog;
using ILogger = Serilog.ILogger;
using ThunderDb.Io;

namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// The host's periodic workers: the disk monitor (always) and the checkpoint worker (when an engine
/// is plugged in). Each runs on its own task until <see cref="StopAsync"/>.
/// </summary>
public sealed class BackgroundWorkers(LiveSettings live, IDatabaseEngine? engine, ILogger log)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private string _diskState = "ok";

    public void Start()
    {
        _tasks.Add(Task.Run(() => DiskMonitorAsync(_stop.Token)));

        // The storage engine runs its own checkpoint worker (every storage.checkpoint_interval and early
        // when the WAL passes storage.max_wal_size) and its compaction workers; the host only asks for
        // the final checkpoint at shutdown.
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_tasks).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Logs when free space crosses disk_space_warn_percent / disk_space_critical_percent (and when it recovers).</summary>
    internal void CheckDiskOnce()
    {
        var s = live.Current;
        DiskSpaceInfo info;
        try
        {
            info = DiskSpace.Probe(Path.GetFullPath(s.DataDir));
        }
        catch (IoException e)
        {
            log.Error("Disk monitor: {Error}", e.Message);
            return;
        }

        var state = info.AvailablePercent < s.Storage.DiskSpaceCriticalPercent ? "critical"
            : info.AvailablePercent < s.Storage.DiskSpaceWarnPercent ? "warn" : "ok";
        if (state == _diskState)
        {
            return;
        }

        _diskState = state;
        var free = info.AvailablePercent.ToString("0.##", CultureInfo.InvariantCulture);
        switch (state)
        {
            case "critical":
                log.Error("Disk space critical: {Free}% free on the data volume (threshold {Threshold}%); the database goes read-only until restarted with more space",
                    free, s.Storage.DiskSpaceCriticalPercent);
                engine?.SetReadOnly($"disk space critical: {free}% free on the data volume (disk_space_critical_percent = {s.Storage.DiskSpaceCriticalPercent.ToString(CultureInfo.InvariantCulture)})");
                break;
            case "warn":
                log.Warning("Disk space low: {Free}% free on the data volume (threshold {Threshold}%)", free, s.Storage.DiskSpaceWarnPercent);
                break;
            default:
                log.Information("Disk space back to normal: {Free}% free on the data volume", free);
                break;
        }
    }

    private async Task DiskMonitorAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(live.Current.Storage.DiskCheckInterval);
        try
        {
            CheckDiskOnce();
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                CheckDiskOnce();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
