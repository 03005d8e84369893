using System.Buffers;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Rows;
using ThunderDb.Core.Sql.Types;
using ThunderDb.Core.Txn.Locks;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// INSERT ... ON CONFLICT (target) DO UPDATE. The arbiter key is locked before it is read, so two sessions upserting
/// one new key queue: the second finds the first's committed row and updates it (no 23505, no lost update), as
/// PostgreSQL's speculative insertion ends up doing. The existing row is locked and read current before SET runs.
/// </summary>
internal sealed partial class DmlExecutor
{
    internal sealed record Upsert(IndexDef Arbiter, IReadOnlyList<(ColumnDef Column, BoundExpr? Value)> Assignments, BoundExpr? Where)
    {
        /// <summary>Rows this statement inserted or updated: PostgreSQL refuses to touch one twice (21000).</summary>
        public HashSet<string> Touched { get; } = [];
    }

    private Upsert BindUpsert(TableDef table, string? alias, Ast.OnConflictClause clause)
    {
        IndexDef arbiter = Arbiter(table, clause);
        // the existing row's columns come first, then the proposed row as "excluded"
        Scope scope = new([.. TableScope(table, alias).Columns, .. TableScope(table, "excluded").Columns], null);
        List<(ColumnDef Column, BoundExpr? Value)> assignments = BindAssignments(table, clause.Set, scope);
        BoundExpr? where = clause.Where is null ? null : binder.BindCondition(clause.Where, scope, "WHERE");
        return new Upsert(arbiter, assignments, where);
    }

    /// <summary>The unique index ON CONFLICT names, by its columns or its constraint.</summary>
    private IndexDef Arbiter(TableDef table, Ast.OnConflictClause clause)
    {
        uint indexOid = 0;
        if (clause.Constraint is { } name)
        {
            indexOid = table.Constraints.FirstOrDefault(c => c.Name == name)?.IndexOid
                ?? throw new SqlException(SqlState.UndefinedObject, $"constraint \"{name}\" for table \"{table.Name}\" does not exist");
        }
        else if (clause.Target is { Count: > 0 } target)
        {
            int[] columns = [.. target.Select(e => e is Ast.ColumnRefExpr c && table.FindColumn(c.Name) is { } column ? column.Number
                : throw SqlException.NotSupported("ON CONFLICT on expressions"))];
            indexOid = runtime.Catalog.UniqueIndexOn(table.Oid, columns)?.Oid ?? 0;
        }
        else
        {
            throw new SqlException(SqlState.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                hint: "For example, ON CONFLICT (column_name).");
        }

        return runtime.Catalog.Find<IndexDef>(indexOid) is { IsUnique: true } index && clause.TargetWhere is null
            ? index
            : throw new SqlException(SqlState.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification");
    }

    /// <summary>Inserts <paramref name="proposed"/> or updates the row holding its arbiter key; the row written, or null when WHERE skipped it.</summary>
    private async ValueTask<SqlValue[]?> UpsertRowAsync(RowWriter writer, Upsert upsert, SqlValue[] proposed)
    {
        TableDef table = writer.Table;
        if (TableStorage.UniqueKey(table, upsert.Arbiter, proposed) is { } key)
        {
            await runtime.Transaction.LockAsync(key, KeyLockMode.Exclusive, runtime.Cancellation).ConfigureAwait(false);
            var found = new ArrayBufferWriter<byte>(64);
            if (runtime.Transaction.TryGet(key, found))
            {
                byte[] rowKey = upsert.Arbiter.IsPrimary ? key : [.. TableStorage.Prefix(table.Oid, table.RowKeyspaceOid), .. found.WrittenSpan];
                if (await LockCurrentAsync(table, rowKey, null).ConfigureAwait(false) is { } existing)
                {
                    return await UpdateExistingAsync(writer, upsert, rowKey, existing, proposed).ConfigureAwait(false);
                }
            }
        }

        byte[] inserted = await writer.InsertAsync(proposed).ConfigureAwait(false);
        upsert.Touched.Add(Convert.ToHexString(inserted));
        return proposed;
    }

    private async ValueTask<SqlValue[]?> UpdateExistingAsync(RowWriter writer, Upsert upsert, byte[] rowKey, SqlValue[] existing, SqlValue[] proposed)
    {
        if (!upsert.Touched.Add(Convert.ToHexString(rowKey)))
        {
            throw new SqlException(SqlState.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time",
                hint: "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.");
        }

        EvalContext ctx = eval.Nested();
        ctx.Row = [.. existing, .. proposed];
        if (upsert.Where is not null)
        {
            SqlValue keep = upsert.Where.Evaluate(ctx);
            if (keep.IsNull || !keep.AsBool)
            {
                return null;
            }
        }

        var row = (SqlValue[])existing.Clone();
        foreach ((ColumnDef column, BoundExpr? value) in upsert.Assignments)
        {
            row[column.Number - 1] = value is null ? writer.DefaultOf(column) : Assign(value.Evaluate(ctx), column);
        }

        await writer.UpdateAsync(rowKey, existing, row).ConfigureAwait(false);
        return row;
    }
}
