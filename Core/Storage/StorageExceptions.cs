namespace ThunderDb.Core.Storage;

/// <summary>The data directory does not match this build or configuration (bad CONTROL, page size mismatch).</summary>
public sealed class StorageFormatException(string message) : Exception(message);

/// <summary>
/// A page read from disk failed its checksum or names another page id. Never turned into wrong data:
/// the read fails and the message names the file and page.
/// </summary>
public sealed class PageCorruptedException(string path, ulong pageId, string detail)
    : Exception($"page {pageId} of '{path}' is corrupted: {detail}")
{
    public string Path { get; } = path;

    public ulong PageId { get; } = pageId;
}

/// <summary>Every buffer-pool frame is pinned; the pool is too small for the concurrency asked of it.</summary>
public sealed class BufferPoolExhaustedException(string message) : Exception(message);
