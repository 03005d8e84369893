using ThunderDb.Core.Storage.Wal;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage;

/// <summary>Small files (CONTROL, the WAL marker) written so that a crash leaves either the old file or the whole new one.</summary>
internal static class DurableFile
{
    /// <summary>Writes a temporary file, fdatasyncs it, renames it over <paramref name="path"/> and fsyncs the directory.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = path + ".tmp";
        using (var file = StorageFile.Open(temp, new FileOpenOptions { Backend = IoBackendKind.Posix }))
        {
            file.SetLength(0);
            file.Write(0, bytes);
            file.Flush();
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
