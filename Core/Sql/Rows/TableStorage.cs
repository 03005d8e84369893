using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Keys;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Rows;

/// <summary>
/// Rows and index entries of SQL tables in the ordered store:
/// <list type="bullet">
/// <item>row: <c>'T' table(BE) primaryIndex(BE) key(pk columns)</c> -> the row (<see cref="RowCodec"/>); a table without
/// a primary key uses its own OID and a hidden 8-byte row id as the key.</item>
/// <item>index entry: <c>'T' table index key(index columns)</c>, followed by the row key when the index is not unique or a
/// key column is NULL (many NULLs are allowed in a unique index) -> the row key (the bytes after the row prefix).</item>
/// </list>
/// Uniqueness is a read of the would-be key inside the writing transaction. The statements' writers lock that key
/// first (<see cref="InsertLockedAsync"/>), so a second inserter of one key waits for the first and then reads its
/// outcome: 23505 when it committed, a free key when it rolled back (PostgreSQL's behaviour).
/// </summary>
public sealed partial class TableStorage
{
    public const int PrefixLength = 9;

    private readonly ConcurrentDictionary<uint, StrongBox<long>> _rowIds = new();

    // Per-thread scratch for the row being written (Insert and RowKey run synchronously, and the write set copies what
    // it is given): a COPY row used to allocate two buffer writers, their arrays, a prefix and the column types.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_rowValue;
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_rowKey;
    [ThreadStatic]
    private static TableDef? t_typesOf;
    [ThreadStatic]
    private static SqlType[]? t_types;

    private static ArrayBufferWriter<byte> Scratch(ref ArrayBufferWriter<byte>? writer, int size)
    {
        writer ??= new ArrayBufferWriter<byte>(size);
        writer.ResetWrittenCount();
        return writer;
    }

    /// <summary><see cref="ColumnTypes"/> of the last table this thread encoded a row of (catalog objects never change).</summary>
    private static SqlType[] RowTypes(TableDef table)
    {
        if (!ReferenceEquals(t_typesOf, table))
        {
            t_types = ColumnTypes(table);
            t_typesOf = table;
        }

        return t_types!;
    }

    private static void WritePrefix(IBufferWriter<byte> writer, uint tableOid, uint indexOid)
    {
        Span<byte> prefix = writer.GetSpan(PrefixLength);
        prefix[0] = KeyspaceTag.Table;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], tableOid);
        BinaryPrimitives.WriteUInt32BigEndian(prefix[5..], indexOid);
        writer.Advance(PrefixLength);
    }

    public static byte[] Prefix(uint tableOid, uint indexOid)
    {
        var prefix = new byte[PrefixLength];
        prefix[0] = KeyspaceTag.Table;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), tableOid);
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(5), indexOid);
        return prefix;
    }

    /// <summary>[start, end) of every row of <paramref name="table"/>.</summary>
    public static (byte[] Start, byte[] End) RowRange(TableDef table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return PrefixRange(Prefix(table.Oid, table.RowKeyspaceOid));
    }

    public static (byte[] Start, byte[] End) IndexRange(IndexDef index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return PrefixRange(Prefix(index.TableOid, index.Oid));
    }

    /// <summary>Every key of a table: rows and all its index entries (TRUNCATE and DROP TABLE delete this range).</summary>
    public static (byte[] Start, byte[] End) TableRange(uint tableOid)
    {
        var start = new byte[5];
        start[0] = KeyspaceTag.Table;
        BinaryPrimitives.WriteUInt32BigEndian(start.AsSpan(1), tableOid);
        var end = (byte[])start.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(end.AsSpan(1), tableOid + 1);
        return (start, end);
    }

    private static (byte[] Start, byte[] End) PrefixRange(byte[] prefix)
    {
        var end = (byte[])prefix.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(end.AsSpan(5), BinaryPrimitives.ReadUInt32BigEndian(end.AsSpan(5)) + 1);
        return (prefix, end);
    }

    /// <summary>Encoded key columns of <paramref name="index"/> for <paramref name="row"/> (0-based by attnum - 1).</summary>
    public static bool WriteIndexKey(ArrayBufferWriter<byte> output, TableDef table, IndexDef index, ReadOnlySpan<SqlValue> row)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(index);
        bool anyNull = false;
        for (int k = 0; k < index.Columns.Count; k++)
        {
            IndexColumn c = index.Columns[k];
            SqlValue v = c.ExpressionSql is null ? row[c.ColumnNumber - 1] : IndexExpressions.Evaluate(table, index, k, row);
            anyNull |= v.IsNull;
            IndexKeyEncoder.Write(output, v, new KeyColumnOrder(c.Descending, c.NullsFirst));
        }

        return anyNull;
    }

    /// <summary>The full store key of a row given its primary key values (or hidden row id).</summary>
    public static byte[] RowKey(TableDef table, IndexDef? primary, ReadOnlySpan<SqlValue> row, long rowId)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArrayBufferWriter<byte> key = Scratch(ref t_rowKey, 32);
        WritePrefix(key, table.Oid, table.RowKeyspaceOid);
        if (primary is null)
        {
            IndexKeyEncoder.Write(key, SqlValue.FromInt8(rowId));
        }
        else
        {
            WriteIndexKey(key, table, primary, row);
        }

        return key.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Inserts a row (NOT NULL and defaults already applied). Every unique key is checked before anything is
    /// written, so a violation (23505) leaves the transaction as it was. Returns the row key.
    /// </summary>
    public byte[] Insert(IKvTransaction txn, TableDef table, IReadOnlyList<IndexDef> indexes, SqlValue[] row)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indexes);
        IndexDef? primary = PrimaryOf(table, indexes);
        byte[] rowKey = RowKey(table, primary, row, primary is null ? NextRowId(txn, table) : 0);
        ArrayBufferWriter<byte>? probe = null; // a COPY into a table without keys allocates no probe and no entry list
        if (primary is not null && txn.TryGet(rowKey, probe = new ArrayBufferWriter<byte>(64)))
        {
            throw UniqueViolation(table, primary, row);
        }

        List<byte[]>? entries = null;
        foreach (IndexDef index in indexes)
        {
            if (index.IsPrimary)
            {
                continue;
            }

            byte[] entry = IndexEntryKey(table, index, row, rowKey, out bool unique);
            probe?.Clear();
            if (unique && txn.TryGet(entry, probe ??= new ArrayBufferWriter<byte>(64)))
            {
                throw UniqueViolation(table, index, row);
            }

            (entries ??= new List<byte[]>(indexes.Count)).Add(entry);
        }

        ArrayBufferWriter<byte> value = Scratch(ref t_rowValue, 256);
        RowCodec.Write(value, row, RowTypes(table));
        txn.Put(rowKey, value.WrittenSpan);
        foreach (byte[] entry in entries ?? [])
        {
            txn.Put(entry, rowKey.AsSpan(PrefixLength));
        }

        return rowKey;
    }

    /// <summary>Replaces a row: index entries whose key changed move; a changed primary key moves the row.</summary>
    public byte[] Update(IKvTransaction txn, TableDef table, IReadOnlyList<IndexDef> indexes, byte[] rowKey, SqlValue[] oldRow, SqlValue[] newRow)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indexes);
        ArgumentNullException.ThrowIfNull(rowKey);
        IndexDef? primary = PrimaryOf(table, indexes);
        byte[] newKey = primary is null ? rowKey : RowKey(table, primary, newRow, 0);
        bool moved = !newKey.AsSpan().SequenceEqual(rowKey);
        if (moved)
        {
            if (txn.TryGet(newKey, new ArrayBufferWriter<byte>(64)))
            {
                throw UniqueViolation(table, primary!, newRow);
            }

            txn.Delete(rowKey);
        }

        ArrayBufferWriter<byte> value = Scratch(ref t_rowValue, 256);
        RowCodec.Write(value, newRow, RowTypes(table));
        txn.Put(newKey, value.WrittenSpan);
        foreach (IndexDef index in indexes)
        {
            if (index.IsPrimary)
            {
                continue;
            }

            byte[] oldEntry = IndexEntryKey(table, index, oldRow, rowKey, out _);
            byte[] newEntry = IndexEntryKey(table, index, newRow, newKey, out _);
            if (moved || !oldEntry.AsSpan().SequenceEqual(newEntry))
            {
                txn.Delete(oldEntry);
                PutIndexEntry(txn, table, index, newRow, newKey);
            }
        }

        return newKey;
    }

    public void Delete(IKvTransaction txn, TableDef table, IReadOnlyList<IndexDef> indexes, byte[] rowKey, SqlValue[] row)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indexes);
        txn.Delete(rowKey);
        foreach (IndexDef index in indexes)
        {
            if (!index.IsPrimary)
            {
                txn.Delete(IndexEntryKey(table, index, row, rowKey, out _));
            }
        }
    }

    /// <summary>Every row of the table in primary key order (the caller decodes with <see cref="RowCodec"/>).</summary>
    public static IKvCursor ScanRows(IKvTransaction txn, TableDef table, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(txn);
        (byte[] start, byte[] end) = RowRange(table);
        return txn.Scan(start, end, reverse);
    }

    /// <summary>Adds the entries of a new index for every existing row (CREATE INDEX, ADD UNIQUE), built in bulk.</summary>
    public static void Backfill(IKvTransaction txn, TableDef table, IndexDef index)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        List<StoredRow> rows = ReadRows(txn, table, [index]);
        BuildIndex(txn, table, index, rows, [.. rows.Select(r => r.Key)]);
    }

    /// <summary>
    /// Every row of the table read once: its key, its stored value and the columns of <paramref name="indexes"/>
    /// decoded (the others read as NULL: a key build over a million rows does not build their other columns' strings).
    /// </summary>
    public static List<StoredRow> ReadRows(IKvTransaction txn, TableDef table, IEnumerable<IndexDef> indexes)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indexes);
        SqlType[] types = ColumnTypes(table);
        var needed = new bool[types.Length];
        foreach (IndexDef index in indexes)
        {
            foreach (IndexColumn c in index.Columns)
            {
                if (c.ExpressionSql is not null || c.ColumnNumber < 1 || c.ColumnNumber > needed.Length)
                {
                    Array.Fill(needed, true); // an expression may read any column
                }
                else
                {
                    needed[c.ColumnNumber - 1] = true;
                }
            }
        }

        var rows = new List<StoredRow>();
        using IKvCursor cursor = ScanRows(txn, table);
        while (cursor.MoveNext())
        {
            var row = new SqlValue[types.Length];
            RowCodec.Read(cursor.Value, row, types, needed);
            rows.Add(new StoredRow(cursor.Key.ToArray(), cursor.Value.ToArray(), row));
        }

        return rows;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> under the keys of the new primary key <paramref name="primary"/> of
    /// <paramref name="keyed"/> (ADD PRIMARY KEY; the caller has deleted the old keys in this transaction) and returns
    /// each row's new key. The keys are sorted once and a duplicate is two equal neighbours, so no key is probed.
    /// </summary>
    public static byte[][] BuildRowKeys(IKvTransaction txn, TableDef keyed, IndexDef primary, List<StoredRow> rows)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(rows);
        var keys = new byte[rows.Count][];
        var entries = new (byte[] Key, byte[] Value, int Row)[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            keys[i] = RowKey(keyed, primary, rows[i].Row, 0);
            entries[i] = (keys[i], rows[i].Value, i);
        }

        WriteSorted(txn, entries, row => UniqueViolation(keyed, primary, rows[row].Row));
        return keys;
    }

    /// <summary>The entries of a secondary index for <paramref name="rows"/> stored at <paramref name="rowKeys"/>, sorted and checked in bulk.</summary>
    public static void BuildIndex(IKvTransaction txn, TableDef table, IndexDef index, List<StoredRow> rows, byte[][] rowKeys)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rowKeys);
        var entries = new (byte[] Key, byte[] Value, int Row)[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            // Entries of a non-unique index (or with a null) end with the row key, so only true duplicates compare equal.
            entries[i] = (IndexEntryKey(table, index, rows[i].Row, rowKeys[i], out _), rowKeys[i][PrefixLength..], i);
        }

        WriteSorted(txn, entries, row => UniqueViolation(table, index, rows[row].Row));
    }

    private static void WriteSorted(IKvTransaction txn, (byte[] Key, byte[] Value, int Row)[] entries, Func<int, SqlException> duplicate)
    {
        // Rows read in hidden-row-id order often come out in key order already (a COPY in key order): one pass checks.
        for (int i = 1; i < entries.Length; i++)
        {
            if (entries[i].Key.AsSpan().SequenceCompareTo(entries[i - 1].Key) < 0)
            {
                Array.Sort(entries, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
                break;
            }
        }

        for (int i = 1; i < entries.Length; i++)
        {
            if (entries[i].Key.AsSpan().SequenceEqual(entries[i - 1].Key))
            {
                throw duplicate(Math.Min(entries[i].Row, entries[i - 1].Row));
            }
        }

        foreach ((byte[] key, byte[] value, _) in entries)
        {
            txn.WriteOwned(key, value); // copied into the write set's slab; the arrays die young
        }
    }

    public static SqlType[] ColumnTypes(TableDef table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var types = new SqlType[table.Columns.Count];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = table.Columns[i].Type;
        }

        return types;
    }

    private static IndexDef? PrimaryOf(TableDef table, IReadOnlyList<IndexDef> indexes)
    {
        if (table.PrimaryIndexOid == 0)
        {
            return null;
        }

        foreach (IndexDef index in indexes)
        {
            if (index.Oid == table.PrimaryIndexOid)
            {
                return index;
            }
        }

        throw new InvalidOperationException($"primary index {table.PrimaryIndexOid} of table {table.Name} is missing from the catalog");
    }

    private static byte[] IndexEntryKey(TableDef table, IndexDef index, ReadOnlySpan<SqlValue> row, byte[] rowKey, out bool distinctByValues)
    {
        var key = new ArrayBufferWriter<byte>(48);
        key.Write(Prefix(table.Oid, index.Oid));
        bool anyNull = WriteIndexKey(key, table, index, row);
        distinctByValues = index.IsUnique && !anyNull;
        if (!distinctByValues)
        {
            key.Write(rowKey.AsSpan(PrefixLength));
        }

        return key.WrittenSpan.ToArray();
    }

    private static void PutIndexEntry(IKvTransaction txn, TableDef table, IndexDef index, SqlValue[] row, byte[] rowKey)
    {
        byte[] entry = IndexEntryKey(table, index, row, rowKey, out bool unique);
        if (unique && txn.TryGet(entry, new ArrayBufferWriter<byte>(64)))
        {
            throw UniqueViolation(table, index, row);
        }

        txn.Put(entry, rowKey.AsSpan(PrefixLength));
    }

    public static SqlException UniqueViolation(TableDef table, IndexDef index, ReadOnlySpan<SqlValue> row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(index);
        var names = new List<string>();
        var values = new List<string>();
        for (int k = 0; k < index.Columns.Count; k++)
        {
            IndexColumn c = index.Columns[k];
            names.Add(c.ExpressionSql ?? table.Column(c.ColumnNumber).Name);
            SqlValue v = c.ExpressionSql is null ? row[c.ColumnNumber - 1] : IndexExpressions.Evaluate(table, index, k, row);
            values.Add(v.IsNull ? "null" : SqlText.Format(v));
        }

        return new SqlException(SqlState.UniqueViolation, $"duplicate key value violates unique constraint \"{index.Name}\"",
            detail: $"Key ({string.Join(", ", names)})=({string.Join(", ", values)}) already exists.");
    }

    private long NextRowId(IKvTransaction txn, TableDef table)
    {
        StrongBox<long> box = _rowIds.GetOrAdd(table.Oid, _ => new StrongBox<long>(MaxRowId(txn, table)));
        return Interlocked.Increment(ref box.Value);
    }

    /// <summary>The largest hidden row id stored (0 for an empty table): the last key of the row range.</summary>
    private static long MaxRowId(IKvTransaction txn, TableDef table)
    {
        using IKvCursor last = ScanRows(txn, table, reverse: true);
        return last.MoveNext() ? KeyCodec.ReadInt64(last.Key[(PrefixLength + 1)..]) : 0;
    }

    /// <summary>Forgets the hidden row id counter of a dropped or truncated table.</summary>
    public void Forget(uint tableOid) => _rowIds.TryRemove(tableOid, out _);
}

/// <summary>A stored row read for a bulk index build: its key, its encoded value and its columns.</summary>
public sealed record StoredRow(byte[] Key, byte[] Value, SqlValue[] Row);
