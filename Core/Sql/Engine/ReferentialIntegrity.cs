using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using ThunderDb.Core.Txn.Locks;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Foreign keys during one DML statement, with MATCH SIMPLE semantics (a NULL in any key column means no check).
/// <list type="bullet">
/// <item>Child side: a new or changed key is checked at the end of the statement (as PostgreSQL's RI triggers run
/// after the statement's rows), locking the parent row shared (PostgreSQL's FOR KEY SHARE): a concurrent delete of
/// that parent waits for this transaction, and this check waits for a concurrent delete to commit or roll back.</item>
/// <item>Parent side: a deleted row, or a changed referenced key, acts on the child rows at once (CASCADE, SET NULL,
/// SET DEFAULT) or queues a check (NO ACTION, RESTRICT) that looks for referencing rows at the end of the statement,
/// with a read at the newest commit (<see cref="IKvTransaction.ScanLatest"/>), so a child that a transaction this one
/// waited for committed after the snapshot is seen. NO ACTION passes when the key exists again by then.</item>
/// </list>
/// The children are found through an index whose leading columns are the foreign key's, else by a scan of the child
/// table (PostgreSQL does the same: it does not create that index either).
/// </summary>
internal sealed partial class ReferentialIntegrity(DmlExecutor dml, ExecutionRuntime runtime)
{
    private readonly List<PendingCheck> _pending = [];
    private readonly ArrayBufferWriter<byte> _read = new(128);

    private CatalogSnapshot Catalog => runtime.Catalog;

    private IKvTransaction Txn => runtime.Transaction;

    /// <summary>A check run at the end of the statement: a child key must exist in the parent, or a parent key must no longer be referenced.</summary>
    private sealed record PendingCheck(TableDef Child, ConstraintDef ForeignKey, SqlValue[] Key, bool ParentSide, TableDef? Parent = null);

    /// <summary>True when <paramref name="table"/> references or is referenced by anything: without that the statement needs none of this.</summary>
    public static bool Concerns(CatalogSnapshot catalog, TableDef table) =>
        catalog.ReferencesTo(table.Oid).Count > 0 || table.Constraints.Any(c => c.Kind == ConstraintKind.ForeignKey);

    /// <summary>A child row was inserted (<paramref name="oldRow"/> null) or updated: queues the parent checks of every new non-NULL key.</summary>
    public void RowWritten(TableDef table, SqlValue[] row, SqlValue[]? oldRow)
    {
        foreach (ConstraintDef fk in table.Constraints)
        {
            if (fk.Kind != ConstraintKind.ForeignKey || AnyNull(row, fk.Columns) || (oldRow is not null && SameKey(oldRow, row, fk.Columns)))
            {
                continue;
            }

            _pending.Add(new PendingCheck(table, fk, KeyOf(row, fk.Columns), ParentSide: false));
        }
    }

    /// <summary>A parent row was deleted: acts on or queues a check of the rows that reference it.</summary>
    public async ValueTask RowDeletedAsync(TableDef table, SqlValue[] row)
    {
        foreach ((TableDef child, ConstraintDef fk) in Catalog.ReferencesTo(table.Oid))
        {
            IReadOnlyList<int> referenced = fk.ReferencedColumns ?? [];
            if (AnyNull(row, referenced))
            {
                continue;
            }

            SqlValue[] key = KeyOf(row, referenced);
            switch (fk.OnDelete)
            {
                case ReferentialAction.Cascade:
                    foreach ((byte[] childKey, SqlValue[] childRow) in await LockChildrenAsync(child, fk, key).ConfigureAwait(false))
                    {
                        await DeleteRowAsync(Current(child), childKey, childRow).ConfigureAwait(false);
                    }

                    break;
                case ReferentialAction.SetNull or ReferentialAction.SetDefault:
                    await SetChildrenAsync(table, child, fk, key, null).ConfigureAwait(false);
                    break;
                default:
                    _pending.Add(new PendingCheck(child, fk, key, ParentSide: true, table));
                    break;
            }
        }
    }

    /// <summary>A parent row was updated: when a referenced key changed, acts on or queues a check of the rows that referenced the old key.</summary>
    public async ValueTask RowUpdatedAsync(TableDef table, SqlValue[] oldRow, SqlValue[] newRow)
    {
        foreach ((TableDef child, ConstraintDef fk) in Catalog.ReferencesTo(table.Oid))
        {
            IReadOnlyList<int> referenced = fk.ReferencedColumns ?? [];
            if (AnyNull(oldRow, referenced) || SameKey(oldRow, newRow, referenced))
            {
                continue;
            }

            SqlValue[] key = KeyOf(oldRow, referenced);
            switch (fk.OnUpdate)
            {
                case ReferentialAction.Cascade:
                    await SetChildrenAsync(table, child, fk, key, KeyOf(newRow, referenced)).ConfigureAwait(false);
                    break;
                case ReferentialAction.SetNull or ReferentialAction.SetDefault:
                    await SetChildrenAsync(table, child, fk, key, null, onUpdate: true).ConfigureAwait(false);
                    break;
                default:
                    _pending.Add(new PendingCheck(child, fk, key, ParentSide: true, table));
                    break;
            }
        }
    }

    /// <summary>Runs the checks queued by the statement, in the order they were queued; the first failure is the statement's error.</summary>
    public async ValueTask FinishAsync()
    {
        for (int i = 0; i < _pending.Count; i++)
        {
            PendingCheck check = _pending[i];
            TableDef parent = check.Parent ?? Catalog.Find<TableDef>(check.ForeignKey.ReferencedTableOid)
                ?? throw new InvalidOperationException($"foreign key {check.ForeignKey.Name} references a missing table");
            if (!check.ParentSide)
            {
                if (!await ParentExistsAsync(parent, check.ForeignKey, check.Key, lockRow: true).ConfigureAwait(false))
                {
                    throw ChildViolation(check.Child, check.ForeignKey, parent, check.Key);
                }

                continue;
            }

            // NO ACTION passes when the statement put the key back (a row with the same key exists again); RESTRICT does not look.
            bool noAction = check.ForeignKey.OnDelete != ReferentialAction.Restrict && check.ForeignKey.OnUpdate != ReferentialAction.Restrict;
            if (noAction && await ParentExistsAsync(parent, check.ForeignKey, check.Key, lockRow: false).ConfigureAwait(false))
            {
                continue;
            }

            if (FindChildren(check.Child, check.ForeignKey, check.Key).Count > 0)
            {
                throw ParentViolation(check.Child, check.ForeignKey, parent, check.Key);
            }
        }

        _pending.Clear();
    }

    /// <summary>The newest catalog definition of a table this statement may have changed (it did not: DML does not change the catalog).</summary>
    private TableDef Current(TableDef table) => Catalog.Find<TableDef>(table.Oid) ?? table;

    private async ValueTask DeleteRowAsync(TableDef table, byte[] key, SqlValue[] row)
    {
        runtime.Storage.Delete(Txn, table, Catalog.IndexesOf(table.Oid), key, row);
        await RowDeletedAsync(table, row).ConfigureAwait(false);
    }

    /// <summary>SET NULL / SET DEFAULT (<paramref name="newKey"/> null) or ON UPDATE CASCADE (the parent's new key) on the rows referencing <paramref name="key"/>.</summary>
    private async ValueTask SetChildrenAsync(TableDef parent, TableDef child, ConstraintDef fk, SqlValue[] key, SqlValue[]? newKey, bool onUpdate = false)
    {
        ReferentialAction action = newKey is not null ? ReferentialAction.Cascade : onUpdate ? fk.OnUpdate : fk.OnDelete;
        child = Current(child);
        IReadOnlyList<IndexDef> indexes = Catalog.IndexesOf(child.Oid);
        foreach ((byte[] childKey, SqlValue[] old) in await LockChildrenAsync(child, fk, key).ConfigureAwait(false))
        {
            var row = (SqlValue[])old.Clone();
            for (int i = 0; i < fk.Columns.Count; i++)
            {
                ColumnDef column = child.Column(fk.Columns[i]);
                row[column.Number - 1] = action switch
                {
                    ReferentialAction.Cascade => SqlCast.Coerce(newKey![i], column.Type),
                    ReferentialAction.SetNull => SqlValue.Null,
                    _ => dml.DefaultOf(child, column),
                };
            }

            dml.Check(child, row);
            await runtime.Storage.UpdateLockedAsync(Txn, child, indexes, childKey, old, row, runtime.Cancellation).ConfigureAwait(false);
            RowWritten(child, row, old);
            await RowUpdatedAsync(child, old, row).ConfigureAwait(false);
        }

        if (action == ReferentialAction.SetDefault)
        {
            // a default equal to the old key still references it (PostgreSQL runs the NO ACTION check after SET DEFAULT)
            _pending.Add(new PendingCheck(child, fk, key, ParentSide: true, parent));
        }
    }

    /// <summary>The rows referencing <paramref name="key"/>, each locked and read again (current read) and still referencing it.</summary>
    private async ValueTask<List<(byte[] Key, SqlValue[] Row)>> LockChildrenAsync(TableDef child, ConstraintDef fk, SqlValue[] key)
    {
        var rows = new List<(byte[], SqlValue[])>();
        SqlType[] types = TableStorage.ColumnTypes(child);
        foreach (byte[] rowKey in FindChildren(child, fk, key))
        {
            await Txn.LockAsync(rowKey, KeyLockMode.Exclusive, runtime.Cancellation).ConfigureAwait(false);
            _read.Clear();
            if (!Txn.TryGet(rowKey, _read))
            {
                continue;
            }

            var row = new SqlValue[types.Length];
            RowCodec.Read(_read.WrittenSpan, row, types);
            if (Matches(row, fk.Columns, key))
            {
                rows.Add((rowKey, row));
            }
        }

        return rows;
    }

    private static bool AnyNull(SqlValue[] row, IReadOnlyList<int> columns)
    {
        foreach (int n in columns)
        {
            if (row[n - 1].IsNull)
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameKey(SqlValue[] a, SqlValue[] b, IReadOnlyList<int> columns)
    {
        foreach (int n in columns)
        {
            if (a[n - 1].IsNull != b[n - 1].IsNull || (!a[n - 1].IsNull && !SqlCompare.AreEqual(a[n - 1], b[n - 1])))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Matches(SqlValue[] row, IReadOnlyList<int> columns, SqlValue[] key)
    {
        for (int i = 0; i < columns.Count; i++)
        {
            SqlValue v = row[columns[i] - 1];
            if (v.IsNull || !SqlCompare.AreEqual(v, key[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static SqlValue[] KeyOf(SqlValue[] row, IReadOnlyList<int> columns)
    {
        var key = new SqlValue[columns.Count];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = row[columns[i] - 1];
        }

        return key;
    }

    public static SqlException ChildViolation(TableDef child, ConstraintDef fk, TableDef parent, SqlValue[] key) =>
        new(SqlState.ForeignKeyViolation, $"insert or update on table \"{child.Name}\" violates foreign key constraint \"{fk.Name}\"",
            detail: $"Key ({ColumnNames(child, fk.Columns)})=({Values(key)}) is not present in table \"{parent.Name}\".");

    private static SqlException ParentViolation(TableDef child, ConstraintDef fk, TableDef parent, SqlValue[] key) =>
        new(SqlState.ForeignKeyViolation, $"update or delete on table \"{parent.Name}\" violates foreign key constraint \"{fk.Name}\" on table \"{child.Name}\"",
            detail: $"Key ({ColumnNames(parent, fk.ReferencedColumns ?? [])})=({Values(key)}) is still referenced from table \"{child.Name}\".");

    private static string ColumnNames(TableDef table, IReadOnlyList<int> columns) => string.Join(", ", columns.Select(n => table.Column(n).Name));

    private static string Values(SqlValue[] key) => string.Join(", ", key.Select(v => v.IsNull ? "null" : SqlText.Format(v)));
}
