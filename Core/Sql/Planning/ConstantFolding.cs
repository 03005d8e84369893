using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// The parts of PostgreSQL's eval_const_expressions that decide whether a query errors, applied as the binder builds
/// each node (children first, as PostgreSQL does): a strict operator or function with a NULL constant argument is
/// NULL without evaluating its other arguments; AND / OR drop constant TRUE / FALSE and collapse on FALSE / TRUE;
/// NOT is pushed into AND, OR and comparisons (negate_clause); a constant expression that fails (1 / 0) is left to
/// fail only if it is evaluated, so an arm of CASE or an argument of COALESCE that is never reached raises nothing.
/// At the top of a WHERE, ON or HAVING, a NULL or FALSE conjunct makes the whole condition FALSE, and a FALSE filter
/// reads nothing below it (PostgreSQL's One-Time Filter: false).
/// </summary>
internal static class ConstantFolding
{
    public static bool IsNullConstant(BoundExpr e) => e switch
    {
        ConstantExpr c => c.Value.IsNull,
        CastExpr c => IsNullConstant(c.Operand),
        _ => false,
    };

    private static bool? BoolConstant(BoundExpr e) => e is ConstantExpr { Value.IsNull: false } c && c.Value.Kind == SqlTypeKind.Bool ? c.Value.AsBool : null;

    public static ConstantExpr Null(SqlType type) => new(SqlValue.Null, type);

    /// <summary><paramref name="built"/>, or NULL when a strict operator's operand is a NULL constant.</summary>
    public static BoundExpr Strict(BoundExpr built, params ReadOnlySpan<BoundExpr> operands)
    {
        foreach (BoundExpr o in operands)
        {
            if (IsNullConstant(o))
            {
                return Null(built.Type);
            }
        }

        return built;
    }

    /// <summary>An operator over constants evaluated now; one that fails stays an expression and fails when (if) it runs.</summary>
    public static BoundExpr Evaluated(BoundExpr e)
    {
        if (e is ConstantExpr || e.Operands is not { } operands || !operands.All(o => o is ConstantExpr))
        {
            return e;
        }

        try
        {
            return new ConstantExpr(e.Evaluate(new EvalContext([])), e.Type);
        }
        catch (SqlException)
        {
            return e;
        }
    }

    public static BoundExpr And(IEnumerable<BoundExpr> operands)
    {
        var kept = new List<BoundExpr>();
        bool sawNull = false;
        foreach (BoundExpr o in operands.SelectMany(o => o is AndExpr a ? a.Operands : [o]))
        {
            if (IsNullConstant(o))
            {
                sawNull = true;
            }
            else if (BoolConstant(o) is bool b)
            {
                if (!b)
                {
                    return new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool);
                }
            }
            else
            {
                kept.Add(o);
            }
        }

        return Combine(kept, sawNull, whenEmpty: true, list => new AndExpr(list));
    }

    public static BoundExpr Or(IEnumerable<BoundExpr> operands)
    {
        var kept = new List<BoundExpr>();
        bool sawNull = false;
        foreach (BoundExpr o in operands.SelectMany(o => o is OrExpr x ? x.Operands : [o]))
        {
            if (IsNullConstant(o))
            {
                sawNull = true;
            }
            else if (BoolConstant(o) is bool b)
            {
                if (b)
                {
                    return new ConstantExpr(SqlValue.FromBool(true), SqlType.Bool);
                }
            }
            else
            {
                kept.Add(o);
            }
        }

        return Combine(kept, sawNull, whenEmpty: false, list => new OrExpr(list));
    }

    private static BoundExpr Combine(List<BoundExpr> kept, bool sawNull, bool whenEmpty, Func<List<BoundExpr>, BoundExpr> make)
    {
        if (kept.Count == 0)
        {
            return sawNull ? Null(SqlType.Bool) : new ConstantExpr(SqlValue.FromBool(whenEmpty), SqlType.Bool);
        }

        if (sawNull)
        {
            kept.Add(Null(SqlType.Bool));
        }

        return kept.Count == 1 ? kept[0] : make(kept);
    }

    /// <summary>NOT, pushed down as PostgreSQL's negate_clause does.</summary>
    public static BoundExpr Not(BoundExpr operand) => operand switch
    {
        _ when IsNullConstant(operand) => Null(SqlType.Bool),
        ConstantExpr { Value.Kind: SqlTypeKind.Bool } c => new ConstantExpr(SqlValue.FromBool(!c.Value.AsBool), SqlType.Bool),
        NotExpr n => n.Operand,
        AndExpr a => Or(a.Operands.Select(Not)),
        OrExpr o => And(o.Operands.Select(Not)),
        ComparisonExpr c => new ComparisonExpr(Inverse(c.Operator), c.Left, c.Right),
        _ => new NotExpr(operand),
    };

    private static ComparisonOperator Inverse(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => ComparisonOperator.NotEqual,
        ComparisonOperator.NotEqual => ComparisonOperator.Equal,
        ComparisonOperator.Less => ComparisonOperator.GreaterOrEqual,
        ComparisonOperator.LessOrEqual => ComparisonOperator.Greater,
        ComparisonOperator.Greater => ComparisonOperator.LessOrEqual,
        _ => ComparisonOperator.Less,
    };

    /// <summary>
    /// A WHERE / ON / HAVING condition: a NULL or FALSE conjunct means no row passes. The conjuncts are ordered
    /// cheapest first (stable), as PostgreSQL's order_qual_clauses orders a node's quals, so which conjunct cuts the
    /// evaluation short (and whether a costlier one that overflows is reached at all) is PostgreSQL's.
    /// </summary>
    public static BoundExpr Qualification(BoundExpr condition)
    {
        condition = QualTruth(condition);
        List<BoundExpr> conjuncts = ExprFacts.Conjuncts(condition);
        if (conjuncts.Any(IsFalse))
        {
            return new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool);
        }

        if (conjuncts.Count < 2)
        {
            return condition;
        }

        List<BoundExpr> ordered = [.. conjuncts.Select((c, i) => (c, i, Cost(c))).OrderBy(x => x.Item3).ThenBy(x => x.i).Select(x => x.c)];
        return new AndExpr(ordered);
    }

    /// <summary>
    /// Where only TRUE passes, NULL is as good as FALSE through the AND / OR structure of a condition (PostgreSQL's
    /// find_duplicate_ors with is_check false): a NULL or FALSE conjunct makes its AND FALSE, and an OR drops them.
    /// </summary>
    private static BoundExpr QualTruth(BoundExpr e)
    {
        switch (e)
        {
            case AndExpr and:
            {
                List<BoundExpr> operands = [.. and.Operands.Select(QualTruth)];
                return operands.Any(IsFalse) ? new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool) : And(operands);
            }

            case OrExpr or:
            {
                List<BoundExpr> operands = [.. or.Operands.Select(QualTruth).Where(o => !IsFalse(o))];
                return operands.Count == 0 ? new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool) : Or(operands);
            }

            default:
                return IsNullConstant(e) ? new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool) : e;
        }
    }

    /// <summary>PostgreSQL's per-row cost of an expression in operator evaluations: operators, functions and casts count one, an IN list half per item, a subquery a lot; AND, OR, NOT, IS NULL, columns and constants nothing.</summary>
    public static double Cost(BoundExpr e)
    {
        double own = e switch
        {
            SubqueryExpr => 1000,
            InListExpr i => Math.Max(1, i.Items.Count * 0.5),
            ArithmeticExpr or ComparisonExpr or FunctionExpr or NegateExpr or ConcatExpr or LikeExpr or CastExpr or IsDistinctExpr => 1,
            _ => 0,
        };
        return e.Operands is { } operands ? own + operands.Sum(Cost) : own;
    }

    /// <summary>True for a filter that no row passes.</summary>
    public static bool IsFalse(BoundExpr e) => IsNullConstant(e) || BoolConstant(e) == false;
}
