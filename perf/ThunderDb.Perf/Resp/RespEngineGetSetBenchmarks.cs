using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Txn;

namespace ThunderDb.Perf.Resp;

/// <summary>
/// The same GET/SET round trips over the real storage engine (B+tree + WAL + MVCC, sync_commit=false): every
/// command is one MVCC transaction, SET one WAL commit record. The allocation column shows what the engine adds
/// per command on top of the RESP layer (the write set's copies of key and value for SET).
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*RespEngineGetSet*' --job short
/// </summary>
public class RespEngineGetSetBenchmarks : RespGetSetBenchmarks
{
    private StorageEngine? _engine;
    private string? _directory;

    protected override IKvDatabase CreateDatabase()
    {
        _directory = Path.Combine(Path.GetTempPath(), "thunderdb-resp-engine-bench-" + Environment.ProcessId);
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        Directory.CreateDirectory(_directory);
        _engine = StorageEngine.Open(new StorageOptions { DataDir = _directory, SyncCommit = false, BufferPoolSize = 64L << 20 }, NullLogger.Instance);
        return _engine;
    }

    public override void Cleanup()
    {
        base.Cleanup();
        _engine?.Dispose();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
