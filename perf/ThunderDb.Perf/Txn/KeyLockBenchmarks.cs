using BenchmarkDotNet.Attributes;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Perf.Txn;

/// <summary>
/// Uncontended key locks, the cost every locking writer pays per key: acquire + release of one exclusive lock, and
/// of eight distinct keys released together (a transaction's commit). Entries and requests come from the stripes'
/// pools, so both must allocate 0 B/op.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*KeyLock*' --job short
/// </summary>
[MemoryDiagnoser]
public class KeyLockBenchmarks
{
    private const int OperationsPerInvoke = 1024;

    private readonly KeyLockManager _locks = new();
    private readonly LockOwner _owner = new() { Id = 1 };
    private readonly byte[] _key = [.. "bench:row:42"u8];
    private readonly byte[][] _keys = [.. Enumerable.Range(0, 8).Select(i => System.Text.Encoding.ASCII.GetBytes($"bench:row:{i}"))];

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public void AcquireRelease()
    {
        for (var i = 0; i < OperationsPerInvoke; i++)
        {
            var acquire = _locks.AcquireAsync(_owner, _key, KeyLockMode.Exclusive, Timeout.InfiniteTimeSpan);
            acquire.GetAwaiter().GetResult();
            _locks.ReleaseAll(_owner);
        }
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public void EightKeysThenReleaseAll()
    {
        for (var i = 0; i < OperationsPerInvoke; i++)
        {
            foreach (var key in _keys)
            {
                _locks.AcquireAsync(_owner, key, KeyLockMode.Exclusive, Timeout.InfiniteTimeSpan).GetAwaiter().GetResult();
            }

            _locks.ReleaseAll(_owner);
        }
    }
}
