using System.Globalization;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Storage.Backup;

/// <summary>
/// <c>backup_dir/wal/&lt;system id&gt;/</c>: the WAL segments point-in-time recovery needs beyond what checkpoints keep.
/// A checkpoint hands each segment it would delete to <see cref="Archive"/>, which copies it here (temporary name,
/// fdatasync, rename) when a complete backup of this database may need it (the segment ends after the oldest backup's
/// start LSN), so the live WAL stays bounded by checkpoints as before. Segments wholly below the oldest backup's start
/// are pruned (<see cref="Refresh"/>): a backup pruned by the worker or removed by hand takes its WAL with it.
/// One directory per system identifier: a database restored to a point in time gets a new identifier (a new history),
/// so its segments never mix with the old history's ones of the same LSNs.
/// </summary>
public sealed class WalArchive : IWalArchiver
{
    private readonly string _backupDir;
    private readonly ulong _systemId;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private ulong? _oldestStart;
    private long _refreshedAt = long.MinValue;

    public WalArchive(string backupDir, ulong systemId, ILogger logger)
    {
        _backupDir = backupDir;
        _systemId = systemId;
        _logger = logger;
        Directory = DirectoryFor(backupDir, systemId);
    }

    public string Directory { get; }

    /// <summary>The last archiving failure (null after a success); reported by <c>/admin/health</c>.</summary>
    public string? LastError { get; private set; }

    public static string DirectoryFor(string backupDir, ulong systemId) =>
        Path.Combine(backupDir, BackupCatalog.ArchiveName, systemId.ToString("x16", CultureInfo.InvariantCulture));

    public bool Archive(string path, ulong segmentStart, long segmentSize)
    {
        lock (_lock)
        {
            if (Environment.TickCount64 - _refreshedAt > 10_000)
            {
                RefreshLocked();
            }

            if (_oldestStart is not { } oldest || segmentStart + (ulong)segmentSize <= oldest)
            {
                return true; // no backup needs it
            }

            var target = Path.Combine(Directory, Path.GetFileName(path));
            try
            {
                DirectorySync.CreateDurably(Directory);
                if (File.Exists(target) && new FileInfo(target).Length == new FileInfo(path).Length)
                {
                    return true;
                }

                BackupCopy.CopyDurably(path, target);
                LastError = null;
                ThunderMetrics.WalArchiveSizeBytes.Inc(new FileInfo(target).Length);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LastError = $"archiving WAL segment '{path}' to '{Directory}' failed: {e.Message}; it stays in the WAL directory";
                _logger.LogError(e, "Archiving WAL segment {Path} to {Archive} failed; keeping it in the WAL directory", path, Directory);
                return false;
            }
        }
    }

    /// <summary>Re-reads which backups exist (after a backup, a prune, or one removed by hand) and prunes the archive to them.</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            RefreshLocked();
        }
    }

    private void RefreshLocked()
    {
        _refreshedAt = Environment.TickCount64;
        _oldestStart = null;
        foreach (var entry in BackupCatalog.List(_backupDir))
        {
            if (entry.Manifest is { } m && m.SystemId == _systemId && (_oldestStart is null || m.StartLsn < _oldestStart))
            {
                _oldestStart = m.StartLsn;
            }
        }

        if (!System.IO.Directory.Exists(Directory))
        {
            ThunderMetrics.WalArchiveSizeBytes.Set(0);
            return;
        }

        long kept = 0;
        try
        {
            foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*" + WalSegmentSet.Extension))
            {
                if (!ulong.TryParse(Path.GetFileNameWithoutExtension(file.Name), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start))
                {
                    continue;
                }

                if (_oldestStart is not { } oldest || start + (ulong)file.Length <= oldest)
                {
                    file.Delete();
                }
                else
                {
                    kept += file.Length;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "Pruning the WAL archive {Archive} failed", Directory);
        }

        ThunderMetrics.WalArchiveSizeBytes.Set(kept);
    }
}
