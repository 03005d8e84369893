namespace ThunderDb.Core.Txn;

/// <summary>
/// A transaction's private writes: last write per key wins. Lookups by span do not allocate; the sorted key order for scans is built lazily, only after changes. Keys written in
/// ascending order go to sorted runs, the others to a hash table (WriteSet.Run.cs, WriteSet.Hash.cs); keys and values
/// live in a native slab owned by the set and freed when the transaction ends (WriteSlab.cs).
/// <para>
/// Savepoints: while one is set, the first change of each key after the innermost mark logs the key's previous
/// entry (or its absence) in an undo log; <see cref="RollbackTo"/> replays the log backwards to the mark. Without a
/// savepoint nothing is logged, so plain transactions pay nothing.
/// </para>
/// </summary>
internal sealed partial class WriteSet
{
    internal struct Entry
    {
        /// <summary>The new value in the set's slab, or <see cref="SlabSpan.Delete"/>.</summary>
        public SlabSpan Value;

        /// <summary>
        /// The snapshot the key's first write in this transaction was made under; a newer committed version of the key
        /// is a conflict. A rewrite in a later READ COMMITTED statement keeps it: the first write may already depend on
        /// what that older snapshot showed, so a commit between the two statements must still be caught.
        /// </summary>
        public ulong SnapshotTs;

        /// <summary>
        /// The commit timestamp of the version this write replaces, when the transaction read the key first
        /// (0: the key had no version; <see cref="UnknownVersion"/>: a blind write). Commit-time pruning deletes it.
        /// </summary>
        public ulong Supersedes;

        /// <summary>The key's <see cref="KeyHash.Hash64"/>, computed once when the key enters the set so the commit path hashes nothing under its lock.</summary>
        public ulong Hash;

        /// <summary>The savepoint whose undo log last recorded this key (0: none): later changes under it need no record.</summary>
        public int LoggedAt;

        public readonly bool IsDelete => Value.IsDelete;
    }

    private struct UndoRecord
    {
        public SlabSpan Key;
        public Entry Previous;
        public bool Existed;
    }

    private struct SavepointMark
    {
        public int Id;
        public int UndoPosition;
    }

    private UndoRecord[] _undo = [];
    private int _undoCount;
    private SavepointMark[] _savepoints = [];
    private int _savepointCount;
    private int _lastSavepointId;

    public const ulong UnknownVersion = ulong.MaxValue;

    /// <summary>A set that is never written: a scan of the store alone.</summary>
    public static readonly WriteSet Empty = new();

    // Every key and value of the set (WriteSlab.cs); the runs and the hash table hold slices of it.
    private readonly WriteSlab _slab = new();
    private SlabSpan[] _sorted = [];
    private SlabSpan[] _sortedDict = [];
    private bool _sortedValid = true;
    /// <summary>A key was removed since the last <see cref="Clear"/>: the table refills freed slots, so its enumeration order is no longer insertion order.</summary>
    private bool _hadRemovals;

    /// <summary>Bumped by <see cref="Clear"/>: a cursor made before it must not read the freed slab.</summary>
    internal int Generation { get; private set; }

    /// <summary>Cursors of this generation still open (their current value may be a slab slice; no value is overwritten in place while one is).</summary>
    internal int OpenCursors { get; set; }

    public int Count => HashedCount + _runCount;

    /// <summary>Native bytes this set's slab holds (tests).</summary>
    internal long SlabBytes => _slab.Bytes;

    /// <summary>What the write set takes in WAL records (<see cref="Storage.Wal.WalRecordBuilder.OperationSize"/> summed over its entries), kept as it changes.</summary>
    public long EncodedBytes { get; private set; }

    /// <summary>The encoded size of one entry.</summary>
    public static long SizeOf(int keyLength, byte[]? value) => Storage.Wal.WalRecordBuilder.OperationSize(keyLength, value?.Length ?? 0, value is not null);

    /// <summary>The encoded size of one entry.</summary>
    public static long SizeOf(int keyLength, SlabSpan value) => Storage.Wal.WalRecordBuilder.OperationSize(keyLength, Math.Max(0, value.Length), !value.IsDelete);

    /// <summary>The encoded size of one entry.</summary>
    public static long SizeOf(int keyLength, int valueLength, bool isDelete) => Storage.Wal.WalRecordBuilder.OperationSize(keyLength, valueLength, !isDelete);

    /// <summary>Tests: a put of <paramref name="value"/>, or a delete when it is null.</summary>
    public void Set(ReadOnlySpan<byte> key, byte[]? value, ulong snapshotTs, ulong supersedes) =>
        Set(key, value, value is null, snapshotTs, supersedes);

    /// <summary>Copies <paramref name="key"/> and <paramref name="value"/> (ignored when <paramref name="isDelete"/>) into the set.</summary>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isDelete, ulong snapshotTs, ulong supersedes)
    {
        var run = FindInRun(key, out var runIndex);
        if (run is not null)
        {
            ref var existing = ref run.Entries[runIndex];
            if (_savepointCount > 0)
            {
                LogUndo(run.Keys[runIndex], ref existing, exists: true);
            }

            EncodedBytes += SizeOf(key.Length, value.Length, isDelete) - SizeOf(key.Length, existing.Value);
            existing.Value = StoreValue(existing.Value, value, isDelete);
            return;
        }

        if (TryAppendToRun(key, value, isDelete, snapshotTs, supersedes))
        {
            return;
        }

        var hash = KeyHash.Hash64(key);
        var slot = FindHashed(key, hash);
        var exists = slot >= 0;
        if (!exists)
        {
            slot = AddHashed(_slab.Copy(key), hash);
        }

        ref var entry = ref _slots[slot].Entry;
        if (_savepointCount > 0 && !(exists && entry.LoggedAt == _savepoints[_savepointCount - 1].Id))
        {
            LogUndo(_slots[slot].Key, ref entry, exists);
        }

        EncodedBytes += SizeOf(key.Length, value.Length, isDelete) - (exists ? SizeOf(key.Length, entry.Value) : 0);
        entry.Value = exists ? StoreValue(entry.Value, value, isDelete) : isDelete ? SlabSpan.Delete : _slab.Copy(value);
        if (!exists)
        {
            entry.SnapshotTs = snapshotTs;
            entry.Supersedes = supersedes; // a rewrite in the same transaction still replaces the first one's predecessor
            entry.Hash = hash;
            _sortedValid = false;
            NoteDictionaryKey(key);
        }
    }

    /// <summary>
    /// The slice for a key's new value. A rewrite no longer than the old value reuses its bytes when nothing can still
    /// read them (no savepoint's undo log, no open cursor), so a transaction rewriting one key does not grow the slab.
    /// </summary>
    private SlabSpan StoreValue(SlabSpan old, ReadOnlySpan<byte> value, bool isDelete)
    {
        if (isDelete)
        {
            return SlabSpan.Delete;
        }

        if (value.Length <= old.Length && value.Length > 0 && _savepointCount == 0 && OpenCursors == 0)
        {
            return WriteSlab.Overwrite(old, value);
        }

        return _slab.Copy(value);
    }

    /// <summary>Under the commit lock, once the conflict check has found the key's newest version exactly.</summary>
    public void SetSupersedes(ReadOnlySpan<byte> key, ulong supersedes) => FindRef(key).Supersedes = supersedes;

    public bool TryGet(ReadOnlySpan<byte> key, out Entry entry)
    {
        if (HashedCount > 0)
        {
            var slot = FindHashed(key, KeyHash.Hash64(key));
            if (slot >= 0)
            {
                entry = _slots[slot].Entry;
                return true;
            }
        }

        var run = FindInRun(key, out var index);
        entry = run is not null ? run.Entries[index] : default;
        return run is not null;
    }

    /// <summary>
    /// All written keys in ascending order: the runs (sorted already) merged with the hashed keys, sorted
    /// incrementally. While no key was removed since <see cref="Clear"/>, the table enumerates its keys in
    /// insertion order, so the keys added since the last sort are the ones after the first <c>_sortedDict.Length</c>;
    /// only those are sorted and merged in. A new array each time: open cursors keep the one they started with.
    /// </summary>
    public SlabSpan[] SortedKeys()
    {
        if (!_sortedValid)
        {
            var dictionary = SortedDictionaryKeys();
            _sorted = _runCount == 0 ? dictionary : dictionary.Length == 0 ? RunKeysCopy() : Merge(RunKeysCopy(), dictionary);
            _sortedValid = true;
        }

        return _sorted;
    }

    private SlabSpan[] SortedDictionaryKeys()
    {
        if (_hadRemovals || _sortedDict.Length > HashedCount)
        {
            _sortedDict = HashedKeys(0);
            SortKeys(_sortedDict);
        }
        else if (_sortedDict.Length < HashedCount)
        {
            var added = HashedKeys(_sortedDict.Length);
            SortKeys(added);
            _sortedDict = Merge(_sortedDict, added);
        }

        return _sortedDict;
    }

    private static int Compare(SlabSpan a, SlabSpan b) => a.Span.SequenceCompareTo(b.Span);

    private static void SortKeys(SlabSpan[] keys)
    {
        for (var i = 1; i < keys.Length; i++)
        {
            if (Compare(keys[i - 1], keys[i]) > 0)
            {
                Array.Sort(keys, static (a, b) => Compare(a, b));
                return;
            }
        }
    }

    private static SlabSpan[] Merge(SlabSpan[] sorted, SlabSpan[] added)
    {
        if (sorted.Length == 0)
        {
            return added;
        }

        if (added.Length == 0)
        {
            return sorted;
        }

        var merged = new SlabSpan[sorted.Length + added.Length];
        if (Compare(sorted[^1], added[0]) < 0)
        {
            sorted.CopyTo(merged, 0);
            added.CopyTo(merged, sorted.Length);
            return merged;
        }

        int a = 0, b = 0, m = 0;
        while (a < sorted.Length && b < added.Length)
        {
            merged[m++] = Compare(sorted[a], added[b]) <= 0 ? sorted[a++] : added[b++];
        }

        Array.Copy(sorted, a, merged, m, sorted.Length - a);
        Array.Copy(added, b, merged, m + sorted.Length - a, added.Length - b);
        return merged;
    }

    /// <summary>The written keys in [<paramref name="start"/>, <paramref name="end"/>) (empty end: no bound), in no particular order.</summary>
    public List<SlabSpan> KeysInRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        var keys = new List<SlabSpan>();
        foreach (var (key, _) in Entries)
        {
            if (key.Span.SequenceCompareTo(start) >= 0 && (end.IsEmpty || key.Span.SequenceCompareTo(end) < 0))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>Sets a savepoint and returns its id (ids only grow within a transaction).</summary>
    public int Savepoint()
    {
        if (_savepointCount == _savepoints.Length)
        {
            Array.Resize(ref _savepoints, Math.Max(4, _savepoints.Length * 2));
        }

        var id = ++_lastSavepointId;
        _savepoints[_savepointCount++] = new SavepointMark { Id = id, UndoPosition = _undoCount };
        return id;
    }

    /// <summary>Undoes every change made since savepoint <paramref name="id"/>, which stays set; inner savepoints are dropped.</summary>
    public void RollbackTo(int id)
    {
        var index = IndexOfSavepoint(id);
        var position = _savepoints[index].UndoPosition;
        for (var i = _undoCount - 1; i >= position; i--)
        {
            ref var undo = ref _undo[i];
            ref var current = ref FindRef(undo.Key);
            EncodedBytes -= SizeOf(undo.Key.Length, current.Value);
            if (undo.Existed)
            {
                EncodedBytes += SizeOf(undo.Key.Length, undo.Previous.Value);
                current = undo.Previous;
            }
            else
            {
                RemoveHashed(undo.Key);
                _hadRemovals = true;
            }

            undo = default;
        }

        _undoCount = position;
        _savepointCount = index + 1;
        _sortedValid = false;
    }

    /// <summary>Forgets savepoint <paramref name="id"/> and the ones inside it; the changes stay (an outer savepoint still covers them).</summary>
    public void Release(int id)
    {
        _savepointCount = IndexOfSavepoint(id);
        if (_savepointCount == 0)
        {
            _undoCount = 0;
        }
    }

    private int IndexOfSavepoint(int id)
    {
        for (var i = _savepointCount - 1; i >= 0; i--)
        {
            if (_savepoints[i].Id == id)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"savepoint {id} does not exist (released, rolled back past, or never set in this transaction)");
    }

    private void LogUndo(SlabSpan storedKey, ref Entry entry, bool exists)
    {
        var current = _savepoints[_savepointCount - 1].Id;
        if (exists && entry.LoggedAt == current)
        {
            return; // already recorded since the innermost savepoint: rolling back restores the older state
        }

        if (_undoCount == _undo.Length)
        {
            Array.Resize(ref _undo, Math.Max(16, _undo.Length * 2));
        }

        _undo[_undoCount++] = new UndoRecord { Key = storedKey, Previous = entry, Existed = exists };
        entry.LoggedAt = current;
    }

    /// <summary>Empties the set and frees its slab: every key and value slice handed out is invalid from here on.</summary>
    public void Clear()
    {
        ClearHashed();
        EncodedBytes = 0;
        _sorted = [];
        _sortedDict = [];
        _sortedValid = true;
        ClearRun();
        _hadRemovals = false;
        _undoCount = 0;
        _savepointCount = 0;
        if (_undo.Length > 1024)
        {
            _undo = [];
        }

        _lastSavepointId = 0;
        OpenCursors = 0;
        Generation++;
        _slab.Clear();
    }
}
