using System.Runtime.InteropServices;

namespace ThunderDb.Core.Txn;

/// <summary>
/// A transaction's private writes: last write per key wins. Lookups by span do not allocate
/// (alternate-key lookup); the sorted key order for scans is built lazily, only after changes.
/// </summary>
internal sealed class WriteSet
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
    }

    public const ulong UnknownVersion = ulong.MaxValue;

    private readonly Dictionary<byte[], Entry> _entries = new(ByteKeyComparer.Instance);
    private byte[][] _sorted = [];
    private bool _sortedValid = true;

    public int Count => _entries.Count;

    public Dictionary<byte[], Entry> Entries => _entries;

    public void Set(ReadOnlySpan<byte> key, byte[]? value, ulong snapshotTs, ulong supersedes)
    {
        var lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, key, out var exists);
        entry.Value = value;
        if (!exists)
        {
            entry.SnapshotTs = snapshotTs;
            entry.Supersedes = supersedes; // a rewrite in the same transaction still replaces the first one's predecessor
            entry.Hash = KeyHash.Hash64(key);
            _sortedValid = false;
        }
    }

    /// <summary>Under the commit lock, once the conflict check has found the key's newest version exactly.</summary>
    public void SetSupersedes(byte[] key, ulong supersedes) =>
        CollectionsMarshal.GetValueRefOrNullRef(_entries, key).Supersedes = supersedes;

    public bool TryGet(ReadOnlySpan<byte> key, out Entry entry) =>
        _entries.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out entry);

    /// <summary>All written keys in ascending order.</summary>
    public byte[][] SortedKeys()
    {
        if (!_sortedValid)
        {
            _sorted = [.. _entries.Keys];
            Array.Sort(_sorted, static (a, b) => a.AsSpan().SequenceCompareTo(b));
            _sortedValid = true;
        }

        return _sorted;
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
        _sorted = [];
        _sortedValid = true;
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
