using System.Runtime.InteropServices;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The ascending runs: a key written past the last key of the run before it (a COPY into a table keyed by a serial or
/// hidden row id, a range delete, a sorted index build) is appended to that run's two arrays instead of being hashed
/// into the dictionary. A million-key transaction then costs an append per key instead of a hash-table insert that
/// misses the cache (the dictionary was a third of DROP TABLE's time), and its keys come out already sorted for scans
/// and for the commit's apply to the B+tree (which fills leaves in order, see BTreeStore's leaf hint).
/// <para>
/// Several runs, ordered by key and with disjoint ranges [first, last], so one transaction that loads several tables
/// (pgbench's COPY of branches, tellers, then accounts, whose keys sort the other way round) keeps each table's keys
/// in a run of its own. A new key goes to the run whose first key is the greatest at or below it when it lies past that
/// run's last key (the gap up to the next run's first key), or starts a new run when it sorts before every run (up to
/// <see cref="MaxRuns"/>); anything else (a key inside a run's range, or already in the dictionary) goes to the
/// dictionary. Every key is in exactly one place: a rewrite of a run key (found by binary search) changes the run entry
/// in place. Run entries are never removed, so while a savepoint is set new keys go to the dictionary (whose undo log
/// can remove them) and run entries are only logged.
/// </para>
/// </summary>
internal sealed partial class WriteSet
{
    /// <summary>More runs than this and new keys before them go to the dictionary (a descending load would make one run per key).</summary>
    internal const int MaxRuns = 64;

    private sealed class Run
    {
        public SlabSpan[] Keys = new SlabSpan[16];
        public Entry[] Entries = new Entry[16];
        public int Count;

        public ReadOnlySpan<byte> First => Keys[0].Span;

        public ReadOnlySpan<byte> Last => Keys[Count - 1].Span;

        public void Add(SlabSpan key, in Entry entry)
        {
            if (Count == Keys.Length)
            {
                var capacity = Keys.Length * 2;
                Array.Resize(ref Keys, capacity);
                Array.Resize(ref Entries, capacity);
            }

            Keys[Count] = key;
            Entries[Count] = entry;
            Count++;
        }

        /// <summary>The index of <paramref name="key"/>, or -1.</summary>
        public int IndexOf(ReadOnlySpan<byte> key)
        {
            int low = 0, high = Count - 1;
            while (low <= high)
            {
                var mid = (int)((uint)(low + high) >> 1);
                var order = key.SequenceCompareTo(Keys[mid].Span);
                if (order == 0)
                {
                    return mid;
                }

                if (order < 0)
                {
                    high = mid - 1;
                }
                else
                {
                    low = mid + 1;
                }
            }

            return -1;
        }
    }

    private readonly List<Run> _runs = [];
    private int _runCount;

    // A small emptied run kept for the next transaction (one-key transactions would otherwise allocate one each).
    private Run? _spareRun;

    // The greatest key in the dictionary (a copy; _dictMaxLength < 0: the dictionary has had no key since Clear).
    private byte[] _dictMax = new byte[64];
    private int _dictMaxLength = -1;

    /// <summary>Keys in the runs (tests and diagnostics).</summary>
    internal int RunCount => _runCount;

    /// <summary>Runs (tests and diagnostics).</summary>
    internal int Runs => _runs.Count;

    /// <summary>Appends <paramref name="key"/> to a run when it fits one (see the class comment) and no savepoint is set.</summary>
    private bool TryAppendToRun(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isDelete, ulong snapshotTs, ulong supersedes)
    {
        if (_savepointCount > 0)
        {
            return false;
        }

        var before = RunBefore(key);
        if (before >= 0 ? key.SequenceCompareTo(_runs[before].Last) <= 0 : _runs.Count >= MaxRuns)
        {
            return false;
        }

        if (InDictionary(key))
        {
            return false;
        }

        Run run;
        if (before >= 0)
        {
            run = _runs[before];
        }
        else
        {
            run = _spareRun ?? new Run();
            _spareRun = null;
            _runs.Insert(0, run);
        }

        var stored = isDelete ? SlabSpan.Delete : _slab.Copy(value);
        run.Add(_slab.Copy(key), new Entry { Value = stored, SnapshotTs = snapshotTs, Supersedes = supersedes, Hash = KeyHash.Hash64(key) });
        _runCount++;
        EncodedBytes += SizeOf(key.Length, value.Length, isDelete);
        _sortedValid = false;
        return true;
    }

    private bool InDictionary(ReadOnlySpan<byte> key) =>
        _dictMaxLength >= 0
        && key.SequenceCompareTo(_dictMax.AsSpan(0, _dictMaxLength)) <= 0
        && FindHashed(key, KeyHash.Hash64(key)) >= 0;

    /// <summary>The index of the last run whose first key is at or below <paramref name="key"/>, or -1.</summary>
    private int RunBefore(ReadOnlySpan<byte> key)
    {
        var runs = CollectionsMarshal.AsSpan(_runs);
        if (runs.Length == 0)
        {
            return -1;
        }

        if (key.SequenceCompareTo(runs[^1].First) >= 0)
        {
            return runs.Length - 1; // the common case: appending to the last run
        }

        int low = 0, high = runs.Length - 2, found = -1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (key.SequenceCompareTo(runs[mid].First) >= 0)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }

    /// <summary>The run holding <paramref name="key"/> and its index there, or null.</summary>
    private Run? FindInRun(ReadOnlySpan<byte> key, out int index)
    {
        index = -1;
        var before = RunBefore(key);
        if (before < 0)
        {
            return null;
        }

        var run = _runs[before];
        if (key.SequenceCompareTo(run.Last) > 0)
        {
            return null;
        }

        index = run.IndexOf(key);
        return index >= 0 ? run : null;
    }

    /// <summary>A dictionary key was added: keep the greatest.</summary>
    private void NoteDictionaryKey(ReadOnlySpan<byte> key)
    {
        if (_dictMaxLength >= 0 && key.SequenceCompareTo(_dictMax.AsSpan(0, _dictMaxLength)) <= 0)
        {
            return;
        }

        if (_dictMax.Length < key.Length)
        {
            _dictMax = new byte[Math.Max(key.Length, _dictMax.Length * 2)];
        }

        key.CopyTo(_dictMax);
        _dictMaxLength = key.Length;
    }

    /// <summary>The runs' keys in ascending order, as an array of their own (runs grow in place; cursors keep what they were given).</summary>
    private SlabSpan[] RunKeysCopy()
    {
        var keys = new SlabSpan[_runCount];
        var at = 0;
        foreach (var run in _runs)
        {
            Array.Copy(run.Keys, 0, keys, at, run.Count);
            at += run.Count;
        }

        return keys;
    }

    private void ClearRun()
    {
        foreach (var run in _runs)
        {
            if (run.Keys.Length <= 1024 && _spareRun is null)
            {
                run.Count = 0; // slices of the freed slab: never read again, no reference for the GC to clear
                _spareRun = run;
            }
        }

        _runs.Clear();
        _runCount = 0;
        _dictMaxLength = -1;
    }

    /// <summary>Every entry: the runs in ascending key order, then the hashed keys in insertion order (slot order after a removal).</summary>
    public EntryList Entries => new(this);

    internal readonly struct EntryList(WriteSet set)
    {
        public EntryEnumerator GetEnumerator() => new(set);
    }

    internal struct EntryEnumerator(WriteSet set)
    {
        private int _runIndex;
        private int _inRun = -1;
        private int _slot = -1;

        public KeyValuePair<SlabSpan, Entry> Current { get; private set; }

        public bool MoveNext()
        {
            while (_runIndex < set._runs.Count)
            {
                var run = set._runs[_runIndex];
                if (++_inRun < run.Count)
                {
                    Current = new KeyValuePair<SlabSpan, Entry>(run.Keys[_inRun], run.Entries[_inRun]);
                    return true;
                }

                _runIndex++;
                _inRun = -1;
            }

            while (++_slot < set._slotCount)
            {
                ref var slot = ref set._slots[_slot];
                if (!slot.Free)
                {
                    Current = new KeyValuePair<SlabSpan, Entry>(slot.Key, slot.Entry);
                    return true;
                }
            }

            return false;
        }
    }
}
