using ThunderDb.Core.Sql.Execution;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

// Row constructors compared field by field, as PostgreSQL's parser expands them (make_row_comparison_op).
internal sealed partial class Binder
{
    /// <summary>
    /// <c>(a, b) op (c, d)</c>: <c>=</c> is every pair equal, <c>&lt;&gt;</c> any pair different, and the orderings compare
    /// left to right, the first unequal pair deciding (<c>a &lt; c OR (a = c AND b &lt; d)</c>, which gives NULL exactly
    /// when the deciding pair holds a NULL, as PostgreSQL's row comparison does).
    /// </summary>
    private BoundExpr BindRowComparison(string op, Ast.RowExpr left, Ast.RowExpr right, Scope scope, int position)
    {
        if (left.Fields.Count != right.Fields.Count)
        {
            throw new SqlException(SqlState.SyntaxError, "unequal number of entries in row expressions", position: position);
        }

        if (left.Fields.Count == 0)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "cannot compare rows of zero length", position: position);
        }

        BoundExpr Pair(int i, string pairOp)
        {
            (BoundExpr l, BoundExpr r) = Comparable(BindExpr(left.Fields[i], scope), BindExpr(right.Fields[i], scope), pairOp, position, Pos(left.Fields[i]), Pos(right.Fields[i]));
            return Comparison(ComparisonOf(pairOp, position), l, r);
        }

        int n = left.Fields.Count;
        switch (op)
        {
            case "=":
                return ConstantFolding.And([.. Enumerable.Range(0, n).Select(i => Pair(i, "="))]);
            case "<>":
                return ConstantFolding.Or([.. Enumerable.Range(0, n).Select(i => Pair(i, "<>"))]);
            default:
                string strict = op[0] == '<' ? "<" : ">";
                BoundExpr From(int i) => i == n - 1 ? Pair(i, op) : ConstantFolding.Or([Pair(i, strict), ConstantFolding.And([Pair(i, "="), From(i + 1)])]);
                return From(0);
        }
    }

    /// <summary><c>(a, b) [NOT] IN ((1, 2), (3, 4))</c>: a row equal to any of the rows listed.</summary>
    private BoundExpr BindRowInList(Ast.InListExpr i, Ast.RowExpr row, Scope scope)
    {
        var alternatives = new List<BoundExpr>();
        foreach (Ast.SqlExpr item in i.List)
        {
            alternatives.Add(item is Ast.RowExpr other
                ? BindRowComparison("=", row, other, scope, Pos(item))
                : throw new SqlException(SqlState.FeatureNotSupported, "a row compared with a value that is not a row constructor", position: Pos(item)));
        }

        BoundExpr any = ConstantFolding.Or(alternatives);
        return i.Negated ? ConstantFolding.Not(any) : any;
    }
}
