using ThunderDb.Core.Diagnostics;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage.Pages;

/// <summary>
/// The data file seen as an array of pages: seals a page's checksum before writing it and verifies the
/// checksum and page id of every page read, so corruption surfaces as <see cref="PageCorruptedException"/>.
/// Buffers are buffer-pool frames or other page-aligned native memory (O_DIRECT needs that).
/// </summary>
internal sealed unsafe class PageFile : IDisposable
{
    private readonly StorageFile _file;

    public PageFile(StorageFile file, int pageSize)
    {
        _file = file;
        PageSize = pageSize;
    }

    public int PageSize { get; }

    public string Path => _file.Path;

    public StorageFile File => _file;

    public void ReadPage(ulong pageId, byte* destination)
    {
        var span = new Span<byte>(destination, PageSize);
        var read = _file.Read((long)pageId * PageSize, span);
        ThunderMetrics.PagesReadTotal.Inc();
        ThunderMetrics.BytesReadTotal.Inc(read);
        if (read != PageSize)
        {
            throw new PageCorruptedException(Path, pageId, $"short read ({read} of {PageSize} bytes): page beyond the end of the file");
        }

        if (!PageChecksum.Verify(destination, PageSize))
        {
            throw new PageCorruptedException(Path, pageId,
                $"checksum mismatch (stored {((PageHeader*)destination)->Checksum:x8}, computed {PageChecksum.Compute(destination, PageSize):x8})");
        }

        if (((PageHeader*)destination)->PageId != pageId)
        {
            throw new PageCorruptedException(Path, pageId, $"the page header names page {((PageHeader*)destination)->PageId}");
        }
    }

    /// <summary>Seals the checksum in place, then writes. The page must not change concurrently.</summary>
    public void WritePage(ulong pageId, byte* source)
    {
        System.Diagnostics.Debug.Assert(((PageHeader*)source)->PageId == pageId);
        PageChecksum.Seal(source, PageSize);
        _file.Write((long)pageId * PageSize, new ReadOnlySpan<byte>(source, PageSize));
        ThunderMetrics.PagesWrittenTotal.Inc();
        ThunderMetrics.BytesWrittenTotal.Inc(PageSize);
    }

    /// <summary>fdatasync.</summary>
    public void Sync() => _file.Flush();

    public void Dispose() => _file.Dispose();
}
