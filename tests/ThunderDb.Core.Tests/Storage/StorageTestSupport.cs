using System.Buffers;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>A temp data directory removed on dispose, with the storage options of a test store in it.</summary>
internal sealed class TempDataDir : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string Path => _dir.Path;

    public string DataFile => System.IO.Path.Combine(Path, "thunder.db");

    public StorageOptions Options(int pageSize = 4096, long poolBytes = 8L << 20, bool compression = true,
        CompressionAlgorithm algorithm = CompressionAlgorithm.Lz4) => new()
        {
            DataDir = Path,
            PageSize = pageSize,
            BufferPoolSize = poolBytes,
            Compression = compression,
            CompressionAlgorithm = algorithm,
            IoBackend = TestBackend,
        };

    /// <summary>
    /// The whole storage suite runs on whichever I/O backend <c>THUNDERDB_TEST_IO_BACKEND</c> names
    /// (<c>posix</c> or <c>io_uring</c>; default: auto), so CI can run it once per backend.
    /// </summary>
    public static IoBackendKind TestBackend =>
        Environment.GetEnvironmentVariable("THUNDERDB_TEST_IO_BACKEND")?.ToLowerInvariant() switch
        {
            "posix" => IoBackendKind.Posix,
            "io_uring" or "iouring" => IoBackendKind.IoUring,
            _ => IoBackendKind.Auto,
        };

    public void Dispose() => _dir.Dispose();
}

internal sealed class ByteArrayComparer : IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y.AsSpan());
}

internal static class StoreAssert
{
    public static byte[]? Get(BTreeStore store, byte[] key)
    {
        var writer = new ArrayBufferWriter<byte>();
        return store.TryGet(key, writer) ? writer.WrittenSpan.ToArray() : null;
    }

    /// <summary>Full forward and backward scans must equal the model; returns a description of the first difference.</summary>
    public static string? CompareAll(BTreeStore store, SortedDictionary<byte[], byte[]> model)
    {
        using var cursor = store.OpenCursor();
        var expected = model.ToList();
        var i = 0;
        for (var ok = cursor.SeekFirst(); ok; ok = cursor.Next(), i++)
        {
            if (i >= expected.Count)
            {
                return $"forward scan has extra key {Convert.ToHexString(cursor.Key)}";
            }

            if (!cursor.Key.SequenceEqual(expected[i].Key) || !cursor.Value.SequenceEqual(expected[i].Value))
            {
                return $"forward scan at {i}: got {Convert.ToHexString(cursor.Key)}, expected {Convert.ToHexString(expected[i].Key)}";
            }
        }

        if (i != expected.Count)
        {
            return $"forward scan saw {i} keys, expected {expected.Count}";
        }

        i = expected.Count - 1;
        for (var ok = cursor.SeekLast(); ok; ok = cursor.Prev(), i--)
        {
            if (i < 0 || !cursor.Key.SequenceEqual(expected[i].Key) || !cursor.Value.SequenceEqual(expected[i].Value))
            {
                return $"backward scan differs at {i}";
            }
        }

        return i == -1 ? null : $"backward scan stopped at {i}";
    }
}
