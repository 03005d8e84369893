using ThunderDb.Core.Sql.Execution;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>What the planner needs to know about a bound expression: its conjuncts and which columns of the current row it reads.</summary>
internal static class ExprFacts
{
    /// <summary>The operands of nested ANDs, in order.</summary>
    public static List<BoundExpr> Conjuncts(BoundExpr? e)
    {
        var into = new List<BoundExpr>();
        Collect(e, into);
        return into;
    }

    private static void Collect(BoundExpr? e, List<BoundExpr> into)
    {
        if (e is null)
        {
            return;
        }

        if (e is AndExpr and)
        {
            foreach (BoundExpr operand in and.Operands)
            {
                Collect(operand, into);
            }

            return;
        }

        into.Add(e);
    }

    public static BoundExpr? And(IReadOnlyList<BoundExpr> conjuncts) => conjuncts.Count switch
    {
        0 => null,
        1 => conjuncts[0],
        _ => new AndExpr([.. conjuncts]),
    };

    /// <summary>
    /// Adds the ordinals of the current row's columns that <paramref name="e"/> reads; false when it holds
    /// something the planner cannot see into (a subquery, whose correlated references may read any column).
    /// </summary>
    public static bool TryColumns(BoundExpr e, HashSet<int> into) => TryColumns(e, into, 0);

    /// <summary>As above, for the columns of the row <paramref name="depth"/> queries out (0: the current row).</summary>
    public static bool TryColumns(BoundExpr e, HashSet<int> into, int depth)
    {
        if (e is ColumnExpr c)
        {
            if (c.Depth == depth)
            {
                into.Add(c.Ordinal);
            }

            return true;
        }

        if (e is FunctionExpr { IsVolatile: true })
        {
            return false; // random(), nextval(): evaluated where written, row by row
        }

        if (e.Operands is not { } operands)
        {
            return false;
        }

        foreach (BoundExpr operand in operands)
        {
            if (!TryColumns(operand, into, depth))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="e"/> reads no column of the current row (constants, parameters, outer references).</summary>
    public static bool IsRowIndependent(BoundExpr e)
    {
        var columns = new HashSet<int>();
        return TryColumns(e, columns) && columns.Count == 0;
    }

    /// <summary>True when every current-row column <paramref name="e"/> reads satisfies <paramref name="allowed"/>.</summary>
    public static bool ReadsOnly(BoundExpr e, Func<int, bool> allowed)
    {
        var columns = new HashSet<int>();
        return TryColumns(e, columns) && columns.All(allowed);
    }

    /// <summary>True when <paramref name="e"/> can be seen into and reads no column of the row <paramref name="depth"/> queries out.</summary>
    public static bool ReadsNoneAt(BoundExpr e, int depth)
    {
        var columns = new HashSet<int>();
        return TryColumns(e, columns, depth) && columns.Count == 0;
    }
}
