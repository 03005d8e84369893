using System.Collections.Concurrent;

namespace ThunderDb.Net.Transport;

/// <summary>
/// Fixed-size buffers on the pinned object heap, reused across connections: sockets read and write them
/// without pinning per call, and they never move during a receive.
/// </summary>
public sealed class PinnedBufferPool
{
    private readonly ConcurrentQueue<byte[]> _free = new();
    private readonly int _maxPooled;

    public PinnedBufferPool(int bufferSize, int maxPooled)
    {
        BufferSize = bufferSize;
        _maxPooled = maxPooled;
    }

    /// <summary>16 KiB per buffer: two per connection keep 1,000 idle connections at 32 MiB; larger frames and replies borrow from ArrayPool.</summary>
    public static PinnedBufferPool Shared { get; } = new(16 * 1024, 1024);

    public int BufferSize { get; }

    public byte[] Rent() => _free.TryDequeue(out byte[]? buffer) ? buffer : GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);

    public void Return(byte[] buffer)
    {
        if (buffer.Length == BufferSize && _free.Count < _maxPooled)
        {
            _free.Enqueue(buffer);
        }
    }
}
