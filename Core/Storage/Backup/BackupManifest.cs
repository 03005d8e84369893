using System.Globalization;
using System.Text.Json;

namespace ThunderDb.Core.Storage.Backup;

/// <summary>One file of a backup, relative to the backup directory ("data/thunder.db"), with its size and CRC32C.</summary>
public sealed record BackupFile(string Path, long Size, uint Crc32C);

/// <summary>
/// <c>&lt;backup&gt;/manifest.json</c>, written last (temporary name, fsync, rename): a backup directory without it is
/// incomplete and never listed as complete. Times are unix 100 ns ticks (RFC 3339 in the JSON).
/// </summary>
public sealed record BackupManifest
{
    public const string FileName = "manifest.json";
    public const int CurrentFormat = 1;

    public required string Id { get; init; }
    public int Format { get; init; } = CurrentFormat;
    public required string ThunderDbVersion { get; init; }
    public required ulong SystemId { get; init; }
    public required int PageSize { get; init; }
    public required long StartTicks { get; init; }
    public required long EndTicks { get; init; }

    /// <summary>The pinned checkpoint's redo LSN: the backup's WAL starts here.</summary>
    public required ulong StartLsn { get; init; }

    /// <summary>End of the last commit the backup holds (every commit acknowledged before the backup ended).</summary>
    public required ulong EndLsn { get; init; }
    public required ulong CheckpointSequence { get; init; }
    public required ulong StartCommitTs { get; init; }
    public required ulong EndCommitTs { get; init; }

    /// <summary>Wall-clock time of the last commit the backup holds (0 if none).</summary>
    public required long EndCommitTicks { get; init; }
    public required long WalSegmentSize { get; init; }
    public required IReadOnlyList<BackupFile> Files { get; init; }

    public long TotalBytes => Files.Sum(f => f.Size);

    public static string FormatTime(long unixTicks) =>
        new DateTime(DateTime.UnixEpoch.Ticks + unixTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static long ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcTicks - DateTime.UnixEpoch.Ticks;

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteString("backup_id", Id);
            w.WriteString("status", "complete");
            w.WriteString("thunderdb_version", ThunderDbVersion);
            w.WriteString("system_id", SystemId.ToString("x16", CultureInfo.InvariantCulture));
            w.WriteNumber("page_size", PageSize);
            w.WriteString("start_time", FormatTime(StartTicks));
            w.WriteString("end_time", FormatTime(EndTicks));
            w.WriteNumber("start_lsn", StartLsn);
            w.WriteNumber("end_lsn", EndLsn);
            w.WriteNumber("checkpoint_sequence", CheckpointSequence);
            w.WriteNumber("start_commit_ts", StartCommitTs);
            w.WriteNumber("end_commit_ts", EndCommitTs);
            w.WriteString("end_commit_time", FormatTime(EndCommitTicks));
            w.WriteNumber("wal_segment_size", WalSegmentSize);
            w.WriteStartArray("files");
            foreach (var f in Files)
            {
                w.WriteStartObject();
                w.WriteString("path", f.Path);
                w.WriteNumber("size", f.Size);
                w.WriteString("crc32c", f.Crc32C.ToString("x8", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Reads <c>manifest.json</c> of <paramref name="backupDir"/>; throws <see cref="BackupInvalidException"/> naming what is wrong.</summary>
    public static BackupManifest Read(string backupDir)
    {
        var path = System.IO.Path.Combine(backupDir, FileName);
        if (!File.Exists(path))
        {
            throw new BackupInvalidException($"'{backupDir}' is not a complete ThunderDB backup: it has no {FileName} (an interrupted backup, or not a backup directory)");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var r = doc.RootElement;
            var files = new List<BackupFile>();
            foreach (var f in r.GetProperty("files").EnumerateArray())
            {
                files.Add(new BackupFile(f.GetProperty("path").GetString()!, f.GetProperty("size").GetInt64(),
                    uint.Parse(f.GetProperty("crc32c").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }

            var format = r.GetProperty("format").GetInt32();
            if (format > CurrentFormat)
            {
                throw new BackupInvalidException($"'{path}' has backup format {format}; this build reads format {CurrentFormat}");
            }

            return new BackupManifest
            {
                Format = format,
                Id = r.GetProperty("backup_id").GetString()!,
                ThunderDbVersion = r.GetProperty("thunderdb_version").GetString()!,
                SystemId = ulong.Parse(r.GetProperty("system_id").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                PageSize = r.GetProperty("page_size").GetInt32(),
                StartTicks = ParseTime(r.GetProperty("start_time").GetString()!),
                EndTicks = ParseTime(r.GetProperty("end_time").GetString()!),
                StartLsn = r.GetProperty("start_lsn").GetUInt64(),
                EndLsn = r.GetProperty("end_lsn").GetUInt64(),
                CheckpointSequence = r.GetProperty("checkpoint_sequence").GetUInt64(),
                StartCommitTs = r.GetProperty("start_commit_ts").GetUInt64(),
                EndCommitTs = r.GetProperty("end_commit_ts").GetUInt64(),
                EndCommitTicks = ParseTime(r.GetProperty("end_commit_time").GetString()!),
                WalSegmentSize = r.GetProperty("wal_segment_size").GetInt64(),
                Files = files,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new BackupInvalidException($"'{path}' is not a valid backup manifest: {e.Message}");
        }
    }

    /// <summary>Checks every file's size and CRC32C; throws <see cref="BackupInvalidException"/> naming the first bad file.</summary>
    public void Verify(string backupDir)
    {
        foreach (var file in Files)
        {
            var path = System.IO.Path.Combine(backupDir, file.Path);
            if (!File.Exists(path))
            {
                throw new BackupInvalidException($"backup file '{path}' is missing");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (stream.Length != file.Size)
            {
                throw new BackupInvalidException($"backup file '{path}' has {stream.Length} bytes, the manifest says {file.Size}: the backup is damaged");
            }

            var crc = BackupCopy.Crc32COf(stream);
            if (crc != file.Crc32C)
            {
                throw new BackupInvalidException(
                    $"backup file '{path}' is corrupted: CRC32C {crc:x8} does not match the manifest's {file.Crc32C:x8}; refusing to restore from it");
            }
        }
    }
}

/// <summary>A backup that cannot be used: incomplete, damaged (names the file), or not a backup.</summary>
public sealed class BackupInvalidException(string message) : Exception(message);
