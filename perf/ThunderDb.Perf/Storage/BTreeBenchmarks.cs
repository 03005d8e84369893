using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ThunderDb.Core.Storage;
using ThunderDb.Core.Storage.BTree;

namespace ThunderDb.Perf.Storage;

/// <summary>
/// B+tree point lookups, inserts and range scans on 1M keys (8-byte keys, 32-byte values, loaded in
/// key order: ~100 MB of half-full 16 KiB pages), with the buffer pool holding everything ("cached": 4x the
/// data file) or a tenth of it ("small": the data file size / 10, O_DIRECT so misses reach the device).
/// The data directory is built once per pool shape under /tmp and reused by later runs: the benchmarks
/// never checkpoint, so with shadow paging every reopen starts from the same 1M-key tree.
/// Run: dotnet run -c Release --project perf/ThunderDb.Perf -- --filter '*BTreeBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class BTreeBenchmarks
{
    private const int KeyCount = 1_000_000;
    private const int Batch = 1000;
    private const long BuildPoolBytes = 1L << 30;

    private BTreeStore _store = null!;
    private readonly ArrayBufferWriter<byte> _value = new(256);
    private readonly byte[] _key = new byte[8];
    private readonly byte[] _payload = new byte[32];
    private ulong[] _lookupOrder = [];
    private int _next;
    private ulong _insertKey;
    private IStoreCursor _cursor = null!;

    [Params("cached", "small")]
    public string Pool { get; set; } = "cached";

    [GlobalSetup]
    public void Setup()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "thunderdb-bench-btree-1m");
        var complete = Path.Combine(dataDir, "complete");
        var options = new StorageOptions
        {
            DataDir = dataDir,
            PageSize = 16384,
            DirectIo = true, // misses in the small pool go to the device, not the OS page cache
        };

        if (!File.Exists(complete))
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }

            using (var build = BTreeStore.Open(options with { BufferPoolSize = BuildPoolBytes }))
            {
                for (ulong i = 0; i < KeyCount; i++)
                {
                    build.Put(Key(i * 2), _payload); // even keys; odd keys are free for inserts
                }

                build.Checkpoint(0, 0);
            }

            // Later runs grow the file with pages they never checkpoint: remember the checkpointed size.
            File.WriteAllText(complete, new FileInfo(Path.Combine(dataDir, "thunder.db")).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var dataBytes = long.Parse(File.ReadAllText(complete), System.Globalization.CultureInfo.InvariantCulture);
        _store = BTreeStore.Open(options with { BufferPoolSize = Pool == "cached" ? 4 * dataBytes : dataBytes / 10 });
        Console.WriteLine($"// data file {dataBytes >> 20} MiB, pool {(Pool == "cached" ? 4 * dataBytes : dataBytes / 10) >> 20} MiB");
        var random = new Random(42);
        _lookupOrder = new ulong[1 << 16];
        for (var i = 0; i < _lookupOrder.Length; i++)
        {
            _lookupOrder[i] = (ulong)random.Next(KeyCount) * 2;
        }

        // Warm the pool: every page once (the small pool keeps only what fits).
        using (var scan = _store.OpenCursor())
        {
            for (var ok = scan.SeekFirst(); ok; ok = scan.Next())
            {
            }
        }

        _cursor = _store.OpenCursor();
        _insertKey = 1;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cursor.Dispose();
        _store.Dispose(); // no checkpoint: the next run reopens the pristine tree
    }

    private byte[] Key(ulong k)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_key, k);
        return _key;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int PointLookup()
    {
        var found = 0;
        for (var i = 0; i < Batch; i++)
        {
            _value.ResetWrittenCount();
            if (_store.TryGet(Key(_lookupOrder[_next++ & 0xFFFF]), _value))
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Insert()
    {
        for (var i = 0; i < Batch; i++)
        {
            // Odd keys spread over the whole key range (multiplicative hashing), so inserts land on random leaves.
            var k = ((_insertKey++ * 0x9E3779B97F4A7C15UL) % (KeyCount * 2UL)) | 1;
            _store.Put(Key(k), _payload);
        }
    }

    /// <summary>Rows per scanned batch; rows/s = 1e9 / (ns per op).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int RangeScan()
    {
        var rows = 0;
        var ok = _cursor.Seek(Key(_lookupOrder[_next++ & 0xFFFF] / 2));
        while (ok && rows < Batch)
        {
            rows++;
            ok = _cursor.Next();
        }

        return rows;
    }
}
