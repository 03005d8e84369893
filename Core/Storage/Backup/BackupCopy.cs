using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Storage.Backup;

/// <summary>File copies for backups and restores: sequential 1 MiB reads, CRC32C on the way, fdatasync at the end.</summary>
internal static class BackupCopy
{
    public const int ChunkSize = 1 << 20;

    public static uint Crc32COf(Stream stream)
    {
        var buffer = new byte[ChunkSize];
        var state = ~0u;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            state = Crc32C.Append(state, buffer.AsSpan(0, read));
        }

        return ~state;
    }

    /// <summary>
    /// Copies the first <paramref name="length"/> bytes of <paramref name="source"/> to the new file <paramref name="target"/>
    /// (fdatasync'ed), letting <paramref name="patch"/> change each chunk (its file offset, its bytes) first; returns the
    /// CRC32C of what was written. Fewer bytes in the source is an error: the caller knows they exist.
    /// </summary>
    public static uint CopyPrefix(string source, string target, long length, Action<long, Span<byte>>? patch = null, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[ChunkSize];
        var state = ~0u;
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan))
        using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            long done = 0;
            while (done < length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(buffer.Length, length - done);
                var got = 0;
                while (got < want)
                {
                    var n = input.Read(buffer, got, want - got);
                    if (n == 0)
                    {
                        throw new IOException($"'{source}' ended at {done + got} bytes while copying {length} bytes of it to '{target}'");
                    }

                    got += n;
                }

                patch?.Invoke(done, buffer.AsSpan(0, got));
                output.Write(buffer, 0, got);
                state = Crc32C.Append(state, buffer.AsSpan(0, got));
                done += got;
            }

            output.Flush(flushToDisk: true);
        }

        return ~state;
    }

    /// <summary>Writes <paramref name="bytes"/> to the new file <paramref name="target"/> (fdatasync'ed); returns its CRC32C.</summary>
    public static uint WriteNew(string target, ReadOnlySpan<byte> bytes)
    {
        using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            output.Write(bytes);
            output.Flush(flushToDisk: true);
        }

        return Crc32C.Compute(bytes);
    }

    /// <summary>Copies a whole file durably (restore, archive): to a temporary name, fdatasync, rename, directory fsync.</summary>
    public static void CopyDurably(string source, string target)
    {
        var temp = target + ".tmp";
        File.Delete(temp);
        CopyPrefix(source, temp, new FileInfo(source).Length);
        File.Move(temp, target, overwrite: true);
        DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(target))!);
    }
}
