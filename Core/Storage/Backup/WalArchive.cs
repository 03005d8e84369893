using System.Globalization;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Storage.Backup;

/// <summary>
/// <c>backup_dir/wal/&lt;system id&gt;/</c>: the WAL segments point-in-time recovery needs beyond what checkpoints keep.
/// A checkpoint hands each segment it would delete to <see cref="Archive"/>, which copies it here (temporary name,
/// fdatasync, rename) when a complete backup of this database may need it (the segment ends after the oldest backup's
/// start LSN), so the live WAL stays bounded by checkpoints as before. With <c>storage.compression</c> the copy is
/// compressed (<c>&lt;start&gt;.wal.lz4</c> or <c>.wal.zst</c>, <see cref="ArchivedSegment"/>); plain and compressed
/// segments may sit side by side (compression switched on or off between restarts), and PITR reads both. Segments wholly below the oldest backup's start
/// are pruned (<see cref="Refresh"/>): a backup pruned by the worker or removed by hand takes its WAL with it.
/// One directory per system identifier: a database restored to a point in time gets a new identifier (a new history),
/// so its segments never mix with the old history's ones of the same LSNs.
/// </summary>
public sealed class WalArchive : IWalArchiver
{
    private readonly string _backupDir;
    private readonly ulong _systemId;
    private readonly ILogger _logger;
    private readonly CompressionAlgorithm? _compression;
    private readonly Lock _lock = new();
    private ulong? _oldestStart;
    private long _refreshedAt = long.MinValue;

    /// <param name="compression">How archived segments are compressed (<c>storage.compression_algorithm</c>); null keeps them plain.</param>
    public WalArchive(string backupDir, ulong systemId, ILogger logger, CompressionAlgorithm? compression = null)
    {
        _backupDir = backupDir;
        _systemId = systemId;
        _logger = logger;
        _compression = compression;
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
            if (Environment.TickCount64 > _refreshedAt + 10_000) // also the first call (long.MinValue; the subtraction overflowed)
            {
                RefreshLocked();
            }

            if (_oldestStart is not { } oldest || segmentStart + (ulong)segmentSize <= oldest)
            {
                return true; // no backup needs it
            }

            var target = Path.Combine(Directory, ArchivedSegment.FileName(segmentStart, _compression));
            try
            {
                DirectorySync.CreateDurably(Directory);
                var length = new FileInfo(path).Length;
                var copies = ArchivedCopies(segmentStart);
                if (copies.Any(c => c.Raw == length))
                {
                    return true;
                }

                var stored = _compression is { } algorithm
                    ? ArchivedSegment.WriteCompressed(path, target, segmentStart, algorithm)
                    : CopyPlain(path, target);
                foreach (var (file, size, raw) in copies) // a copy of another length (see the class comment) is replaced
                {
                    if (!string.Equals(file, target, StringComparison.Ordinal))
                    {
                        File.Delete(file);
                    }

                    ThunderMetrics.WalArchiveSizeBytes.Dec(size);
                    ThunderMetrics.WalArchiveRawBytes.Dec(raw);
                }

                LastError = null;
                ThunderMetrics.WalArchiveSizeBytes.Inc(stored);
                ThunderMetrics.WalArchiveRawBytes.Inc(length);
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
            ThunderMetrics.WalArchiveRawBytes.Set(0);
            return;
        }

        long kept = 0;
        long keptRaw = 0;
        try
        {
            foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
            {
                if (file.Name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    file.Delete(); // left by a copy a crash interrupted (archiving holds the lock this runs under)
                    continue;
                }

                if (!ArchivedSegment.TryParse(file.Name, out var start, out var form))
                {
                    continue;
                }

                long raw;
                try
                {
                    raw = ArchivedSegment.RawLength(file.FullName, form);
                }
                catch (BackupInvalidException e)
                {
                    _logger.LogWarning("{Message}", e.Message);
                    raw = 0; // pruned with the segments before it; PITR refuses it by name until then
                }

                if (_oldestStart is not { } oldest || start + (ulong)raw <= oldest)
                {
                    file.Delete();
                }
                else
                {
                    kept += file.Length;
                    keptRaw += raw;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "Pruning the WAL archive {Archive} failed", Directory);
        }

        ThunderMetrics.WalArchiveRawBytes.Set(keptRaw);
        ThunderMetrics.WalArchiveSizeBytes.Set(kept);
    }

    /// <summary>The copies of the segment at <paramref name="segmentStart"/> the archive holds: path, size on disk, uncompressed length (0 when damaged).</summary>
    private List<(string Path, long Size, long Raw)> ArchivedCopies(ulong segmentStart)
    {
        var copies = new List<(string, long, long)>();
        foreach (var name in ArchivedSegment.AllFileNames(segmentStart))
        {
            var file = Path.Combine(Directory, name);
            if (File.Exists(file) && ArchivedSegment.TryParse(name, out _, out var form))
            {
                long raw;
                try
                {
                    raw = ArchivedSegment.RawLength(file, form);
                }
                catch (BackupInvalidException)
                {
                    raw = 0; // damaged: archived again, replacing it
                }

                copies.Add((file, new FileInfo(file).Length, raw));
            }
        }

        return copies;
    }

    private static long CopyPlain(string path, string target)
    {
        BackupCopy.CopyDurably(path, target);
        return new FileInfo(target).Length;
    }
}
