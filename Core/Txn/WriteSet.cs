using System.Runtime.InteropServices;

namespace ThunderDb.Core.Txn;

/// <summary>
/// A transaction's private writes: last write per key wins. Lookups by span do not allocate
/// (alternate-key lookup); the sorted key order for scans is built lazily, only after changes. Keys written in
/// ascending order go to sorted runs instead of the dictionary (WriteSet.Run.cs).
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
        /// <summary>The new value, or null for a delete.</summary>
        public byte[]? Value;

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
    }

    private struct UndoRecord
    {
        public byte[] Key;
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

    private readonly Dictionary<byte[], Entry> _entries = new(ByteKeyComparer.Instance);
    private byte[][] _sorted = [];
    private byte[][] _sortedDict = [];
    private bool _sortedValid = true;
    /// <summary>A key was removed since the last <see cref="Clear"/>: the dictionary refills freed slots, so its enumeration order is no longer insertion order.</summary>
    private bool _hadRemovals;

    public int Count => _entries.Count + _runCount;

    /// <summary>What the write set takes in WAL records (<see cref="Storage.Wal.WalRecordBuilder.OperationSize"/> summed over its entries), kept as it changes.</summary>
    public long EncodedBytes { get; private set; }

    /// <summary>The encoded size of one entry.</summary>
    public static long SizeOf(int keyLength, byte[]? value) => Storage.Wal.WalRecordBuilder.OperationSize(keyLength, value?.Length ?? 0, value is not null);

    /// <summary><paramref name="ownedKey"/>: the key as an array the set may keep (the caller never changes it), or null to copy it.</summary>
    public void Set(ReadOnlySpan<byte> key, byte[]? value, ulong snapshotTs, ulong supersedes, byte[]? ownedKey = null)
    {
        var run = FindInRun(key, out var runIndex);
        if (run is not null)
        {
            ref var existing = ref run.Entries[runIndex];
            if (_savepointCount > 0)
            {
                LogUndo(run.Keys[runIndex], ref existing, exists: true);
            }

            EncodedBytes += SizeOf(key.Length, value) - SizeOf(key.Length, existing.Value);
            existing.Value = value;
            return;
        }

        if (TryAppendToRun(key, value, snapshotTs, supersedes, ownedKey))
        {
            return;
        }

        var lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
        ref var entry = ref ownedKey is null
            ? ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, key, out var exists)
            : ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, ownedKey, out exists);
        if (_savepointCount > 0 && !(exists && entry.LoggedAt == _savepoints[_savepointCount - 1].Id))
        {
            lookup.TryGetValue(key, out var storedKey, out _);
            LogUndo(storedKey!, ref entry, exists);
        }

        EncodedBytes += SizeOf(key.Length, value) - (exists ? SizeOf(key.Length, entry.Value) : 0);
        entry.Value = value;
        if (!exists)
        {
            entry.SnapshotTs = snapshotTs;
            entry.Supersedes = supersedes; // a rewrite in the same transaction still replaces the first one's predecessor
            entry.Hash = KeyHash.Hash64(key);
            _sortedValid = false;
            NoteDictionaryKey(key);
        }
    }

    /// <summary>Under the commit lock, once the conflict check has found the key's newest version exactly.</summary>
    public void SetSupersedes(byte[] key, ulong supersedes) => FindRef(key).Supersedes = supersedes;

    public bool TryGet(ReadOnlySpan<byte> key, out Entry entry)
    {
        if (_entries.Count > 0 && _entries.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out entry))
        {
            return true;
        }

        var run = FindInRun(key, out var index);
        entry = run is not null ? run.Entries[index] : default;
        return run is not null;
    }

    /// <summary>
    /// All written keys in ascending order: the run (sorted already) merged with the dictionary's keys, sorted
    /// incrementally. While no key was removed since <see cref="Clear"/>, the dictionary enumerates its keys in
    /// insertion order, so the keys added since the last sort are the ones after the first <c>_sortedDict.Length</c>;
    /// only those are sorted and merged in. A new array each time: open cursors keep the one they started with.
    /// </summary>
    public byte[][] SortedKeys()
    {
        if (!_sortedValid)
        {
            var dictionary = SortedDictionaryKeys();
            _sorted = _runCount == 0 ? dictionary : dictionary.Length == 0 ? RunKeysCopy() : Merge(RunKeysCopy(), dictionary);
            _sortedValid = true;
        }

        return _sorted;
    }

    private byte[][] SortedDictionaryKeys()
    {
        if (_hadRemovals || _sortedDict.Length > _entries.Count)
        {
            _sortedDict = [.. _entries.Keys];
            SortKeys(_sortedDict);
        }
        else if (_sortedDict.Length < _entries.Count)
        {
            var added = new byte[_entries.Count - _sortedDict.Length][];
            var i = 0;
            var skip = _sortedDict.Length;
            foreach (var key in _entries.Keys)
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                added[i++] = key;
            }

            SortKeys(added);
            _sortedDict = Merge(_sortedDict, added);
        }

        return _sortedDict;
    }

    private static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    private static void SortKeys(byte[][] keys)
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

    private static byte[][] Merge(byte[][] sorted, byte[][] added)
    {
        if (sorted.Length == 0)
        {
            return added;
        }

        if (added.Length == 0)
        {
            return sorted;
        }

        var merged = new byte[sorted.Length + added.Length][];
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
    public List<byte[]> KeysInRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        var keys = new List<byte[]>();
        foreach (var run in _runs)
        {
            for (var i = 0; i < run.Count; i++)
            {
                var key = run.Keys[i];
                if (key.AsSpan().SequenceCompareTo(start) >= 0 && (end.IsEmpty || key.AsSpan().SequenceCompareTo(end) < 0))
                {
                    keys.Add(key);
                }
            }
        }

        foreach (var key in _entries.Keys)
        {
            if (key.AsSpan().SequenceCompareTo(start) >= 0 && (end.IsEmpty || key.AsSpan().SequenceCompareTo(end) < 0))
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
                _entries.Remove(undo.Key);
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
            Array.Clear(_undo, 0, _undoCount);
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

    private void LogUndo(byte[] storedKey, ref Entry entry, bool exists)
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

    public void Clear()
    {
        // A reused transaction keeps its table; one that grew big (a large MULTI) gives the memory back.
        if (_entries.Count > 1024)
        {
            _entries.Clear();
            _entries.TrimExcess(16);
        }

        _entries.Clear();
        EncodedBytes = 0;
        _sorted = [];
        _sortedDict = [];
        _sortedValid = true;
        ClearRun();
        _hadRemovals = false;
        if (_undoCount > 0 || _savepointCount > 0)
        {
            Array.Clear(_undo, 0, _undoCount);
            _undoCount = 0;
            _savepointCount = 0;
        }

        _lastSavepointId = 0;
    }
}

/// <summary>Equality on byte-string keys, with span lookups.</summary>
internal sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => KeyHash.Hash32(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
