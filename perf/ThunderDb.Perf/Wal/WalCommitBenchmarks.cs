using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.Wal;
using ThunderDb.Core.Txn;
using ThunderDb.Io.Files;

namespace ThunderDb.Perf.Wal;

/// <summary>
/// Durable commits per second (sync_commit = true) with 1, 8 and 64 concurrent committers on a real
/// disk directory, next to the raw cost of one small write + fdatasync on the same disk (the physical
/// floor a single committer cannot beat). Group commit shows as commits/s growing with committers.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*WalCommitBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class WalCommitBenchmarks
{
    private const int CommitsPerInvoke = 512;

    private string _dir = "";
    private Database? _db;
    private StorageFile? _syncFile;
    private long _syncOffset;
    private readonly byte[] _record = new byte[128];
    private byte[][] _keys = [];
    private readonly byte[] _value = new byte[100];

    [Params(1, 8, 64)]
    public int Committers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirectory.Create("wal-commit");
        var store = new BenchStore();
        _db = Database.Open(
            new DatabaseOptions
            {
                Storage = new StorageOptions { DataDir = _dir, SyncCommit = true },
                BackgroundWorkers = false,
            },
            store, store, default, NullLogger.Instance);
        _keys = [.. Enumerable.Range(0, 64).Select(i => System.Text.Encoding.ASCII.GetBytes($"committer-{i:D2}"))];
        _syncFile = StorageFile.Open(Path.Combine(_dir, "fdatasync.probe"), new FileOpenOptions { Backend = IoBackendKind.Posix });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        _syncFile?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One committer's transaction: one 100-byte value under its own key (no conflicts), durable on return.</summary>
    [Benchmark(OperationsPerInvoke = CommitsPerInvoke)]
    public async Task DurableCommit()
    {
        var db = _db!;
        var perCommitter = CommitsPerInvoke / Committers;
        var tasks = new Task[Committers];
        for (var c = 0; c < Committers; c++)
        {
            var key = _keys[c];
            tasks[c] = Task.Run(async () =>
            {
                for (var i = 0; i < perCommitter; i++)
                {
                    using var txn = db.Begin();
                    txn.Put(key, _value);
                    await txn.CommitAsync().ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);

        // Dead versions would pile up across iterations; drop them outside the measured commits' critical path.
        db.Vacuum([], []);
    }

    /// <summary>The disk's floor: append 128 bytes and fdatasync, like a flusher batch holding one commit.</summary>
    [Benchmark]
    public void WriteAndFdatasync()
    {
        _syncFile!.Write(_syncOffset, _record);
        _syncOffset += _record.Length;
        _syncFile.Flush();
    }
}
