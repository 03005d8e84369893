using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Diagnostics;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn.Backup;

/// <summary>
/// Takes an online backup into <c>&lt;target&gt;/data</c> and <c>&lt;target&gt;/wal</c>, laid out as the live directories
/// are, so <c>cp -a</c> of both and a normal start restore it (recovery replays the WAL):
/// <list type="number">
/// <item>checkpoint, then pin that checkpoint (its pages are not reused while copied, see <see cref="Pager.PinCheckpoint"/>)
/// and the WAL from its redo LSN (checkpoints keep those segments);</item>
/// <item>copy CONTROL and the data file's pages up to the checkpoint's page count, putting the pinned meta page in its
/// slot and zeroing the other (a later checkpoint may have rewritten it meanwhile);</item>
/// <item>make every commit so far durable and copy <c>WAL_ID</c> and the segments up to the end of the last commit;</item>
/// <item>write <c>manifest.json</c> last: a backup killed before that is never complete.</item>
/// </list>
/// Writes go on throughout; the backup restores to the state at its end.
/// </summary>
public static class BackupWriter
{
    public static BackupManifest Run(StorageEngine engine, string targetDir, ILogger logger, CancellationToken cancellationToken = default) =>
        Run(engine, targetDir, logger, cancellationToken, afterPin: null);

    /// <summary><paramref name="afterPin"/> (tests) runs once the checkpoint and the WAL are pinned, before anything is copied.</summary>
    internal static BackupManifest Run(StorageEngine engine, string targetDir, ILogger logger, CancellationToken cancellationToken, Action? afterPin)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logger);
        var target = Path.GetFullPath(targetDir);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new BackupTargetException($"backup target directory '{target}' exists and is not empty; choose a new directory");
        }

        var database = engine.Database;
        var pager = engine.Tree.Pager;
        var clock = Stopwatch.StartNew();
        var startTicks = NowTicks();
        var id = Path.GetFileName(target.TrimEnd(Path.DirectorySeparatorChar));
        logger.LogInformation("Backup {Id} started into {Target}", id, target);

        if (!database.IsReadOnly)
        {
            database.Checkpoint(); // keeps the WAL the backup carries short
        }

        var pinned = database.BeginBackup(pager.PinCheckpoint, p => p.State.WalLsn > 0 ? p.State.WalLsn - 1 : 0);
        var pagerPinned = true;
        try
        {
            afterPin?.Invoke();
            DirectorySync.CreateDurably(Path.Combine(target, "data"));
            DirectorySync.CreateDurably(Path.Combine(target, "wal"));
            var files = new List<BackupFile>();
            var dataDir = Path.GetDirectoryName(pager.FilePath)!;

            var control = File.ReadAllBytes(Path.Combine(dataDir, ControlFile.FileName));
            files.Add(new BackupFile("data/" + ControlFile.FileName, control.Length,
                BackupCopy.WriteNew(Path.Combine(target, "data", ControlFile.FileName), control)));

            var pageSize = pinned.PageSize;
            var dataLength = (long)pinned.PageCount * pageSize;
            var dataCrc = BackupCopy.CopyPrefix(pager.FilePath, Path.Combine(target, "data", Pager.DataFileName), dataLength, (offset, chunk) =>
            {
                // The meta pages as of the pinned checkpoint: its own in its slot, the other invalid (zero).
                for (var slot = 0; slot < 2; slot++)
                {
                    var pageStart = (long)slot * pageSize;
                    if (pageStart >= offset && pageStart + pageSize <= offset + chunk.Length)
                    {
                        var page = chunk.Slice((int)(pageStart - offset), pageSize);
                        if (slot == pinned.MetaSlot)
                        {
                            pinned.MetaPage.CopyTo(page);
                        }
                        else
                        {
                            page.Clear();
                        }
                    }
                }
            }, cancellationToken);
            files.Add(new BackupFile("data/" + Pager.DataFileName, dataLength, dataCrc));
            pager.UnpinCheckpoint();
            pagerPinned = false;

            // The backup's end: every commit acknowledged before this instant is below endLsn (applied before the lock is taken).
            var endWallTicks = NowTicks();
            var (endLsn, endTs, endTicks) = database.FlushedCommitPosition();
            var wal = database.Wal;
            var walDir = wal.DirectoryPath;
            var marker = File.ReadAllBytes(Path.Combine(walDir, WalDirectoryMarker.FileName));
            files.Add(new BackupFile("wal/" + WalDirectoryMarker.FileName, marker.Length,
                BackupCopy.WriteNew(Path.Combine(target, "wal", WalDirectoryMarker.FileName), marker)));
            var redo = pinned.State.WalLsn;
            foreach (var (start, path) in wal.SegmentsFrom(redo > 0 ? redo - 1 : 0))
            {
                // Every segment holding bytes below the end, and the redo segment itself (recovery insists on it, even empty).
                if (start >= endLsn && start != redo - (redo % (ulong)wal.SegmentSize))
                {
                    continue;
                }

                var length = (long)Math.Min((ulong)new FileInfo(path).Length, endLsn > start ? endLsn - start : 0);
                var name = Path.GetFileName(path);
                var crc = BackupCopy.CopyPrefix(path, Path.Combine(target, "wal", name), length, null, cancellationToken);
                files.Add(new BackupFile("wal/" + name, length, crc));
            }

            DirectorySync.Sync(Path.Combine(target, "data"));
            DirectorySync.Sync(Path.Combine(target, "wal"));
            database.EndBackup();

            var manifest = new BackupManifest
            {
                Id = id,
                ThunderDbVersion = typeof(BackupWriter).Assembly.GetName().Version?.ToString(3) ?? "0",
                SystemId = engine.Tree.SystemId,
                PageSize = pageSize,
                StartTicks = startTicks,
                EndTicks = endWallTicks,
                StartLsn = redo,
                EndLsn = endLsn,
                CheckpointSequence = pinned.Sequence,
                StartCommitTs = pinned.State.MaxCommitTs,
                EndCommitTs = endTs,
                EndCommitTicks = endTicks,
                WalSegmentSize = wal.SegmentSize,
                Files = files,
            };
            DurableFile.WriteAtomically(Path.Combine(target, BackupManifest.FileName), manifest.ToJson());
            DirectorySync.SyncParent(target);

            var seconds = clock.Elapsed.TotalSeconds;
            ThunderMetrics.BackupsTotal.WithLabels("success").Inc();
            ThunderMetrics.BackupDurationSeconds.Observe(seconds);
            ThunderMetrics.BackupSizeBytes.Set(manifest.TotalBytes);
            ThunderMetrics.LastBackupTimestampSeconds.Set(manifest.EndTicks / (double)TimeSpan.TicksPerSecond);
            logger.LogInformation(
                "Backup {Id} complete: {Bytes} bytes in {Files} files, WAL LSN {Start}..{End}, {Seconds:F2} s ({MBps:F1} MB/s)",
                id, manifest.TotalBytes, files.Count, redo, endLsn, seconds, seconds > 0 ? manifest.TotalBytes / 1e6 / seconds : 0);
            return manifest;
        }
        catch (Exception ex)
        {
            ThunderMetrics.BackupsTotal.WithLabels("failure").Inc();
            logger.LogError(ex, "Backup {Id} into {Target} failed; the directory holds no manifest and is not a usable backup", id, target);
            if (pagerPinned)
            {
                pager.UnpinCheckpoint();
            }

            database.EndBackup();
            TryDelete(target);
            throw;
        }
    }

    /// <summary>A failed backup leaves no half directory behind (a killed one does; it is listed as incomplete and pruned).</summary>
    private static void TryDelete(string target)
    {
        try
        {
            if (Directory.Exists(target) && !File.Exists(Path.Combine(target, BackupManifest.FileName)))
            {
                Directory.Delete(target, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The directory stays; without a manifest it is listed as incomplete.
        }
    }

    private static long NowTicks() => DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
}

/// <summary>The backup target cannot be used (exists and is not empty, or inside the live directories): HTTP 400.</summary>
public sealed class BackupTargetException(string message) : Exception(message);
