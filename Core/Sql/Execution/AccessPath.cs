using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// What the planner proved about one leading column of an index: equality with one of <see cref="Equal"/>'s values
/// (a null entry is <c>IS NULL</c>; several are an IN list), or, for the last bound column, a range.
/// </summary>
public sealed record KeyColumnBound(IReadOnlyList<BoundExpr?>? Equal, BoundExpr? Lower = null, bool LowerInclusive = false, BoundExpr? Upper = null, bool UpperInclusive = false);

/// <summary>
/// How a table scan reads: through <see cref="Index"/> (the primary key or a secondary index) restricted by
/// <see cref="Bounds"/> on its leading columns, forward or backward. The key range is a superset of the rows the
/// predicates select: the scan's filter re-checks every predicate, so NULLs, casts and collations need only be
/// conservative here. Values are evaluated when the scan starts (parameters, outer rows of a correlated subquery,
/// the outer row of an index nested-loop join).
/// </summary>
public sealed class AccessPath(IndexDef index, bool primary, IReadOnlyList<KeyColumnBound> bounds, bool reverse)
{
    /// <summary>IN-list combinations beyond this scan the narrower prefix instead (the filter still applies).</summary>
    private const int MaxPrefixes = 4096;

    public IndexDef Index { get; } = index;

    /// <summary>The index is the table's primary key: its entries are the rows themselves.</summary>
    public bool IsPrimary { get; } = primary;

    public IReadOnlyList<KeyColumnBound> Bounds { get; } = bounds;

    public bool Reverse { get; } = reverse;

    /// <summary>Every key column is bound by one equality on a unique index: at most one row.</summary>
    public bool IsUniquePoint => Index.IsUnique && Bounds.Count == Index.Columns.Count && Bounds.All(b => b.Equal is { Count: 1 } e && e[0] is not null);

    /// <summary>The [start, end) key ranges to read, in scan order; empty when the predicates can match nothing.</summary>
    public List<(byte[] Start, byte[] End)> Ranges(TableDef table, EvalContext keys)
    {
        ArgumentNullException.ThrowIfNull(table);
        byte[] prefix = TableStorage.Prefix(table.Oid, IsPrimary ? table.RowKeyspaceOid : Index.Oid);
        var prefixes = new List<byte[]> { prefix };
        var ranges = new List<(byte[], byte[])>();
        var buffer = new ArrayBufferWriter<byte>(32);
        for (int i = 0; i < Bounds.Count; i++)
        {
            KeyColumnBound bound = Bounds[i];
            IndexColumn column = Index.Columns[i];
            SqlType type = column.ExpressionSql is null ? table.Columns[column.ColumnNumber - 1].Type : IndexExpressions.Key(table, Index, i).Type;
            var order = new KeyColumnOrder(column.Descending, column.NullsFirst);
            if (bound.Equal is { } equal)
            {
                var encoded = new List<byte[]>(equal.Count);
                bool usable = true;
                foreach (BoundExpr? e in equal)
                {
                    SqlValue key = SqlValue.Null;
                    if (e is not null)
                    {
                        SqlValue v = e.Evaluate(keys);
                        if (v.IsNull)
                        {
                            continue; // col = NULL matches nothing
                        }

                        (KeyFit fit, key, _) = KeyValues.Fit(v, type, KeySide.Equal, true);
                        if (fit == KeyFit.Empty)
                        {
                            continue;
                        }

                        if (fit == KeyFit.Unbounded)
                        {
                            usable = false;
                            break;
                        }
                    }

                    buffer.Clear();
                    IndexKeyEncoder.Write(buffer, key, order);
                    encoded.Add(buffer.WrittenSpan.ToArray());
                }

                if (!usable || prefixes.Count * encoded.Count > MaxPrefixes)
                {
                    break; // scan the prefix so far; the filter does the rest
                }

                prefixes = [.. prefixes.SelectMany(p => encoded.Distinct(ByteArrayComparer.Instance).Select(k => Concat(p, k)))];
                if (prefixes.Count == 0)
                {
                    return ranges;
                }

                continue;
            }

            // a range on this column: lower and upper in value order, which a descending column reverses
            (KeyFit lowFit, SqlValue low, bool lowInclusive) = Side(bound.Lower, bound.LowerInclusive, type, KeySide.Lower, keys);
            (KeyFit highFit, SqlValue high, bool highInclusive) = Side(bound.Upper, bound.UpperInclusive, type, KeySide.Upper, keys);
            if (lowFit == KeyFit.Empty || highFit == KeyFit.Empty)
            {
                return ranges;
            }

            if (column.Descending)
            {
                (lowFit, low, lowInclusive, highFit, high, highInclusive) = (highFit, high, highInclusive, lowFit, low, lowInclusive);
            }

            foreach (byte[] p in prefixes)
            {
                byte[] start = lowFit == KeyFit.Use ? Encoded(p, low, order, buffer, successor: !lowInclusive) : p;
                byte[] end = highFit == KeyFit.Use ? Encoded(p, high, order, buffer, successor: highInclusive) : Successor(p);
                if (start.AsSpan().SequenceCompareTo(end) < 0)
                {
                    ranges.Add((start, end));
                }
            }

            return Ordered(ranges);
        }

        ranges.AddRange(prefixes.Distinct(ByteArrayComparer.Instance).Select(p => (p, Successor(p))));
        return Ordered(ranges);
    }

    private List<(byte[] Start, byte[] End)> Ordered(List<(byte[] Start, byte[] End)> ranges)
    {
        ranges.Sort((a, b) => a.Start.AsSpan().SequenceCompareTo(b.Start));
        if (Reverse)
        {
            ranges.Reverse();
        }

        return ranges;
    }

    private static (KeyFit, SqlValue, bool) Side(BoundExpr? e, bool inclusive, SqlType type, KeySide side, EvalContext keys)
    {
        if (e is null)
        {
            return (KeyFit.Unbounded, default, false);
        }

        SqlValue v = e.Evaluate(keys);
        return v.IsNull ? (KeyFit.Empty, default, false) : KeyValues.Fit(v, type, side, inclusive);
    }

    private static byte[] Encoded(byte[] prefix, SqlValue value, KeyColumnOrder order, ArrayBufferWriter<byte> buffer, bool successor)
    {
        buffer.Clear();
        buffer.Write(prefix);
        IndexKeyEncoder.Write(buffer, value, order);
        byte[] key = buffer.WrittenSpan.ToArray();
        return successor ? Successor(key) : key;
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>.</summary>
    public static byte[] Successor(byte[] prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int n = prefix.Length;
        while (n > 0 && prefix[n - 1] == 0xFF)
        {
            n--;
        }

        if (n == 0)
        {
            return [];
        }

        byte[] next = prefix[..n];
        next[n - 1]++;
        return next;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var h = new HashCode();
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }
}

public enum KeyFit : byte
{
    /// <summary>The value bounds the key as given (possibly adjusted to the column's encoding).</summary>
    Use,

    /// <summary>No key can satisfy the predicate.</summary>
    Empty,

    /// <summary>The value cannot narrow the key range (the filter decides).</summary>
    Unbounded,
}

public enum KeySide : byte
{
    Equal,
    Lower,
    Upper,
}
