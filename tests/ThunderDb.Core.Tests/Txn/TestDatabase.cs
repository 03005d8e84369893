using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Txn;

/// <summary>A database over an in-memory store in a temp WAL directory, with crash-and-restart.</summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly bool _syncCommit;

    private readonly Func<DatabaseOptions, DatabaseOptions> _configure;

    public TestDatabase(bool syncCommit = true, long segmentSize = 1 << 20, Func<DatabaseOptions, DatabaseOptions>? configure = null)
    {
        _syncCommit = syncCommit;
        _configure = configure ?? (o => o);
        SegmentSize = segmentSize;
        Store = new InMemoryOrderedStore();
        Db = Open(Store);
    }

    public long SegmentSize { get; }

    public InMemoryOrderedStore Store { get; private set; }

    public Database Db { get; private set; }

    public string WalDir => Path.Combine(_dir.Path, "wal");

    private Database Open(InMemoryOrderedStore store) => Database.Open(
        _configure(new DatabaseOptions
        {
            Storage = new StorageOptions { DataDir = _dir.Path, SyncCommit = _syncCommit },
            Wal = new WalOptions { Directory = WalDir, SegmentSize = SegmentSize, BufferSize = 256 << 10, SyncCommit = _syncCommit },
            BackgroundWorkers = false,
        }),
        store, store, store.Checkpointed, NullLogger.Instance);

    /// <summary>Kill: no checkpoint, the store's unsaved state is lost; restart from the last checkpoint plus the WAL.</summary>
    public void CrashAndRestart()
    {
        Db.SimulateCrash();
        Store = Store.RestoreLastCheckpoint();
        Db = Open(Store);
    }

    /// <summary>Graceful close (final checkpoint) and reopen over what the checkpoint saved.</summary>
    public void CloseAndReopen()
    {
        Db.Dispose();
        Store = Store.RestoreLastCheckpoint();
        Db = Open(Store);
    }

    public void Dispose()
    {
        Db.Dispose();
        _dir.Dispose();
    }

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string? Get(IKvTransaction txn, string key)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return txn.TryGet(B(key), buffer) ? Encoding.UTF8.GetString(buffer.WrittenSpan) : null;
    }

    public static List<string> Scan(IKvTransaction txn, string start, string end, bool reverse = false)
    {
        var result = new List<string>();
        using var cursor = txn.Scan(B(start), B(end), reverse);
        while (cursor.MoveNext())
        {
            result.Add(Encoding.UTF8.GetString(cursor.Key) + "=" + Encoding.UTF8.GetString(cursor.Value));
        }

        return result;
    }

    public async Task Commit(params (string Key, string? Value)[] writes)
    {
        using var txn = Db.Begin();
        foreach (var (key, value) in writes)
        {
            if (value is null)
            {
                txn.Delete(B(key));
            }
            else
            {
                txn.Put(B(key), B(value));
            }
        }

        await txn.CommitAsync();
    }
}
