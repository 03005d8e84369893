using System.Buffers;

namespace ThunderDb.Core.Storage;

/// <summary>
/// The ordered byte-string map under everything (implemented by the B+tree).
/// Keys compare as unsigned bytes, shorter-is-smaller on a common prefix.
/// Concurrency contract: any number of concurrent readers and cursors; writes come from one
/// writer at a time (the transaction layer's commit lock serialises them).
/// </summary>
public interface IOrderedStore
{
    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="value"/>; false when absent.</summary>
    bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value);

    /// <summary>Inserts or replaces.</summary>
    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Removes; false when the key was absent.</summary>
    bool Delete(ReadOnlySpan<byte> key);

    /// <summary>The longest key <see cref="Put"/> accepts (a page-size limit for the B+tree).</summary>
    int MaxKeySize => int.MaxValue;

    /// <summary>A cursor positioned before the first key; call <see cref="IStoreCursor.Seek"/> or <see cref="IStoreCursor.SeekLast"/>.</summary>
    IStoreCursor OpenCursor();
}

/// <summary>
/// An ordered cursor. <see cref="Key"/> and <see cref="Value"/> are valid until the next move.
/// A cursor sees a consistent view of each page it visits; it does not pin the whole tree.
/// </summary>
public interface IStoreCursor : IDisposable
{
    /// <summary>Positions at the first key &gt;= <paramref name="key"/>; false when there is none.</summary>
    bool Seek(ReadOnlySpan<byte> key);

    /// <summary>Positions at the last key &lt;= <paramref name="key"/>; false when there is none.</summary>
    bool SeekForPrev(ReadOnlySpan<byte> key);

    bool SeekFirst();

    bool SeekLast();

    bool Next();

    bool Prev();

    ReadOnlySpan<byte> Key { get; }

    ReadOnlySpan<byte> Value { get; }
}
