using System.Buffers.Binary;
using System.Security.Cryptography;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage;

/// <summary>
/// <c>data_dir/CONTROL</c>: written when the data directory is created, then only read. Records the format
/// version, the page size the data file was built with (a server configured with another page size refuses
/// to start instead of misreading pages) and the system identifier, a random 64-bit number drawn at
/// creation that the WAL directory's marker file must repeat (see <see cref="WalDirectoryMarker"/>), so a
/// data directory is never replayed against another database's WAL, or against none.
/// Layout (little-endian, 40 bytes): magic "THDBCTRL", u32 version, u32 page size, i64 creation unix ms,
/// u64 system id, u32 reserved, u32 CRC32C of the preceding 36 bytes. Version 1 (32 bytes, no system id)
/// is upgraded in place on open.
/// </summary>
public sealed record ControlFile(int FormatVersion, int PageSize, DateTimeOffset CreatedAt, ulong SystemId)
{
    public const string FileName = "CONTROL";

    /// <summary>This open upgraded a version-1 file: the WAL directory was adopted as it was (builds before markers wrote no first segment).</summary>
    public bool UpgradedNow { get; init; }

    public const int CurrentFormatVersion = 2;
    private const ulong Magic = 0x4C5254434244_4854; // "THDBCTRL" little-endian
    private const int LengthV1 = 32;
    private const int Length = 40;

    /// <summary>
    /// Reads and validates <paramref name="dataDir"/>/CONTROL, or creates it when the directory is new.
    /// Throws <see cref="StorageFormatException"/> on a bad file or a page-size mismatch; nothing is written then.
    /// </summary>
    /// <remarks>
    /// Upgrading a version-1 file marks <paramref name="walDir"/> with the new identifier first, so a crash in
    /// between leaves a version-1 file and a marker it does not match: the next start refuses and names both.
    /// </remarks>
    public static ControlFile OpenOrCreate(string dataDir, string walDir, int configuredPageSize, bool dataFileExists)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            if (dataFileExists)
            {
                throw new StorageFormatException($"'{path}' is missing but the data file exists; refusing to guess its page size");
            }

            var created = new ControlFile(CurrentFormatVersion, configuredPageSize, DateTimeOffset.UtcNow, NewSystemId());
            created.WriteNew(path);
            return created;
        }

        var control = Read(path);
        if (control.FormatVersion is not (1 or CurrentFormatVersion))
        {
            throw new StorageFormatException(
                $"'{path}' has format version {control.FormatVersion}; this build reads versions 1 and {CurrentFormatVersion}");
        }

        if (control.PageSize != configuredPageSize)
        {
            throw new StorageFormatException(
                $"page_size mismatch: the data directory '{dataDir}' was created with page_size = {control.PageSize} " +
                $"but storage.page_size is configured as {configuredPageSize}; set page_size = {control.PageSize} or use a new data directory");
        }

        if (control.FormatVersion == 1)
        {
            // Written before system identifiers existed: draw one now; the WAL directory gets its marker at this open.
            var upgraded = control with { FormatVersion = CurrentFormatVersion, SystemId = NewSystemId(), UpgradedNow = dataFileExists };
            if (dataFileExists)
            {
                WalDirectoryMarker.Verify(walDir, upgraded.SystemId, WalMarkerMode.CreateForUpgrade, 0);
            }

            upgraded.WriteNew(path);
            return upgraded;
        }

        return control;
    }

    public static ControlFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < LengthV1 || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
        {
            throw new StorageFormatException($"'{path}' is not a ThunderDB control file");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var length = version == 1 ? LengthV1 : Length;
        if (bytes.Length < length)
        {
            throw new StorageFormatException($"'{path}' is truncated ({bytes.Length} bytes, version {version} needs {length})");
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(length - 4));
        var actual = Crc32C.Compute(bytes.AsSpan(0, length - 4));
        if (stored != actual)
        {
            throw new StorageFormatException($"'{path}' failed its checksum (stored {stored:x8}, computed {actual:x8})");
        }

        return new ControlFile(
            version,
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16))),
            version == 1 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)));
    }

    /// <summary>
    /// Gives the database in <paramref name="dataDir"/> a new system identifier (a point-in-time restore starts a new
    /// history) and returns it; the caller rewrites the WAL directory's marker to match.
    /// </summary>
    internal static ulong AssignNewSystemId(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        var control = Read(path) with { FormatVersion = CurrentFormatVersion, SystemId = NewSystemId() };
        control.WriteNew(path);
        return control.SystemId;
    }

    /// <summary>Never zero (zero means "no identifier" in the WAL options).</summary>
    private static ulong NewSystemId()
    {
        Span<byte> random = stackalloc byte[8];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(random);
            id = BinaryPrimitives.ReadUInt64LittleEndian(random);
        }
        while (id == 0);

        return id;
    }

    /// <summary>Writes to a temporary name, syncs, renames and syncs the directory, so a crash never leaves a half or vanished CONTROL file.</summary>
    private void WriteNew(string path)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], PageSize);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], CreatedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], SystemId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[36..], Crc32C.Compute(bytes[..36]));
        DurableFile.WriteAtomically(path, bytes);
    }
}
