using ThunderDb.Core.Sql.Types;
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

    /// <summary>
    /// Whether <paramref name="e"/> (over a row where a table's columns start at <paramref name="offset"/>) computes exactly what
    /// <paramref name="key"/> (an index expression over that table's row alone) does: the same calls, casts, arithmetic and
    /// constants over the same columns. Only node kinds whose every detail is compared count; anything else is not the same,
    /// so an index is never chosen for an expression it does not hold.
    /// </summary>
    public static bool SameExpression(BoundExpr e, BoundExpr key, int offset)
    {
        if (e.Type != key.Type)
        {
            return false;
        }

        bool Children() => e.Operands is { } a && key.Operands is { } b && a.Count == b.Count && a.Zip(b).All(p => SameExpression(p.First, p.Second, offset));
        return (e, key) switch
        {
            (ColumnExpr c, ColumnExpr k) => c.Depth == 0 && k.Depth == 0 && c.Ordinal - offset == k.Ordinal,
            (ConstantExpr c, ConstantExpr k) => c.Value.IsNull == k.Value.IsNull && (c.Value.IsNull || (c.Value.Kind == k.Value.Kind && SqlCompare.AreEqual(c.Value, k.Value))),
            (FunctionExpr f, FunctionExpr k) => f.Name == k.Name && Children(),
            (CastExpr, CastExpr) => e.Type.Length < 0 && Children(), // a length cast truncates or fails by how it was written
            (ArithmeticExpr a, ArithmeticExpr k) => a.Operator == k.Operator && Children(),
            (ConcatExpr, ConcatExpr) => Children(),
            _ => false,
        };
    }

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
