using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Perf.Storage;

/// <summary>
/// The B+tree as the Redis front end uses it: 100k user keys shaped like redis-benchmark's
/// (<c>key:000000012345</c>), stored MVCC-versioned (<c>key ++ 00 00 ++ bigEndian(~commitTs)</c>, 26 bytes, see
/// Core/Txn/MvccKey.cs) with 8-byte values, everything cached in the buffer pool. Keys share an 11-byte prefix,
/// so the comparisons in the node binary search are the cost that matters.
/// <c>Get</c> is an exact point lookup, <c>SeekPrefix</c> a cursor seek to the newest version of a key (what
/// a transactional GET does), <c>PutVersion</c> inserts a newer version of a random key.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*BTreeMvcc*' --job short
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class BTreeMvccBenchmarks
{
    private const int KeyCount = 100_000;
    private const int Batch = 1000;
    private const int KeyLength = 16 + 2 + 8;

    private string _dataDir = "";
    private BTreeStore _store = null!;
    private IStoreCursor _cursor = null!;
    private readonly ArrayBufferWriter<byte> _value = new(64);
    private readonly byte[] _payload = new byte[8];
    private byte[][] _versioned = [];
    private byte[][] _prefixes = [];
    private int[] _order = [];
    private int _next;
    private ulong _commitTs;

    [GlobalSetup]
    public void Setup()
    {
        _dataDir = Path.Combine(Path.GetTempPath(), $"thunderdb-bench-btree-mvcc-{Environment.ProcessId}");
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }

        _store = BTreeStore.Open(new StorageOptions { DataDir = _dataDir, PageSize = 16384, BufferPoolSize = 256L << 20 });
        _versioned = new byte[KeyCount][];
        _prefixes = new byte[KeyCount][];
        for (var i = 0; i < KeyCount; i++)
        {
            var user = "key:" + i.ToString("D12", CultureInfo.InvariantCulture);
            var key = new byte[KeyLength];
            for (var c = 0; c < user.Length; c++)
            {
                key[c] = (byte)user[c];
            }

            _prefixes[i] = key.AsSpan(0, user.Length + 2).ToArray();
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(user.Length + 2), ~(ulong)(i + 1));
            _versioned[i] = key;
        }

        // Insert in a random order, as a benchmark run fills a server.
        var random = new Random(42);
        var load = Enumerable.Range(0, KeyCount).ToArray();
        random.Shuffle(load);
        foreach (var i in load)
        {
            _store.Put(_versioned[i], _payload);
        }

        _order = new int[1 << 16];
        for (var i = 0; i < _order.Length; i++)
        {
            _order[i] = random.Next(KeyCount);
        }

        _cursor = _store.OpenCursor();
        _commitTs = KeyCount + 1;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cursor.Dispose();
        _store.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Get()
    {
        var found = 0;
        for (var i = 0; i < Batch; i++)
        {
            _value.ResetWrittenCount();
            if (_store.TryGet(_versioned[_order[_next++ & 0xFFFF]], _value))
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int SeekPrefix()
    {
        var found = 0;
        for (var i = 0; i < Batch; i++)
        {
            if (_cursor.Seek(_prefixes[_order[_next++ & 0xFFFF]]))
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void PutVersion()
    {
        Span<byte> key = stackalloc byte[KeyLength];
        for (var i = 0; i < Batch; i++)
        {
            var prefix = _prefixes[_order[_next++ & 0xFFFF]];
            prefix.CopyTo(key);
            BinaryPrimitives.WriteUInt64BigEndian(key[prefix.Length..], ~_commitTs++);
            _store.Put(key, _payload);
        }
    }
}
