using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage.Buffers;
using ThunderDb.Core.Storage.Pages;
using ThunderDb.Io.Buffers;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage;

/// <summary>
/// Page allocation, shadow paging and checkpoints for <c>thunder.db</c>.
/// <para>Pages 0 and 1 are meta pages written alternately by checkpoints; the newest one with a valid CRC
/// wins at open. A page written in an older checkpoint epoch is never overwritten: the tree copies it to a
/// fresh page id the first time it changes in an epoch, and the old id is only reused once a later
/// checkpoint is durable (and no reader can still reach it, see <see cref="ReaderGate"/>).</para>
/// <para>Free-list state: <c>_free</c> may be handed out now; <c>_pending</c> holds ids the durable meta
/// page may still reference, released by the next checkpoint.</para>
/// </summary>
internal sealed unsafe partial class Pager : IDisposable
{
    public const string DataFileName = "thunder.db";
    public const ulong FirstDataPage = 2;
    private const ulong MetaMagic = 0x4154454D42444854; // "THDBMETA"
    private const int MetaBody = PageHeader.Size;

    private readonly PageFile _file;
    private readonly AlignedBuffer _ioPage;
    private readonly List<ulong> _free = [];
    private List<ulong> _pending = [];
    private readonly ILogger? _logger;
    private ulong _root;
    private ulong _pageCount;
    private ulong _checkpointSeq;
    private ulong _epoch = 1; // _checkpointSeq + 1 at rest; one more while a frozen checkpoint is being written
    private bool _checkpointInFlight;

    private Pager(PageFile file, BufferPool pool, ILogger? logger)
    {
        _file = file;
        Pool = pool;
        _logger = logger;
        _ioPage = new AlignedBuffer((nuint)file.PageSize);
    }

    public BufferPool Pool { get; }

    /// <summary>The data directory's CONTROL file (page size, system identifier).</summary>
    public required ControlFile Control { get; init; }

    public ReaderGate Readers { get; } = new();

    /// <summary>Held by the single tree writer for each operation and by checkpoints.</summary>
    public Lock WriterLock { get; } = new();

    public int PageSize => _file.PageSize;

    public string FilePath => _file.Path;

    /// <summary>True when the data file really is open with O_DIRECT (the filesystem may refuse it).</summary>
    public bool IsDirectIo => _file.File.IsDirectIo;

    /// <summary>Root page of the tree; 0 = empty tree. Readers read it without a lock.</summary>
    public ulong Root
    {
        get => Volatile.Read(ref _root);
        set => Volatile.Write(ref _root, value);
    }

    /// <summary>Pages modified in this epoch may change in place; older ones are copied first.</summary>
    public ulong CurrentEpoch => _epoch;

    public ulong CheckpointSequence => _checkpointSeq;

    public ulong CheckpointWalLsn { get; private set; }

    public ulong CheckpointMaxCommitTs { get; private set; }

    /// <summary>What the durable meta page records (see <see cref="Wal.CheckpointState"/>).</summary>
    public Wal.CheckpointState CheckpointState { get; private set; }

    public ulong PageCount => _pageCount;

    public int FreePageCount => _free.Count + _pending.Count + _heldForBackup.Count;

    public static Pager Open(StorageOptions options, ILogger? logger)
    {
        ValidatePageSize(options.PageSize);
        Wal.DirectorySync.CreateDurably(options.DataDir);
        var dataPath = Path.Combine(options.DataDir, DataFileName);
        var dataExists = File.Exists(dataPath) && new FileInfo(dataPath).Length > 0;
        var control = ControlFile.OpenOrCreate(options.DataDir, options.EffectiveWalDir, options.PageSize, dataExists);
        if (!dataExists)
        {
            // Before the data file exists: from then on every open insists on this WAL directory (see WalDirectoryMarker).
            Wal.WalDirectoryMarker.Verify(options.EffectiveWalDir, control.SystemId, Wal.WalMarkerMode.CreateForNewDatabase, 0);
        }

        var storageFile = StorageFile.Open(dataPath, new FileOpenOptions
        {
            DirectIo = options.DirectIo,
            Backend = options.IoBackend,
            Warn = message => logger?.LogWarning("{Message}", message),
        });
        if (options.FileDecorator is { } decorate)
        {
            storageFile = decorate(storageFile);
        }

        PageFile? file = null;
        BufferPool? pool = null;
        try
        {
            file = new PageFile(storageFile, options.PageSize);
            pool = new BufferPool(file, options.BufferPoolSize);
            var pager = new Pager(file, pool, logger) { Control = control };
            if (dataExists)
            {
                pager.Load();
            }
            else
            {
                pager.Initialize();

                // The new file's directory entry, and the data directory's own (the host may have created it).
                Wal.DirectorySync.Sync(options.DataDir);
                Wal.DirectorySync.SyncParent(options.DataDir);
            }

            if ((long)pool.FrameCount * options.PageSize > options.BufferPoolSize)
            {
                logger?.LogWarning("storage.buffer_pool_size = {Size} is below the minimum of {Frames} pages; using {Bytes} bytes",
                    options.BufferPoolSize, BufferPool.MinFrames, (long)pool.FrameCount * options.PageSize);
            }

            logger?.LogInformation(
                "storage opened {Path}: page_size {PageSize}, {Frames} buffer frames, io backend {Backend}{Direct}, checkpoint {Seq}, {Pages} pages",
                dataPath, options.PageSize, pool.FrameCount, storageFile.BackendName, storageFile.IsDirectIo ? " (O_DIRECT)" : "",
                pager._checkpointSeq, pager._pageCount);
            return pager;
        }
        catch
        {
            pool?.Dispose();
            if (file is null)
            {
                storageFile.Dispose();
            }
            else
            {
                file.Dispose();
            }

            throw;
        }
    }

    private static void ValidatePageSize(int pageSize)
    {
        if (pageSize < 4096 || pageSize > 65536 || !int.IsPow2(pageSize))
        {
            throw new StorageFormatException($"storage.page_size = {pageSize} is not supported: use a power of two from 4096 to 65536");
        }
    }

    private void Initialize()
    {
        _pageCount = FirstDataPage;
        WriteMeta(0, 0, 0, 0, default, _pageCount);
        _file.Sync();
    }

    private void Load()
    {
        var best = (Seq: 0ul, Found: false, Page: 0ul);
        for (ulong page = 0; page < 2; page++)
        {
            var span = _ioPage.Span;
            var read = _file.File.Read((long)page * PageSize, span);
            if (read != PageSize || !PageChecksum.Verify(_ioPage.Pointer, PageSize)
                || BinaryPrimitives.ReadUInt64LittleEndian(span[MetaBody..]) != MetaMagic)
            {
                _logger?.LogWarning("meta page {Page} of {Path} is invalid (torn or never written); using the other one", page, FilePath);
                continue;
            }

            var seq = BinaryPrimitives.ReadUInt64LittleEndian(span[(MetaBody + 16)..]);
            if (!best.Found || seq > best.Seq)
            {
                best = (seq, true, page);
            }
        }

        if (!best.Found)
        {
            throw new PageCorruptedException(FilePath, 0, "neither meta page (0 or 1) has a valid checksum");
        }

        _file.File.Read((long)best.Page * PageSize, _ioPage.Span);
        var body = _ioPage.Span[MetaBody..];
        var pageSize = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
        if (pageSize != PageSize)
        {
            throw new StorageFormatException($"'{FilePath}' was written with page_size {pageSize}, configured {PageSize}");
        }

        _checkpointSeq = BinaryPrimitives.ReadUInt64LittleEndian(body[16..]);
        _epoch = _checkpointSeq + 1;
        _root = BinaryPrimitives.ReadUInt64LittleEndian(body[24..]);
        _pageCount = BinaryPrimitives.ReadUInt64LittleEndian(body[32..]);
        var freeHead = BinaryPrimitives.ReadUInt64LittleEndian(body[40..]);
        var freeCount = BinaryPrimitives.ReadUInt64LittleEndian(body[48..]);
        CheckpointWalLsn = BinaryPrimitives.ReadUInt64LittleEndian(body[56..]);
        CheckpointMaxCommitTs = BinaryPrimitives.ReadUInt64LittleEndian(body[64..]);
        // Zero in meta pages written before these fields existed.
        CheckpointState = new Wal.CheckpointState(CheckpointWalLsn, CheckpointMaxCommitTs,
            BinaryPrimitives.ReadInt64LittleEndian(body[72..]), BinaryPrimitives.ReadInt64LittleEndian(body[80..]));

        // The free-list chain pages are part of the durable state: reusable only after the next checkpoint.
        for (var page = freeHead; page != 0;)
        {
            _file.ReadPage(page, _ioPage.Pointer);
            var header = (PageHeader*)_ioPage.Pointer;
            if (header->Type != PageType.FreeList)
            {
                throw new PageCorruptedException(FilePath, page, $"expected a free-list page, found {header->Type}");
            }

            var ids = (ulong*)(_ioPage.Pointer + PageHeader.Size);
            for (var i = 0; i < header->ItemCount; i++)
            {
                _free.Add(ids[i]);
            }

            _pending.Add(page);
            page = header->Next;
        }

        if ((ulong)_free.Count != freeCount)
        {
            throw new PageCorruptedException(FilePath, freeHead, $"free list holds {_free.Count} ids, meta page says {freeCount}");
        }
    }

    /// <summary>A fresh page id: from the free list, else the end of the file. Writer only.</summary>
    public ulong Allocate()
    {
        if (_free.Count > 0)
        {
            var id = _free[^1];
            _free.RemoveAt(_free.Count - 1);
            return id;
        }

        return _pageCount++;
    }

    /// <summary>Frees a page id; it becomes reusable after the next checkpoint. Writer only.</summary>
    public void Free(ulong pageId)
    {
        Debug.Assert(pageId >= FirstDataPage && pageId < _pageCount);
        _pending.Add(pageId);

        // While a frozen checkpoint is written, a page copied away now may be one it still has to write: keep it dirty.
        if (!_checkpointInFlight)
        {
            Pool.DiscardIfCached(pageId);
        }
    }

    /// <summary>
    /// Makes the current tree durable in one step (<see cref="Freeze"/> then <see cref="Complete"/>). The caller holds
    /// <see cref="WriterLock"/>.
    /// </summary>
    public void Checkpoint(Wal.CheckpointState state)
    {
        Debug.Assert(WriterLock.IsHeldByCurrentThread);
        Complete(Freeze(state));
    }

    /// <summary>
    /// The first step of a checkpoint, under <see cref="WriterLock"/> and without I/O: fixes the tree as it is now
    /// (root, page count, free list, the list of dirty frames) and starts a new epoch. From then on the writer copies
    /// every page of the frozen epoch before changing it (shadow paging), so the frozen pages stay exactly as they are
    /// while <see cref="Complete"/> writes them outside the lock and writes go on.
    /// </summary>
    public FrozenCheckpoint Freeze(Wal.CheckpointState state)
    {
        Debug.Assert(WriterLock.IsHeldByCurrentThread);
        if (_checkpointInFlight)
        {
            throw new InvalidOperationException("a checkpoint is already being written");
        }

        var dirty = new List<(int Frame, ulong PageId)>();
        Pool.CollectDirty(dirty);

        var perPage = (PageSize - PageHeader.Size) / sizeof(ulong);
        var total = _free.Count + _pending.Count + _heldForBackup.Count;
        var listPageCount = (total + perPage - 1) / perPage;
        var listPages = new List<ulong>(listPageCount);
        for (var i = 0; i < listPageCount; i++)
        {
            // Only ids already free in the durable state may be overwritten before the meta page flips.
            listPages.Add(_free.Count > 0 ? PopFree() : _pageCount++);
        }

        var stored = new List<ulong>(total);
        stored.AddRange(_free);
        stored.AddRange(_pending);
        stored.AddRange(_heldForBackup); // free on disk, kept from reuse while a backup copies the pinned checkpoint
        var frozen = new FrozenCheckpoint(this, state, _checkpointSeq + 1, _epoch, Root, _pageCount, dirty, listPages, stored, _pending);

        // Ids freed from now on may be referenced by the frozen tree: they wait for the checkpoint after this one,
        // like the free-list pages the frozen meta page points to.
        _pending = [.. listPages];
        _epoch++;
        _checkpointInFlight = true;
        return frozen;
    }

    /// <summary>
    /// The second step, without the writer lock: writes the frozen dirty pages and the free list, fdatasync, writes
    /// the alternate meta page, fdatasync; then, once no reader can still be on them, the ids freed in the frozen
    /// epoch become reusable.
    /// </summary>
    /// <remarks>
    /// Any failure (a page write, either fdatasync) throws before the meta page flips, or after it was written but
    /// with the data pages already durable; the in-memory state stays at the old checkpoint and written pages stay
    /// dirty. The caller must stop taking checkpoints then (see <c>Database.Checkpoint</c>): a later fdatasync may
    /// succeed without the lost writes, since Linux reports a write-back error only once.
    /// </remarks>
    public void Complete(FrozenCheckpoint frozen)
    {
        try
        {
            var written = new List<(int Frame, ulong PageId)>();
            Pool.WriteBack(frozen.Dirty, written);
            WriteFreeList(frozen.ListPages, frozen.Stored, frozen.Epoch);
            _file.Sync();
            Pool.MarkClean(written);

            WriteMeta(frozen.Sequence, frozen.Root, frozen.ListPages.Count > 0 ? frozen.ListPages[0] : 0, (ulong)frozen.Stored.Count, frozen.State, frozen.PageCount);
            _file.Sync();
        }
        catch
        {
            // The old meta page may still be the durable one: nothing it references may be reused, so what this
            // checkpoint would have released stays pending. Another checkpoint may be tried (it freezes a later epoch).
            lock (WriterLock)
            {
                _pending.AddRange(frozen.Release);
                _checkpointInFlight = false;
            }

            throw;
        }

        // The new meta page is durable: what it does not reference is free once older readers are gone.
        Readers.WaitForOlderReaders();
        lock (WriterLock)
        {
            _checkpointSeq = frozen.Sequence;
            CheckpointWalLsn = frozen.State.WalLsn;
            CheckpointMaxCommitTs = frozen.State.MaxCommitTs;
            CheckpointState = frozen.State;
            foreach (var id in frozen.Release)
            {
                Pool.Invalidate(id);
                (_backupPins > 0 ? _heldForBackup : _free).Add(id);
            }

            _checkpointInFlight = false;
        }

        Pool.PublishMetrics();
    }

    private ulong PopFree()
    {
        var id = _free[^1];
        _free.RemoveAt(_free.Count - 1);
        return id;
    }

    private void WriteFreeList(List<ulong> listPages, List<ulong> ids, ulong epoch)
    {
        var perPage = (PageSize - PageHeader.Size) / sizeof(ulong);
        var p = _ioPage.Pointer;
        for (var i = 0; i < listPages.Count; i++)
        {
            NativeMemory_Clear(p, PageSize);
            var header = (PageHeader*)p;
            header->PageId = listPages[i];
            header->Epoch = epoch;
            header->Type = PageType.FreeList;
            header->Next = i + 1 < listPages.Count ? listPages[i + 1] : 0;
            var start = i * perPage;
            var n = Math.Min(perPage, ids.Count - start);
            header->ItemCount = (ushort)n;
            var slots = (ulong*)(p + PageHeader.Size);
            for (var j = 0; j < n; j++)
            {
                slots[j] = ids[start + j];
            }

            _file.WritePage(listPages[i], p);
        }
    }

    private void WriteMeta(ulong seq, ulong root, ulong freeHead, ulong freeCount, Wal.CheckpointState state, ulong pageCount)
    {
        var p = _ioPage.Pointer;
        NativeMemory_Clear(p, PageSize);
        var page = seq % 2;
        var header = (PageHeader*)p;
        header->PageId = page;
        header->Epoch = seq;
        header->Type = PageType.Meta;
        var body = _ioPage.Span[MetaBody..];
        BinaryPrimitives.WriteUInt64LittleEndian(body, MetaMagic);
        BinaryPrimitives.WriteInt32LittleEndian(body[8..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(body[12..], PageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(body[16..], seq);
        BinaryPrimitives.WriteUInt64LittleEndian(body[24..], root);
        BinaryPrimitives.WriteUInt64LittleEndian(body[32..], pageCount);
        BinaryPrimitives.WriteUInt64LittleEndian(body[40..], freeHead);
        BinaryPrimitives.WriteUInt64LittleEndian(body[48..], freeCount);
        BinaryPrimitives.WriteUInt64LittleEndian(body[56..], state.WalLsn);
        BinaryPrimitives.WriteUInt64LittleEndian(body[64..], state.MaxCommitTs);
        BinaryPrimitives.WriteInt64LittleEndian(body[72..], state.MaxTxnId);
        BinaryPrimitives.WriteInt64LittleEndian(body[80..], state.MaxWallClockMs);
        _file.WritePage(page, p);
    }

    private static void NativeMemory_Clear(byte* p, int length) => System.Runtime.InteropServices.NativeMemory.Clear(p, (nuint)length);

    public void Dispose()
    {
        Pool.Dispose();
        _ioPage.Dispose();
        _file.Dispose();
    }
}

/// <summary>What one checkpoint contains, fixed by <see cref="Pager.Freeze"/> and written by <see cref="Pager.Complete"/>.</summary>
internal sealed class FrozenCheckpoint(
    Pager pager, Wal.CheckpointState state, ulong sequence, ulong epoch, ulong root, ulong pageCount,
    List<(int Frame, ulong PageId)> dirty, List<ulong> listPages, List<ulong> stored, List<ulong> release)
{
    public Pager Pager { get; } = pager;

    public Wal.CheckpointState State { get; } = state;

    public ulong Sequence { get; } = sequence;

    /// <summary>The epoch being frozen: its pages are never changed in place again.</summary>
    public ulong Epoch { get; } = epoch;

    public ulong Root { get; } = root;

    public ulong PageCount { get; } = pageCount;

    /// <summary>The frames that were dirty at the freeze (all of the frozen epoch).</summary>
    public List<(int Frame, ulong PageId)> Dirty { get; } = dirty;

    public List<ulong> ListPages { get; } = listPages;

    /// <summary>The ids the new meta page lists as free.</summary>
    public List<ulong> Stored { get; } = stored;

    /// <summary>Ids freed in the frozen epoch (and earlier), reusable once the new meta page is durable.</summary>
    public List<ulong> Release { get; } = release;
}
