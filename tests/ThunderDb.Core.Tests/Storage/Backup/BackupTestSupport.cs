using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Txn.TestDatabase;

namespace ThunderDb.Core.Tests.Storage.Backup;

internal static class BackupTestSupport
{
    /// <summary>A database under <c>root/name/data</c> with its WAL in <c>root/name/wal</c> (64 KiB segments, so checkpoints remove and archive some).</summary>
    public static StorageOptions Options(TempDataDir root, string name, bool syncCommit = true) =>
        root.Options(poolBytes: 4L << 20) with
        {
            DataDir = Path.Combine(root.Path, name, "data"),
            WalDir = Path.Combine(root.Path, name, "wal"),
            WalSegmentSize = 64 << 10,
            SyncCommit = syncCommit,
        };

    public static StorageEngine Open(StorageOptions options) => StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false);

    /// <summary>What <c>cp -a src dst</c> does for these trees.</summary>
    public static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(source))
        {
            CopyTree(dir, Path.Combine(target, Path.GetFileName(dir)));
        }
    }

    /// <summary>Every visible key with the given prefix and its value.</summary>
    public static Dictionary<string, string> ReadAll(StorageEngine engine, string prefix)
    {
        using var txn = engine.Begin();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in Scan(txn, prefix, prefix + "\uffff"))
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            result[kv[..eq]] = kv[(eq + 1)..];
        }

        return result;
    }

    /// <summary>Commits one put (value) or delete (null) and returns its commit wall-clock time in unix ticks.</summary>
    public static async Task<long> CommitAsync(StorageEngine engine, string key, string? value)
    {
        using var txn = engine.Begin();
        if (value is null)
        {
            txn.Delete(B(key));
        }
        else
        {
            txn.Put(B(key), B(value));
        }

        await txn.CommitAsync();
        return ((KvTransaction)txn).CommitWallClockTicks;
    }
}
