using System.Buffers;
using System.Runtime.InteropServices;

namespace ThunderDb.Io.Buffers;

/// <summary>
/// A block of native memory aligned for O_DIRECT (4096 bytes by default). Owned by exactly one
/// holder; never moved by the GC, so its address can be handed to the kernel.
/// </summary>
public sealed unsafe class AlignedBuffer : IDisposable
{
    public const int DefaultAlignment = 4096;

    private byte* _pointer;
    private NativeMemoryManager? _memoryManager;

    public AlignedBuffer(nuint length, nuint alignment = DefaultAlignment)
    {
        if (length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "length must be positive");
        }

        Length = length;
        Alignment = alignment;
        _pointer = (byte*)NativeMemory.AlignedAlloc(length, alignment);
        NativeMemory.Clear(_pointer, length);
    }

    ~AlignedBuffer() => Free();

    public nuint Length { get; }
    public nuint Alignment { get; }

    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>The whole buffer; only valid when it is shorter than 2 GiB.</summary>
    public Span<byte> Span => new(Pointer, checked((int)Length));

    /// <summary>
    /// The whole buffer as <see cref="Memory{T}"/> for async I/O (shorter than 2 GiB). Pinning it is free:
    /// the memory never moves. Valid only while the buffer is not disposed.
    /// </summary>
    public Memory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            _memoryManager ??= new NativeMemoryManager(this);
            return _memoryManager.Memory;
        }
    }

    public Span<byte> Slice(nuint offset, int length)
    {
        if (offset + (nuint)length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        return new Span<byte>(Pointer + offset, length);
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var p = _pointer;
        _pointer = null;
        if (p != null)
        {
            NativeMemory.AlignedFree(p);
        }
    }

    private sealed class NativeMemoryManager(AlignedBuffer owner) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => owner.Span;

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThan((nuint)elementIndex, owner.Length);
            return new MemoryHandle(owner.Pointer + elementIndex);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
