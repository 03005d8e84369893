using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using ThunderDb.Io.Buffers;
using ThunderDb.Io.Files;

namespace ThunderDb.Perf.Io;

/// <summary>
/// Random 16 KiB O_DIRECT reads and writes on a 256 MiB data file, io_uring against pread/pwrite,
/// at queue depth 1 (one synchronous caller) and 32. At QD 32 io_uring runs 32 async lanes over
/// one ring (32 requests in the kernel at once); posix runs 32 thread-pool lanes each blocking in
/// pread/pwrite, which is how the fallback gets concurrency. Results per operation. At QD 1 both
/// backends make the same pread/pwrite calls (the io_uring backend's sync methods do not use the ring).
/// The file lives in THUNDERDB_PERF_DIR (default /var/tmp/thunderdb-perf); it must be a disk
/// filesystem for O_DIRECT to apply (the setup fails if O_DIRECT was refused).
/// </summary>
[MemoryDiagnoser]
public class RandomIoBenchmarks
{
    private const int BlockSize = 16 * 1024;
    private const long FileSize = 256L << 20;
    private const int OperationsPerInvoke = 256;
    private const int MaxQueueDepth = 32;

    private StorageFile _file = null!;
    private AlignedBuffer _buffers = null!;
    private long[] _offsets = null!;
    private int _cursor;
    private readonly ValueTask[] _lanes = new ValueTask[MaxQueueDepth];
    private readonly Task[] _threadLanes = new Task[MaxQueueDepth];

    [Params(IoBackendKind.IoUring, IoBackendKind.Posix)]
    public IoBackendKind Backend { get; set; }

    [Params(1, 32)]
    public int QueueDepth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ThreadPool.SetMinThreads(2 * MaxQueueDepth, 2 * MaxQueueDepth); // posix QD 32 needs 32 blocked threads at once
        var dir = Environment.GetEnvironmentVariable("THUNDERDB_PERF_DIR") ?? "/var/tmp/thunderdb-perf";
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "random-io.db");
        _buffers = new AlignedBuffer((nuint)(MaxQueueDepth * BlockSize));
        new Random(42).NextBytes(_buffers.Span);

        if (!File.Exists(path) || new FileInfo(path).Length != FileSize)
        {
            // Preallocate (one contiguous reservation), then write every block: the writes being
            // measured must be plain overwrites (a write into a hole allocates, see
            // StorageFile.Preallocate), and the reads must reach the disk (a block that was only
            // preallocated reads as zeros without any I/O).
            File.Delete(path);
            using var fill = StorageFile.Open(path, new FileOpenOptions { Backend = IoBackendKind.Posix, DirectIo = true });
            fill.Preallocate(0, FileSize);
            for (long offset = 0; offset < FileSize; offset += (long)_buffers.Length)
            {
                fill.Write(offset, _buffers.Span);
            }

            fill.Flush();
        }

        _file = StorageFile.Open(path, new FileOpenOptions { Backend = Backend, DirectIo = true });
        if (!_file.IsDirectIo || _file.BackendName != (Backend == IoBackendKind.IoUring ? "io_uring" : "posix"))
        {
            throw new InvalidOperationException($"expected O_DIRECT with {Backend}, got direct={_file.IsDirectIo} backend={_file.BackendName}");
        }

        var random = new Random(7);
        _offsets = new long[1 << 16];
        for (var i = 0; i < _offsets.Length; i++)
        {
            _offsets[i] = random.NextInt64(FileSize / BlockSize) * BlockSize;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _file.Dispose();
        _buffers.Dispose();
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public Task RandomRead16K() => Run(write: false);

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public Task RandomWrite16K() => Run(write: true);

    private Task Run(bool write)
    {
        var start = _cursor;
        _cursor = (_cursor + OperationsPerInvoke) & (_offsets.Length - 1);
        if (QueueDepth == 1)
        {
            SyncLane(0, start, OperationsPerInvoke, write);
            return Task.CompletedTask;
        }

        return Backend == IoBackendKind.IoUring ? RunAsyncLanes(start, write) : RunThreadLanes(start, write);
    }

    private void SyncLane(int lane, int start, int count, bool write)
    {
        var buffer = _buffers.Slice((nuint)(lane * BlockSize), BlockSize);
        for (var i = 0; i < count; i++)
        {
            var offset = _offsets[(start + i) & (_offsets.Length - 1)];
            if (write)
            {
                _file.Write(offset, buffer);
            }
            else
            {
                _file.Read(offset, buffer);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AsyncLane(int lane, int start, int count, bool write)
    {
        var buffer = _buffers.Memory.Slice(lane * BlockSize, BlockSize);
        for (var i = 0; i < count; i++)
        {
            var offset = _offsets[(start + (i * QueueDepth) + lane) & (_offsets.Length - 1)];
            if (write)
            {
                await _file.WriteAsync(offset, buffer).ConfigureAwait(false);
            }
            else
            {
                await _file.ReadAsync(offset, buffer).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsyncLanes(int start, bool write)
    {
        var perLane = OperationsPerInvoke / QueueDepth;
        for (var lane = 0; lane < QueueDepth; lane++)
        {
            _lanes[lane] = AsyncLane(lane, start, perLane, write);
        }

        for (var lane = 0; lane < QueueDepth; lane++)
        {
            await _lanes[lane].ConfigureAwait(false);
        }
    }

    private Task RunThreadLanes(int start, bool write)
    {
        var perLane = OperationsPerInvoke / QueueDepth;
        for (var lane = 0; lane < QueueDepth; lane++)
        {
            var l = lane;
            _threadLanes[lane] = Task.Run(() => SyncLane(l, start + (l * perLane), perLane, write));
        }

        return Task.WhenAll(_threadLanes);
    }
}
