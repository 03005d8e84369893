using System.Buffers.Binary;
using System.Globalization;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// <c>wal_dir/WAL_ID</c>: names the database a WAL directory belongs to by the system identifier of its
/// CONTROL file. Written before the data file is initialised (with an empty first segment, so a live WAL
/// always holds the segment of its redo start); checked at every open, so a mistyped <c>wal_dir</c> (an
/// empty directory) or another database's WAL stops startup instead of silently serving the last checkpoint.
/// Layout (24 bytes): magic "THDBWALM", u64 system id, u32 reserved, u32 CRC32C of the first 20 bytes.
/// </summary>
internal static class WalDirectoryMarker
{
    public const string FileName = "WAL_ID";
    private const ulong Magic = 0x4D4C415742444854; // "THDBWALM" little-endian
    private const int Length = 24;

    /// <summary>
    /// Makes sure <paramref name="directory"/> is the WAL of system <paramref name="systemId"/>, or (for a new
    /// or upgraded data directory, <paramref name="mode"/>) makes it so. <paramref name="redoLsn"/> is named in errors.
    /// </summary>
    public static void Verify(string directory, ulong systemId, WalMarkerMode mode, ulong redoLsn)
    {
        var path = Path.Combine(directory, FileName);
        var hasSegments = Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*" + WalSegmentSet.Extension).Any();
        ulong? found = File.Exists(path) ? Read(path) : null;
        if (found == systemId)
        {
            if (mode == WalMarkerMode.CreateForNewDatabase && !hasSegments)
            {
                CreateFirstSegment(directory); // a crash came between the marker and the segment
            }

            return;
        }

        // An unborn database's leftover marker (a crash during initialisation) guards nothing: no segment was ever written.
        var writable = mode switch
        {
            WalMarkerMode.CreateForNewDatabase => !hasSegments,
            WalMarkerMode.CreateForUpgrade => found is null,
            _ => false,
        };
        if (!writable)
        {
            throw new WalMissingException(found is { } other
                ? $"the WAL directory '{directory}' belongs to another database (its {FileName} names system identifier {Format(other)}, " +
                  $"this data directory is {Format(systemId)}); this data directory needs its own WAL from LSN {redoLsn}. " +
                  "Check storage.wal_dir / THUNDERDB_WAL_DIR"
                : $"the WAL directory '{directory}' is not this database's WAL: it has no {FileName} marker " +
                  $"({(hasSegments ? "but holds segment files" : "it is empty or missing")}). " +
                  (mode == WalMarkerMode.Verify
                      ? $"The data directory needs the WAL from LSN {redoLsn} (system identifier {Format(systemId)}). "
                      : "The data directory is new, so those segments belong to another database. ") +
                  "Check storage.wal_dir / THUNDERDB_WAL_DIR; refusing to start rather than lose or mix up commits");
        }

        DirectorySync.CreateDurably(directory);
        DirectorySync.SyncParent(directory); // the host may have created it without a sync
        Write(path, systemId);
        if (mode == WalMarkerMode.CreateForNewDatabase)
        {
            CreateFirstSegment(directory);
        }
    }

    /// <summary>The segment holding LSN 0, empty: the redo start of a new database always has its segment.</summary>
    private static void CreateFirstSegment(string directory)
    {
        File.WriteAllBytes(Path.Combine(directory, WalSegmentSet.FileNameOf(0)), []);
        DirectorySync.Sync(directory);
    }

    public static ulong Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Length || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)) != Crc32C.Compute(bytes.AsSpan(0, 20)))
        {
            throw new WalMissingException($"'{path}' is not a valid ThunderDB WAL marker (bad magic or checksum)");
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
    }

    public static void Write(string path, ulong systemId)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], systemId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[20..], Crc32C.Compute(bytes[..20]));
        DurableFile.WriteAtomically(path, bytes);
    }

    private static string Format(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);
}

/// <summary>The WAL this data directory needs is not there (wrong directory, another database's, or segments missing): startup stops.</summary>
public sealed class WalMissingException(string message) : Exception(message);
