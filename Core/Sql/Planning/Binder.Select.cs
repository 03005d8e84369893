using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary>
    /// One SELECT block with the ORDER BY / LIMIT of its query: FROM, WHERE, grouping and aggregates, HAVING,
    /// the select list (plus hidden columns for ORDER BY expressions not in it), DISTINCT, sort, limit.
    /// </summary>
    private PlanNode BindSelectBlock(Ast.SelectQuery select, Ast.Query query, Scope? outer)
    {
        // a nested block (a subquery anywhere) has its own select list: set-returning calls never cross into it
        (ProjectSetCalls? saved, string? savedClause) = (_projectSet, _setReturningClause);
        (_projectSet, _setReturningClause) = (null, null);
        try
        {
            return BindSelectBlockCore(select, query, outer);
        }
        finally
        {
            (_projectSet, _setReturningClause) = (saved, savedClause);
        }
    }

    private PlanNode BindSelectBlockCore(Ast.SelectQuery select, Ast.Query query, Scope? outer)
    {
        (PlanNode from, Scope scope) = BindFrom(select.From, outer);
        (BoundExpr? where, List<SemiJoin> semiJoins) = BindWhere(select.Where, scope);
        PlanNode plan = WithSemiJoins(Planner.Plan(from, where), semiJoins);

        // The select list with * expanded, still as syntax: grouping needs to match its expressions by text.
        List<(Ast.SqlExpr Expr, string Name)> targets = ExpandTargets(select.Targets, scope);
        List<Ast.FunctionCallExpr> windowCalls = CollectWindowCalls(select, [.. targets.Select(t => t.Expr), .. query.OrderBy.Select(o => o.Expr)]);
        var aggregateCalls = new List<Ast.FunctionCallExpr>();
        CollectWindowAggregates(windowCalls, select, aggregateCalls);
        foreach ((Ast.SqlExpr e, _) in targets)
        {
            CollectAggregates(e, aggregateCalls);
        }

        if (select.Having is not null)
        {
            CollectAggregates(select.Having, aggregateCalls);
        }

        foreach (Ast.OrderItem o in query.OrderBy)
        {
            CollectAggregates(o.Expr, aggregateCalls);
        }

        Scope projectionScope = scope;
        AggregateScope? aggregated = null;
        if (select.GroupBy.Count > 0 || aggregateCalls.Count > 0 || select.Having is not null)
        {
            (plan, aggregated) = BindAggregation(plan, scope, select.GroupBy, targets, aggregateCalls);
        }

        AggregateScope? savedAgg = _aggregateScope;
        _aggregateScope = aggregated;
        try
        {
            if (select.Having is not null)
            {
                _setReturningClause = "HAVING";
                plan = new FilterNode(plan, ConstantFolding.Qualification(Boolean(select.Having, projectionScope, "HAVING")));
                _setReturningClause = null;
            }

            if (windowCalls.Count > 0)
            {
                plan = BindWindows(plan, select, windowCalls, projectionScope);
            }

            var exprs = new List<BoundExpr>();
            var columns = new List<PlanColumn>();
            _projectSet = new ProjectSetCalls(plan.Columns.Count);
            foreach ((Ast.SqlExpr e, string name) in targets)
            {
                BoundExpr bound = BindExpr(e, projectionScope);
                if (bound.Type.Kind == SqlTypeKind.Unknown && !bound.Type.IsArray)
                {
                    bound = TypeRules.Coerce(bound, SqlType.Text); // an untyped literal in the output is text
                }

                exprs.Add(bound);
                (uint table, int number) = e is Ast.ColumnRefExpr cr && aggregated is null ? SourceOf(cr, scope) : (0u, 0);
                columns.Add(new PlanColumn(name, bound.Type, table, number));
            }

            int visible = exprs.Count;
            var hiddenTexts = new List<string>();
            int? SelectOrdinal(Ast.SqlExpr e)
            {
                int? ordinal = OutputOrdinal(e, columns.Take(visible).ToList());
                if (ordinal is not null || e is Ast.LiteralExpr)
                {
                    return ordinal;
                }

                // an expression over the input: a hidden column computed with the select list
                string key = Ast.SqlPrinter.Print(e);
                int existing = targets.FindIndex(t => Ast.SqlPrinter.Print(t.Expr) == key);
                if (existing < 0 && hiddenTexts.IndexOf(key) is int hiddenAt and >= 0)
                {
                    existing = visible + hiddenAt;
                }

                if (existing >= 0)
                {
                    return existing;
                }

                if (select.Distinct == Ast.DistinctKind.Distinct)
                {
                    throw new SqlException(SqlState.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list", position: Pos(e));
                }

                BoundExpr hidden = BindExpr(e, projectionScope);
                exprs.Add(hidden);
                hiddenTexts.Add(key);
                columns.Add(new PlanColumn("?order?", hidden.Type));
                return exprs.Count - 1;
            }

            var keys = new List<SortKey>();
            foreach (Ast.OrderItem item in query.OrderBy)
            {
                keys.Add(new SortKey(SelectOrdinal(item.Expr) ?? throw new SqlException(SqlState.InvalidColumnReference, "non-integer constant in ORDER BY", position: Pos(item.Expr)),
                    item.Descending, item.NullsFirst ?? item.Descending));
            }

            // ORDER BY over one table's columns that an index delivers needs no sort
            bool indexOrdered = false;
            if (keys.Count > 0 && aggregated is null && windowCalls.Count == 0 && _projectSet.Calls.Count == 0 && select.Distinct == Ast.DistinctKind.None && OrderColumns(keys, exprs) is { } order
                && Planner.PlanOrdered(from, where, order, query.Limit is not null) is { } ordered)
            {
                plan = WithSemiJoins(ordered, semiJoins); // a semi join keeps its outer side's order
                indexOrdered = true;
            }

            List<int> distinctOn = [.. select.DistinctOn.Select(e => SelectOrdinal(e)
                ?? throw new SqlException(SqlState.InvalidColumnReference, "non-integer constant in DISTINCT ON", position: Pos(e)))];
            plan = _projectSet.Calls.Count > 0 ? new ProjectSetNode(plan, _projectSet.Calls, exprs, columns) : new ProjectNode(plan, exprs, columns);
            _projectSet = null;
            if (select.Distinct == Ast.DistinctKind.DistinctOn)
            {
                plan = DistinctOn(plan, distinctOn, keys);
            }
            else
            {
                if (select.Distinct == Ast.DistinctKind.Distinct)
                {
                    plan = new DistinctNode(plan);
                }

                if (keys.Count > 0 && !indexOrdered)
                {
                    plan = new SortNode(plan, keys);
                }
            }

            if (exprs.Count > visible)
            {
                plan = new ProjectNode(plan, [.. columns.Take(visible).Select((c, i) => (BoundExpr)new ColumnExpr(i, c.Type))], columns.Take(visible).ToList());
            }

            return WithLimit(plan, query);
        }
        finally
        {
            _aggregateScope = savedAgg;
            _windowColumns = null;
            _setReturningClause = null;
        }
    }

    private static (uint Table, int Column) SourceOf(Ast.ColumnRefExpr c, Scope scope)
    {
        try
        {
            (_, int depth, ScopeColumn column) = scope.Resolve(c.Names, 0);
            return depth == 0 ? (column.TableOid, column.ColumnNumber) : (0, 0);
        }
        catch (SqlException)
        {
            return (0, 0);
        }
    }

    private List<(Ast.SqlExpr, string)> ExpandTargets(IReadOnlyList<Ast.SelectItem> items, Scope scope)
    {
        var targets = new List<(Ast.SqlExpr, string)>();
        foreach (Ast.SelectItem item in items)
        {
            if (item.Expr is Ast.StarExpr star)
            {
                string? table = star.Qualifier.Count > 0 ? star.Qualifier[^1] : null;
                if (table is not null && !scope.Columns.Any(c => c.Table == table))
                {
                    throw new SqlException(SqlState.UndefinedTable, $"missing FROM-clause entry for table \"{table}\"", position: Pos(item.Expr));
                }

                if (table is null && scope.Columns.Count == 0)
                {
                    throw new SqlException(SqlState.SyntaxError, "SELECT * with no tables specified is not valid", position: Pos(item.Expr));
                }

                foreach (ScopeColumn c in scope.Columns)
                {
                    if (!c.IsSystem && ((table is null && !c.HiddenFromUnqualified) || (table is not null && c.Table == table)))
                    {
                        Ast.SqlExpr reference = new Ast.ColumnRefExpr(c.Table is null ? [c.Name] : [c.Table, c.Name]) { Position = item.Expr.Position };
                        targets.Add((reference, c.Name));
                    }
                }

                continue;
            }

            // a selected oid::regclass prints the relation's name (psql's \d footers read "ontable" so); reg* types are oids here
            Ast.SqlExpr expr = item.Expr is Ast.CastExpr { Type.Name: "regclass", Operand: not Ast.LiteralExpr } or Ast.CastExpr { Type.Name: "regtype" or "regnamespace" }
                ? new Ast.CastExpr(item.Expr, new Ast.TypeName(["text"], [])) { Position = item.Expr.Position }
                : item.Expr;
            targets.Add((expr, item.Alias ?? DefaultName(item.Expr)));
        }

        return targets;
    }

    /// <summary>The column name PostgreSQL gives an unaliased select-list item.</summary>
    private static string DefaultName(Ast.SqlExpr e) => e switch
    {
        Ast.ColumnRefExpr c => c.Name,
        Ast.FunctionCallExpr f => f.FunctionName,
        Ast.CastExpr c => NamesItself(c.Operand) ? DefaultName(c.Operand) : DefaultTypeName(c.Type),
        Ast.CaseExpr => "case",
        Ast.SubscriptExpr s => DefaultName(s.Operand), // a[1] is named a, as PostgreSQL's FigureColname does
        Ast.ArrayExpr => "array",
        Ast.RowExpr => "row",
        Ast.ExistsExpr => "exists",
        Ast.ExtractExpr => "extract",
        Ast.AtTimeZoneExpr => "timezone",
        Ast.SqlValueFunctionExpr v => v.Function switch
        {
            Ast.SqlValueFunction.CurrentTimestamp => "current_timestamp",
            Ast.SqlValueFunction.CurrentDate => "current_date",
            Ast.SqlValueFunction.CurrentUser => "current_user",
            Ast.SqlValueFunction.SessionUser => "session_user",
            _ => v.Function.ToString().ToLowerInvariant(),
        },
        Ast.SubqueryExpr s when s.Subquery.Body is Ast.SelectQuery { Targets.Count: 1 } inner => inner.Targets[0].Alias ?? DefaultName(inner.Targets[0].Expr),
        _ => "?column?",
    };

    /// <summary>Whether a cast's operand names the column (a column, a call, ARRAY[...], CASE...) rather than the cast's type, as FigureColname ranks them.</summary>
    private static bool NamesItself(Ast.SqlExpr e) => e is Ast.CastExpr c ? NamesItself(c.Operand) : e is not Ast.LiteralExpr && DefaultName(e) != "?column?";

    private static string DefaultTypeName(Ast.TypeName t) => t.Name switch
    {
        "int4" => "int4",
        var n => n,
    };

    private static void CollectAggregates(Ast.SqlExpr e, List<Ast.FunctionCallExpr> into)
    {
        foreach (Ast.SqlExpr node in ExpressionWalker.Walk(e))
        {
            if (node is Ast.FunctionCallExpr f && IsAggregateCall(f))
            {
                string key = Ast.SqlPrinter.Print(f);
                if (!into.Any(x => Ast.SqlPrinter.Print(x) == key))
                {
                    into.Add(f);
                }
            }
        }
    }

    private (PlanNode, AggregateScope) BindAggregation(PlanNode input, Scope scope, IReadOnlyList<Ast.SqlExpr> groupBy,
        List<(Ast.SqlExpr Expr, string Name)> targets, List<Ast.FunctionCallExpr> calls)
    {
        var groupExprs = new List<BoundExpr>();
        var groupKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var columns = new List<PlanColumn>();
        string? saved = _noAggregatesIn;
        _noAggregatesIn = "GROUP BY";
        try
        {
            foreach (Ast.SqlExpr g in groupBy)
            {
                Ast.SqlExpr source = g;
                if (g is Ast.LiteralExpr { Kind: Ast.LiteralKind.Integer } lit)
                {
                    int n = int.Parse(lit.Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (n < 1 || n > targets.Count)
                    {
                        throw new SqlException(SqlState.InvalidColumnReference, $"GROUP BY position {n} is not in select list", position: Pos(g));
                    }

                    source = targets[n - 1].Expr;
                }
                else if (g is Ast.ColumnRefExpr { Names.Count: 1 } c && !scope.Columns.Any(sc => sc.Name == c.Name)
                    && targets.FindIndex(t => t.Name == c.Name) is var alias and >= 0)
                {
                    source = targets[alias].Expr; // GROUP BY an output column name
                }

                string key = Ast.SqlPrinter.Print(source);
                if (groupKeys.ContainsKey(key))
                {
                    continue;
                }

                BoundExpr bound = BindExpr(source, scope);
                groupKeys[key] = groupExprs.Count;
                groupExprs.Add(bound);
                columns.Add(new PlanColumn(key, bound.Type));
            }
        }
        finally
        {
            _noAggregatesIn = saved;
        }

        var aggregateKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var aggregates = new List<AggregateCall>();
        foreach (Ast.FunctionCallExpr call in calls)
        {
            string name = FunctionName(call);
            _noAggregatesIn = "the arguments of an aggregate";
            List<BoundExpr> args;
            BoundExpr? filter;
            try
            {
                args = call.Star ? [] : [.. call.Args.Select(a => BindExpr(a, scope))];
                filter = call.Filter is null ? null : Boolean(call.Filter, scope, "FILTER");
            }
            finally
            {
                _noAggregatesIn = saved;
            }

            if (call.OrderBy is { Count: > 0 } || call.WithinGroup is not null || Functions.OrderedAggregates.IsOrderedSet(name))
            {
                AggregateCall ordered = BindOrderedAggregate(call, name, args, filter, scope);
                aggregateKeys[Ast.SqlPrinter.Print(call)] = groupExprs.Count + aggregates.Count;
                aggregates.Add(ordered);
                columns.Add(new PlanColumn(name, ordered.Function.ReturnType));
                continue;
            }

            args = [.. args.Select(a => a.Type.Kind == SqlTypeKind.Unknown ? TypeRules.Coerce(a, SqlType.Text) : a)];
            Functions.AggregateFunction fn = Functions.FunctionCatalog.ResolveAggregate(name, [.. args.Select(a => a.Type)])
                ?? throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call));
            args = [.. args.Select((a, i) => i < fn.Parameters.Count ? TypeRules.Coerce(a, fn.Parameters[i]) : a)];
            aggregateKeys[Ast.SqlPrinter.Print(call)] = groupExprs.Count + aggregates.Count;
            aggregates.Add(new AggregateCall(fn, args, call.Distinct, filter));
            columns.Add(new PlanColumn(name, fn.ReturnType));
        }

        var node = new AggregateNode(input, groupExprs, aggregates, columns);
        var aggregateScope = new AggregateScope(scope, groupKeys, aggregateKeys, columns);
        for (int i = 0; i < groupExprs.Count; i++)
        {
            if (groupExprs[i] is ColumnExpr { Depth: 0 } c)
            {
                aggregateScope.GroupColumns.TryAdd(c.Ordinal, i);
            }
        }

        return (node, aggregateScope);
    }

    private static List<OrderColumn>? OrderColumns(List<SortKey> keys, List<BoundExpr> exprs)
    {
        var order = new List<OrderColumn>(keys.Count);
        foreach (SortKey key in keys)
        {
            if (exprs[key.Column] is not ColumnExpr { Depth: 0 } column)
            {
                return null;
            }

            order.Add(new OrderColumn(column.Ordinal, key.Descending, key.NullsFirst));
        }

        return order;
    }
}
