using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Sql.Engine;

// Finding the parent row of a key (through the referenced unique index) and the child rows of a key.
internal sealed partial class ReferentialIntegrity
{
    /// <summary>
    /// Whether the parent row of <paramref name="key"/> exists. With <paramref name="lockRow"/> the parent row (and, for a
    /// unique index other than the primary key, its entry) is locked shared first, so the reads are current reads.
    /// </summary>
    private async ValueTask<bool> ParentExistsAsync(TableDef parent, ConstraintDef fk, SqlValue[] key, bool lockRow)
    {
        if (ParentProbe(Catalog, parent, fk, key) is not (IndexDef index, SqlValue[] probe))
        {
            return false;
        }

        byte[] lookup = KeyFor(parent, index, probe);
        if (lockRow)
        {
            await Txn.LockAsync(lookup, KeyLockMode.Shared, runtime.Cancellation).ConfigureAwait(false);
        }

        _read.Clear();
        if (!Txn.TryGet(lookup, _read))
        {
            return false;
        }

        if (index.IsPrimary)
        {
            return true;
        }

        // a unique entry names the row; the row itself may be changing its key under another transaction's lock
        byte[] rowKey = [.. TableStorage.Prefix(parent.Oid, parent.RowKeyspaceOid), .. _read.WrittenSpan];
        if (lockRow)
        {
            await Txn.LockAsync(rowKey, KeyLockMode.Shared, runtime.Cancellation).ConfigureAwait(false);
        }

        return RowMatches(Txn, parent, rowKey, fk.ReferencedColumns ?? [], probe, _read);
    }

    /// <summary>Whether the parent row of <paramref name="key"/> is there in the transaction's snapshot (ALTER TABLE ... ADD FOREIGN KEY over existing rows).</summary>
    public static bool ParentPresent(IKvTransaction txn, CatalogSnapshot catalog, TableDef parent, ConstraintDef fk, SqlValue[] key)
    {
        ArgumentNullException.ThrowIfNull(txn);
        if (ParentProbe(catalog, parent, fk, key) is not (IndexDef index, SqlValue[] probe))
        {
            return false;
        }

        var read = new ArrayBufferWriter<byte>(64);
        if (!txn.TryGet(KeyFor(parent, index, probe), read))
        {
            return false;
        }

        return index.IsPrimary || RowMatches(txn, parent, [.. TableStorage.Prefix(parent.Oid, parent.RowKeyspaceOid), .. read.WrittenSpan], fk.ReferencedColumns ?? [], probe, read);
    }

    private static bool RowMatches(IKvTransaction txn, TableDef table, byte[] rowKey, IReadOnlyList<int> columns, SqlValue[] probe, ArrayBufferWriter<byte> read)
    {
        read.Clear();
        if (!txn.TryGet(rowKey, read))
        {
            return false;
        }

        SqlType[] types = TableStorage.ColumnTypes(table);
        var row = new SqlValue[types.Length];
        RowCodec.Read(read.WrittenSpan, row, types);
        foreach (int n in columns)
        {
            if (row[n - 1].IsNull || !SqlCompare.AreEqual(row[n - 1], probe[n - 1]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The referenced index and a parent-shaped row holding <paramref name="key"/> in the parent's types; null when no parent can hold it (out of range).</summary>
    private static (IndexDef Index, SqlValue[] Probe)? ParentProbe(CatalogSnapshot catalog, TableDef parent, ConstraintDef fk, SqlValue[] key)
    {
        IReadOnlyList<int> referenced = fk.ReferencedColumns ?? [];
        IndexDef index = catalog.UniqueIndexOn(parent.Oid, referenced)
            ?? throw new InvalidOperationException($"foreign key {fk.Name}: table {parent.Name} has no unique index on the referenced columns");
        SqlValue[]? probe = Place(parent, referenced, key);
        return probe is null ? null : (index, probe);
    }

    /// <summary>A row of <paramref name="table"/> with <paramref name="key"/> cast to the types of <paramref name="columns"/>; null when a value does not fit.</summary>
    private static SqlValue[]? Place(TableDef table, IReadOnlyList<int> columns, SqlValue[] key)
    {
        var row = new SqlValue[table.Columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            ColumnDef column = table.Column(columns[i]);
            try
            {
                row[column.Number - 1] = SqlCast.Coerce(key[i], column.Type);
            }
            catch (SqlException)
            {
                return null;
            }
        }

        return row;
    }

    /// <summary>The store key of a unique index for <paramref name="row"/>: the row key for the primary key, else the entry key.</summary>
    private static byte[] KeyFor(TableDef table, IndexDef index, SqlValue[] row)
    {
        var key = new ArrayBufferWriter<byte>(48);
        key.Write(TableStorage.Prefix(table.Oid, index.IsPrimary ? table.RowKeyspaceOid : index.Oid));
        TableStorage.WriteIndexKey(key, table, index, row);
        return key.WrittenSpan.ToArray();
    }

    /// <summary>An index whose leading columns are exactly the foreign key's columns: its entries for a key are one range.</summary>
    private IndexDef? ChildIndex(TableDef child, IReadOnlyList<int> columns) =>
        Catalog.IndexesOf(child.Oid).FirstOrDefault(i => i.Columns.Count >= columns.Count
            && i.Columns.Take(columns.Count).All(c => c.ExpressionSql is null && columns.Contains(c.ColumnNumber)));

    /// <summary>The keys of the child rows referencing <paramref name="key"/>, read at the newest commit (plus this transaction's writes).</summary>
    private List<byte[]> FindChildren(TableDef child, ConstraintDef fk, SqlValue[] key)
    {
        var keys = new List<byte[]>();
        SqlValue[]? probe = Place(child, fk.Columns, key);
        if (probe is null)
        {
            return keys;
        }

        byte[] rowPrefix = TableStorage.Prefix(child.Oid, child.RowKeyspaceOid);
        if (ChildIndex(child, fk.Columns) is { } index)
        {
            var start = new ArrayBufferWriter<byte>(48);
            start.Write(index.IsPrimary ? rowPrefix : TableStorage.Prefix(child.Oid, index.Oid));
            for (int j = 0; j < fk.Columns.Count; j++)
            {
                IndexColumn c = index.Columns[j];
                IndexKeyEncoder.Write(start, probe[c.ColumnNumber - 1], new KeyColumnOrder(c.Descending, c.NullsFirst));
            }

            byte[] from = start.WrittenSpan.ToArray();
            using IKvCursor cursor = Txn.ScanLatest(from, Successor(from));
            while (cursor.MoveNext())
            {
                runtime.CountRow();
                keys.Add(index.IsPrimary ? cursor.Key.ToArray() : [.. rowPrefix, .. cursor.Value]);
            }

            return keys;
        }

        SqlType[] types = TableStorage.ColumnTypes(child);
        var row = new SqlValue[types.Length];
        SqlValue[] childKey = KeyOf(probe, fk.Columns);
        (byte[] first, byte[] end) = TableStorage.RowRange(child);
        using (IKvCursor scan = Txn.ScanLatest(first, end))
        {
            while (scan.MoveNext())
            {
                runtime.CountRow();
                RowCodec.Read(scan.Value, row, types);
                if (Matches(row, fk.Columns, childKey))
                {
                    keys.Add(scan.Key.ToArray());
                }
            }
        }

        return keys;
    }

    /// <summary>The first key after every key that starts with <paramref name="prefix"/> (empty: no bound).</summary>
    private static byte[] Successor(byte[] prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xFF)
            {
                byte[] end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return [];
    }
}
