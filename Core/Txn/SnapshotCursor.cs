using System.Buffers.Binary;
using ThunderDb.Core.Storage;

namespace ThunderDb.Core.Txn;

/// <summary>
/// A range scan at a snapshot: the newest version at or below the snapshot of each user key in the
/// store (tombstones hidden), merged with the transaction's write set, which wins on equal keys.
/// </summary>
internal sealed class SnapshotCursor : IKvCursor
{
    private readonly IStoreCursor _cursor;
    private readonly ulong _snapshotTs;
    private readonly WriteSet _writes;
    private readonly byte[] _start;
    private readonly byte[] _end;
    private readonly bool _reverse;

    // Store side: the current visible (key, value), copied out of the cursor.
    private byte[] _storeKey = new byte[64];
    private int _storeKeyLength;
    private byte[] _storeValue = new byte[256];
    private int _storeValueLength;
    private bool _storeHas;
    private bool _storeStarted;
    private bool _cursorValid;
    private bool _cursorPositioned;
    private bool _advancePending;
    private byte[] _prefix = new byte[64];
    private int _prefixLength;

    // Write-set side: slices of the transaction's slab, readable while the write set is in the generation the
    // cursor started in (a cursor used after its transaction ended throws instead of reading freed memory).
    private readonly SlabSpan[] _writeKeys;
    private readonly int _writesGeneration;
    private bool _countedOpen;
    private int _writeIndex;

    // The current row: the store side's buffers, or (_fromWrites) a write-set key and value.
    private ReadOnlyMemory<byte> _key;
    private ReadOnlyMemory<byte> _value;
    private SlabSpan _writeKey;
    private SlabSpan _writeValue;
    private bool _fromWrites;

    public SnapshotCursor(IOrderedStore store, ulong snapshotTs, WriteSet writes, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, bool reverse)
    {
        _cursor = store.OpenCursor();
        _snapshotTs = snapshotTs;
        _writes = writes;
        _start = start.ToArray();
        _end = end.ToArray();
        _reverse = reverse;
        _writeKeys = writes.SortedKeys();
        _writesGeneration = writes.Generation;
        if (_writeKeys.Length > 0)
        {
            writes.OpenCursors++; // WriteSet.Empty (shared) has no keys and is never counted
            _countedOpen = true;
        }

        _writeIndex = reverse ? UpperBound(_writeKeys, _end) : LowerBound(_writeKeys, _start);
        if (reverse)
        {
            _writeIndex--;
        }
    }

    public ReadOnlySpan<byte> Key => _fromWrites ? _writeKey.Span : _key.Span;

    public ReadOnlySpan<byte> Value => _fromWrites ? _writeValue.Span : _value.Span;

    public bool MoveNext()
    {
        if (_writeKeys.Length > 0 && _writes.Generation != _writesGeneration)
        {
            throw new InvalidOperationException("the cursor's transaction has ended");
        }

        _fromWrites = false;
        if (!_storeStarted)
        {
            _storeStarted = true;
            AdvanceStore();
        }
        else if (_advancePending)
        {
            _advancePending = false;
            AdvanceStore();
        }

        while (true)
        {
            var hasWriteKey = CurrentWriteKey(out var writeKey);
            if (!_storeHas && !hasWriteKey)
            {
                return false;
            }

            int order;
            if (!hasWriteKey)
            {
                order = -1; // store first
            }
            else if (!_storeHas)
            {
                order = 1;
            }
            else
            {
                order = _storeKey.AsSpan(0, _storeKeyLength).SequenceCompareTo(writeKey.Span);
                if (_reverse)
                {
                    order = -order;
                }
            }

            if (order < 0)
            {
                _key = _storeKey.AsMemory(0, _storeKeyLength);
                _value = _storeValue.AsMemory(0, _storeValueLength);
                _advancePending = true; // the store buffers back Key/Value until the next move
                return true;
            }

            if (order == 0)
            {
                AdvanceStore(); // the write set shadows the stored version
            }

            _writes.TryGet(writeKey, out var entry);
            _writeIndex += _reverse ? -1 : 1;
            if (!entry.IsDelete)
            {
                _writeKey = writeKey;
                _writeValue = entry.Value;
                _fromWrites = true;
                return true;
            }
        }
    }

    private bool CurrentWriteKey(out SlabSpan key)
    {
        key = default;
        if (_writeIndex < 0 || _writeIndex >= _writeKeys.Length)
        {
            return false;
        }

        key = _writeKeys[_writeIndex];
        return !(_reverse ? key.Span.SequenceCompareTo(_start) < 0 : _end.Length > 0 && key.Span.SequenceCompareTo(_end) >= 0);
    }

    /// <summary>Moves the store side to the next visible user key in scan order.</summary>
    private void AdvanceStore()
    {
        _storeHas = _reverse ? AdvanceReverse() : AdvanceForward();
    }

    private bool AdvanceForward()
    {
        if (!_cursorPositioned)
        {
            _cursorPositioned = true;
            EnsurePrefix(MvccKey.PrefixLength(_start));
            var length = MvccKey.WritePrefix(_start, _prefix);
            _cursorValid = _cursor.Seek(_prefix.AsSpan(0, length));
        }

        while (_cursorValid)
        {
            var key = _cursor.Key;
            DecodeStoreKey(key);
            if (_end.Length > 0 && _storeKey.AsSpan(0, _storeKeyLength).SequenceCompareTo(_end) >= 0)
            {
                _cursorValid = false;
                return false;
            }

            _prefixLength = key.Length - MvccKey.TimestampSize;
            EnsurePrefix(_prefixLength);
            key[.._prefixLength].CopyTo(_prefix);
            var found = false;
            var tombstone = false;
            while (true)
            {
                if (!found && MvccKey.ReadTimestamp(_cursor.Key) <= _snapshotTs)
                {
                    found = true;
                    var stored = _cursor.Value;
                    tombstone = MvccKey.IsTombstone(stored);
                    CopyValue(stored[1..]);
                }

                _cursorValid = _cursor.Next();
                if (!_cursorValid || !MvccKey.IsVersionOf(_cursor.Key, _prefix.AsSpan(0, _prefixLength)))
                {
                    break;
                }
            }

            if (found && !tombstone)
            {
                return true;
            }
        }

        return false;
    }

    private bool AdvanceReverse()
    {
        if (!_cursorPositioned)
        {
            _cursorPositioned = true;
            if (_end.Length == 0)
            {
                _cursorValid = _cursor.SeekLast();
            }
            else
            {
                EnsurePrefix(MvccKey.PrefixLength(_end));
                var length = MvccKey.WritePrefix(_end, _prefix);
                _cursorValid = _cursor.SeekForPrev(_prefix.AsSpan(0, length));
            }
        }

        while (_cursorValid)
        {
            var key = _cursor.Key;
            DecodeStoreKey(key);
            if (_storeKey.AsSpan(0, _storeKeyLength).SequenceCompareTo(_start) < 0)
            {
                _cursorValid = false;
                return false;
            }

            // Versions sort newest first, so walking backwards meets the oldest first: look the visible one up directly.
            _prefixLength = key.Length - MvccKey.TimestampSize;
            EnsurePrefix(_prefixLength + MvccKey.TimestampSize);
            key[.._prefixLength].CopyTo(_prefix);
            BinaryPrimitives.WriteUInt64BigEndian(_prefix.AsSpan(_prefixLength), ~_snapshotTs);
            var found = false;
            var tombstone = false;
            if (_cursor.Seek(_prefix.AsSpan(0, _prefixLength + MvccKey.TimestampSize)) && MvccKey.IsVersionOf(_cursor.Key, _prefix.AsSpan(0, _prefixLength)))
            {
                found = true;
                var stored = _cursor.Value;
                tombstone = MvccKey.IsTombstone(stored);
                CopyValue(stored[1..]);
            }

            // The bare prefix sorts after every version of smaller keys and before this key's versions.
            _cursorValid = _cursor.SeekForPrev(_prefix.AsSpan(0, _prefixLength));
            if (found && !tombstone)
            {
                return true;
            }
        }

        return false;
    }

    private void DecodeStoreKey(ReadOnlySpan<byte> versionedKey)
    {
        var max = MvccKey.MaxUserKeyLength(versionedKey);
        if (_storeKey.Length < max)
        {
            _storeKey = new byte[Math.Max(max, _storeKey.Length * 2)];
        }

        _storeKeyLength = MvccKey.DecodeUserKey(versionedKey, _storeKey);
    }

    private void CopyValue(ReadOnlySpan<byte> value)
    {
        if (_storeValue.Length < value.Length)
        {
            _storeValue = new byte[Math.Max(value.Length, _storeValue.Length * 2)];
        }

        value.CopyTo(_storeValue);
        _storeValueLength = value.Length;
    }

    private void EnsurePrefix(int length)
    {
        if (_prefix.Length < length)
        {
            var bigger = new byte[Math.Max(length, _prefix.Length * 2)];
            _prefix.AsSpan().CopyTo(bigger);
            _prefix = bigger;
        }
    }

    private static int LowerBound(SlabSpan[] keys, ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = keys.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (keys[mid].Span.SequenceCompareTo(key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Index of the first key &gt;= <paramref name="end"/> (the length when <paramref name="end"/> is empty = unbounded).</summary>
    private static int UpperBound(SlabSpan[] keys, ReadOnlySpan<byte> end) => end.Length == 0 ? keys.Length : LowerBound(keys, end);

    public void Dispose()
    {
        if (_countedOpen)
        {
            _countedOpen = false;
            if (_writes.Generation == _writesGeneration)
            {
                _writes.OpenCursors--;
            }
        }

        _cursor.Dispose();
    }
}
