using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

internal sealed partial class DdlExecutor
{
    /// <summary>Every stored row of <paramref name="table"/> with its key (read before the caller changes any).</summary>
    private List<(byte[] Key, SqlValue[] Row)> AllRows(TableDef table)
    {
        SqlType[] types = TableStorage.ColumnTypes(table);
        var rows = new List<(byte[], SqlValue[])>();
        using IKvCursor cursor = TableStorage.ScanRows(Txn, table);
        while (cursor.MoveNext())
        {
            var row = new SqlValue[types.Length];
            RowCodec.Read(cursor.Value, row, types);
            rows.Add((cursor.Key.ToArray(), row));
        }

        return rows;
    }

    /// <summary>ADD COLUMN with a default or NOT NULL: existing rows get the default now (rows without the column would read NULL).</summary>
    private void FillNewColumn(TableDef table, Catalog.ColumnDef column)
    {
        if (column.DefaultSql is null && !column.NotNull && !column.IsGenerated)
        {
            return;
        }

        if (column.IsGenerated)
        {
            FillGeneratedColumn(table, column);
            return;
        }

        SqlValue value = SqlValue.Null;
        if (column.DefaultSql is not null)
        {
            BoundExpr e = Bind.BindStandalone(Ast.SqlParser.ParseExpression(column.DefaultSql));
            value = SqlCast.Coerce(e.Evaluate(new EvalContext([]) { Runtime = runtime }), column.Type);
        }

        List<(byte[] Key, SqlValue[] Row)> rows = AllRows(table);
        if (value.IsNull && column.NotNull && rows.Count > 0)
        {
            throw new SqlException(SqlState.NotNullViolation, $"column \"{column.Name}\" of relation \"{table.Name}\" contains null values");
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        SqlType[] types = TableStorage.ColumnTypes(table);
        foreach ((byte[] key, SqlValue[] row) in rows)
        {
            row[column.Number - 1] = value;
            buffer.Clear();
            RowCodec.Write(buffer, row, types);
            Txn.Put(key, buffer.WrittenSpan);
        }
    }

    private void RequireNoNulls(TableDef table, IReadOnlyList<int> columns)
    {
        foreach ((_, SqlValue[] row) in AllRows(table))
        {
            foreach (int n in columns)
            {
                if (row[n - 1].IsNull)
                {
                    throw new SqlException(SqlState.NotNullViolation, $"column \"{table.Column(n).Name}\" of relation \"{table.Name}\" contains null values");
                }
            }
        }
    }

    /// <summary>
    /// ADD PRIMARY KEY / ADD UNIQUE over existing rows (pgbench adds its keys after loading). A new primary key
    /// re-keys every row under the key's columns; a unique constraint builds its index.
    /// </summary>
    private void AddKey(TableDef table, Ast.TableConstraint constraint)
    {
        int[] columns = [.. constraint.Columns.Select(name => table.FindColumn(name)?.Number
            ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" named in key does not exist"))];
        bool primary = constraint.Kind == Ast.TableConstraintKind.PrimaryKey;
        if (primary && table.PrimaryIndexOid != 0)
        {
            throw new SqlException("42P16", $"multiple primary keys for table \"{table.Name}\" are not allowed");
        }

        string name = constraint.Name ?? (primary ? $"{table.Name}_pkey" : $"{table.Name}_{string.Join('_', columns.Select(n => table.Column(n).Name))}_key");
        if (Catalog.FindRelation(table.SchemaOid, name) is not null)
        {
            throw new SqlException(SqlState.DuplicateTable, $"relation \"{name}\" already exists");
        }

        var index = new IndexDef(changes.AllocateOid(), table.Oid, table.SchemaOid, name, [.. columns.Select(n => new IndexColumn(n))], IsUnique: true, IsPrimary: primary);
        var keyConstraint = new ConstraintDef(name, primary ? ConstraintKind.PrimaryKey : ConstraintKind.Unique, columns, IndexOid: index.Oid);
        if (!primary)
        {
            changes.Create(index);
            changes.Replace(table with { Constraints = [.. table.Constraints, keyConstraint] });
            Backfill(table, index);
            return;
        }

        // The rows move from hidden row ids to the primary key, built in bulk: read once, drop the old rows and
        // secondary entries, then write the new keys sorted (a duplicate is two equal neighbours).
        IReadOnlyList<IndexDef> secondaries = Catalog.IndexesOf(table.Oid);
        List<StoredRow> rows = TableStorage.ReadRows(Txn, table, [index, .. secondaries]);
        foreach (StoredRow stored in rows)
        {
            foreach (int n in columns)
            {
                if (stored.Row[n - 1].IsNull)
                {
                    throw new SqlException(SqlState.NotNullViolation, $"column \"{table.Column(n).Name}\" of relation \"{table.Name}\" contains null values");
                }
            }
        }

        // The old keys are known from the read: delete them without scanning the row range again.
        foreach (StoredRow stored in rows)
        {
            Txn.WriteOwned(stored.Key, null); // the read's own copy of the key, never changed: kept, not copied
        }

        foreach (IndexDef secondary in secondaries)
        {
            DeleteRange(TableStorage.IndexRange(secondary));
        }

        TableDef keyed = table with
        {
            PrimaryIndexOid = index.Oid,
            Constraints = [.. table.Constraints, keyConstraint],
            Columns = [.. table.Columns.Select(c => columns.Contains(c.Number) ? c with { NotNull = true } : c)],
        };
        changes.Create(index);
        changes.Replace(keyed);
        byte[][] keys;
        try
        {
            keys = TableStorage.BuildRowKeys(Txn, keyed, index, rows);
        }
        catch (SqlException e) when (e.SqlState == SqlState.UniqueViolation)
        {
            throw new SqlException(SqlState.UniqueViolation, $"could not create unique index \"{name}\"", detail: e.Detail?.Replace("already exists", "is duplicated", StringComparison.Ordinal));
        }

        foreach (IndexDef secondary in secondaries)
        {
            TableStorage.BuildIndex(Txn, keyed, secondary, rows, keys);
        }

        runtime.Storage.Forget(table.Oid);
    }
}
