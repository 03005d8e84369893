using ThunderDb.Io.Buffers;

namespace ThunderDb.Net.Transport;

/// <summary>
/// The bytes a connection received that its protocol has not consumed yet, in one contiguous window
/// <c>[Start, End)</c> of <see cref="Bytes"/>: a protocol parses complete frames in place and moves
/// <see cref="Start"/> past them; an incomplete frame waits for more bytes behind it.
/// </summary>
/// <remarks>
/// The window lives in a pooled pinned buffer (<see cref="PinnedBufferPool"/>, 16 KiB) for the connection's life. A
/// frame larger than that borrows a bigger buffer from <see cref="LargeBuffers"/> that doubles each time its bytes fill
/// it (never to a length a client merely announced: one that announces 512 MB and sends little holds at most twice what
/// it sent), up to the protocol's limit, and is given back as soon as the window is empty again
/// (<see cref="Settle"/>), so an idle connection holds its 16 KiB and nothing more. A frame handed out as a span or
/// memory of <see cref="Bytes"/> stays valid until the next <see cref="Reserve"/> or receive.
/// </remarks>
public sealed class ReceiveBuffer : IDisposable
{
    private readonly byte[] _home = PinnedBufferPool.Shared.Rent();
    private byte[] _buffer;
    private bool _disposed;

    public ReceiveBuffer() => _buffer = _home;

    /// <summary>The array the window lives in (it changes when the window moves to a larger one).</summary>
    public byte[] Bytes => _buffer;

    /// <summary>The first unconsumed byte. A protocol may set it back inside the window to parse its bytes again
    /// (RESP replays a pipeline group that could not commit).</summary>
    public int Start { get; set; }

    /// <summary>One past the last received byte.</summary>
    public int End { get; private set; }

    /// <summary>Received and not consumed.</summary>
    public int Length => End - Start;

    /// <summary>Whether a larger buffer than the home one holds the window.</summary>
    public bool IsLarge => !ReferenceEquals(_buffer, _home);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(Start, End - Start);

    /// <summary>The free space after the window, where the next receive lands (never empty after <see cref="Reserve"/>).</summary>
    internal Memory<byte> Free => _buffer.AsMemory(End);

    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length);
        Start += count;
    }

    /// <summary>
    /// Makes room for a frame of <paramref name="frameBytes"/> bytes that starts at <see cref="Start"/>, and for at least
    /// one more received byte: moves the window to the front, and only when the buffer is full of it, into a larger one
    /// (at most twice as large: memory follows the bytes that arrived). False when the frame is larger than
    /// <paramref name="limit"/> (the protocol refuses it).
    /// </summary>
    public bool Reserve(long frameBytes, long limit)
    {
        long wanted = Math.Max(frameBytes, Length + 1L);
        if (wanted > limit)
        {
            return false;
        }

        if (End < _buffer.Length && (Start == 0 || wanted <= _buffer.Length - Start))
        {
            return true; // it fits where it is, or the buffer is not full yet
        }

        int length = Length;
        byte[] target = Start > 0 ? _buffer : LargeBuffers.Rent(Math.Min(wanted, 2L * _buffer.Length));
        Buffer.BlockCopy(_buffer, Start, target, 0, length);
        if (!ReferenceEquals(target, _buffer))
        {
            if (IsLarge)
            {
                LargeBuffers.Return(_buffer);
            }

            _buffer = target;
        }

        Start = 0;
        End = length;
        return true;
    }

    /// <summary>Bytes arrived in <see cref="Free"/>.</summary>
    internal void Received(int count) => End += count;

    /// <summary>
    /// Called between requests: an empty window starts again at the front, and a large buffer goes back once nothing
    /// of it is left to parse (nothing may still refer to the frames it held).
    /// </summary>
    public void Settle()
    {
        if (Start != End)
        {
            return;
        }

        Start = End = 0;
        if (IsLarge)
        {
            LargeBuffers.Return(_buffer);
            _buffer = _home;
        }
    }

    /// <summary>Gives the buffers back (once: a second call must not hand the home buffer to two owners).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (IsLarge)
        {
            LargeBuffers.Return(_buffer);
        }

        _buffer = _home;
        Start = End = 0;
        PinnedBufferPool.Shared.Return(_home);
    }
}
