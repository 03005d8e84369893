using System.Runtime.InteropServices;

namespace ThunderDb.Core.Txn;

/// <summary>
/// A slice of a <see cref="WriteSlab"/>: a write-set key or value in native memory. Valid until the slab is cleared
/// (the transaction ends); <see cref="Length"/> -1 marks a delete (no value).
/// </summary>
internal readonly unsafe struct SlabSpan(byte* pointer, int length)
{
    public static readonly SlabSpan Delete = new(null, -1);

    private readonly byte* _pointer = pointer;

    public int Length { get; } = length;

    public bool IsDelete => Length < 0;

    public ReadOnlySpan<byte> Span => Length <= 0 ? default : new ReadOnlySpan<byte>(_pointer, Length);

    internal byte* Pointer => _pointer;

    public byte[] ToArray() => Span.ToArray();

    public static implicit operator ReadOnlySpan<byte>(SlabSpan slice) => slice.Span;
}

/// <summary>
/// The native memory holding one transaction's written keys and values: bump allocation in chunks, all freed at once
/// when the transaction ends. A million-row COPY used to keep two million managed arrays alive until its commit, and
/// every gen0/gen1 collection copied them (28% of the COPY step's CPU, docs/perf.md); here the GC sees none of them.
/// <para>
/// The first chunk is a small one that the slab keeps when cleared, for the transaction object's next use (a session
/// reuses its transaction, so a one-key RESP command allocates nothing and takes no lock); larger transactions take
/// chunks that double up to <see cref="MaxChunkBytes"/>, and a value larger than that gets a chunk of its own, all
/// freed at <see cref="Clear"/>. Chunks never move, so a slice stays valid while the set grows.
/// <see cref="OutstandingBytes"/> counts what write sets hold in use (the leak tests); the kept small chunk is not in
/// it, and a finalizer frees it when the transaction object is dropped.
/// </para>
/// </summary>
internal sealed unsafe class WriteSlab
{
    internal const int SmallChunkBytes = 16 * 1024;
    internal const int MaxChunkBytes = 1024 * 1024;
    private static long _outstanding;
    private static long _retained;

    private nint[] _chunks = new nint[4];
    private int[] _chunkSizes = new int[4];
    private int _chunkCount;
    private byte* _at;
    private int _left;

    /// <summary>Bytes of native memory held by write sets now, process-wide (tests: back to zero when every transaction has ended).</summary>
    internal static long OutstandingBytes => Interlocked.Read(ref _outstanding);

    // The small first chunk kept by Clear (0: none).
    private nint _spare;

    /// <summary>Bytes of the small chunks kept by cleared slabs for their next transaction, process-wide.</summary>
    internal static long RetainedBytes => Interlocked.Read(ref _retained);

    /// <summary>Bytes this slab holds in use.</summary>
    internal long Bytes { get; private set; }

    public SlabSpan Copy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _left)
        {
            Grow(bytes.Length);
        }

        var at = _at;
        bytes.CopyTo(new Span<byte>(at, bytes.Length));
        _at += bytes.Length;
        _left -= bytes.Length;
        return new SlabSpan(at, bytes.Length);
    }

    /// <summary>Overwrites <paramref name="slot"/> with <paramref name="bytes"/> (at most as long): the caller knows nothing else reads the old bytes.</summary>
    public static SlabSpan Overwrite(SlabSpan slot, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(new Span<byte>(slot.Pointer, bytes.Length));
        return new SlabSpan(slot.Pointer, bytes.Length);
    }

    private void Grow(int needed)
    {
        int size;
        if (_chunkCount == 0 && needed <= SmallChunkBytes)
        {
            size = SmallChunkBytes;
        }
        else
        {
            size = _chunkCount == 0 ? SmallChunkBytes * 4 : Math.Min(MaxChunkBytes, _chunkSizes[_chunkCount - 1] * 2);
            size = Math.Max(size, needed);
        }

        nint chunk;
        if (size == SmallChunkBytes && _spare != 0)
        {
            chunk = _spare;
            _spare = 0;
            Interlocked.Add(ref _retained, -size);
        }
        else
        {
            chunk = (nint)NativeMemory.Alloc((nuint)size);
        }

        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
            Array.Resize(ref _chunkSizes, _chunkSizes.Length * 2);
        }

        _chunks[_chunkCount] = chunk;
        _chunkSizes[_chunkCount] = size;
        _chunkCount++;
        Bytes += size;
        Interlocked.Add(ref _outstanding, size);
        _at = (byte*)chunk;
        _left = size;
    }

    /// <summary>Frees every chunk but one small one, kept for reuse: every slice handed out is invalid from here on.</summary>
    public void Clear()
    {
        if (_chunkCount == 0)
        {
            return;
        }

        for (var i = 0; i < _chunkCount; i++)
        {
            if (_chunkSizes[i] == SmallChunkBytes && _spare == 0)
            {
                _spare = _chunks[i];
                Interlocked.Add(ref _retained, SmallChunkBytes);
            }
            else
            {
                NativeMemory.Free((void*)_chunks[i]);
            }

            _chunks[i] = 0;
        }

        Interlocked.Add(ref _outstanding, -Bytes);
        Bytes = 0;
        _chunkCount = 0;
        _at = null;
        _left = 0;
        if (_chunks.Length > 64)
        {
            _chunks = new nint[4];
            _chunkSizes = new int[4];
        }
    }

    /// <summary>A transaction object dropped (a session torn down; one that never ended, too) frees its memory here.</summary>
    ~WriteSlab()
    {
        for (var i = 0; i < _chunkCount; i++)
        {
            NativeMemory.Free((void*)_chunks[i]);
        }

        Interlocked.Add(ref _outstanding, -Bytes);
        if (_spare != 0)
        {
            NativeMemory.Free((void*)_spare);
            Interlocked.Add(ref _retained, -SmallChunkBytes);
        }
    }
}
