using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// WHERE conjuncts that are semi or anti joins, as PostgreSQL pulls them up: <c>EXISTS (subquery)</c>, <c>NOT EXISTS
/// (subquery)</c> and <c>x IN (subquery)</c> whose subquery is a plain SELECT (no grouping, aggregates, window
/// functions, DISTINCT ON, LIMIT or WITH) joined to the outer row by at least one equality become a
/// <see cref="HashSemiJoinNode"/> above the block's joins. Anything else (NOT IN, whose NULL rules are not an anti
/// join's; a subquery with no equality to the outer row; a conjunct under OR) stays an expression: uncorrelated it
/// runs once (<see cref="SubqueryExpr"/>), correlated once per row.
/// </summary>
internal sealed partial class Binder
{
    /// <summary>A semi or anti join the WHERE asked for, bound and ready to place over the block's rows.</summary>
    private sealed record SemiJoin(PlanNode Inner, List<BoundExpr> OuterKeys, List<bool> OuterKeyNested, List<BoundExpr> InnerKeys, BoundExpr? Residual, bool Anti)
    {
        /// <summary>The conjunct bound as an expression: over a handful of outer rows (a primary-key point read) the subquery runs per row, through its own index.</summary>
        public BoundExpr? PerRow { get; init; }

        public PlanNode Over(PlanNode outer) => PerRow is not null && FewRows(outer) ? new FilterNode(outer, PerRow) : new HashSemiJoinNode(outer, Inner, OuterKeys, OuterKeyNested, InnerKeys, Residual, Anti);
    }

    /// <summary>Whether a plan yields at most a few rows by construction: a unique point read, or a short VALUES list.</summary>
    private static bool FewRows(PlanNode plan) => plan switch
    {
        FilterNode f => FewRows(f.Input),
        PlaceNode p => p.Children.All(FewRows),
        TableScanNode { Access.IsUniquePoint: true } => true,
        SingleRowNode => true,
        ValuesNode v => v.Rows.Count <= 16,
        _ => false,
    };

    /// <summary>The WHERE bound: its semi joins (when hash joins are enabled) apart, the rest as one predicate.</summary>
    private (BoundExpr? Where, List<SemiJoin> SemiJoins) BindWhere(Ast.SqlExpr? where, Scope scope)
    {
        List<SemiJoin> semiJoins = [];
        if (where is null)
        {
            return (null, semiJoins);
        }

        if (!Enabled("enable_hashjoin") || !Conjuncts(where).Any(IsSemiJoinShape))
        {
            return (BindCondition(where, scope, "WHERE"), semiJoins);
        }

        var rest = new List<BoundExpr>();
        foreach (Ast.SqlExpr conjunct in Conjuncts(where))
        {
            if (IsSemiJoinShape(conjunct) && TryBindSemiJoin(conjunct, scope) is { } semi)
            {
                semiJoins.Add(semi with { PerRow = BindCondition(conjunct, scope, "WHERE") });
            }
            else
            {
                rest.Add(BindCondition(conjunct, scope, "WHERE"));
            }
        }

        return (ExprFacts.And(rest), semiJoins);
    }

    private static PlanNode WithSemiJoins(PlanNode plan, List<SemiJoin> semiJoins)
    {
        foreach (SemiJoin s in semiJoins)
        {
            plan = s.Over(plan);
        }

        return plan;
    }

    private static IEnumerable<Ast.SqlExpr> Conjuncts(Ast.SqlExpr e) =>
        e is Ast.BoolExpr { Operator: Ast.BoolOperator.And } and ? and.Args.SelectMany(Conjuncts) : [e];

    private static bool IsSemiJoinShape(Ast.SqlExpr e) => e switch
    {
        Ast.ExistsExpr x => PlainSelect(x.Subquery) is not null,
        Ast.NotExpr { Operand: Ast.ExistsExpr x } => PlainSelect(x.Subquery) is not null,
        Ast.InSubqueryExpr { Negated: false } i => PlainSelect(i.Subquery) is { Targets: [{ Expr: not Ast.StarExpr }] },
        _ => false,
    };

    /// <summary>The subquery's SELECT when it is one a semi join can stand for: rows filtered, nothing computed over them.</summary>
    private static Ast.SelectQuery? PlainSelect(Ast.Query q)
    {
        if (q is not { With: null, Limit: null, Offset: null, Locking.Count: 0, Body: Ast.SelectQuery s }
            || s.From.Count == 0 || s.GroupBy.Count > 0 || s.Having is not null || s.Distinct == Ast.DistinctKind.DistinctOn)
        {
            return null;
        }

        foreach (Ast.SelectItem item in s.Targets)
        {
            if (item.Expr is Ast.StarExpr)
            {
                continue;
            }

            foreach (Ast.SqlExpr node in ExpressionWalker.Walk(item.Expr))
            {
                if (node is Ast.FunctionCallExpr f && (f.Over is not null || IsAggregateCall(f)))
                {
                    return null;
                }
            }
        }

        return s;
    }

    private SemiJoin? TryBindSemiJoin(Ast.SqlExpr conjunct, Scope scope)
    {
        (Ast.Query query, Ast.SqlExpr? operand, bool anti) = conjunct switch
        {
            Ast.ExistsExpr x => (x.Subquery, (Ast.SqlExpr?)null, false),
            Ast.NotExpr { Operand: Ast.ExistsExpr x } => (x.Subquery, null, true),
            Ast.InSubqueryExpr i => (i.Subquery, i.Operand, false),
            _ => throw new InvalidOperationException("not a semi join shape"),
        };
        Ast.SelectQuery select = PlainSelect(query)!;

        // the subquery's FROM and WHERE, bound as a nested query of this block (as the expression form would be)
        var frame = new SubqueryFrame(scope);
        _subqueryFrames.Add(frame);
        PlanNode from;
        List<BoundExpr> conditions;
        BoundExpr? target = null;
        AggregateScope? savedAgg = _aggregateScope;
        _aggregateScope = null;
        try
        {
            (from, Scope inner) = BindFrom(select.From, scope);
            conditions = select.Where is null ? [] : ExprFacts.Conjuncts(BindCondition(select.Where, inner, "WHERE"));
            if (operand is not null)
            {
                target = BindExpr(select.Targets[0].Expr, inner);
            }
        }
        finally
        {
            _aggregateScope = savedAgg;
            _subqueryFrames.Remove(frame);
        }

        var outerKeys = new List<BoundExpr>();
        var nested = new List<bool>();
        var innerKeys = new List<BoundExpr>();
        var own = new List<BoundExpr>();
        var residual = new List<BoundExpr>();
        if (operand is not null)
        {
            BoundExpr x = BindExpr(operand, scope);
            if (!ExprFacts.ReadsNoneAt(target!, 1) || !JoinPlanner.Hashable(x.Type, target!.Type) || x.Type.Kind == SqlTypeKind.Unknown)
            {
                return null;
            }

            outerKeys.Add(x);
            nested.Add(false);
            innerKeys.Add(target);
        }

        foreach (BoundExpr c in conditions)
        {
            if (ExprFacts.ReadsNoneAt(c, 1))
            {
                own.Add(c);
            }
            else if (c is ComparisonExpr { Operator: ComparisonOperator.Equal } eq && JoinPlanner.Hashable(eq.Left.Type, eq.Right.Type)
                && KeySides(eq) is var (innerSide, outerSide))
            {
                innerKeys.Add(innerSide);
                outerKeys.Add(outerSide);
                nested.Add(true);
            }
            else
            {
                residual.Add(c);
            }
        }

        if (innerKeys.Count == 0)
        {
            return null;
        }

        return new SemiJoin(Planner.Plan(from, ExprFacts.And(own)), outerKeys, nested, innerKeys, ExprFacts.And(residual), anti);
    }

    /// <summary>The sides of <c>a = b</c> when one reads only the subquery's row and the other only the outer row.</summary>
    private static (BoundExpr Inner, BoundExpr Outer)? KeySides(ComparisonExpr eq)
    {
        static bool InnerOnly(BoundExpr e) => ExprFacts.ReadsNoneAt(e, 1) && !ExprFacts.IsRowIndependent(e);
        static bool OuterOnly(BoundExpr e) => ExprFacts.ReadsNoneAt(e, 0) && !ExprFacts.ReadsNoneAt(e, 1);
        if (InnerOnly(eq.Left) && OuterOnly(eq.Right))
        {
            return (eq.Left, eq.Right);
        }

        return InnerOnly(eq.Right) && OuterOnly(eq.Left) ? (eq.Right, eq.Left) : null;
    }
}
