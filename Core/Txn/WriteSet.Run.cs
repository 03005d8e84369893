using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The ascending run: a key written past every key the set already holds (a COPY into a table keyed by a serial or
/// hidden row id, a range delete, a sorted index build) is appended to two arrays instead of being hashed into the
/// dictionary. A million-key transaction then costs an append per key instead of a hash-table insert that misses the
/// cache (the dictionary was a third of DROP TABLE's time), and its keys come out already sorted for scans and for the
/// commit's apply to the B+tree. Every key is in exactly one of the two places: the run holds keys greater than the
/// greatest dictionary key at the time they were appended; a later smaller key goes to the dictionary, and a rewrite
/// of a run key (found by binary search) changes the run entry in place. Run entries are never removed, so while a
/// savepoint is set new keys go to the dictionary (whose undo log can remove them) and run entries are only logged.
/// </summary>
internal sealed partial class WriteSet
{
    private byte[][] _runKeys = [];
    private Entry[] _runEntries = [];
    private int _runCount;

    // The greatest key in the dictionary (a copy; _dictMaxLength < 0: the dictionary has had no key since Clear).
    private byte[] _dictMax = new byte[64];
    private int _dictMaxLength = -1;

    /// <summary>Keys in the run (tests and diagnostics).</summary>
    internal int RunCount => _runCount;

    /// <summary>Appends <paramref name="key"/> when it is greater than every key of the set and no savepoint is set.</summary>
    private bool TryAppendToRun(ReadOnlySpan<byte> key, byte[]? value, ulong snapshotTs, ulong supersedes, byte[]? ownedKey)
    {
        if (_savepointCount > 0
            || (_runCount > 0 && key.SequenceCompareTo(_runKeys[_runCount - 1]) <= 0)
            || (_dictMaxLength >= 0 && key.SequenceCompareTo(_dictMax.AsSpan(0, _dictMaxLength)) <= 0))
        {
            return false;
        }

        if (_runCount == _runKeys.Length)
        {
            var capacity = Math.Max(64, _runKeys.Length * 2);
            Array.Resize(ref _runKeys, capacity);
            Array.Resize(ref _runEntries, capacity);
        }

        _runKeys[_runCount] = ownedKey ?? key.ToArray();
        _runEntries[_runCount] = new Entry { Value = value, SnapshotTs = snapshotTs, Supersedes = supersedes, Hash = KeyHash.Hash64(key) };
        _runCount++;
        EncodedBytes += SizeOf(key.Length, value);
        _sortedValid = false;
        return true;
    }

    /// <summary>The run index of <paramref name="key"/>, or -1.</summary>
    private int RunIndexOf(ReadOnlySpan<byte> key)
    {
        if (_runCount == 0 || key.SequenceCompareTo(_runKeys[_runCount - 1]) > 0 || key.SequenceCompareTo(_runKeys[0]) < 0)
        {
            return -1;
        }

        int low = 0, high = _runCount - 1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            var order = key.SequenceCompareTo(_runKeys[mid]);
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

    /// <summary>The entry of <paramref name="key"/>, in the dictionary or the run (a null ref when absent).</summary>
    private ref Entry FindRef(byte[] key)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
        if (!Unsafe.IsNullRef(ref entry))
        {
            return ref entry;
        }

        var index = RunIndexOf(key);
        if (index < 0)
        {
            return ref Unsafe.NullRef<Entry>();
        }

        return ref _runEntries[index];
    }

    /// <summary>The run's keys as an array of their own (the run's arrays grow in place; cursors keep what they were given).</summary>
    private byte[][] RunKeysCopy() => _runKeys.AsSpan(0, _runCount).ToArray();

    private void ClearRun()
    {
        if (_runKeys.Length > 1024)
        {
            _runKeys = [];
            _runEntries = [];
        }
        else
        {
            Array.Clear(_runKeys, 0, _runCount);
            Array.Clear(_runEntries, 0, _runCount);
        }

        _runCount = 0;
        _dictMaxLength = -1;
    }

    /// <summary>Every entry: the run in ascending key order, then the dictionary in insertion order.</summary>
    public EntryList Entries => new(this);

    internal readonly struct EntryList(WriteSet set)
    {
        public EntryEnumerator GetEnumerator() => new(set);
    }

    internal struct EntryEnumerator(WriteSet set)
    {
        private int _run = -1;
        private bool _inDictionary;
        private Dictionary<byte[], Entry>.Enumerator _dictionary;

        public KeyValuePair<byte[], Entry> Current { get; private set; }

        public bool MoveNext()
        {
            if (!_inDictionary)
            {
                if (++_run < set._runCount)
                {
                    Current = new KeyValuePair<byte[], Entry>(set._runKeys[_run], set._runEntries[_run]);
                    return true;
                }

                _inDictionary = true;
                _dictionary = set._entries.GetEnumerator();
            }

            if (_dictionary.MoveNext())
            {
                Current = _dictionary.Current;
                return true;
            }

            return false;
        }
    }
}
