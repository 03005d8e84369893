using System.Buffers.Binary;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage;

/// <summary>
/// <c>data_dir/CONTROL</c>: written once when the data directory is created, then only read. Records the
/// format version and the page size the data file was built with, so a server configured with another
/// page size refuses to start instead of misreading pages.
/// Layout (little-endian, 32 bytes): magic "THDBCTRL", u32 version, u32 page size, i64 creation unix ms,
/// u32 reserved, u32 CRC32C of the preceding 28 bytes.
/// </summary>
public sealed record ControlFile(int FormatVersion, int PageSize, DateTimeOffset CreatedAt)
{
    public const string FileName = "CONTROL";
    public const int CurrentFormatVersion = 1;
    private const ulong Magic = 0x4C5254434244_4854; // "THDBCTRL" little-endian
    private const int Length = 32;

    /// <summary>
    /// Reads and validates <paramref name="dataDir"/>/CONTROL, or creates it when the directory is new.
    /// Throws <see cref="StorageFormatException"/> on a bad file or a page-size mismatch; nothing is written then.
    /// </summary>
    public static ControlFile OpenOrCreate(string dataDir, int configuredPageSize, bool dataFileExists)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
        {
            if (dataFileExists)
            {
                throw new StorageFormatException($"'{path}' is missing but the data file exists; refusing to guess its page size");
            }

            var created = new ControlFile(CurrentFormatVersion, configuredPageSize, DateTimeOffset.UtcNow);
            created.WriteNew(path);
            return created;
        }

        var control = Read(path);
        if (control.FormatVersion != CurrentFormatVersion)
        {
            throw new StorageFormatException(
                $"'{path}' has format version {control.FormatVersion}; this build reads version {CurrentFormatVersion}");
        }

        if (control.PageSize != configuredPageSize)
        {
            throw new StorageFormatException(
                $"page_size mismatch: the data directory '{dataDir}' was created with page_size = {control.PageSize} " +
                $"but storage.page_size is configured as {configuredPageSize}; set page_size = {control.PageSize} or use a new data directory");
        }

        return control;
    }

    public static ControlFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Length || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
        {
            throw new StorageFormatException($"'{path}' is not a ThunderDB control file");
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28));
        var actual = Crc32C.Compute(bytes.AsSpan(0, 28));
        if (stored != actual)
        {
            throw new StorageFormatException($"'{path}' failed its checksum (stored {stored:x8}, computed {actual:x8})");
        }

        return new ControlFile(
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)),
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16))));
    }

    /// <summary>Writes to a temporary name, syncs, then renames, so a crash never leaves a half CONTROL file.</summary>
    private void WriteNew(string path)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], PageSize);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], CreatedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[28..], Crc32C.Compute(bytes[..28]));

        var temp = path + ".tmp";
        using (var file = StorageFile.Open(temp, new FileOpenOptions { Backend = IoBackendKind.Posix }))
        {
            file.SetLength(0);
            file.Write(0, bytes);
            file.Flush();
        }

        File.Move(temp, path, overwrite: true);
    }
}
