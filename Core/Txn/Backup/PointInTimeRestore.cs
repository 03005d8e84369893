using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Backup;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Txn.Backup;

/// <summary>What <see cref="PointInTimeRestore.Run"/> is asked to do. Times are unix 100 ns ticks.</summary>
public sealed record PitrRequest(string BackupDir, long TargetTicks, StorageOptions Storage)
{
    /// <summary>Where WAL archives may be (<c>&lt;root&gt;/wal/&lt;system id&gt;</c>): the configured backup_dir; the backup's parent is always searched too.</summary>
    public IReadOnlyList<string> ArchiveRoots { get; init; } = [];
}

/// <summary>What a point-in-time restore did.</summary>
public sealed record PitrResult(
    BackupManifest Backup, ulong CutLsn, long CommitsApplied, long LastCommitTicks, ulong NewSystemId,
    string? MovedAsideData, string? MovedAsideWal, WalRecoveryResult Replay, TimeSpan Elapsed);

/// <summary>A point-in-time target outside what the backup and the WAL can reach; the message gives the range. Nothing was changed.</summary>
public sealed class PitrRangeException(string message) : Exception(message);

/// <summary>
/// Offline point-in-time recovery (<c>thunderdb --restore-pitr T --restore-backup DIR</c>, the server stopped):
/// <list type="number">
/// <item>verify the backup (manifest, every file's size and CRC32C);</item>
/// <item>move what is in <c>data_dir</c> / <c>wal_dir</c> (files only, e.g. not <c>backups/</c>) into a
/// <c>pre-pitr-&lt;time&gt;</c> subdirectory of each, so nothing is lost and the runbook's procedure works without moving them first;</item>
/// <item>copy the backup's <c>data/</c> and <c>wal/</c> into place, then the later segments of the same history from the WAL
/// archive and from the moved-aside live WAL (the longest copy of each segment, up to the first gap);</item>
/// <item>scan the commits from the backup's redo LSN: stop at the first whose wall-clock time is after the target, and cut
/// the log there (a target before the backup's end, or after the last commit the WAL holds without the live WAL to show
/// nothing came later, is refused with the available range, and everything is put back);</item>
/// <item>give the restored database a new system identifier (a new history: its WAL never mixes with the old one's in the
/// archive), open it (recovery replays up to the cut) and close it with a checkpoint, so the next normal start serves
/// exactly that state.</item>
/// </list>
/// Archived segments may be plain or compressed (<see cref="ArchivedSegment"/>); compressed ones are decompressed into
/// <c>wal_dir</c> and checked block by block, and a damaged one refuses the restore naming the file (everything is put back).
/// </summary>
public static class PointInTimeRestore
{
    public static PitrResult Run(PitrRequest request, ILogger logger, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        var backupDir = Path.GetFullPath(request.BackupDir);
        var manifest = BackupManifest.Read(backupDir);
        manifest.Verify(backupDir);
        var nowTicks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        if (request.TargetTicks < manifest.EndTicks)
        {
            throw new PitrRangeException(
                $"the target {BackupManifest.FormatTime(request.TargetTicks)} is before the end of backup \"{backupDir}\" " +
                $"({BackupManifest.FormatTime(manifest.EndTicks)}); this backup restores to times from {BackupManifest.FormatTime(manifest.EndTicks)} on. " +
                "Use an older backup for an earlier time; nothing was changed");
        }

        if (request.TargetTicks > nowTicks)
        {
            throw new PitrRangeException(
                $"the target {BackupManifest.FormatTime(request.TargetTicks)} is in the future; available: {BackupManifest.FormatTime(manifest.EndTicks)} .. now; nothing was changed");
        }

        if (manifest.PageSize != request.Storage.PageSize)
        {
            throw new BackupInvalidException($"backup \"{backupDir}\" has page_size {manifest.PageSize}, the configuration says {request.Storage.PageSize}; set storage.page_size = {manifest.PageSize}");
        }

        var dataDir = Path.GetFullPath(request.Storage.DataDir);
        var walDir = Path.GetFullPath(request.Storage.EffectiveWalDir);
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture);
        var asideData = MoveFilesAside(dataDir, stamp);
        var asideWal = string.Equals(walDir, dataDir, StringComparison.Ordinal) ? null : MoveFilesAside(walDir, stamp);
        try
        {
            DirectorySync.CreateDurably(dataDir);
            DirectorySync.CreateDurably(walDir);
            foreach (var file in manifest.Files)
            {
                var target = file.Path.StartsWith("data/", StringComparison.Ordinal) ? dataDir : walDir;
                BackupCopy.CopyDurably(Path.Combine(backupDir, file.Path), Path.Combine(target, Path.GetFileName(file.Path)));
            }

            var liveWal = asideWal ?? asideData;
            var liveSameHistory = liveWal is not null && File.Exists(Path.Combine(liveWal, WalDirectoryMarker.FileName))
                && SafeMarker(Path.Combine(liveWal, WalDirectoryMarker.FileName)) == manifest.SystemId;
            var gap = AddLaterSegments(request, backupDir, manifest, walDir, liveSameHistory ? liveWal : null, logger, progress);

            var (cut, commits, lastTicks, lastAvailable, reachedLogEnd) = FindCut(walDir, manifest, request.TargetTicks, progress);
            if (reachedLogEnd && request.TargetTicks > lastAvailable && (!liveSameHistory || gap is not null))
            {
                throw new PitrRangeException(
                    $"the target {BackupManifest.FormatTime(request.TargetTicks)} is after the last commit the backup and the WAL archive hold " +
                    $"({BackupManifest.FormatTime(lastAvailable)}), and " +
                    (gap is null ? "no live WAL of this database was found to show nothing came later" : $"WAL segment {gap} is missing, so what came later cannot be read") + "; " +
                    $"available range: {BackupManifest.FormatTime(manifest.EndTicks)} .. {BackupManifest.FormatTime(lastAvailable)}; nothing was changed");
            }

            using (var segments = new WalSegmentSet(walDir, manifest.WalSegmentSize, request.Storage.IoBackend))
            {
                segments.TruncateAt(cut);
            }

            var newId = ControlFile.AssignNewSystemId(dataDir);
            WalDirectoryMarker.Write(Path.Combine(walDir, WalDirectoryMarker.FileName), newId);
            DirectorySync.Sync(walDir);

            progress($"Replaying {cut - manifest.StartLsn} bytes of WAL from LSN {manifest.StartLsn} to {cut} ({commits} commits)...");
            WalRecoveryResult replay;
            using (var engine = StorageEngine.Open(request.Storage with { DataDir = dataDir, WalDir = walDir }, logger, backgroundWorkers: false))
            {
                replay = engine.Database.Recovery;
            }

            logger.LogInformation(
                "PITR restore: backup {Backup}, {Commits} commits replayed up to {Time} (LSN {Cut}), {MBps:F1} MB/s, new system identifier {Id:x16}",
                manifest.Id, commits, BackupManifest.FormatTime(lastTicks), cut, replay.MegabytesPerSecond, newId);
            return new PitrResult(manifest, cut, commits, lastTicks, newId, asideData, asideWal, replay, clock.Elapsed);
        }
        catch
        {
            PutBack(dataDir, asideData);
            if (asideWal is not null)
            {
                PutBack(walDir, asideWal);
            }

            throw;
        }
    }

    private static ulong? SafeMarker(string path)
    {
        try
        {
            return WalDirectoryMarker.Read(path);
        }
        catch (WalMissingException)
        {
            return null;
        }
    }

    /// <summary>Moves the regular files at the top of <paramref name="dir"/> into <c>dir/pre-pitr-stamp</c>; null when there were none.</summary>
    private static string? MoveFilesAside(string dir, string stamp)
    {
        if (!Directory.Exists(dir))
        {
            return null;
        }

        var files = Directory.GetFiles(dir);
        if (files.Length == 0)
        {
            return null;
        }

        var aside = Path.Combine(dir, "pre-pitr-" + stamp);
        DirectorySync.CreateDurably(aside);
        foreach (var file in files)
        {
            File.Move(file, Path.Combine(aside, Path.GetFileName(file)));
        }

        DirectorySync.Sync(aside);
        DirectorySync.Sync(dir);
        return aside;
    }

    /// <summary>After a refusal or failure: remove what was restored and move the original files back.</summary>
    private static void PutBack(string dir, string? aside)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                foreach (var file in Directory.GetFiles(dir))
                {
                    File.Delete(file);
                }
            }

            if (aside is null)
            {
                return;
            }

            foreach (var file in Directory.GetFiles(aside))
            {
                File.Move(file, Path.Combine(dir, Path.GetFileName(file)));
            }

            Directory.Delete(aside);
            DirectorySync.Sync(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; the original files are still in 'aside' if this failed.
        }
    }

    /// <summary>
    /// Copies the segments after the backup's own from the archive and the live WAL (same history), longest copy first, up
    /// to the first gap; returns the name of the first missing segment when there is a gap (the live WAL's end then
    /// vouches for nothing), else null.
    /// </summary>
    private static string? AddLaterSegments(PitrRequest request, string backupDir, BackupManifest manifest, string walDir, string? liveWal, ILogger logger, Action<string> progress)
    {
        var candidates = new SortedDictionary<ulong, (string Path, ArchivedSegment.Form Form, long Length)>();
        void Offer(string dir)
        {
            if (!Directory.Exists(dir))
            {
                return;
            }

            foreach (var path in Directory.EnumerateFiles(dir))
            {
                if (ArchivedSegment.TryParse(Path.GetFileName(path), out var start, out var form)
                    && start + (ulong)manifest.WalSegmentSize > manifest.StartLsn)
                {
                    var length = ArchivedSegment.RawLength(path, form); // a damaged compressed header is refused here, by name
                    if (!candidates.TryGetValue(start, out var had) || had.Length < length)
                    {
                        candidates[start] = (path, form, length);
                    }
                }
            }
        }

        Offer(walDir); // the backup's own segments, already in place: a gap right after them counts too
        var roots = request.ArchiveRoots.Append(Path.GetDirectoryName(backupDir.TrimEnd(Path.DirectorySeparatorChar))!).Distinct(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            Offer(WalArchive.DirectoryFor(root, manifest.SystemId));
        }

        if (liveWal is not null)
        {
            Offer(liveWal);
        }

        ulong? previous = null;
        long copied = 0;
        foreach (var (start, (path, form, length)) in candidates)
        {
            if (previous is { } p && start != p + (ulong)manifest.WalSegmentSize)
            {
                var missing = WalSegmentSet.FileNameOf(p + (ulong)manifest.WalSegmentSize);
                logger.LogWarning("WAL segment {Name} is missing from the archive; the restore can reach only up to LSN {Lsn}", missing, p + (ulong)manifest.WalSegmentSize);
                return missing;
            }

            previous = start;
            var target = Path.Combine(walDir, WalSegmentSet.FileNameOf(start));
            if (File.Exists(target) && new FileInfo(target).Length >= length)
            {
                continue;
            }

            ArchivedSegment.CopyOut(path, form, target); // decompressed (and checked) when compressed
            copied += length;
            progress($"Copied WAL segment {Path.GetFileName(path)} from {Path.GetDirectoryName(path)} ({copied / (1 << 20)} MiB so far)");
        }

        return null;
    }

    /// <summary>
    /// The LSN to cut the log at: the first commit after the target, or the end of the valid log. Also the number of
    /// commits kept, the time of the last one kept, the time of the last valid commit, and whether the log ended first.
    /// </summary>
    private static (ulong Cut, long Commits, long LastTicks, long LastAvailable, bool ReachedEnd) FindCut(string walDir, BackupManifest manifest, long target, Action<string> progress)
    {
        using var segments = new WalSegmentSet(walDir, manifest.WalSegmentSize, Io.Files.IoBackendKind.Posix);
        using var reader = new WalWindowReader(segments);
        var position = manifest.StartLsn;
        long commits = 0;
        long lastTicks = manifest.EndCommitTicks;
        var reported = Stopwatch.GetTimestamp();
        while (true)
        {
            var record = WriteAheadLog.ReadRecordAt(reader, position);
            if (record.IsEmpty)
            {
                segments.CloseReaders();
                return (position, commits, lastTicks, lastTicks, true);
            }

            if (WalRecord.ReadType(record) == WalRecordType.Commit)
            {
                var ticks = WalRecord.ReadWallClockTicks(record);
                if (ticks > target)
                {
                    segments.CloseReaders();
                    return (position, commits, lastTicks, ticks, false);
                }

                commits++;
                lastTicks = ticks;
            }

            position += (ulong)record.Length;
            if (Stopwatch.GetElapsedTime(reported).TotalSeconds >= 2)
            {
                reported = Stopwatch.GetTimestamp();
                progress($"Scanned WAL up to LSN {position} ({(position - manifest.StartLsn) / (1 << 20)} MiB, {commits} commits, at {BackupManifest.FormatTime(lastTicks)})");
            }
        }
    }
}
