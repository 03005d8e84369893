using System.Diagnostics;
using ThunderDb.Core.Storage.Pages;

namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// The write path: one writer at a time (under <see cref="Pager.WriterLock"/>), copy-on-write of pages from
/// older checkpoint epochs, splits on insert and merges on delete.
/// <para>Most writes change one leaf and nothing above it: the leaf was already copied in this epoch and the
/// cell fits (insert) or the leaf stays at least a quarter full (delete). Those take the fast path
/// (<see cref="TryPutInLeaf"/>, <see cref="TryDeleteInLeaf"/>): an optimistic descent like a reader's, and an
/// exclusive latch on the leaf only, so the upper levels see no writes and optimistic readers passing them
/// are not sent back to latch coupling. Everything else (a split, a merge, a copy that changes the parent, a
/// page not in the pool) takes the pessimistic path: exclusive latch coupling top-down
/// (<see cref="DescendForWrite"/>).</para>
/// </summary>
public sealed unsafe partial class BTreeStore
{
    private const int MaxDepth = 32;

    // The latched root-to-leaf path of the current write: levels [_pathBase, _depth) are still held.
    private readonly int[] _pathFrames = new int[MaxDepth];
    private readonly int[] _pathIndex = new int[MaxDepth]; // slot of level L's node in its parent
    private int _depth;
    private int _pathBase;
    private bool _rootHeld;

    // True while the descent followed the last child at every level: appends there split unevenly.
    private bool _onRightEdge;

    // New pages created by a split stay latched until the operation ends.
    private readonly int[] _extraFrames = new int[MaxDepth * 2];
    private int _extraCount;
    private byte[] _separator = [];
    private Exception? _writeFailure;
    private long _leafOnlyWrites;

    /// <summary>Writes done by the fast path so far (tests and diagnostics).</summary>
    internal long LeafOnlyWrites => Volatile.Read(ref _leafOnlyWrites);

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length > MaxKeySize)
        {
            throw new ArgumentException($"key of {key.Length} bytes is longer than the {MaxKeySize}-byte limit for page_size {_pageSize}", nameof(key));
        }

        lock (_pager.WriterLock)
        {
            BeginWrite();
            try
            {
                Span<byte> reference = stackalloc byte[OverflowRef.Size];
                scoped ReadOnlySpan<byte> cellValue = value;
                var flags = LeafCellFlags.None;
                if (NodePage.LeafCellSize(key.Length, value.Length) > _maxCell)
                {
                    WriteOverflow(value).Write(reference);
                    cellValue = reference;
                    flags = LeafCellFlags.Overflow;
                }

                var cellSize = NodePage.LeafCellSize(key.Length, cellValue.Length);
                if (TryPutInLeaf(key, flags, cellValue, cellSize))
                {
                    return;
                }

                DescendForWrite(key, cellSize, forDelete: false);
                var level = _depth - 1;
                var leaf = Node(_pathFrames[level]);
                var index = leaf.LowerBound(key, out var found);
                if (found)
                {
                    RemoveLeafCell(leaf, index);
                }

                if (leaf.HasRoomFor(cellSize))
                {
                    NoteInsert(found ? 0 : _pool.PageIdOf(_pathFrames[level]), index);
                    leaf.InsertLeaf(index, key, flags, cellValue, _scratch.Pointer);
                    _pool.MarkDirty(_pathFrames[level]);
                }
                else
                {
                    SplitLeafAndInsert(level, index, key, flags, cellValue);
                }
            }
            catch (Exception e)
            {
                _writeFailure = e;
                throw;
            }
            finally
            {
                ReleaseWritePath();
            }
        }
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        lock (_pager.WriterLock)
        {
            BeginWrite();
            if (_pager.Root == 0 || key.Length > MaxKeySize)
            {
                return false;
            }

            try
            {
                var fast = TryDeleteInLeaf(key);
                if (fast != LeafWrite.Fallback)
                {
                    return fast == LeafWrite.Done;
                }

                DescendForWrite(key, 0, forDelete: true);
                var level = _depth - 1;
                var leaf = Node(_pathFrames[level]);
                var index = leaf.LowerBound(key, out var found);
                if (!found)
                {
                    return false;
                }

                RemoveLeafCell(leaf, index);
                _pool.MarkDirty(_pathFrames[level]);
                Rebalance(level);
                return true;
            }
            catch (Exception e)
            {
                _writeFailure = e;
                throw;
            }
            finally
            {
                ReleaseWritePath();
            }
        }
    }

    private void BeginWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeFailure is not null)
        {
            throw new InvalidOperationException(
                "an earlier write failed half-way; the in-memory tree is no longer trusted. Reopen the store to recover from the last checkpoint",
                _writeFailure);
        }
    }

    // ---- fast path: one leaf, latched alone ---------------------------------------------------------------

    private enum LeafWrite : byte
    {
        Done,
        NotFound,
        Fallback,
    }

    /// <summary>Inserts or replaces in place when the leaf is of this epoch and the cell fits; false to fall back.</summary>
    private bool TryPutInLeaf(ReadOnlySpan<byte> key, LeafCellFlags flags, ReadOnlySpan<byte> cellValue, int cellSize)
    {
        var frame = PinLeafForFastWrite(key, out var pageId, out _);
        if (frame < 0)
        {
            return false;
        }

        try
        {
            // The pinned leaf can be read without a latch: the writer is the only one changing pages.
            var leaf = Node(frame);
            if (leaf.Header->Epoch < _pager.CurrentEpoch)
            {
                return false; // its copy must be linked into the parent
            }

            // Sorted loads insert past the leaf's last key: one compare instead of a binary search.
            var found = false;
            var index = leaf.Count > 0 && key.SequenceCompareTo(leaf.Key(leaf.Count - 1)) > 0 ? leaf.Count : leaf.LowerBound(key, out found);
            var freed = found ? leaf.CellSize(index) + NodePage.SlotSize : 0;
            if (!leaf.HasRoomFor(cellSize - freed))
            {
                return false; // a split changes the parent
            }

            _pool.LatchExclusive(frame);
            try
            {
                if (found)
                {
                    RemoveLeafCell(leaf, index);
                }

                NoteInsert(found ? 0 : pageId, index);
                leaf.InsertLeaf(index, key, flags, cellValue, _scratch.Pointer);
                _pool.MarkDirty(frame);
            }
            finally
            {
                _pool.UnlatchExclusive(frame);
            }

            _leafOnlyWrites++;
            return true;
        }
        finally
        {
            _pool.Unpin(frame);
        }
    }

    /// <summary>Removes in place when the leaf is of this epoch and stays at least a quarter full (or is the root).</summary>
    private LeafWrite TryDeleteInLeaf(ReadOnlySpan<byte> key)
    {
        var frame = PinLeafForFastWrite(key, out _, out var isRoot);
        if (frame < 0)
        {
            return LeafWrite.Fallback;
        }

        try
        {
            var leaf = Node(frame);
            var index = leaf.LowerBound(key, out var found);
            if (!found)
            {
                return LeafWrite.NotFound;
            }

            // Same test as Rebalance, on the size after the removal: below a quarter the leaf merges.
            if (leaf.Header->Epoch < _pager.CurrentEpoch
                || (!isRoot && leaf.UsedBytes - leaf.CellSize(index) - NodePage.SlotSize < leaf.Usable / 4))
            {
                return LeafWrite.Fallback;
            }

            _pool.LatchExclusive(frame);
            try
            {
                RemoveLeafCell(leaf, index);
                _pool.MarkDirty(frame);
            }
            finally
            {
                _pool.UnlatchExclusive(frame);
            }

            _leafOnlyWrites++;
            return LeafWrite.Done;
        }
        finally
        {
            _pool.Unpin(frame);
        }
    }

    private void RemoveLeafCell(NodePage leaf, int index)
    {
        if ((leaf.LeafFlags(index) & LeafCellFlags.Overflow) != 0)
        {
            FreeOverflow(OverflowRef.Read(leaf.LeafValue(index)));
        }

        leaf.Remove(index);
    }

    /// <summary>
    /// Latches the path to the leaf for <paramref name="key"/> exclusively, copying pages of older epochs,
    /// and lets go of ancestors above the deepest safe node.
    /// </summary>
    private void DescendForWrite(ReadOnlySpan<byte> key, int leafCellSize, bool forDelete)
    {
        ForgetLeafHint(); // this write may split, merge or copy pages
        _depth = 0;
        _pathBase = 0;
        _extraCount = 0;
        _rootHeld = true;
        _onRightEdge = true;
        int frame;
        if (_pager.Root == 0)
        {
            frame = NewNode(PageType.Leaf, out var rootId, track: false);
            _pager.Root = rootId;
        }
        else
        {
            frame = _pool.Pin(_pager.Root);
            _pool.LatchExclusive(frame);
        }

        _pathFrames[0] = frame;
        _pathIndex[0] = 0;
        _depth = 1;
        EnsureCurrent(0);
        if (IsSafe(0, leafCellSize, forDelete))
        {
            _rootHeld = false;
        }

        while (true)
        {
            var node = Node(_pathFrames[_depth - 1]);
            if (node.IsLeaf)
            {
                return;
            }

            if (_depth == MaxDepth)
            {
                throw new PageCorruptedException(_pager.FilePath, node.Header->PageId, $"B+tree deeper than {MaxDepth} levels");
            }

            var slot = node.ChildIndexFor(key);
            _onRightEdge &= slot == node.Count - 1;
            var child = _pool.Pin(node.Child(slot));
            _pool.LatchExclusive(child);
            _pathFrames[_depth] = child;
            _pathIndex[_depth] = slot;
            _depth++;
            EnsureCurrent(_depth - 1);
            if (IsSafe(_depth - 1, leafCellSize, forDelete))
            {
                for (var level = _pathBase; level < _depth - 1; level++)
                {
                    ReleaseExclusive(_pathFrames[level]);
                }

                _pathBase = _depth - 1;
                _rootHeld = false;
            }
        }
    }

    /// <summary>True when the node cannot split (insert) or underflow (delete), so its ancestors cannot change.</summary>
    private bool IsSafe(int level, int leafCellSize, bool forDelete)
    {
        var node = Node(_pathFrames[level]);
        if (forDelete)
        {
            if (level == 0)
            {
                return node.IsLeaf || node.Count > 2;
            }

            return node.UsedBytes - _maxCell - NodePage.SlotSize >= node.Usable / 4;
        }

        return node.HasRoomFor(node.IsLeaf ? leafCellSize : _maxCell);
    }

    /// <summary>Copies the node at <paramref name="level"/> to a new page if it belongs to an older epoch.</summary>
    private void EnsureCurrent(int level)
    {
        var frame = _pathFrames[level];
        var header = (PageHeader*)_pool.FramePointer(frame);
        if (header->Epoch >= _pager.CurrentEpoch)
        {
            return;
        }

        Debug.Assert(level == 0 ? _rootHeld : level - 1 >= _pathBase, "the parent of a copied page must be latched");
        var copy = CopyOnWrite(frame, out var newId);
        _pathFrames[level] = copy;
        if (level == 0)
        {
            _pager.Root = newId;
        }
        else
        {
            var parentFrame = _pathFrames[level - 1];
            Node(parentFrame).SetChild(_pathIndex[level], newId);
            _pool.MarkDirty(parentFrame);
        }
    }

    /// <summary>
    /// Copies a latched page to a new page id of the current epoch (returned latched and dirty), releases
    /// the original and frees its id. The original stays intact for readers still on it and for recovery.
    /// </summary>
    private int CopyOnWrite(int frame, out ulong newId)
    {
        var oldId = _pool.PageIdOf(frame);
        newId = _pager.Allocate();
        var copy = _pool.PinNew(newId);
        _pool.LatchExclusive(copy);
        Buffer.MemoryCopy(_pool.FramePointer(frame), _pool.FramePointer(copy), _pageSize, _pageSize);
        var header = (PageHeader*)_pool.FramePointer(copy);
        header->PageId = newId;
        header->Epoch = _pager.CurrentEpoch;
        ReleaseExclusive(frame);
        _pager.Free(oldId);
        return copy;
    }

    private int NewNode(PageType type, out ulong pageId, bool track = true)
    {
        pageId = _pager.Allocate();
        var frame = _pool.PinNew(pageId);
        _pool.LatchExclusive(frame);
        new NodePage(_pool.FramePointer(frame), _pageSize).Init(type, pageId, _pager.CurrentEpoch);
        if (track)
        {
            _extraFrames[_extraCount++] = frame;
        }

        return frame;
    }

    private void ReleaseExclusive(int frame)
    {
        _pool.UnlatchExclusive(frame);
        _pool.Unpin(frame);
    }

    private void ReleaseWritePath()
    {
        for (var level = _pathBase; level < _depth; level++)
        {
            ReleaseExclusive(_pathFrames[level]);
        }

        for (var i = 0; i < _extraCount; i++)
        {
            ReleaseExclusive(_extraFrames[i]);
        }

        _depth = 0;
        _pathBase = 0;
        _extraCount = 0;
    }

    // ---- splits -----------------------------------------------------------------------------------------

    /// <summary>Index at which to cut a node so both halves hold about the same bytes (1 .. Count-1).</summary>
    private static int SplitPoint(NodePage node)
    {
        var total = node.UsedBytes;
        var prefix = 0;
        var index = 0;
        while (index < node.Count && prefix < total / 2)
        {
            prefix += node.CellSize(index) + NodePage.SlotSize;
            index++;
        }

        return Math.Clamp(index, 1, node.Count - 1);
    }

    /// <summary>Bytes taken by the cells (and slots) before <paramref name="index"/>.</summary>
    private static int BytesBefore(NodePage node, int index)
    {
        var bytes = 0;
        for (var i = 0; i < index; i++)
        {
            bytes += node.CellSize(i) + NodePage.SlotSize;
        }

        return bytes;
    }

    private void SplitLeafAndInsert(int level, int index, ReadOnlySpan<byte> key, LeafCellFlags flags, ReadOnlySpan<byte> value)
    {
        var leftFrame = _pathFrames[level];
        var left = Node(leftFrame);
        var rightFrame = NewNode(PageType.Leaf, out var rightId);
        var right = Node(rightFrame);

        // Appending past the last key of the tree (bulk loads, increasing ids), or inserting right after this leaf's
        // previous insert (an in-order load into a key range in the middle of the tree): cut at the insertion point
        // instead of halving the leaf, so in-order loads leave full leaves rather than half-empty ones. At the leaf's
        // end the new key starts the right leaf; before bigger keys, it ends the left one and those keys move right
        // (the next in-order key then fills a leaf of its own instead of sharing one with them).
        var leftId = _pool.PageIdOf(leftFrame);
        var sequential = IsSequentialInsert(leftId, index);
        var newCell = NodePage.LeafCellSize(key.Length, value.Length) + NodePage.SlotSize;
        int cut;
        bool toLeft;
        if (index == left.Count && (_onRightEdge || sequential))
        {
            (cut, toLeft) = (index, false);
            NoteInsert(rightId, 0);
        }
        else if (sequential && left.UsedBytes - BytesBefore(left, index) >= newCell)
        {
            (cut, toLeft) = (index, true);
            NoteInsert(leftId, index);
        }
        else
        {
            cut = SplitPoint(left);
            toLeft = index <= cut;
            NoteInsert(0, 0);
        }

        left.MoveTailTo(right, cut, _scratch.Pointer);
        var target = toLeft ? left : right;
        var at = toLeft ? index : index - cut;
        Debug.Assert(target.HasRoomFor(NodePage.LeafCellSize(key.Length, value.Length)));
        target.InsertLeaf(at, key, flags, value, _scratch.Pointer);
        _pool.MarkDirty(leftFrame);

        var separator = right.Key(0);
        if (_separator.Length < separator.Length)
        {
            _separator = new byte[Math.Max(separator.Length, 256)];
        }

        separator.CopyTo(_separator);
        InsertIntoParent(level, _separator.AsSpan(0, separator.Length), rightId);
    }

    /// <summary>Adds the separator and page of a new right sibling of the node at <paramref name="level"/>.</summary>
    private void InsertIntoParent(int level, ReadOnlySpan<byte> separator, ulong rightId)
    {
        if (level == 0)
        {
            Debug.Assert(_rootHeld, "a root split needs the root pointer");
            var leftId = _pool.PageIdOf(_pathFrames[0]);
            var rootFrame = NewNode(PageType.Branch, out var rootId);
            var root = Node(rootFrame);
            root.InsertBranch(0, [], leftId, _scratch.Pointer);
            root.InsertBranch(1, separator, rightId, _scratch.Pointer);
            _pager.Root = rootId;
            return;
        }

        Debug.Assert(level - 1 >= _pathBase, "the parent of a split node must be latched");
        var parentFrame = _pathFrames[level - 1];
        var parent = Node(parentFrame);
        var slot = _pathIndex[level] + 1;
        _pool.MarkDirty(parentFrame);
        if (parent.HasRoomFor(NodePage.BranchCellSize(separator.Length)))
        {
            parent.InsertBranch(slot, separator, rightId, _scratch.Pointer);
            return;
        }

        SplitBranchAndInsert(level - 1, slot, separator, rightId);
    }

    private void SplitBranchAndInsert(int level, int slot, ReadOnlySpan<byte> separator, ulong child)
    {
        var left = Node(_pathFrames[level]);
        var rightFrame = NewNode(PageType.Branch, out var rightId);
        var right = Node(rightFrame);
        if (_onRightEdge && slot == left.Count)
        {
            // Append on the right edge: the new child starts a new branch, this one stays full.
            right.InsertBranch(0, [], child, _scratch.Pointer);
            InsertIntoParent(level, separator, rightId);
            return;
        }

        var cut = SplitPoint(left);

        // Branch splits are rare (one per hundreds of leaf splits): a small allocation here is fine.
        var promoted = left.Key(cut).ToArray();
        right.InsertBranch(0, [], left.Child(cut), _scratch.Pointer);
        for (var i = cut + 1; i < left.Count; i++)
        {
            right.AppendCellFrom(left, i, _scratch.Pointer);
        }

        left.Truncate(cut, _scratch.Pointer);
        if (slot <= cut)
        {
            left.InsertBranch(slot, separator, child, _scratch.Pointer);
        }
        else
        {
            right.InsertBranch(slot - cut, separator, child, _scratch.Pointer);
        }

        InsertIntoParent(level, promoted, rightId);
    }

    // ---- merges -----------------------------------------------------------------------------------------

    /// <summary>After a removal at <paramref name="level"/>: merge underfull nodes into a sibling when both fit in one page, upwards.</summary>
    private void Rebalance(int level)
    {
        while (level >= _pathBase)
        {
            var frame = _pathFrames[level];
            var node = Node(frame);
            if (level == 0)
            {
                if (!node.IsLeaf && node.Count == 1 && _rootHeld)
                {
                    _pager.Root = node.Child(0);
                    _pager.Free(_pool.PageIdOf(frame));
                }

                return;
            }

            if (node.UsedBytes >= node.Usable / 4 || level - 1 < _pathBase)
            {
                return;
            }

            var parentFrame = _pathFrames[level - 1];
            var parent = Node(parentFrame);
            var slot = _pathIndex[level];
            if (parent.Count < 2)
            {
                level--;
                continue;
            }

            var siblingSlot = slot > 0 ? slot - 1 : 1;
            var sibling = _pool.Pin(parent.Child(siblingSlot));
            _pool.LatchExclusive(sibling);
            var siblingHeader = (PageHeader*)_pool.FramePointer(sibling);
            if (siblingHeader->Epoch < _pager.CurrentEpoch)
            {
                sibling = CopyOnWrite(sibling, out var copyId);
                parent.SetChild(siblingSlot, copyId);
                _pool.MarkDirty(parentFrame);
            }

            var (leftFrame, rightFrame, rightSlot) = slot > 0 ? (sibling, frame, slot) : (frame, sibling, 1);
            var left = Node(leftFrame);
            var right = Node(rightFrame);
            var separator = parent.Key(rightSlot);
            var needed = left.UsedBytes + right.UsedBytes + (left.IsLeaf ? 0 : separator.Length);
            var merged = needed <= left.Usable;
            if (merged)
            {
                if (left.IsLeaf)
                {
                    for (var i = 0; i < right.Count; i++)
                    {
                        left.AppendCellFrom(right, i, _scratch.Pointer);
                    }
                }
                else
                {
                    left.InsertBranch(left.Count, separator, right.Child(0), _scratch.Pointer);
                    for (var i = 1; i < right.Count; i++)
                    {
                        left.AppendCellFrom(right, i, _scratch.Pointer);
                    }
                }

                parent.Remove(rightSlot);
                _pool.MarkDirty(leftFrame);
                _pool.MarkDirty(parentFrame);
                _pager.Free(_pool.PageIdOf(rightFrame));
            }

            ReleaseExclusive(sibling);
            if (!merged)
            {
                return;
            }

            level--;
        }
    }
}
