using System.Buffers;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Storage.Buffers;
using ThunderDb.Core.Storage.Pages;
using ThunderDb.Io.Buffers;

using ThunderDb.Core.Storage.Wal;

namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// The B+tree over byte-string keys and values that implements <see cref="IOrderedStore"/>, stored in
/// <c>data_dir/thunder.db</c> through the <see cref="BufferPool"/> with shadow paging (<see cref="Pager"/>).
/// <para><b>Concurrency: latch coupling (crabbing).</b> Readers take shared frame latches top-down and release
/// the parent once the child is latched, so they never hold more than two latches and take no global lock.
/// Resident branch nodes are passed optimistically instead (no pin or latch, frame version validated; see
/// <see cref="LatchPathShared"/>), which is equivalent and falls back to latching on any doubt.
/// The one writer (callers serialise writes; <see cref="Pager.WriterLock"/> also keeps checkpoints out)
/// takes exclusive latches top-down and releases its ancestors as soon as a node is "safe": already copied
/// in this epoch and unable to split (insert) or underflow (delete), so nothing above it can change. A write
/// that stays within one leaf of this epoch (most of them) skips that: it descends optimistically and latches
/// only the leaf (see BTreeStore.Write.cs).
/// Because both go top-down, a reader is always either ahead of the writer on a path or behind its
/// released latches, never crossing it; pages the writer frees stay readable until the
/// <see cref="ReaderGate"/> says no reader can reach them.</para>
/// <para>Cursors hold no latch between calls: they remember the leaf frame, its version and the current
/// key, and re-seek from the root on the saved key when the frame changed.</para>
/// <para>Nothing is durable until <see cref="Checkpoint"/>; <see cref="Dispose"/> does not checkpoint (the WAL
/// above redoes from <see cref="CheckpointWalLsn"/>). Dispose waits for running reads; later ones throw
/// <see cref="ObjectDisposedException"/>.</para>
/// </summary>
public sealed unsafe partial class BTreeStore : IOrderedStore, IDisposable
{
    private readonly Pager _pager;
    private readonly BufferPool _pool;
    private readonly StorageOptions _options;
    private readonly int _pageSize;
    private readonly int _maxCell;
    private readonly AlignedBuffer _scratch;
    private bool _disposed;

    private BTreeStore(Pager pager, StorageOptions options)
    {
        _pager = pager;
        _pool = pager.Pool;
        _options = options;
        _pageSize = pager.PageSize;
        _maxCell = NodePage.MaxCellSize(_pageSize);
        _scratch = new AlignedBuffer((nuint)_pageSize);
        MaxKeySize = _maxCell - NodePage.LeafCellHeader - OverflowRef.Size;
    }

    /// <summary>Creates or opens <c>data_dir/CONTROL</c> and <c>data_dir/thunder.db</c>.</summary>
    public static BTreeStore Open(StorageOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BTreeStore(Pager.Open(options, logger), options);
    }

    /// <summary>Keys longer than this are refused (a node must hold at least four cells).</summary>
    public int MaxKeySize { get; }

    /// <summary>The WAL position the last checkpoint covers: recovery redoes from here.</summary>
    public ulong CheckpointWalLsn => _pager.CheckpointWalLsn;

    /// <summary>The highest commit timestamp contained in the last checkpoint.</summary>
    public ulong CheckpointMaxCommitTs => _pager.CheckpointMaxCommitTs;

    public ulong CheckpointSequence => _pager.CheckpointSequence;

    /// <summary>Everything the durable meta page records.</summary>
    public CheckpointState CheckpointState => _pager.CheckpointState;

    /// <summary>The random identifier of this data directory (CONTROL), which its WAL directory must carry.</summary>
    public ulong SystemId => _pager.Control.SystemId;

    /// <summary>This open upgraded a data directory from before WAL markers (see <see cref="ControlFile.UpgradedNow"/>).</summary>
    public bool UpgradedNow => _pager.Control.UpgradedNow;

    internal Pager Pager => _pager;

    /// <summary>Buffer-pool hits and misses so far (also exported as Prometheus metrics).</summary>
    public (long Hits, long Misses) BufferPoolCounters => (_pool.Hits, _pool.Misses);

    /// <summary>Makes the current tree durable and records the WAL position and commit timestamp it covers.</summary>
    public void Checkpoint(ulong walLsn, ulong maxCommitTs) => Checkpoint(new CheckpointState(walLsn, maxCommitTs));

    /// <summary>Makes the current tree durable and records <paramref name="state"/> in the meta page.</summary>
    public void Checkpoint(CheckpointState state)
    {
        lock (_pager.WriterLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pager.Checkpoint(state);
        }
    }

    /// <summary>
    /// Fixes the checkpoint's content (the tree as it is now) without I/O and lets writes go on; the returned
    /// checkpoint is written by <see cref="IPendingCheckpoint.Complete"/> outside any lock (see <see cref="Pager.Freeze"/>).
    /// </summary>
    public IPendingCheckpoint FreezeCheckpoint(CheckpointState state)
    {
        lock (_pager.WriterLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new PendingTreeCheckpoint(this, _pager.Freeze(state));
        }
    }

    private sealed class PendingTreeCheckpoint(BTreeStore tree, FrozenCheckpoint frozen) : IPendingCheckpoint
    {
        public void Complete()
        {
            tree.ThrowIfDisposed();
            frozen.Pager.Complete(frozen);
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var token = _pager.Readers.Enter();
        var frame = -1;
        try
        {
            byte[] noFence = [];
            var noFenceLength = -1;
            frame = LatchPathShared(key, ChildChoice.Covering, FenceSide.None, ref noFence, ref noFenceLength);
            if (frame < 0)
            {
                return false;
            }

            while (true)
            {
                var node = Node(frame);
                if (node.IsLeaf)
                {
                    var index = node.LowerBound(key, out var found);
                    if (!found)
                    {
                        return false;
                    }

                    var length = ValueLength(node, index);
                    var destination = value.GetSpan(length)[..length];
                    CopyValue(node, index, destination);
                    value.Advance(length);
                    return true;
                }

                frame = DescendShared(frame, node.Child(node.ChildIndexFor(key)));
            }
        }
        finally
        {
            if (frame >= 0)
            {
                ReleaseShared(frame);
            }

            _pager.Readers.Exit(token);
        }
    }

    public IStoreCursor OpenCursor()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new BTreeCursor(this);
    }

    /// <summary>
    /// Starts a read descent for <paramref name="key"/>: returns the first node it pinned and share-latched,
    /// normally the leaf, or -1 for an empty tree. Call inside the reader gate; the caller goes on with latch
    /// coupling (<see cref="DescendShared"/>) while the node is a branch.
    /// <para>Resident branch nodes are read optimistically, without pin or latch: each is validated by its frame
    /// version after the child id (and fence) was read from it and the child's version was taken, so every
    /// step is proven to have followed a consistent parent to the child it pointed to at that moment (the same
    /// guarantee latch coupling gives). The upper levels every operation passes through then see no atomic
    /// writes, which on two cores would bounce their frame cache lines between the threads. A child latched
    /// exclusively (mostly a leaf the writer changes in place) is pinned and share-latched, waiting for the
    /// writer, and returned once its parent validates. When a page is not resident or the versions keep
    /// changing, the descent starts over from the root with plain latch coupling (the optimistic path never
    /// loads a page: a page freed meanwhile must not be read from disk).</para>
    /// <para>With <paramref name="side"/> set, <paramref name="fence"/> receives the separator next to the chosen
    /// child at the deepest branch level passed so far (length in <paramref name="fenceLength"/>, -1 for none).</para>
    /// </summary>
    internal int LatchPathShared(ReadOnlySpan<byte> key, ChildChoice choice, FenceSide side, ref byte[] fence, ref int fenceLength)
    {
        ThrowIfDisposed();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var frame = TryDescendOptimistic(key, choice, side, ref fence, ref fenceLength, out var retry);
            if (!retry)
            {
                return frame;
            }

            fenceLength = -1;
        }

        return LatchRootShared();
    }

    /// <summary>One optimistic descent; <paramref name="retry"/> when it saw a change and must start over.</summary>
    private int TryDescendOptimistic(ReadOnlySpan<byte> key, ChildChoice choice, FenceSide side, ref byte[] fence, ref int fenceLength, out bool retry)
    {
        retry = false;
        var pageId = _pager.Root;
        if (pageId == 0)
        {
            return -1;
        }

        // The root re-check after taking the version: a root split or copy sets the new root id before the old
        // root's latch (and version) is released, so a version taken afterwards comes with the new id.
        if (!_pool.TryFindFrame(pageId, out var frame) || !_pool.TryBeginOptimistic(frame, pageId, out var version) || _pager.Root != pageId)
        {
            return LatchRootShared();
        }

        var levels = 1;
        while (true)
        {
            var node = new NodePage(_pool.FramePointer(frame), _pageSize);
            var type = node.Header->Type;
            if (type == PageType.Leaf)
            {
                // Leaves are read under a shared latch: values are copied out of them and cursors remember them.
                // An unchanged version after latching proves it is the page the validated parent pointed to.
                if (!_pool.TryPinFrame(frame, pageId))
                {
                    retry = true;
                    return -1;
                }

                _pool.LatchShared(frame);
                if (_pool.VersionOf(frame) != version)
                {
                    ReleaseShared(frame);
                    retry = true;
                    return -1;
                }

                _pool.CountHits(levels);
                return frame;
            }

            if (type != PageType.Branch)
            {
                if (_pool.ValidateOptimistic(frame, version))
                {
                    ThrowNotANode(pageId, type);
                }

                retry = true;
                return -1;
            }

            var slot = node.UnlatchedChildIndex(key, choice);
            var child = node.UnlatchedChild(slot);
            var fenceSlot = side switch
            {
                FenceSide.Right => slot + 1 < node.Count ? slot + 1 : -1,
                FenceSide.Left => slot > 0 ? slot : -1,
                _ => -1,
            };

            if (fenceSlot >= 0)
            {
                var separator = node.UnlatchedBranchKey(fenceSlot);
                if (separator.Length > MaxKeySize)
                {
                    retry = true; // torn read; a real separator is never longer
                    return -1;
                }

                if (fence.Length < separator.Length)
                {
                    fence = new byte[Math.Max(separator.Length, fence.Length * 2)];
                }

                separator.CopyTo(fence);
                fenceLength = separator.Length;
            }

            // Take the child's version before validating this node: one validation then proves both the child
            // id and that the child's version is from a moment when this node still pointed to it.
            if (!_pool.TryFindFrame(child, out var childFrame))
            {
                retry = !_pool.ValidateOptimistic(frame, version);
                if (!retry)
                {
                    fenceLength = -1;
                    return LatchRootShared(); // not resident: latch coupling from the root
                }

                return -1;
            }

            if (!_pool.TryBeginOptimistic(childFrame, child, out var childVersion))
            {
                // Mostly a leaf the writer is changing in place: wait for that page alone. The parent is
                // validated first, so only a real child is pinned (never a torn id), and again once the child is
                // share-latched, which proves it is still the page the parent points to.
                if (!_pool.ValidateOptimistic(frame, version))
                {
                    retry = true;
                    return -1;
                }

                if (_pool.TryPinFrame(childFrame, child))
                {
                    _pool.LatchShared(childFrame);
                    if (_pool.ValidateOptimistic(frame, version))
                    {
                        _pool.CountHits(levels + 1);
                        return childFrame;
                    }

                    ReleaseShared(childFrame);
                    retry = true;
                    return -1;
                }

                fenceLength = -1;
                return LatchRootShared(); // being loaded or evicted: latch coupling from the root
            }

            if (!_pool.ValidateOptimistic(frame, version))
            {
                retry = true;
                return -1;
            }

            frame = childFrame;
            version = childVersion;
            pageId = child;
            levels++;
        }
    }

    /// <summary>Pins and share-latches the current root; -1 for an empty tree. Call inside the reader gate.</summary>
    internal int LatchRootShared()
    {
        ThrowIfDisposed();
        while (true)
        {
            var root = _pager.Root;
            if (root == 0)
            {
                return -1;
            }

            var frame = _pool.Pin(root);
            _pool.LatchShared(frame);

            // A root split or copy between reading the id and latching would leave us on a partial tree.
            if (_pager.Root == root)
            {
                return frame;
            }

            ReleaseShared(frame);
        }
    }

    /// <summary>Latch coupling step: latch the child, then release the parent. Returns the child frame.</summary>
    internal int DescendShared(int parentFrame, ulong child)
    {
        var frame = _pool.Pin(child);
        _pool.LatchShared(frame);
        ReleaseShared(parentFrame);
        return frame;
    }

    internal void ReleaseShared(int frame)
    {
        _pool.UnlatchShared(frame);
        _pool.Unpin(frame);
    }

    internal NodePage Node(int frame)
    {
        var node = new NodePage(_pool.FramePointer(frame), _pageSize);
        var type = node.Header->Type;
        if (type is not (PageType.Leaf or PageType.Branch))
        {
            ThrowNotANode(node.Header->PageId, type);
        }

        return node;
    }

    private void ThrowNotANode(ulong pageId, PageType type) =>
        throw new PageCorruptedException(_pager.FilePath, pageId, $"expected a B+tree page, found page type {type}");

    internal BufferPool Pool => _pool;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);

    /// <summary>Levels from the root to the leftmost leaf (0 for an empty tree); for tests and diagnostics.</summary>
    internal int Depth()
    {
        var token = _pager.Readers.Enter();
        var frame = -1;
        try
        {
            frame = LatchRootShared();
            var depth = frame < 0 ? 0 : 1;
            while (frame >= 0 && !Node(frame).IsLeaf)
            {
                frame = DescendShared(frame, Node(frame).Child(0));
                depth++;
            }

            return depth;
        }
        finally
        {
            if (frame >= 0)
            {
                ReleaseShared(frame);
            }

            _pager.Readers.Exit(token);
        }
    }

    public void Dispose()
    {
        lock (_pager.WriterLock)
        {
            if (_disposed)
            {
                return;
            }

            // Readers check the flag inside the reader gate: once the gate drains, none can touch the pool.
            Volatile.Write(ref _disposed, true);
            _pager.Readers.WaitForOlderReaders();
            _pager.Dispose();
            _scratch.Dispose();
        }
    }
}
