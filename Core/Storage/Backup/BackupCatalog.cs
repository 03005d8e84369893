using System.Globalization;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Storage.Backup;

/// <summary>A directory under <c>backup_dir</c>: complete (it has a valid manifest) or not (interrupted, or being written).</summary>
public sealed record BackupEntry(string Id, string Path, bool Complete, BackupManifest? Manifest, long SizeBytes, DateTime Time, string? Problem);

/// <summary>
/// The backups under <c>backup_dir</c>: one directory each (named by its start time, <c>2025-01-15T00-00-00Z</c>),
/// <c>latest</c> (a symbolic link to the newest complete one) and <c>wal/</c> (the WAL archive, <see cref="WalArchive"/>).
/// Anything may be removed by hand (the runbook's "Disk Full" procedure); every reader here tolerates that.
/// </summary>
public static class BackupCatalog
{
    public const string LatestName = "latest";
    public const string ArchiveName = "wal";

    /// <summary>Newest first; an unreadable or missing <paramref name="backupDir"/> lists nothing.</summary>
    public static List<BackupEntry> List(string backupDir)
    {
        var list = new List<BackupEntry>();
        if (!Directory.Exists(backupDir))
        {
            return list;
        }

        foreach (var dir in Directory.EnumerateDirectories(backupDir))
        {
            var name = System.IO.Path.GetFileName(dir);
            if (name is LatestName or ArchiveName || new DirectoryInfo(dir).LinkTarget is not null)
            {
                continue;
            }

            try
            {
                var manifest = BackupManifest.Read(dir);
                list.Add(new BackupEntry(name, dir, true, manifest, manifest.TotalBytes, TimeOf(manifest.StartTicks), null));
            }
            catch (Exception e) when (e is BackupInvalidException or IOException or UnauthorizedAccessException)
            {
                list.Add(new BackupEntry(name, dir, false, null, SizeOf(dir), SafeTime(dir), e.Message));
            }
        }

        list.Sort((a, b) => b.Time.CompareTo(a.Time));
        return list;
    }

    /// <summary>A new directory name under <paramref name="backupDir"/> for a backup starting now.</summary>
    public static string NewBackupPath(string backupDir, DateTime utcNow)
    {
        var stem = utcNow.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture);
        var path = System.IO.Path.Combine(backupDir, stem);
        for (var i = 2; Directory.Exists(path); i++)
        {
            path = System.IO.Path.Combine(backupDir, $"{stem}-{i}");
        }

        return path;
    }

    /// <summary>Points <c>backup_dir/latest</c> at the newest complete backup (a relative symbolic link, replaced atomically); removes it when there is none.</summary>
    public static void UpdateLatest(string backupDir)
    {
        var newest = List(backupDir).FirstOrDefault(b => b.Complete);
        var link = System.IO.Path.Combine(backupDir, LatestName);
        if (newest is null)
        {
            if (new FileInfo(link).LinkTarget is not null)
            {
                File.Delete(link);
            }

            return;
        }

        var temp = link + ".tmp";
        if (new FileInfo(temp).LinkTarget is not null || File.Exists(temp))
        {
            File.Delete(temp);
        }

        File.CreateSymbolicLink(temp, newest.Id);
        Io.Files.AtomicRename.Replace(temp, link);
        DirectorySync.Sync(backupDir);
    }

    /// <summary>
    /// Keeps the <paramref name="keep"/> newest complete backups and deletes the older ones, and incomplete directories older
    /// than the newest complete backup (left by a killed backup); never <paramref name="running"/>. Returns the ids removed.
    /// </summary>
    public static List<string> Prune(string backupDir, int keep, string? running)
    {
        var removed = new List<string>();
        var complete = 0;
        DateTime? newestComplete = null;
        foreach (var entry in List(backupDir))
        {
            if (running is not null && string.Equals(System.IO.Path.GetFullPath(entry.Path), System.IO.Path.GetFullPath(running), StringComparison.Ordinal))
            {
                continue;
            }

            var drop = entry.Complete ? ++complete > keep : newestComplete is { } n && entry.Time < n;
            newestComplete ??= entry.Complete ? entry.Time : null;
            if (drop)
            {
                try
                {
                    Directory.Delete(entry.Path, recursive: true);
                    removed.Add(entry.Id);
                }
                catch (DirectoryNotFoundException)
                {
                    // Removed by hand meanwhile.
                }
            }
        }

        return removed;
    }

    private static DateTime TimeOf(long unixTicks) => new(DateTime.UnixEpoch.Ticks + unixTicks, DateTimeKind.Utc);

    private static DateTime SafeTime(string dir)
    {
        try
        {
            return Directory.GetCreationTimeUtc(dir);
        }
        catch (IOException)
        {
            return DateTime.MinValue;
        }
    }

    private static long SizeOf(string dir)
    {
        try
        {
            return new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
