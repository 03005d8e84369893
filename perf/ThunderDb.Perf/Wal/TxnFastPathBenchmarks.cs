using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;

namespace ThunderDb.Perf.Wal;

/// <summary>
/// The fixed cost of one engine transaction the way the RESP layer runs them (one recycled transaction per
/// command, sync_commit=false): begin + read of one small key + end (GET), and begin + read + write + commit (SET),
/// with 1 and 2 threads each on its own key (no conflicts; 2 threads contend only on the engine's shared state).
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*TxnFastPath*' --job short
/// </summary>
[MemoryDiagnoser]
public class TxnFastPathBenchmarks
{
    private const int TransactionsPerInvoke = 4096;

    private StorageEngine? _engine;
    private string _dir = "";
    private readonly byte[][] _keys = [[.. "txn:key:0"u8], [.. "txn:key:1"u8]];
    private readonly byte[] _value = new byte[32];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "thunderdb-txn-bench-" + Environment.ProcessId);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        Directory.CreateDirectory(_dir);
        _engine = StorageEngine.Open(new StorageOptions { DataDir = _dir, SyncCommit = false, BufferPoolSize = 64L << 20 }, NullLogger.Instance);
        foreach (var key in _keys)
        {
            using var txn = _engine.Begin();
            txn.Put(key, _value);
            txn.CommitAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = TransactionsPerInvoke)]
    public void ReadOnly() => RunOnThreads(static (db, key, value, count) =>
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        IKvTransaction? txn = null;
        for (var i = 0; i < count; i++)
        {
            txn = db.Begin(IsolationLevel.RepeatableRead, txn);
            buffer.ResetWrittenCount();
            txn.TryGet(key, buffer);
            txn.Rollback();
        }
    });

    [Benchmark(OperationsPerInvoke = TransactionsPerInvoke)]
    public void ReadWrite() => RunOnThreads(static (db, key, value, count) =>
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        IKvTransaction? txn = null;
        for (var i = 0; i < count; i++)
        {
            txn = db.Begin(IsolationLevel.RepeatableRead, txn);
            buffer.ResetWrittenCount();
            txn.TryGet(key, buffer);
            txn.Put(key, value);
            var commit = txn.CommitAsync();
            if (!commit.IsCompletedSuccessfully)
            {
                commit.AsTask().GetAwaiter().GetResult();
            }
        }
    });

    private void RunOnThreads(Action<IKvDatabase, byte[], byte[], int> body)
    {
        var db = _engine!;
        var perThread = TransactionsPerInvoke / Threads;
        if (Threads == 1)
        {
            body(db, _keys[0], _value, perThread);
            return;
        }

        var threads = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            var key = _keys[t];
            threads[t] = new Thread(() => body(db, key, _value, perThread));
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
