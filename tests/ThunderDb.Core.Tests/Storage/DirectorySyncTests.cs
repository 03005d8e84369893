using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>Creating a data directory fsyncs every directory whose entries changed, so CONTROL, thunder.db and wal/ survive a power cut.</summary>
[NotInParallel("directory-sync-hook")]
public class DirectorySyncTests
{
    [Test]
    public async Task Initialising_a_data_directory_syncs_the_directories_of_every_file_it_creates()
    {
        using var dir = new TempDirectory();
        var root = dir.Path;
        var dataDir = Path.Combine(root, "data");
        var walDir = Path.Combine(root, "wal-elsewhere");
        var synced = new ConcurrentBag<string>();
        DirectorySync.Synced = d => synced.Add(Path.GetFullPath(d).TrimEnd('/'));
        try
        {
            var options = new StorageOptions { DataDir = dataDir, WalDir = walDir, PageSize = 4096, BufferPoolSize = 1 << 20, IoBackend = TempDataDir.TestBackend };
            StorageEngine.Open(options, NullLogger.Instance, backgroundWorkers: false).Dispose();
        }
        finally
        {
            DirectorySync.Synced = null;
        }

        // data/ holds CONTROL and thunder.db; root holds data/ and wal-elsewhere/; wal-elsewhere/ holds WAL_ID and segments.
        await Assert.That(synced).Contains(dataDir);
        await Assert.That(synced).Contains(root);
        await Assert.That(synced).Contains(walDir);
        await Assert.That(File.Exists(Path.Combine(walDir, WalDirectoryMarker.FileName))).IsTrue();
        await Assert.That(File.Exists(Path.Combine(dataDir, ControlFile.FileName))).IsTrue();
    }

    [Test]
    public async Task Creating_nested_directories_syncs_each_new_ones_parent()
    {
        using var dir = new TempDirectory();
        var root = dir.Path;
        var synced = new ConcurrentBag<string>();
        DirectorySync.Synced = d => synced.Add(Path.GetFullPath(d).TrimEnd('/'));
        try
        {
            DirectorySync.CreateDurably(Path.Combine(root, "a", "b"));
        }
        finally
        {
            DirectorySync.Synced = null;
        }

        await Assert.That(Directory.Exists(Path.Combine(root, "a", "b"))).IsTrue();
        await Assert.That(synced.Where(d => d.StartsWith(root, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            .IsEquivalentTo(new[] { root, Path.Combine(root, "a") });
    }
}
