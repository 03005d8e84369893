using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary>FROM: each item bound to a plan and the columns it contributes; a comma list is a cross join.</summary>
    private (PlanNode Plan, Scope Scope) BindFrom(IReadOnlyList<Ast.TableRef> from, Scope? outer)
    {
        if (from.Count == 0)
        {
            return (new SingleRowNode(), Scope.Empty(outer));
        }

        (PlanNode plan, List<ScopeColumn> columns) = BindTableRef(from[0], outer);
        for (int i = 1; i < from.Count; i++)
        {
            (PlanNode right, List<ScopeColumn> rightColumns) = BindTableRef(from[i], outer, columns);
            CheckDuplicateAliases(columns, rightColumns);
            plan = IsLateral(from[i]) ? new LateralJoinNode(plan, right, PlanJoinKind.Inner, null) : new NestedLoopJoinNode(plan, right, PlanJoinKind.Inner, null);
            columns = [.. columns, .. rightColumns];
        }

        return (plan, new Scope(columns, outer));
    }

    private static void CheckDuplicateAliases(List<ScopeColumn> left, List<ScopeColumn> right)
    {
        foreach (string? table in right.Select(c => c.Table).Distinct())
        {
            if (table is not null && left.Any(c => c.Table == table))
            {
                throw new SqlException(SqlState.DuplicateAlias, $"table name \"{table}\" specified more than once");
            }
        }
    }

    /// <summary>Binds one FROM item; a LATERAL subquery also sees <paramref name="lateralLeft"/>, the columns of the items before it.</summary>
    private (PlanNode, List<ScopeColumn>) BindTableRef(Ast.TableRef item, Scope? outer, List<ScopeColumn>? lateralLeft = null)
    {
        switch (item)
        {
            case Ast.NamedTableRef named:
                return BindNamedTable(named);
            case Ast.SubqueryTableRef sub:
            {
                if (sub.Lateral && lateralLeft is null)
                {
                    throw SqlException.NotSupported("LATERAL as the first FROM item");
                }

                PlanNode plan = BindQuery(sub.Query, sub.Lateral ? new Scope(lateralLeft!, outer) : outer);
                string alias = sub.Alias?.Name ?? throw new SqlException(SqlState.SyntaxError, "subquery in FROM must have an alias");
                return (plan, Rename(plan.Columns, alias, sub.Alias.Columns));
            }

            case Ast.JoinTableRef join:
                return BindJoin(join, outer);
            case Ast.FunctionTableRef { Lateral: false } fn when FunctionName(fn.Function) is "pg_partition_ancestors":
                return BindPartitionAncestors(fn, outer);
            case Ast.FunctionTableRef fn:
                return BindFunctionTable(fn, outer, lateralLeft);
            default:
                throw SqlException.NotSupported(item.GetType().Name);
        }
    }

    private static List<ScopeColumn> Rename(IReadOnlyList<PlanColumn> columns, string alias, IReadOnlyList<string>? names)
    {
        if (names is not null && names.Count > columns.Count)
        {
            throw new SqlException(SqlState.InvalidColumnReference, $"table \"{alias}\" has {columns.Count} columns available but {names.Count} columns specified");
        }

        return [.. columns.Select((c, i) => new ScopeColumn(alias, names is not null && i < names.Count ? names[i] : c.Name, c.Type, c.TableOid, c.ColumnNumber))];
    }

    private HashSet<uint>? _reads;
    private int _viewDepth;

    /// <summary>The tables and views <paramref name="query"/> names itself (not those of the views it reads): what a view depends on.</summary>
    public HashSet<uint> RelationsReadBy(Ast.Query query)
    {
        _reads = [];
        BindSelect(query);
        return _reads;
    }

    internal (PlanNode, List<ScopeColumn>) BindNamedTable(Ast.NamedTableRef named)
    {
        string alias = named.Alias?.Name ?? named.Name.Name;
        if (named.Name.Parts.Count == 1 && _ctes.TryGetValue(named.Name.Name, out var cte))
        {
            NoteCteReference(cte.Plan);
            List<ScopeColumn> cteColumns = [.. cte.Plan.Columns.Select((c, i) => new ScopeColumn(alias, cte.Names[i], c.Type))];
            return (cte.Plan, named.Alias?.Columns is { } renamed ? Rename(cte.Plan.Columns, alias, renamed) : cteColumns);
        }

        CatalogObject? relation = FindRelation(named.Name);
        if (relation is TableDef or ViewDef && _viewDepth == 0)
        {
            _reads?.Add(relation.Oid);
        }

        switch (relation)
        {
            case TableDef table:
            {
                var planColumns = new List<PlanColumn>();
                var scope = new List<ScopeColumn>();
                int visible = 0;
                foreach (Catalog.ColumnDef c in table.Columns)
                {
                    string name = c.IsDropped ? $"........pg.dropped.{c.Number}........" : named.Alias?.Columns is { } cols && visible < cols.Count ? cols[visible] : c.Name;
                    planColumns.Add(new PlanColumn(name, c.Type, table.Oid, c.Number, alias));
                    scope.Add(new ScopeColumn(alias, name, c.Type, table.Oid, c.Number, HiddenFromUnqualified: c.IsDropped));
                    if (!c.IsDropped)
                    {
                        visible++;
                    }
                }

                // dropped columns stay in the row (stored rows keep their slots) but no name reaches them
                return (new TableScanNode(table, planColumns), [.. scope.Select(s => s.HiddenFromUnqualified ? s with { Table = null } : s)]);
            }

            case ViewDef view:
            {
                Ast.SqlStatement parsed = Ast.SqlParser.ParseSingle(view.QuerySql);
                if (parsed is not Ast.SelectStatement select)
                {
                    throw new SqlException(SqlState.InternalError, $"view \"{view.Name}\" does not hold a query");
                }

                _viewDepth++;
                PlanNode plan;
                try
                {
                    plan = BindQuery(select.Query, null);
                }
                finally
                {
                    _viewDepth--;
                }

                return (plan, Rename(plan.Columns, alias, named.Alias?.Columns ?? view.ColumnNames));
            }

            case null when SystemViews.SystemCatalogViews.TryGet(named.Name.Schema, named.Name.Name, _catalog, _session, out PlanNode? systemView):
            {
                if (systemView is not SystemViews.VirtualTableNode { TableOid: not 0 } catalogTable)
                {
                    return (systemView!, Rename(systemView!.Columns, alias, named.Alias?.Columns));
                }

                // a catalog table's tableoid (psql's \dL and \dd join pg_description on it), after its own columns
                List<ScopeColumn> scope = Rename([.. systemView.Columns.SkipLast(1)], alias, named.Alias?.Columns);
                scope.Add(new ScopeColumn(alias, "tableoid", SqlType.Oid, IsSystem: true));
                return (catalogTable, scope);
            }

            case null:
                if (named.Name.Schema is "pg_catalog" or "information_schema" || (named.Name.Schema is null && named.Name.Name.StartsWith("pg_", StringComparison.Ordinal)))
                {
                    throw new SqlException(SqlState.FeatureNotSupported, $"the system catalog \"{named.Name.Name}\" is not available yet");
                }

                throw new SqlException(SqlState.UndefinedTable, $"relation \"{string.Join('.', named.Name.Parts)}\" does not exist", position: named.Position > 0 ? named.Position + 1 : 0);
            case var other:
                throw new SqlException(SqlState.WrongObjectType, $"\"{other.Name}\" is not a table or view");
        }
    }

    private (PlanNode, List<ScopeColumn>) BindJoin(Ast.JoinTableRef join, Scope? outer)
    {
        (PlanNode left, List<ScopeColumn> leftColumns) = BindTableRef(join.Left, outer);
        (PlanNode right, List<ScopeColumn> rightColumns) = BindTableRef(join.Right, outer, leftColumns);
        CheckDuplicateAliases(leftColumns, rightColumns);
        PlanJoinKind kind = join.Kind switch
        {
            Ast.JoinKind.Left => PlanJoinKind.Left,
            Ast.JoinKind.Right => PlanJoinKind.Right,
            Ast.JoinKind.Full => PlanJoinKind.Full,
            _ => PlanJoinKind.Inner,
        };
        List<ScopeColumn> columns = [.. leftColumns, .. rightColumns];
        var scope = new Scope(columns, outer);
        BoundExpr? condition = null;
        IReadOnlyList<string>? usingColumns = join.Using;
        if (join.Natural)
        {
            usingColumns = [.. leftColumns.Where(l => !l.HiddenFromUnqualified && !l.IsSystem
                && rightColumns.Any(r => r.Name == l.Name && !r.HiddenFromUnqualified && !r.IsSystem)).Select(l => l.Name)];
        }

        if (usingColumns is not null)
        {
            var equalities = new List<BoundExpr>();
            foreach (string name in usingColumns)
            {
                int l = leftColumns.FindIndex(c => c.Name == name && !c.HiddenFromUnqualified && !c.IsSystem);
                int r = rightColumns.FindIndex(c => c.Name == name && !c.HiddenFromUnqualified && !c.IsSystem);
                if (l < 0 || r < 0)
                {
                    throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" specified in USING clause does not exist in {(l < 0 ? "left" : "right")} table");
                }

                (BoundExpr a, BoundExpr b) = Comparable(new ColumnExpr(l, leftColumns[l].Type), new ColumnExpr(leftColumns.Count + r, rightColumns[r].Type), "=", 0);
                equalities.Add(new ComparisonExpr(ComparisonOperator.Equal, a, b));
                // the joined column appears once: the right one is reachable only qualified
                columns[leftColumns.Count + r] = rightColumns[r] with { HiddenFromUnqualified = true };
            }

            condition = equalities.Count == 0 ? null : equalities.Count == 1 ? equalities[0] : new AndExpr(equalities);
        }
        else if (join.On is not null)
        {
            condition = BindCondition(join.On, scope, "JOIN conditions");
        }

        if (IsLateral(join.Right) && kind is PlanJoinKind.Right or PlanJoinKind.Full)
        {
            throw new SqlException(SqlState.InvalidColumnReference, "The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
        }

        PlanNode plan = IsLateral(join.Right) ? new LateralJoinNode(left, right, kind, condition) : new NestedLoopJoinNode(left, right, kind, condition);
        if (join.Alias is not null)
        {
            return (plan, Rename(plan.Columns, join.Alias.Name, join.Alias.Columns));
        }

        return (plan, columns);
    }
}
