using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Tests.Txn;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Tests.Sql.Rows;

public class TableStorageTests
{
    private static readonly TableDef Items = new(
        20000, WellKnownOids.PublicSchema, "items",
        [new ColumnDef(1, "id", SqlType.Int8, NotNull: true), new ColumnDef(2, "code", SqlType.Text), new ColumnDef(3, "qty", SqlType.Int4)],
        [new ConstraintDef("items_pkey", ConstraintKind.PrimaryKey, [1], IndexOid: 20001)],
        PrimaryIndexOid: 20001);

    private static readonly IndexDef Primary = new(20001, 20000, WellKnownOids.PublicSchema, "items_pkey", [new IndexColumn(1)], true, true);
    private static readonly IndexDef UniqueCode = new(20002, 20000, WellKnownOids.PublicSchema, "items_code_key", [new IndexColumn(2)], true, false);
    private static readonly IndexDef ByQtyDesc = new(20003, 20000, WellKnownOids.PublicSchema, "items_qty_idx", [new IndexColumn(3, Descending: true)], false, false);
    private static readonly IndexDef[] Indexes = [Primary, UniqueCode, ByQtyDesc];

    private static SqlValue[] Row(long id, string? code, int qty) =>
        [SqlValue.FromInt8(id), code is null ? SqlValue.Null : SqlValue.FromText(code), SqlValue.FromInt4(qty)];

    private static List<long> Ids(IKvTransaction txn, IndexDef index)
    {
        var ids = new List<long>();
        (byte[] start, byte[] end) = TableStorage.IndexRange(index);
        using IKvCursor cursor = txn.Scan(start, end);
        var types = TableStorage.ColumnTypes(Items);
        while (cursor.MoveNext())
        {
            byte[] rowKey = [.. TableStorage.Prefix(Items.Oid, Items.PrimaryIndexOid), .. cursor.Value];
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            if (!txn.TryGet(rowKey, buffer))
            {
                throw new InvalidOperationException("index entry points at no row");
            }

            var row = new SqlValue[3];
            RowCodec.Read(buffer.WrittenSpan, row, types);
            ids.Add(row[0].AsInt64);
        }

        return ids;
    }

    [Test]
    public async Task Rows_and_indexes_stay_consistent_through_insert_update_delete()
    {
        using var t = new TestDatabase();
        var storage = new TableStorage();
        using IKvTransaction txn = t.Db.Begin();
        storage.Insert(txn, Items, Indexes, Row(3, "c", 10));
        storage.Insert(txn, Items, Indexes, Row(1, "a", 30));
        byte[] key2 = storage.Insert(txn, Items, Indexes, Row(2, null, 20));
        storage.Insert(txn, Items, Indexes, Row(4, null, 20)); // many NULLs in a unique index are fine

        await Assert.That(string.Join(",", Ids(txn, ByQtyDesc))).IsEqualTo("1,2,4,3");
        var dup = Assert.Throws<SqlException>(() => storage.Insert(txn, Items, Indexes, Row(1, "z", 0)));
        await Assert.That(dup.SqlState).IsEqualTo("23505");
        await Assert.That(dup.Message).IsEqualTo("duplicate key value violates unique constraint \"items_pkey\"");
        await Assert.That(dup.Detail).IsEqualTo("Key (id)=(1) already exists.");
        var dupCode = Assert.Throws<SqlException>(() => storage.Insert(txn, Items, Indexes, Row(9, "a", 0)));
        await Assert.That(dupCode.Detail).IsEqualTo("Key (code)=(a) already exists.");

        // update moves the qty entry and the primary key
        byte[] moved = storage.Update(txn, Items, Indexes, key2, Row(2, null, 20), Row(7, "g", 99));
        await Assert.That(string.Join(",", Ids(txn, ByQtyDesc))).IsEqualTo("7,1,4,3");
        await Assert.That(string.Join(",", Ids(txn, UniqueCode))).IsEqualTo("1,3,7,4"); // NULL sorts last ascending
        storage.Delete(txn, Items, Indexes, moved, Row(7, "g", 99));
        await Assert.That(string.Join(",", Ids(txn, ByQtyDesc))).IsEqualTo("1,4,3");
        await txn.CommitAsync();
    }

    [Test]
    public async Task Tables_without_primary_key_get_increasing_hidden_row_ids_across_restarts()
    {
        using var t = new TestDatabase();
        TableDef heap = Items with { Oid = 30000, PrimaryIndexOid = 0, Constraints = [] };
        using (IKvTransaction txn = t.Db.Begin())
        {
            var storage = new TableStorage();
            storage.Insert(txn, heap, [], Row(1, "x", 1));
            storage.Insert(txn, heap, [], Row(1, "x", 1)); // duplicates are fine without a key
            await txn.CommitAsync();
        }

        t.CrashAndRestart();
        using (IKvTransaction txn = t.Db.Begin())
        {
            new TableStorage().Insert(txn, heap, [], Row(2, "y", 2));
            await txn.CommitAsync();
        }

        using IKvTransaction read = t.Db.Begin();
        using IKvCursor rows = TableStorage.ScanRows(read, heap);
        var qty = new List<int>();
        while (rows.MoveNext())
        {
            var row = new SqlValue[3];
            RowCodec.Read(rows.Value, row, TableStorage.ColumnTypes(heap));
            qty.Add(row[2].AsInt32);
        }

        await Assert.That(string.Join(",", qty)).IsEqualTo("1,1,2");
    }
}
