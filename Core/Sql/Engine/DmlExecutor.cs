using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// INSERT, UPDATE and DELETE: rows are produced by a plan, then completed, checked and written by the
/// statement's <see cref="RowWriter"/> (the path COPY FROM shares) in the statement's transaction. UPDATE and DELETE collect their target rows before changing any, so a row moved by an UPDATE
/// is never visited twice. Unique keys are locked before they are checked (<see cref="Rows.TableStorage.InsertLockedAsync"/>);
/// foreign keys go through <see cref="ReferentialIntegrity"/>, whose queued checks run when the rows are written.
/// </summary>
internal sealed partial class DmlExecutor(Binder binder, ExecutionRuntime runtime, EvalContext eval)
{
    /// <summary>An INSERT bound against one catalog (see <see cref="BoundUpdate"/>): VALUES rows or a query, and what to do on conflict.</summary>
    internal sealed record BoundInsert(TableDef Table, IReadOnlyList<ColumnDef> Targets, bool DefaultValues, ValuesNode? Values, PlanNode? Query,
        ReturningList? Returning, bool DoNothing, Upsert? Upsert) : BoundDml;

    public BoundInsert BindInsert(Ast.InsertStatement insert)
    {
        if (insert is { With: { } with, Source: { With: null, Body: not Ast.ValuesQuery } query })
        {
            insert = insert with { With = null, Source = query with { With = with } }; // the CTEs feed the INSERT's query
        }

        if (insert.With is not null || insert.Replace || insert.OnDuplicateKeyUpdate is not null)
        {
            throw SqlException.NotSupported(insert.With is not null ? "WITH in INSERT" : "REPLACE / ON DUPLICATE KEY UPDATE");
        }

        if (binder.FindRelation(insert.Table) is ViewDef view)
        {
            insert = ThroughView(insert, view);
        }

        TableDef table = binder.RequireTable(insert.Table);
        List<ColumnDef> targets = insert.Columns is null
            ? [.. table.VisibleColumns]
            : [.. insert.Columns.Select(name => table.FindColumn(name)
                ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{table.Name}\" does not exist"))];
        if (targets.Select(c => c.Number).Distinct().Count() != targets.Count)
        {
            throw new SqlException(SqlState.DuplicateColumn, "column specified more than once");
        }

        ValuesNode? valuesNode = null;
        PlanNode? selected = null;
        if (insert.DefaultValues)
        {
            targets = [];
        }
        else if (insert.Source is { Body: Ast.ValuesQuery values, OrderBy.Count: 0, Limit: null, Offset: null })
        {
            if (values.Rows[0].Count > targets.Count)
            {
                throw new SqlException(SqlState.SyntaxError, "INSERT has more expressions than target columns");
            }

            valuesNode = binder.BindValues(values, null, [.. targets.Take(values.Rows[0].Count).Select(c => c.Type)]);
        }
        else
        {
            selected = binder.BindSelect(insert.Source!);
            if (selected.Columns.Count > targets.Count)
            {
                throw new SqlException(SqlState.SyntaxError, "INSERT has more expressions than target columns");
            }
        }

        ReturningList? returning = insert.Returning is null ? null : BindReturning(table, insert.Alias, insert.Returning);
        bool doNothing = insert.OnConflict is { Action: Ast.ConflictAction.DoNothing };
        Upsert? upsert = insert.OnConflict is { Action: Ast.ConflictAction.DoUpdate } doUpdate ? BindUpsert(table, insert.Alias, doUpdate) : null;
        return new BoundInsert(table, targets, insert.DefaultValues, valuesNode, selected, returning, doNothing, upsert);
    }

    public async Task<StatementResult> InsertAsync(BoundInsert insert)
    {
        // Each source row with, for VALUES, which items were DEFAULT (they take the column default).
        var source = new List<(SqlValue[] Values, bool[]? Defaulted)>();
        if (insert.DefaultValues)
        {
            source.Add(([], null));
        }
        else if (insert.Values is { } node)
        {
            EvalContext ctx = eval.Nested();
            foreach (IReadOnlyList<BoundExpr> items in node.Rows)
            {
                var row = new SqlValue[items.Count];
                bool[] defaulted = new bool[items.Count];
                for (int i = 0; i < items.Count; i++)
                {
                    if (items[i] is DefaultMarker)
                    {
                        defaulted[i] = true;
                    }
                    else
                    {
                        row[i] = items[i].Evaluate(ctx);
                    }
                }

                source.Add((row, defaulted));
            }
        }
        else
        {
            // read everything first: INSERT ... SELECT from the same table sees only the rows that were there
            source.AddRange(insert.Query!.Execute(eval).Select(r => (r, (bool[]?)null)));
        }

        (TableDef table, IReadOnlyList<ColumnDef> targets, _, _, _, ReturningList? returning, bool doNothing, Upsert? upsert) = insert;
        int count = 0;
        var output = new List<SqlValue[]>();
        RowWriter writer = WriterFor(table);
        foreach ((SqlValue[] produced, bool[]? defaulted) in source)
        {
            SqlValue[] row = writer.NewRow(produced, targets, defaulted);
            if (upsert is not null)
            {
                writer.Check(row);
                SqlValue[]? written = await UpsertRowAsync(writer, upsert, row).ConfigureAwait(false);
                if (written is not null)
                {
                    count++;
                    if (returning is not null)
                    {
                        output.Add(returning.Evaluate(written, eval));
                    }
                }

                continue;
            }

            try
            {
                await writer.InsertAsync(row).ConfigureAwait(false);
            }
            catch (SqlException e) when (doNothing && e.SqlState == SqlState.UniqueViolation)
            {
                continue;
            }

            count++;
            if (returning is not null)
            {
                output.Add(returning.Evaluate(row, eval));
            }
        }

        await writer.FinishAsync().ConfigureAwait(false);
        string tag = CommandTags.Insert(count);
        return returning is null ? new StatementResult(tag) : new StatementResult(tag, returning.Columns, output);
    }

    internal EvalContext Eval => eval;

    /// <summary>The statement's row writer for <paramref name="table"/> (one per table: bound defaults and checks are kept).</summary>
    internal RowWriter WriterFor(TableDef table)
    {
        _writers ??= [];
        if (!_writers.TryGetValue(table.Oid, out RowWriter? writer) || !ReferenceEquals(writer.Table, table))
        {
            writer = new RowWriter(this, runtime, table);
            _writers[table.Oid] = writer;
        }

        return writer;
    }

    private Dictionary<uint, RowWriter>? _writers;

    private static SqlValue Assign(SqlValue value, ColumnDef column) => RowWriter.Assign(value, column);

    internal BoundExpr BindStandalone(string sql) => binder.BindStandalone(Ast.SqlParser.ParseExpression(sql));

    internal BoundExpr BindCheck(TableDef table, string sql) => binder.BindExpr(Ast.SqlParser.ParseExpression(sql), TableScope(table, null));

    /// <summary>The value of a column's default for a new row of its table.</summary>
    internal SqlValue DefaultOf(TableDef table, ColumnDef column) => WriterFor(table).DefaultOf(column);

    /// <summary>NOT NULL and CHECK constraints on a complete new row.</summary>
    internal void Check(TableDef table, SqlValue[] row) => WriterFor(table).Check(row);

    internal static Scope TableScope(TableDef table, string? alias) => Scope.OfTable(table, alias);

    internal sealed class ReturningList(IReadOnlyList<BoundExpr> exprs, IReadOnlyList<PlanColumn> columns)
    {
        public IReadOnlyList<PlanColumn> Columns { get; } = columns;

        public SqlValue[] Evaluate(SqlValue[] row, EvalContext eval)
        {
            EvalContext ctx = eval.Nested();
            ctx.Row = row;
            return [.. exprs.Select(e => e.Evaluate(ctx))];
        }
    }

    private ReturningList BindReturning(TableDef table, string? alias, IReadOnlyList<Ast.SelectItem> items) => BindReturning(binder, table, alias, items);

    private static ReturningList BindReturning(Binder binder, TableDef table, string? alias, IReadOnlyList<Ast.SelectItem> items)
    {
        Scope scope = TableScope(table, alias);
        var exprs = new List<BoundExpr>();
        var columns = new List<PlanColumn>();
        foreach (Ast.SelectItem item in items)
        {
            if (item.Expr is Ast.StarExpr)
            {
                foreach (ColumnDef c in table.VisibleColumns)
                {
                    exprs.Add(new ColumnExpr(c.Number - 1, c.Type));
                    columns.Add(new PlanColumn(c.Name, c.Type, table.Oid, c.Number));
                }

                continue;
            }

            BoundExpr e = binder.BindExpr(item.Expr, scope);
            if (e.Type.Kind == SqlTypeKind.Unknown)
            {
                e = TypeRules.Coerce(e, SqlType.Text);
            }

            exprs.Add(e);
            columns.Add(new PlanColumn(item.Alias ?? (item.Expr is Ast.ColumnRefExpr c1 ? c1.Name : "?column?"), e.Type));
        }

        return new ReturningList(exprs, columns);
    }

    /// <summary>The columns an INSERT, UPDATE or DELETE with RETURNING will return (the extended protocol's Describe); null without RETURNING.</summary>
    public static IReadOnlyList<PlanColumn>? DescribeReturning(Binder binder, Ast.SqlStatement statement)
    {
        ArgumentNullException.ThrowIfNull(binder);
        (Ast.ObjectName? table, string? alias, IReadOnlyList<Ast.SelectItem>? returning) = statement switch
        {
            Ast.InsertStatement i => (i.Table, i.Alias, i.Returning),
            Ast.UpdateStatement u => (u.Table, u.Alias?.Name, u.Returning),
            Ast.DeleteStatement d => (d.Table, d.Alias?.Name, d.Returning),
            _ => (null, null, null),
        };
        return table is null || returning is null ? null : BindReturning(binder, binder.RequireTable(table), alias, returning).Columns;
    }

    /// <summary>The table an UPDATE or DELETE changes, its scope, the WHERE condition and the scan that reads its candidates.</summary>
    private (TableDef Table, Scope Scope, TableScanNode Source, BoundExpr? Condition, ViewTarget? View) BindTarget(Ast.ObjectName name, string? alias,
        Ast.SqlExpr? where, string verb, bool returning)
    {
        if (binder.FindRelation(name) is ViewDef view)
        {
            return returning
                ? throw SqlException.NotSupported($"RETURNING on {verb} a view")
                : BindViewTarget(view, alias, where, verb);
        }

        (PlanNode plan, List<ScopeColumn> columns) = binder.BindNamedTable(new Ast.NamedTableRef(name, alias is null ? null : new Ast.TableAlias(alias)));
        if (plan is not TableScanNode scan)
        {
            throw new SqlException(SqlState.WrongObjectType, $"cannot change relation \"{name.Name}\": it is not a table");
        }

        var scope = new Scope(columns, null);
        if (where is null)
        {
            return (scan.Table, scope, scan, null, null);
        }

        BoundExpr condition = binder.BindCondition(where, scope, "WHERE");
        return (scan.Table, scope, binder.Planner.ScanFor(scan, condition), condition, null);
    }

    /// <summary>The rows <paramref name="source"/> reads that <paramref name="condition"/> selects, with their keys, read before any change.</summary>
    private List<(byte[] Key, SqlValue[] Row)> Targets(TableScanNode source, BoundExpr? condition)
    {
        if (condition is null)
        {
            return [.. source.ExecuteWithKeys(eval)];
        }

        var rows = new List<(byte[], SqlValue[])>();
        EvalContext ctx = eval.Nested();
        foreach ((byte[] key, SqlValue[] row) in source.ExecuteWithKeys(eval))
        {
            ctx.Row = row;
            SqlValue keep = condition.Evaluate(ctx);
            if (!keep.IsNull && keep.AsBool)
            {
                rows.Add((key, row));
            }
        }

        return rows;
    }

    /// <summary>
    /// Locks a target row, then reads its newest committed version (READ COMMITTED's current read) and checks the
    /// WHERE condition again on it, as PostgreSQL does for a row another transaction changed meanwhile: two
    /// sessions running <c>v = v + 1</c> on one row queue on its lock and both apply. Null when the row is gone or
    /// no longer matches.
    /// </summary>
    private async ValueTask<SqlValue[]?> LockCurrentAsync(TableDef table, byte[] key, BoundExpr? condition)
    {
        await runtime.Transaction.LockAsync(key, cancellationToken: runtime.Cancellation).ConfigureAwait(false);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        if (!runtime.Transaction.TryGet(key, buffer))
        {
            return null;
        }

        SqlType[] types = Rows.TableStorage.ColumnTypes(table);
        var row = new SqlValue[types.Length];
        Rows.RowCodec.Read(buffer.WrittenSpan, row, types);
        if (condition is not null)
        {
            EvalContext ctx = eval.Nested();
            ctx.Row = row;
            SqlValue keep = condition.Evaluate(ctx);
            if (keep.IsNull || !keep.AsBool)
            {
                return null;
            }
        }

        return row;
    }

    /// <summary>An UPDATE bound against one catalog: reusable by every execution of a prepared statement while that catalog is current.</summary>
    internal sealed record BoundUpdate(TableDef Table, TableScanNode Source, BoundExpr? Condition,
        IReadOnlyList<(ColumnDef Column, BoundExpr? Value)> Assignments, ReturningList? Returning) : BoundDml;

    /// <summary>A DELETE bound against one catalog (see <see cref="BoundUpdate"/>).</summary>
    internal sealed record BoundDelete(TableDef Table, TableScanNode Source, BoundExpr? Condition, ReturningList? Returning) : BoundDml;

    public BoundUpdate BindUpdate(Ast.UpdateStatement update)
    {
        if (update.With is not null || update.From.Count > 0)
        {
            throw SqlException.NotSupported(update.With is not null ? "WITH in UPDATE" : "UPDATE ... FROM");
        }

        (TableDef table, Scope scope, TableScanNode source, BoundExpr? condition, ViewTarget? view) =
            BindTarget(update.Table, update.Alias?.Name, update.Where, "update", update.Returning is not null);
        List<(ColumnDef Column, BoundExpr? Value)> assignments = BindAssignments(table, update.Set, scope, view);
        ReturningList? returning = update.Returning is null ? null : BindReturning(table, update.Alias?.Name, update.Returning);
        return new BoundUpdate(table, source, condition, assignments, returning);
    }

    /// <summary>UPDATE's and ON CONFLICT DO UPDATE's SET list: each column once (42601 otherwise, as PostgreSQL), DEFAULT as null.</summary>
    private List<(ColumnDef Column, BoundExpr? Value)> BindAssignments(TableDef table, IReadOnlyList<Ast.Assignment> set, Scope scope, ViewTarget? view = null)
    {
        var assignments = new List<(ColumnDef Column, BoundExpr? Value)>();
        foreach (Ast.Assignment a in set)
        {
            IReadOnlyList<Ast.SqlExpr> values = a.MultiColumn && a.Value is Ast.RowExpr row ? row.Fields
                : a.Columns.Count == 1 ? [a.Value] : throw SqlException.NotSupported("multi-column assignment from a subquery");
            if (values.Count != a.Columns.Count)
            {
                throw new SqlException(SqlState.SyntaxError, "number of columns does not match number of values");
            }

            for (int i = 0; i < a.Columns.Count; i++)
            {
                ColumnDef column = table.FindColumn(view is null ? a.Columns[i] : view.View.ColumnFor(a.Columns[i], "update"))
                    ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{a.Columns[i]}\" of relation \"{table.Name}\" does not exist");
                if (assignments.Exists(x => x.Column.Number == column.Number))
                {
                    throw new SqlException(SqlState.SyntaxError, $"multiple assignments to same column \"{column.Name}\"");
                }

                BoundExpr? value = values[i] is Ast.DefaultExpr ? null : binder.BindExpr(values[i], scope);
                if (value is not null && column.IsGenerated)
                {
                    throw new SqlException(SqlState.GeneratedAlways, $"column \"{column.Name}\" can only be updated to DEFAULT",
                        detail: $"Column \"{column.Name}\" is a generated column.");
                }

                assignments.Add((column, value is null || view is null ? value : view.OnTableRow(value)));
            }
        }

        return assignments;
    }

    public async Task<StatementResult> UpdateAsync(BoundUpdate update)
    {
        (TableDef table, TableScanNode source, BoundExpr? condition, IReadOnlyList<(ColumnDef Column, BoundExpr? Value)> assignments, ReturningList? returning) = update;
        List<(byte[] Key, SqlValue[] Row)> targets = Targets(source, condition);
        var output = new List<SqlValue[]>();
        EvalContext ctx = eval.Nested();
        int updated = 0;
        RowWriter writer = WriterFor(table);
        foreach ((byte[] key, _) in targets)
        {
            SqlValue[]? old = await LockCurrentAsync(table, key, condition).ConfigureAwait(false);
            if (old is null)
            {
                continue;
            }

            updated++;
            ctx.Row = old;
            var row = (SqlValue[])old.Clone();
            foreach ((ColumnDef column, BoundExpr? value) in assignments)
            {
                row[column.Number - 1] = value is null ? writer.DefaultOf(column) : Assign(value.Evaluate(ctx), column);
            }

            await writer.UpdateAsync(key, old, row).ConfigureAwait(false);
            if (returning is not null)
            {
                output.Add(returning.Evaluate(row, eval));
            }
        }

        await writer.FinishAsync().ConfigureAwait(false);
        string tag = CommandTags.Update(updated);
        return returning is null ? new StatementResult(tag) : new StatementResult(tag, returning.Columns, output);
    }

    public BoundDelete BindDelete(Ast.DeleteStatement delete)
    {
        if (delete.With is not null || delete.Using.Count > 0)
        {
            throw SqlException.NotSupported(delete.With is not null ? "WITH in DELETE" : "DELETE ... USING");
        }

        (TableDef table, _, TableScanNode source, BoundExpr? condition, _) =
            BindTarget(delete.Table, delete.Alias?.Name, delete.Where, "delete from", delete.Returning is not null);
        ReturningList? returning = delete.Returning is null ? null : BindReturning(table, delete.Alias?.Name, delete.Returning);
        return new BoundDelete(table, source, condition, returning);
    }

    public async Task<StatementResult> DeleteAsync(BoundDelete delete)
    {
        (TableDef table, TableScanNode source, BoundExpr? condition, ReturningList? returning) = delete;
        List<(byte[] Key, SqlValue[] Row)> targets = Targets(source, condition);
        IReadOnlyList<IndexDef> indexes = runtime.Catalog.IndexesOf(table.Oid);
        var output = new List<SqlValue[]>();
        int deleted = 0;
        ReferentialIntegrity? references = ReferentialIntegrity.Concerns(runtime.Catalog, table) ? new ReferentialIntegrity(this, runtime) : null;
        foreach ((byte[] key, _) in targets)
        {
            SqlValue[]? row = await LockCurrentAsync(table, key, condition).ConfigureAwait(false);
            if (row is null)
            {
                continue;
            }

            deleted++;
            runtime.Storage.Delete(runtime.Transaction, table, indexes, key, row);
            if (references is not null)
            {
                await references.RowDeletedAsync(table, row).ConfigureAwait(false);
            }

            if (returning is not null)
            {
                output.Add(returning.Evaluate(row, eval));
            }
        }

        if (references is not null)
        {
            await references.FinishAsync().ConfigureAwait(false);
        }

        string tag = CommandTags.Delete(deleted);
        return returning is null ? new StatementResult(tag) : new StatementResult(tag, returning.Columns, output);
    }
}

/// <summary>An INSERT, UPDATE or DELETE bound against one catalog snapshot (<see cref="PreparedStatement.CachedDml"/>).</summary>
internal abstract record BoundDml;
