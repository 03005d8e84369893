using ThunderDb.Core.Storage.Pages;

namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// Sorted writes without a descent per key. The fast path remembers the leaf it last wrote and the key range its
/// ancestors give it (the fences: the separator of the leaf's slot, inclusive, and of the next slot, exclusive, from
/// the deepest branch that has one). A following write whose key falls inside that range goes straight to the leaf:
/// two key compares and a pin instead of a root-to-leaf descent. The commit's apply of a large write set comes in
/// key order (the write set's ascending runs), so a COPY or an index build descends once per leaf: when the leaf is
/// full the write takes the pessimistic path, which splits it once (at its end when the leaf was being filled at its
/// end, so in-order loads leave full leaves also in the middle of the tree) and forgets the hint; the next write's
/// descent finds the new leaf.
/// <para>Why the remembered range stays right: only this writer (under <see cref="Pager.WriterLock"/>) changes pages,
/// and a leaf's fences change only when it or a neighbour is split, merged or copied, all of which happen on the
/// pessimistic path (<see cref="DescendForWrite"/>), which forgets the hint first. The frame may be evicted and
/// reused by a reader's miss between two writes: <see cref="Buffers.BufferPool.TryPinFrame"/> checks it still holds
/// the page. The leaf's epoch is checked by the callers as after a descent.</para>
/// </summary>
public sealed unsafe partial class BTreeStore
{
    private int _hintFrame = -1;
    private ulong _hintPage;
    private bool _hintIsRoot;
    private byte[] _hintLower = new byte[64];
    private int _hintLowerLength = -1; // -1: no lower fence (the leftmost leaf)
    private byte[] _hintUpper = new byte[64];
    private int _hintUpperLength = -1; // -1: no upper fence (the rightmost leaf)
    private long _hintedWrites;

    // The leaf of the last insert and the slot it went to: a split of it at the next slot cuts there instead of halving it.
    private ulong _insertLeafPage;
    private int _insertIndex;

    /// <summary>Writes that went to the remembered leaf without a descent (tests and diagnostics).</summary>
    internal long HintedWrites => Volatile.Read(ref _hintedWrites);

    /// <summary>The leaf for <paramref name="key"/>, pinned, when the last write's leaf covers it; else -1.</summary>
    private int TryPinHintedLeaf(ReadOnlySpan<byte> key, out ulong pageId, out bool isRoot)
    {
        pageId = _hintPage;
        isRoot = _hintIsRoot;
        var frame = _hintFrame;
        if (frame < 0
            || (_hintLowerLength >= 0 && key.SequenceCompareTo(_hintLower.AsSpan(0, _hintLowerLength)) < 0)
            || (_hintUpperLength >= 0 && key.SequenceCompareTo(_hintUpper.AsSpan(0, _hintUpperLength)) >= 0)
            || !_pool.TryPinFrame(frame, pageId))
        {
            return -1;
        }

        _hintedWrites++;
        return frame;
    }

    /// <summary>An insert went to slot <paramref name="index"/> of leaf <paramref name="pageId"/> (0: forget).</summary>
    private void NoteInsert(ulong pageId, int index)
    {
        _insertLeafPage = pageId;
        _insertIndex = index;
    }

    /// <summary>True when an insert at <paramref name="index"/> of <paramref name="pageId"/> follows the previous insert.</summary>
    private bool IsSequentialInsert(ulong pageId, int index) => pageId != 0 && pageId == _insertLeafPage && index == _insertIndex + 1;

    /// <summary>The tree's shape may change: the remembered leaf and its fences are no longer trusted.</summary>
    private void ForgetLeafHint() => _hintFrame = -1;

    /// <summary>The remembered leaf if it covers <paramref name="key"/>, else a descent (<see cref="TryPinLeafForWrite"/>).</summary>
    private int PinLeafForFastWrite(ReadOnlySpan<byte> key, out ulong pageId, out bool isRoot)
    {
        var frame = TryPinHintedLeaf(key, out pageId, out isRoot);
        return frame >= 0 ? frame : TryPinLeafForWrite(key, out pageId, out isRoot);
    }

    /// <summary>
    /// The fast path's descent: passes resident branch nodes like an optimistic reader (no pin, no latch) and
    /// returns the leaf for <paramref name="key"/> pinned, not latched; -1 when a page on the way is not in the
    /// pool or a frame changed (the pessimistic path then loads what it needs). The caller holds the writer lock,
    /// so no page changes meanwhile: the frame versions only guard against a reader's miss evicting or reloading
    /// a frame under the descent, and once pinned with an unchanged version the leaf is the page its validated
    /// parent pointed to, stable until this writer latches it. On the way it copies the leaf's fences (validated
    /// with the branch they come from) and remembers the leaf for the next write.
    /// </summary>
    private int TryPinLeafForWrite(ReadOnlySpan<byte> key, out ulong pageId, out bool isRoot)
    {
        isRoot = false;
        _hintFrame = -1;
        _hintLowerLength = -1;
        _hintUpperLength = -1;
        pageId = _pager.Root;
        if (pageId == 0 || !_pool.TryFindFrame(pageId, out var frame) || !_pool.TryBeginOptimistic(frame, pageId, out var version))
        {
            return -1;
        }

        for (var levels = 1; levels <= MaxDepth; levels++)
        {
            var node = new NodePage(_pool.FramePointer(frame), _pageSize);
            var type = node.Header->Type;
            if (type == PageType.Leaf)
            {
                if (!_pool.TryPinFrame(frame, pageId))
                {
                    return -1;
                }

                if (_pool.VersionOf(frame) != version)
                {
                    _pool.Unpin(frame);
                    return -1;
                }

                _pool.CountHits(levels);
                isRoot = levels == 1;
                _hintFrame = frame;
                _hintPage = pageId;
                _hintIsRoot = isRoot;
                return frame;
            }

            if (type != PageType.Branch)
            {
                if (_pool.ValidateOptimistic(frame, version))
                {
                    ThrowNotANode(pageId, type);
                }

                return -1;
            }

            var slot = node.UnlatchedChildIndex(key, ChildChoice.Covering);
            if (slot > 0)
            {
                _hintLowerLength = CopyFence(node, slot, ref _hintLower);
            }

            if (slot + 1 < node.Count)
            {
                _hintUpperLength = CopyFence(node, slot + 1, ref _hintUpper);
            }

            var child = node.UnlatchedChild(slot);
            if (!_pool.TryFindFrame(child, out var childFrame)
                || !_pool.TryBeginOptimistic(childFrame, child, out var childVersion)
                || !_pool.ValidateOptimistic(frame, version))
            {
                return -1;
            }

            frame = childFrame;
            version = childVersion;
            pageId = child;
        }

        return -1;
    }

    /// <summary>Copies a separator read without a latch (trusted once the branch validates; the pool's guard bytes bound the read).</summary>
    private int CopyFence(NodePage node, int slot, ref byte[] destination)
    {
        var separator = node.UnlatchedBranchKey(slot);
        if (separator.Length > _maxCell)
        {
            separator = []; // a torn read; the validation that follows fails
        }

        if (destination.Length < separator.Length)
        {
            destination = new byte[Math.Max(separator.Length, destination.Length * 2)];
        }

        separator.CopyTo(destination);
        return separator.Length;
    }
}
