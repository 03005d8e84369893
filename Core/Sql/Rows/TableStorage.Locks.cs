using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;

namespace ThunderDb.Core.Sql.Rows;

/// <summary>
/// Key locks for unique keys. Before a row takes a primary key or a unique index entry, the writer locks that store
/// key exclusively; the uniqueness read that follows is then a current read (the newest committed version, see
/// <see cref="IKvTransaction.TryGet"/>). Two sessions inserting one key thus queue: the second sees the first's row
/// once it commits (23505) or a free key once it rolls back, instead of both passing the check and one failing at
/// commit with 40001. Entries with a NULL key column are distinct by row key and need no lock.
/// </summary>
public sealed partial class TableStorage
{
    /// <summary><see cref="Insert"/> after locking the row's unique keys.</summary>
    public async ValueTask<byte[]> InsertLockedAsync(IKvTransaction txn, TableDef table, IReadOnlyList<IndexDef> indexes, SqlValue[] row, CancellationToken cancellationToken)
    {
        await LockUniqueKeysAsync(txn, table, indexes, null, row, cancellationToken).ConfigureAwait(false);
        return Insert(txn, table, indexes, row);
    }

    /// <summary><see cref="Update"/> after locking the unique keys the new row takes (only those that change).</summary>
    public async ValueTask<byte[]> UpdateLockedAsync(IKvTransaction txn, TableDef table, IReadOnlyList<IndexDef> indexes, byte[] rowKey, SqlValue[] oldRow, SqlValue[] newRow, CancellationToken cancellationToken)
    {
        await LockUniqueKeysAsync(txn, table, indexes, oldRow, newRow, cancellationToken).ConfigureAwait(false);
        return Update(txn, table, indexes, rowKey, oldRow, newRow);
    }

    /// <summary>Locks, in index order, every unique key of <paramref name="row"/> that differs from <paramref name="oldRow"/>'s.</summary>
    private static async ValueTask LockUniqueKeysAsync(IKvTransaction txn, TableDef table, IReadOnlyList<IndexDef> indexes, SqlValue[]? oldRow, SqlValue[] row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indexes);
        foreach (IndexDef index in indexes)
        {
            if (!index.IsUnique)
            {
                continue;
            }

            byte[]? key = UniqueKey(table, index, row);
            if (key is null || (oldRow is not null && UniqueKey(table, index, oldRow) is { } old && old.AsSpan().SequenceEqual(key)))
            {
                continue;
            }

            ValueTask pending = txn.LockAsync(key, Txn.Locks.KeyLockMode.Exclusive, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending.ConfigureAwait(false);
            }
        }
    }

    /// <summary>The store key a unique index gives <paramref name="row"/> (the row key for the primary key); null when a key column is NULL.</summary>
    public static byte[]? UniqueKey(TableDef table, IndexDef index, ReadOnlySpan<SqlValue> row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(index);
        var key = new ArrayBufferWriter<byte>(48);
        key.Write(Prefix(table.Oid, index.IsPrimary ? table.RowKeyspaceOid : index.Oid));
        return WriteIndexKey(key, table, index, row) ? null : key.WrittenSpan.ToArray();
    }
}
