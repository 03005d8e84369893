using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;
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

    /// <summary><c>ROW(a, b)</c> or <c>(a, b)</c> as a value: an anonymous record (fields f1, f2...; untyped literals become text).</summary>
    private BoundExpr BindRowValue(Ast.RowExpr row, Scope scope)
    {
        List<BoundExpr> fields = [.. row.Fields.Select(f => BindExpr(f, scope)).Select(f => f.Type.Kind == SqlTypeKind.Unknown ? TypeRules.Coerce(f, SqlType.Text) : f)];
        return new RowValueExpr(SqlRecordType.Anonymous([.. fields.Select(f => f.Type)]), fields);
    }

    /// <summary>
    /// A name that is no column but a range variable: the whole row (<c>row_to_json(t)</c>, <c>SELECT t FROM t</c>), typed as the
    /// table's row type (a subquery's or a function's rows are an anonymous record), or null when no range variable has the name.
    /// </summary>
    private BoundExpr? WholeRow(string name, Scope scope)
    {
        int depth = 0;
        for (Scope? s = scope; s is not null; s = s.Outer, depth++)
        {
            List<(ScopeColumn Column, int Ordinal)> columns = [.. s.Columns.Select((c, i) => (c, i)).Where(c => c.c.Table == name && !c.c.IsSystem && !c.c.HiddenFromUnqualified)];
            if (columns.Count == 0)
            {
                continue;
            }

            if (depth > 0)
            {
                NoteOuterReference(scope, depth);
            }

            uint tableOid = columns[0].Column.TableOid;
            List<(string, SqlType)> fields = [.. columns.Select(c => (c.Column.Name, c.Column.Type))];
            SqlRecordType type = tableOid != 0 && columns.All(c => c.Column.TableOid == tableOid) && _catalog.Find(tableOid) is { } relation
                ? new SqlRecordType(SystemViews.CatalogText.RowTypeOid(tableOid), relation.Name, fields)
                : new SqlRecordType(SqlRecordType.AnonymousOid, "record", fields);
            return new RowValueExpr(type, [.. columns.Select(c => (BoundExpr)new ColumnExpr(c.Ordinal, c.Column.Type, depth))]);
        }

        return null;
    }
}
