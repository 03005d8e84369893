using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>INSERT, UPDATE and DELETE through an automatically updatable view (<see cref="UpdatableView"/>): bound as the same statement on its table.</summary>
internal sealed partial class DmlExecutor
{
    /// <summary>
    /// An UPDATE or DELETE target that is a view: its table's rows carry the table's columns, and the view's computed
    /// columns (qty * 2 AS doubled) are appended after them for the expressions that name one (<see cref="OnTableRow"/>).
    /// </summary>
    private sealed record ViewTarget(UpdatableView View, int Width, IReadOnlyList<BoundExpr> Computed)
    {
        /// <summary>An expression bound over the view's scope, made to evaluate on a table row.</summary>
        public BoundExpr OnTableRow(BoundExpr e) => Computed.Count == 0 || ExprFacts.ReadsOnly(e, i => i < Width) ? e : new WithViewColumns(e, Width, Computed);
    }

    /// <summary>Evaluates its expression on the row extended by the view's computed columns.</summary>
    private sealed class WithViewColumns(BoundExpr inner, int width, IReadOnlyList<BoundExpr> computed) : BoundExpr(inner.Type)
    {
        public override SqlValue Evaluate(EvalContext context)
        {
            SqlValue[] row = context.Row;
            var extended = new SqlValue[width + computed.Count];
            row.AsSpan(0, width).CopyTo(extended);
            for (int k = 0; k < computed.Count; k++)
            {
                extended[width + k] = computed[k].Evaluate(context);
            }

            context.Row = extended;
            try
            {
                return inner.Evaluate(context);
            }
            finally
            {
                context.Row = row;
            }
        }
    }

    /// <summary>An INSERT into a view as the INSERT into its table: the named (or all) view columns become the table's.</summary>
    private Ast.InsertStatement ThroughView(Ast.InsertStatement insert, ViewDef view)
    {
        UpdatableView through = UpdatableView.Of(view, "insert into", binder);
        if (insert.Returning is not null || insert.OnConflict is not null)
        {
            throw SqlException.NotSupported(insert.Returning is not null ? "RETURNING on an INSERT into a view" : "ON CONFLICT on an INSERT into a view");
        }

        // without a column list the values fill the view's columns in order, as many as there are values
        IEnumerable<string> named = insert.Columns
            ?? through.Columns.Select(c => c.Name).Take(insert.Source?.Body is Ast.ValuesQuery values ? values.Rows[0].Count : through.Columns.Count);
        return insert with { Table = through.Table, Alias = null, Columns = [.. named.Select(n => through.ColumnFor(n, "insert into"))] };
    }

    /// <summary>
    /// The rows an UPDATE or DELETE of a view reaches: the table's rows that the view's WHERE and the statement's WHERE
    /// both select, with the view's column names (and its alias or name) in scope.
    /// </summary>
    private (TableDef Table, Scope Scope, TableScanNode Source, BoundExpr? Condition, ViewTarget View) BindViewTarget(
        ViewDef view, string? alias, Ast.SqlExpr? where, string verb)
    {
        UpdatableView through = UpdatableView.Of(view, verb, binder);
        (PlanNode plan, List<ScopeColumn> tableColumns) = binder.BindNamedTable(
            new Ast.NamedTableRef(through.Table, through.TableAlias is null ? null : new Ast.TableAlias(through.TableAlias)));
        var scan = (TableScanNode)plan;
        var tableScope = new Scope(tableColumns, null);
        var conditions = new List<BoundExpr>();
        if (through.Where is not null)
        {
            conditions.Add(binder.BindCondition(through.Where, tableScope, "WHERE"));
        }

        // table columns keep their places in the row, reachable only by the view's names; computed columns follow
        string shownAs = alias ?? view.Name;
        var columns = tableColumns.Select(c => c with { Table = null, Name = "........not in the view........", HiddenFromUnqualified = true }).ToList();
        var computed = new List<BoundExpr>();
        foreach ((string name, string? column, Ast.SqlExpr expr) in through.Columns)
        {
            int at = column is null ? -1 : tableColumns.FindIndex(c => c.Name == column && !c.HiddenFromUnqualified);
            if (at >= 0 && columns[at].HiddenFromUnqualified)
            {
                columns[at] = tableColumns[at] with { Table = shownAs, Name = name };
                continue;
            }

            BoundExpr value = binder.BindExpr(expr, tableScope);
            computed.Add(value);
            columns.Add(new ScopeColumn(shownAs, name, value.Type));
        }

        var target = new ViewTarget(through, tableColumns.Count, computed);
        var scope = new Scope(columns, null);
        if (where is not null)
        {
            // conjuncts on table columns stay visible to index selection; the others read the computed columns
            List<BoundExpr> own = ExprFacts.Conjuncts(binder.BindCondition(where, scope, "WHERE"));
            conditions.AddRange(own.Where(c => ExprFacts.ReadsOnly(c, i => i < target.Width)));
            if (ExprFacts.And([.. own.Where(c => !ExprFacts.ReadsOnly(c, i => i < target.Width))]) is { } rest)
            {
                conditions.Add(target.OnTableRow(rest));
            }
        }

        BoundExpr? condition = ExprFacts.And(conditions);
        return (scan.Table, scope, condition is null ? scan : binder.Planner.ScanFor(scan, condition), condition, target);
    }
}
