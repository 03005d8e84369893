using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// WITH: each CTE is bound in order and is visible to the ones after it and to the query; under RECURSIVE, a CTE
/// that names itself must be <c>non-recursive-term UNION [ALL] recursive-term</c> and runs as a
/// <see cref="RecursiveUnionNode"/>. MATERIALIZED / NOT MATERIALIZED are accepted: a CTE is computed where it is read.
/// </summary>
internal sealed partial class Binder
{
    private const string InvalidRecursion = "42P19";

    /// <summary>Binds the CTEs of <paramref name="with"/>; the returned action restores the names they shadowed.</summary>
    private Action BindWith(Ast.WithClause with, Scope? outer)
    {
        var shadowed = new List<(string Name, (PlanNode, IReadOnlyList<string>)? Previous)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Restore()
        {
            for (int i = shadowed.Count - 1; i >= 0; i--)
            {
                if (shadowed[i].Previous is { } previous)
                {
                    _ctes[shadowed[i].Name] = previous;
                }
                else
                {
                    _ctes.Remove(shadowed[i].Name);
                }
            }
        }

        try
        {
            foreach (Ast.CommonTableExpr cte in with.Ctes)
            {
                if (!names.Add(cte.Name))
                {
                    throw new SqlException("42712", $"WITH query name \"{cte.Name}\" specified more than once");
                }

                shadowed.Add((cte.Name, _ctes.TryGetValue(cte.Name, out var previous) ? previous : null));
                PlanNode plan = BindCte(() => with.Recursive && CountReferences(cte.Query, cte.Name, inSublink: false, cte.Name) > 0
                    ? BindRecursiveCte(cte, outer)
                    : BindQuery(cte.Query, outer), outer);
                _ctes[cte.Name] = (plan, CteColumnNames(cte, plan.Columns));
            }
        }
        catch
        {
            Restore();
            throw;
        }

        return Restore;
    }

    private static List<string> CteColumnNames(Ast.CommonTableExpr cte, IReadOnlyList<PlanColumn> columns)
    {
        IReadOnlyList<string> given = cte.Columns ?? [];
        if (given.Count > columns.Count)
        {
            throw new SqlException(SqlState.InvalidColumnReference, $"WITH query \"{cte.Name}\" has {columns.Count} columns available but {given.Count} columns specified");
        }

        return [.. columns.Select((c, i) => i < given.Count ? given[i] : c.Name)];
    }

    private PlanNode BindRecursiveCte(Ast.CommonTableExpr cte, Scope? outer)
    {
        string name = cte.Name;
        foreach ((bool present, string clause) in (ValueTuple<bool, string>[])[(cte.Query.OrderBy.Count > 0, "ORDER BY"), (cte.Query.Offset is not null, "OFFSET"),
                     (cte.Query.Limit is not null, "LIMIT"), (cte.Query.Locking.Count > 0, "FOR UPDATE/SHARE")])
        {
            if (present && cte.Query.Body is Ast.SetOperationQuery)
            {
                throw new SqlException(SqlState.FeatureNotSupported, $"{clause} in a recursive query is not implemented");
            }
        }

        if (cte.Query is not { Body: Ast.SetOperationQuery { Operator: Ast.SetOperator.Union } union, OrderBy.Count: 0, Limit: null, Offset: null, With: null })
        {
            throw new SqlException(InvalidRecursion, $"recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term");
        }

        if (CountReferences(union.Left, name, inSublink: false, name) > 0)
        {
            throw new SqlException(InvalidRecursion, $"recursive reference to query \"{name}\" must not appear within its non-recursive term");
        }

        if (CountReferences(union.Right, name, inSublink: false, name) > 1)
        {
            throw new SqlException(InvalidRecursion, $"recursive reference to query \"{name}\" must not appear more than once");
        }

        if (union.Right is Ast.SelectQuery term && (term.GroupBy.Count > 0 || term.Targets.Any(t => ContainsAggregate(t.Expr))))
        {
            throw new SqlException(InvalidRecursion, "aggregate functions are not allowed in a recursive query's recursive term");
        }

        PlanNode initial = BindBody(union.Left, outer);
        List<string> names = CteColumnNames(cte, initial.Columns);
        var columns = new PlanColumn[names.Count];
        var initialCasts = new BoundExpr[names.Count];
        for (int i = 0; i < columns.Length; i++)
        {
            SqlType t = initial.Columns[i].Type.Kind == SqlTypeKind.Unknown && !initial.Columns[i].Type.IsArray ? SqlType.Text : initial.Columns[i].Type;
            columns[i] = new PlanColumn(names[i], t);
            initialCasts[i] = TypeRules.Coerce(new ColumnExpr(i, initial.Columns[i].Type), t);
        }

        var workTable = new WorkTableNode(name, columns);
        RegisterWorkTable(workTable);
        (PlanNode, IReadOnlyList<string>)? outerCte = _ctes.TryGetValue(name, out var found) ? found : null;
        _ctes[name] = (workTable, names);
        PlanNode recursive;
        try
        {
            recursive = BindBody(union.Right, outer);
        }
        finally
        {
            if (outerCte is { } restore)
            {
                _ctes[name] = restore;
            }
            else
            {
                _ctes.Remove(name);
            }
        }

        if (recursive.Columns.Count != columns.Length)
        {
            throw new SqlException(SqlState.SyntaxError, "each UNION query must have the same number of columns");
        }

        var recursiveCasts = new BoundExpr[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            SqlType overall = TypeRules.Common([columns[i].Type, recursive.Columns[i].Type], "UNION");
            if (overall.Kind != columns[i].Type.Kind || overall.IsArray != columns[i].Type.IsArray)
            {
                throw new SqlException(SqlState.DatatypeMismatch,
                    $"recursive query \"{name}\" column {i + 1} has type {columns[i].Type} in non-recursive term but type {overall} overall",
                    hint: "Cast the output of the non-recursive term to the correct type.");
            }

            recursiveCasts[i] = TypeRules.Coerce(new ColumnExpr(i, recursive.Columns[i].Type), columns[i].Type);
        }

        return new RecursiveUnionNode(name, new ProjectNode(initial, initialCasts, columns), new ProjectNode(recursive, recursiveCasts, columns), workTable, union.All);
    }

    private static bool ContainsAggregate(Ast.SqlExpr e) => ExpressionWalker.Walk(e).Any(n => n is Ast.FunctionCallExpr f && IsAggregateCall(f));

    /// <summary>How often a query names the CTE <paramref name="name"/> in FROM (a nested WITH of that name hides it); errors where PostgreSQL forbids one.</summary>
    private static int CountReferences(Ast.QueryExpr q, string name, bool inSublink, string cte)
    {
        switch (q)
        {
            case Ast.Query query:
                if (query.With is { } with && with.Ctes.Any(c => c.Name == name))
                {
                    return 0;
                }

                return (query.With?.Ctes.Sum(c => CountReferences(c.Query, name, inSublink, cte)) ?? 0) + CountReferences(query.Body, name, inSublink, cte);
            case Ast.SetOperationQuery set:
                return CountReferences(set.Left, name, inSublink, cte) + CountReferences(set.Right, name, inSublink, cte);
            case Ast.ValuesQuery values:
                return values.Rows.SelectMany(r => r).Sum(e => CountInExpr(e, name, cte));
            case Ast.SelectQuery select:
            {
                int n = select.From.Sum(f => CountInFrom(f, name, inSublink, cte, nullable: false));
                IEnumerable<Ast.SqlExpr> exprs = select.Targets.Select(t => t.Expr).Concat(select.GroupBy);
                if (select.Where is not null)
                {
                    exprs = exprs.Append(select.Where);
                }

                if (select.Having is not null)
                {
                    exprs = exprs.Append(select.Having);
                }

                return n + exprs.Sum(e => CountInExpr(e, name, cte));
            }

            default:
                return 0;
        }
    }

    private static int CountInFrom(Ast.TableRef item, string name, bool inSublink, string cte, bool nullable)
    {
        switch (item)
        {
            case Ast.NamedTableRef { Name.Parts.Count: 1 } named when named.Name.Name == name:
                if (inSublink)
                {
                    throw new SqlException(InvalidRecursion, $"recursive reference to query \"{cte}\" must not appear within a subquery");
                }

                if (nullable)
                {
                    throw new SqlException(InvalidRecursion, $"recursive reference to query \"{cte}\" must not appear within an outer join");
                }

                return 1;
            case Ast.SubqueryTableRef sub:
                return CountReferences(sub.Query, name, inSublink, cte);
            case Ast.JoinTableRef join:
                return CountInFrom(join.Left, name, inSublink, cte, nullable || join.Kind is Ast.JoinKind.Right or Ast.JoinKind.Full)
                    + CountInFrom(join.Right, name, inSublink, cte, nullable || join.Kind is Ast.JoinKind.Left or Ast.JoinKind.Full);
            default:
                return 0;
        }
    }

    /// <summary>References inside subqueries of an expression: any one is an error (they may not appear in a sublink).</summary>
    private static int CountInExpr(Ast.SqlExpr e, string name, string cte)
    {
        int n = 0;
        foreach (Ast.SqlExpr node in ExpressionWalker.Walk(e))
        {
            Ast.Query? sub = node switch
            {
                Ast.SubqueryExpr s => s.Subquery,
                Ast.ExistsExpr x => x.Subquery,
                Ast.InSubqueryExpr i => i.Subquery,
                Ast.QuantifiedExpr q => q.Subquery,
                Ast.ArraySubqueryExpr a => a.Subquery,
                _ => null,
            };
            if (sub is not null)
            {
                n += CountReferences(sub, name, inSublink: true, cte);
            }
        }

        return n;
    }
}
