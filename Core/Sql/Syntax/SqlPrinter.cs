using System.Text;

namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// Prints an AST back as PostgreSQL SQL. Every compound expression is parenthesized, so the text shows the
/// tree's shape and parses back to an equal tree (parse(print(parse(x))) prints the same as parse(x)).
/// Used by tests, EXPLAIN output and view definitions.
/// </summary>
public sealed partial class SqlPrinter
{
    private readonly StringBuilder _sb = new();

    public static string Print(SqlStatement statement)
    {
        var p = new SqlPrinter();
        p.Statement(statement);
        return p._sb.ToString();
    }

    public static string Print(SqlExpr expr)
    {
        var p = new SqlPrinter();
        p.Expr(expr);
        return p._sb.ToString();
    }

    public static string Print(Query query)
    {
        var p = new SqlPrinter();
        p.Query(query);
        return p._sb.ToString();
    }

    /// <summary>A name as SQL: bare when it is a lower-case non-keyword identifier, otherwise double-quoted.</summary>
    public static string QuoteIdentifier(string name)
    {
        bool simple = name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_');
        for (int i = 1; simple && i < name.Length; i++)
        {
            char c = name[i];
            simple = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '$';
        }

        if (simple && Keywords.Lookup(name) == Keyword.None)
        {
            return name;
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string QuoteString(string value)
    {
        bool needsEscape = false;
        foreach (char c in value)
        {
            if (c == '\\' || char.IsControl(c))
            {
                needsEscape = true;
                break;
            }
        }

        if (!needsEscape)
        {
            return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        var sb = new StringBuilder("E'");
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\'': sb.Append(@"\'"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append(@"\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('\'').ToString();
    }

    private SqlPrinter Text(string s)
    {
        _sb.Append(s);
        return this;
    }

    private void Name(string name) => _sb.Append(QuoteIdentifier(name));

    private void Names(IReadOnlyList<string> parts)
    {
        for (int i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                _sb.Append('.');
            }

            Name(parts[i]);
        }
    }

    private void NameList(IReadOnlyList<string> names)
    {
        _sb.Append('(');
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                _sb.Append(", ");
            }

            Name(names[i]);
        }

        _sb.Append(')');
    }

    private void List<T>(IReadOnlyList<T> items, Action<T> print, string separator = ", ")
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                _sb.Append(separator);
            }

            print(items[i]);
        }
    }

    private void ExprList(IReadOnlyList<SqlExpr> items) => List(items, Expr);

    /// <summary>Type names the grammar spells as keywords print bare so they parse back to the same name.</summary>
    private void Type(TypeName t)
    {
        if (t.Names.Count == 1 && t.Name is "varchar" or "numeric" or "timestamp" or "time" or "interval" or "bit")
        {
            _sb.Append(t.Name);
        }
        else
        {
            Names(t.Names);
        }

        if (t.Modifiers.Count > 0)
        {
            _sb.Append('(');
            ExprList(t.Modifiers);
            _sb.Append(')');
        }

        for (int i = 0; i < t.ArrayDimensions; i++)
        {
            _sb.Append("[]");
        }

        if (t.Unsigned)
        {
            _sb.Append(" UNSIGNED");
        }
    }

    private void Expr(SqlExpr e)
    {
        switch (e)
        {
            case LiteralExpr l:
                Literal(l);
                break;
            case TypedLiteralExpr tl:
                Type(tl.Type);
                Text(" ").Text(QuoteString(tl.Value));
                if (tl.IntervalFields is not null)
                {
                    Text(" ").Text(tl.IntervalFields);
                }

                break;
            case ParameterExpr p:
                Text("$").Text(p.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ColumnRefExpr c:
                Names(c.Names);
                break;
            case StarExpr s:
                if (s.Qualifier.Count > 0)
                {
                    Names(s.Qualifier);
                    Text(".");
                }

                Text("*");
                break;
            case BinaryExpr b:
                Text("(");
                Expr(b.Left);
                Text(" ").Text(b.Operator).Text(" ");
                Expr(b.Right);
                Text(")");
                break;
            case UnaryExpr u:
                Text("(").Text(u.Operator).Text(" ");
                Expr(u.Operand);
                Text(")");
                break;
            case BoolExpr b:
                Text("(");
                List(b.Args, Expr, b.Operator == BoolOperator.And ? " AND " : " OR ");
                Text(")");
                break;
            case NotExpr n:
                Text("(NOT ");
                Expr(n.Operand);
                Text(")");
                break;
            default:
                Predicate(e);
                break;
        }
    }

    private void Literal(LiteralExpr l)
    {
        switch (l.Kind)
        {
            case LiteralKind.Null: Text("NULL"); break;
            case LiteralKind.Boolean: Text(l.Value == "true" ? "TRUE" : "FALSE"); break;
            case LiteralKind.Integer or LiteralKind.Numeric: Text(l.Value); break;
            case LiteralKind.String: Text(QuoteString(l.Value)); break;
            case LiteralKind.BitString: Text("B'").Text(l.Value).Text("'"); break;
            case LiteralKind.HexString: Text("X'").Text(l.Value).Text("'"); break;
        }
    }
}
