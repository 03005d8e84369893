namespace ThunderDb.Core.Storage.BTree;

/// <summary>
/// An ordered cursor over a <see cref="BTreeStore"/>. It copies the current key and value into its own
/// buffers and holds no latch or pin between calls. <see cref="Next"/>/<see cref="Prev"/> stay on the
/// remembered leaf while its frame version is unchanged; otherwise (or at the end of the leaf) they seek
/// again from the root for the first key after (before) the saved one, using the separator that bounds
/// the leaf ("fence") to step to the neighbouring leaf. Leaves have no sibling links: with copy-on-write
/// they would force copying the neighbours too.
/// </summary>
internal sealed unsafe class BTreeCursor : IStoreCursor
{
    private readonly BTreeStore _tree;
    private byte[] _key = new byte[64];
    private int _keyLength;
    private byte[] _value = new byte[256];
    private int _valueLength;
    private byte[] _search = new byte[64];
    private byte[] _fence = new byte[64];
    private bool _positioned;
    private int _frame;
    private ulong _pageId;
    private long _version;
    private int _index;
    private bool _disposed;

    public BTreeCursor(BTreeStore tree) => _tree = tree;

    public ReadOnlySpan<byte> Key => _positioned ? _key.AsSpan(0, _keyLength) : default;

    public ReadOnlySpan<byte> Value => _positioned ? _value.AsSpan(0, _valueLength) : default;

    public bool Seek(ReadOnlySpan<byte> key) => SeekForward(key, strict: false);

    public bool SeekForPrev(ReadOnlySpan<byte> key) => SeekBackward(key, strict: false, fromEnd: false);

    public bool SeekFirst() => SeekForward([], strict: false);

    public bool SeekLast() => SeekBackward([], strict: false, fromEnd: true);

    public bool Next()
    {
        if (!_positioned)
        {
            return false;
        }

        return TryStep(+1) ?? SeekForward(_key.AsSpan(0, _keyLength), strict: true);
    }

    public bool Prev()
    {
        if (!_positioned)
        {
            return false;
        }

        return TryStep(-1) ?? SeekBackward(_key.AsSpan(0, _keyLength), strict: true, fromEnd: false);
    }

    /// <summary>
    /// Moves within the remembered leaf when it is unchanged; null when a re-seek is needed. An unchanged
    /// frame version proves the page is still live and unmodified (freeing, copying away, modifying and
    /// reloading a page all bump the version of its frame). The reader gate is still entered so that
    /// <see cref="BTreeStore.Dispose"/> never frees the pool under a running step.
    /// </summary>
    private bool? TryStep(int delta)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pool = _tree.Pool;
        var token = _tree.Pager.Readers.Enter();
        try
        {
            _tree.ThrowIfDisposed();
            if (!pool.TryPinFrame(_frame, _pageId))
            {
                return null;
            }

            pool.LatchShared(_frame);
            try
            {
                if (pool.VersionOf(_frame) != _version)
                {
                    return null;
                }

                var node = _tree.Node(_frame);
                var index = _index + delta;
                if (index < 0 || index >= node.Count)
                {
                    return null;
                }

                Capture(node, index, _frame);
                return true;
            }
            finally
            {
                pool.UnlatchShared(_frame);
                pool.Unpin(_frame);
            }
        }
        finally
        {
            _tree.Pager.Readers.Exit(token);
        }
    }

    /// <summary>Positions at the first key &gt;= (or &gt; when strict) <paramref name="key"/>.</summary>
    private bool SeekForward(ReadOnlySpan<byte> key, bool strict)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Store(ref _search, key);
        var searchLength = key.Length;
        while (true)
        {
            var search = _search.AsSpan(0, searchLength);
            var fenceLength = -1;
            var token = _tree.Pager.Readers.Enter();
            var frame = -1;
            try
            {
                frame = _tree.LatchPathShared(search, ChildChoice.Covering, FenceSide.Right, ref _fence, ref fenceLength);
                if (frame < 0)
                {
                    _positioned = false;
                    return false;
                }

                while (true)
                {
                    var node = _tree.Node(frame);
                    if (node.IsLeaf)
                    {
                        int index;
                        if (strict)
                        {
                            index = node.UpperBound(search);
                        }
                        else
                        {
                            index = node.LowerBound(search, out _);
                        }

                        if (index < node.Count)
                        {
                            Capture(node, index, frame);
                            return true;
                        }

                        break;
                    }

                    var slot = node.ChildIndexFor(search);
                    if (slot + 1 < node.Count)
                    {
                        var fence = node.Key(slot + 1);
                        Store(ref _fence, fence);
                        fenceLength = fence.Length;
                    }

                    frame = _tree.DescendShared(frame, node.Child(slot));
                }
            }
            finally
            {
                if (frame >= 0)
                {
                    _tree.ReleaseShared(frame);
                }

                _tree.Pager.Readers.Exit(token);
            }

            if (fenceLength < 0)
            {
                _positioned = false;
                return false;
            }

            // Continue in the next leaf: its keys start at the fence.
            (_search, _fence) = (_fence, _search);
            searchLength = fenceLength;
            strict = false;
        }
    }

    /// <summary>Positions at the last key &lt;= (or &lt; when strict) <paramref name="key"/>, or the last key when <paramref name="fromEnd"/>.</summary>
    private bool SeekBackward(ReadOnlySpan<byte> key, bool strict, bool fromEnd)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Store(ref _search, key);
        var searchLength = key.Length;
        while (true)
        {
            var search = _search.AsSpan(0, searchLength);
            var fenceLength = -1;
            var token = _tree.Pager.Readers.Enter();
            var frame = -1;
            try
            {
                var choice = fromEnd ? ChildChoice.Last : strict ? ChildChoice.Before : ChildChoice.Covering;
                frame = _tree.LatchPathShared(search, choice, FenceSide.Left, ref _fence, ref fenceLength);
                if (frame < 0)
                {
                    _positioned = false;
                    return false;
                }

                while (true)
                {
                    var node = _tree.Node(frame);
                    if (node.IsLeaf)
                    {
                        int index;
                        if (fromEnd)
                        {
                            index = node.Count - 1;
                        }
                        else if (strict)
                        {
                            index = node.LowerBound(search, out _) - 1;
                        }
                        else
                        {
                            index = node.UpperBound(search) - 1;
                        }

                        if (index >= 0)
                        {
                            Capture(node, index, frame);
                            return true;
                        }

                        break;
                    }

                    var slot = fromEnd ? node.Count - 1 : strict ? node.ChildIndexBefore(search) : node.ChildIndexFor(search);
                    if (slot > 0)
                    {
                        var fence = node.Key(slot);
                        Store(ref _fence, fence);
                        fenceLength = fence.Length;
                    }

                    frame = _tree.DescendShared(frame, node.Child(slot));
                }
            }
            finally
            {
                if (frame >= 0)
                {
                    _tree.ReleaseShared(frame);
                }

                _tree.Pager.Readers.Exit(token);
            }

            if (fenceLength < 0)
            {
                _positioned = false;
                return false;
            }

            // Continue in the previous leaf: its keys are all below the fence.
            (_search, _fence) = (_fence, _search);
            searchLength = fenceLength;
            strict = true;
            fromEnd = false;
        }
    }

    private void Capture(NodePage node, int index, int frame)
    {
        var key = node.Key(index);
        Store(ref _key, key);
        _keyLength = key.Length;
        var length = BTreeStore.ValueLength(node, index);
        if (_value.Length < length)
        {
            _value = new byte[Math.Max(length, _value.Length * 2)];
        }

        _tree.CopyValue(node, index, _value.AsSpan(0, length));
        _valueLength = length;
        _frame = frame;
        _pageId = node.Header->PageId;
        _version = _tree.Pool.VersionOf(frame);
        _index = index;
        _positioned = true;
    }

    private static void Store(ref byte[] buffer, ReadOnlySpan<byte> bytes)
    {
        if (buffer.Length < bytes.Length)
        {
            buffer = new byte[Math.Max(bytes.Length, buffer.Length * 2)];
        }

        bytes.CopyTo(buffer);
    }

    public void Dispose()
    {
        _disposed = true;
        _positioned = false;
    }
}
