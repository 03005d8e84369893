using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// Stored generated columns (GENERATED ALWAYS AS (expr) STORED): the expression is kept as SQL text on the column and
/// computed by <see cref="RowWriter"/> for every row written; here it is checked as PostgreSQL checks it at CREATE TABLE.
/// </summary>
internal sealed partial class DdlExecutor
{
    private static ColumnDef GeneratedColumn(ColumnDef column, string table)
    {
        if (!column.IsGenerated)
        {
            return column;
        }

        if (column.Identity != IdentityKind.None)
        {
            throw new SqlException(SqlState.SyntaxError, $"both identity and generation expression specified for column \"{column.Name}\" of table \"{table}\"");
        }

        if (column.DefaultSql is not null)
        {
            throw new SqlException(SqlState.SyntaxError, $"both default and generation expression specified for column \"{column.Name}\" of table \"{table}\"");
        }

        return column;
    }

    /// <summary>ADD COLUMN ... GENERATED: every existing row gets the expression's value (NOT NULL and CHECKs hold for it).</summary>
    private void FillGeneratedColumn(TableDef table, ColumnDef column)
    {
        var writer = new RowWriter(new DmlExecutor(binder, runtime, new EvalContext([]) { Runtime = runtime }), runtime, table);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        SqlType[] types = Rows.TableStorage.ColumnTypes(table);
        foreach ((byte[] key, SqlValue[] row) in AllRows(table))
        {
            writer.Check(row); // computes the generated columns, then NOT NULL and CHECK
            buffer.Clear();
            Rows.RowCodec.Write(buffer, row, types);
            Txn.Put(key, buffer.WrittenSpan);
        }
    }

    /// <summary>
    /// The generated columns whose expression reads <paramref name="column"/>: dropped with it under CASCADE (with a
    /// notice each), else the drop fails with 2BP01 as PostgreSQL's dependency check does.
    /// </summary>
    /// <summary>Whether the stored expression <paramref name="sql"/> (a default, check, generation or index expression) reads <paramref name="column"/>.</summary>
    private static bool ReadsColumn(string sql, string column) =>
        ExpressionWalker.Walk(Ast.SqlParser.ParseExpression(sql)).OfType<Ast.ColumnRefExpr>().Any(r => r.Name == column);

    private List<ColumnDef> GeneratedDependents(TableDef table, ColumnDef column, bool cascade)
    {
        List<ColumnDef> dependents = [.. table.Columns.Where(c => c.IsGenerated && !c.IsDropped
            && ReadsColumn(c.GeneratedSql!, column.Name))];
        if (dependents.Count == 0)
        {
            return dependents;
        }

        string Dependency(ColumnDef c) => $"column {c.Name} of table {table.Name} depends on column {column.Name} of table {table.Name}";
        if (!cascade)
        {
            throw new SqlException(SqlState.DependentObjectsStillExist, $"cannot drop column {column.Name} of table {table.Name} because other objects depend on it",
                detail: string.Join('\n', dependents.Select(Dependency)), hint: "Use DROP ... CASCADE to drop the dependent objects too.");
        }

        CascadeNotice([.. dependents.Select(c => $"column {c.Name} of table {table.Name}")]);
        return dependents;
    }

    /// <summary>Each expression binds over the table's columns, reads no generated column and is row-deterministic (no volatile function, no subquery).</summary>
    private void CheckGenerationExpressions(TableDef table, Dictionary<int, Ast.SqlExpr> expressions)
    {
        foreach (Ast.SqlExpr written in expressions.Values)
        {
            BoundExpr expr = binder.BindExpr(written, DmlExecutor.TableScope(table, null));
            var reads = new HashSet<int>();
            if (!ExprFacts.TryColumns(expr, reads))
            {
                throw new SqlException(SqlState.InvalidObjectDefinition, "generation expression is not immutable");
            }

            if (reads.Select(ordinal => table.Columns[ordinal]).FirstOrDefault(c => c.IsGenerated) is { } generated)
            {
                int at = ExpressionWalker.Walk(written).OfType<Ast.ColumnRefExpr>().FirstOrDefault(r => r.Name == generated.Name)?.Position ?? -1;
                throw new SqlException(SqlState.InvalidObjectDefinition, $"cannot use generated column \"{generated.Name}\" in column generation expression",
                    detail: "A generated column cannot reference another generated column.", position: at + 1);
            }
        }
    }
}
