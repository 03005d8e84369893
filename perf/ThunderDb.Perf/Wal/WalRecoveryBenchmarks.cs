using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Perf.Wal;

/// <summary>
/// Recovery replay speed: open a 64 MiB WAL of 200-byte commit records and read, CRC-check and walk
/// every operation (what recovery does before applying to the store).
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*WalRecoveryBenchmarks*' --job short
/// MB/s = 64 MiB / mean time.
/// </summary>
[MemoryDiagnoser]
public class WalRecoveryBenchmarks
{
    private const long WalBytes = 64L << 20;
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirectory.Create("wal-recovery");
        var options = new WalOptions { Directory = _dir, SyncCommit = false };
        using var wal = WriteAheadLog.Open(options, 0, 0, null, NullLogger.Instance, out _);
        using var builder = new WalRecordBuilder();
        var key = new byte[24];
        var value = new byte[100];
        ulong end = 0;
        for (long id = 1; end < WalBytes; id++)
        {
            builder.Reset();
            BitConverter.TryWriteBytes(key, id);
            builder.AddPut(key, value);
            var record = builder.Complete();
            var lsn = wal.Reserve(record.Length);
            WalRecord.Seal(record, WalRecordType.Commit, lsn, id, (ulong)id, 0, wal.FlushedLsn);
            wal.Publish(lsn, record);
            end = lsn + (ulong)record.Length;
        }

        wal.FlushTo(end);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public long Replay64MiB()
    {
        long operations = 0;
        using var wal = WriteAheadLog.Open(new WalOptions { Directory = _dir }, 0, 0, record =>
        {
            var ops = new WalOpReader(record);
            while (ops.MoveNext())
            {
                operations++;
            }
        }, NullLogger.Instance, out _);
        return operations;
    }
}
