using System.Globalization;
using System.Text;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Syntax;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.SystemViews;

/// <summary>
/// pg_get_expr / pg_get_constraintdef text of a stored default or CHECK expression, as PostgreSQL's ruleutils prints
/// the parsed tree: unknown literals take their context's type and print with a label (<c>'EU'::bpchar</c>,
/// <c>'x'::text</c>), an integer compared with a numeric is cast (<c>0::numeric</c>), implicit casts are hidden at the
/// top and shown under operators and function arguments, <c>BETWEEN</c> and <c>IN</c> print as what they expand to, and
/// pretty mode drops the parentheses precedence makes redundant. The stored SQL is parsed and typed against the
/// table's columns; an expression outside what is modelled here prints as stored.
/// </summary>
internal static class ExpressionDeparser
{
    /// <summary>The expression's text; <paramref name="target"/> is the column type a default is assigned to.</summary>
    public static string Deparse(CatalogSnapshot catalog, TableDef? table, string sql, bool pretty, Func<uint, bool> isVisible, SqlType? target = null)
    {
        try
        {
            var typer = new Typer(catalog, table, isVisible);
            Node node = typer.Build(SqlParser.ParseExpression(sql));
            if (target is { } t)
            {
                node = typer.Coerce(node, t);
            }

            var printer = new Printer(pretty);
            printer.Print(node, parent: null, showImplicit: false);
            return printer.ToString();
        }
        catch (Exception e) when (e is NotModelledException or SqlException or SqlSyntaxException)
        {
            string text = sql.Trim();
            return text.Length > 1 && text[0] == '(' && text[^1] == ')' && target is null && pretty ? text[1..^1] : text;
        }
    }

    private sealed class NotModelledException : Exception;

    private abstract record Node(SqlType Type);

    /// <summary>A constant; <see cref="Untyped"/> for a string literal or NULL whose type the context decides.</summary>
    private sealed record Const(string? Text, SqlType Type, bool Untyped = false) : Node(Type);

    private sealed record RegClassConst(string Name) : Node(SqlType.Oid);

    private sealed record Var(string Name, SqlType Type) : Node(Type);

    /// <summary>A cast: written (<c>::</c>, CAST) or implicit (PostgreSQL's COERCE_IMPLICIT_CAST, hidden at the top).</summary>
    private sealed record Cast(Node Arg, SqlType Type, bool Implicit) : Node(Type);

    private sealed record Op(string Name, Node? Left, Node Right, SqlType Type) : Node(Type);

    private sealed record Bool(BoolKind Kind, IReadOnlyList<Node> Args) : Node(SqlType.Bool);

    private sealed record Test(Node Arg, string Suffix) : Node(SqlType.Bool);

    private sealed record ArrayOp(string Name, bool Any, Node Left, Node Array) : Node(SqlType.Bool);

    private sealed record ArrayOf(IReadOnlyList<Node> Elements, SqlType Type) : Node(Type);

    private sealed record Func(string Name, IReadOnlyList<Node> Args, SqlType Type) : Node(Type);

    /// <summary>CURRENT_DATE, CURRENT_USER...: printed as written, simple as a constant.</summary>
    private sealed record Keyword(string Text, SqlType Type) : Node(Type);

    private enum BoolKind
    {
        And,
        Or,
        Not,
    }

    private static readonly SqlType Any = new(SqlTypeKind.Unknown);

    /// <summary>Types the parsed tree as PostgreSQL's parser would for the cases modelled.</summary>
    private sealed class Typer(CatalogSnapshot catalog, TableDef? table, Func<uint, bool> isVisible)
    {
        public Node Build(SqlExpr e) => e switch
        {
            LiteralExpr l => Literal(l),
            TypedLiteralExpr t => Typed(t.Value, Planning.Binder.BuiltinType(t.Type, 0)),
            UnaryExpr { Operator: "-", Operand: LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Numeric } n } => Literal(n with { Value = "-" + n.Value }),
            UnaryExpr u => new Op(u.Operator, null, Build(u.Operand), Build(u.Operand).Type),
            ColumnRefExpr c when table?.FindColumn(c.Name) is { } column => new Var(CatalogText.QuoteIdent(column.Name), column.Type),
            CastExpr { Type.Name: "regclass", Operand: LiteralExpr { Kind: LiteralKind.String } name } => new RegClassConst(RegClassName(name.Value)),
            CastExpr c => ExplicitCast(Build(c.Operand), Planning.Binder.BuiltinType(c.Type, 0)),
            BinaryExpr b => Binary(b.Operator, Build(b.Left), Build(b.Right)),
            BoolExpr b => new Bool(b.Operator == BoolOperator.And ? BoolKind.And : BoolKind.Or, [.. b.Args.Select(a => Coerce(Build(a), SqlType.Bool))]),
            NotExpr n => new Bool(BoolKind.Not, [Coerce(Build(n.Operand), SqlType.Bool)]),
            IsExpr i => new Test(i.Test == IsTest.Null ? Build(i.Operand) : Coerce(Build(i.Operand), SqlType.Bool),
                (i.Negated ? " IS NOT " : " IS ") + i.Test.ToString().ToUpperInvariant()),
            BetweenExpr { Symmetric: false } b => Between(b),
            InListExpr i => InList(i),
            LikeExpr { Escape: null } l => Binary((l.Negated ? "!" : "") + (l.Kind == LikeKind.Like ? "~~" : l.Kind == LikeKind.ILike ? "~~*" : throw new NotModelledException()),
                Build(l.Operand), Build(l.Pattern)),
            FunctionCallExpr f when f.Over is null && f.Filter is null && !f.Distinct && !f.Star && f.OrderBy is null => Function(f),
            SqlValueFunctionExpr v when v.Precision is null => new Keyword(SqlPrinter.Print(v), v.Function switch
            {
                SqlValueFunction.CurrentDate => SqlType.Date,
                SqlValueFunction.CurrentTimestamp => new SqlType(SqlTypeKind.TimestampTz),
                SqlValueFunction.LocalTimestamp => new SqlType(SqlTypeKind.Timestamp),
                SqlValueFunction.CurrentTime or SqlValueFunction.LocalTime => new SqlType(SqlTypeKind.Time),
                _ => new SqlType(SqlTypeKind.Name),
            }),
            _ => throw new NotModelledException(),
        };

        private static Const Literal(LiteralExpr l) => l.Kind switch
        {
            LiteralKind.Null => new Const(null, Any, Untyped: true),
            LiteralKind.String => new Const(l.Value, Any, Untyped: true),
            LiteralKind.Boolean => new Const(l.Value, SqlType.Bool),
            LiteralKind.Integer when long.TryParse(l.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) =>
                new Const(v.ToString(CultureInfo.InvariantCulture), v is >= int.MinValue and <= int.MaxValue ? SqlType.Int4 : SqlType.Int8),
            LiteralKind.Integer or LiteralKind.Numeric => Typed(l.Value, SqlType.Numeric),
            _ => throw new NotModelledException(),
        };

        /// <summary>A string read as <paramref name="type"/> and printed back by its output function (<c>'2020-1-1'</c> as a date is 2020-01-01).</summary>
        private static Const Typed(string? text, SqlType type) =>
            text is null ? new Const(null, type) : new Const(SqlText.Format(SqlCast.Coerce(SqlValue.FromString(SqlTypeKind.Unknown, text), type with { Modifier = -1 })), type with { Modifier = -1 });

        private static bool Same(SqlType a, SqlType b) => a.Kind == b.Kind && a.IsArray == b.IsArray;

        /// <summary>What an argument becomes where <paramref name="type"/> is expected: an untyped literal takes the type, anything else is cast implicitly.</summary>
        public Node Coerce(Node n, SqlType type) => n switch
        {
            _ when type.Kind == SqlTypeKind.Unknown => n,
            Const { Untyped: true } c => Typed(c.Text, type),
            _ when n.Type.Kind == SqlTypeKind.Unknown || Same(n.Type, type) => n,
            _ => new Cast(n, type with { Modifier = -1 }, Implicit: true),
        };

        private Node ExplicitCast(Node arg, SqlType type) => arg switch
        {
            Const { Untyped: true } c => Typed(c.Text, type),
            _ => new Cast(arg, type, Implicit: false),
        };

        private static int NumericRank(SqlTypeKind k) => k switch
        {
            SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 => 1,
            SqlTypeKind.Numeric => 2,
            SqlTypeKind.Float4 or SqlTypeKind.Float8 => 3,
            _ => 0,
        };

        private static bool IsComparison(string op) => op is "=" or "<>" or "<" or ">" or "<=" or ">=";

        /// <summary>The operand type an operator is chosen for; integer widths and float4/float8 have cross-type operators, so they stay as they are.</summary>
        private static (SqlType Left, SqlType Right) OperandTypes(string op, SqlType l, SqlType r)
        {
            bool lu = l.Kind == SqlTypeKind.Unknown, ru = r.Kind == SqlTypeKind.Unknown;
            if (op is "~~" or "!~~" or "~~*" or "!~~*")
            {
                return (l.Kind is SqlTypeKind.Char or SqlTypeKind.Name ? l : SqlType.Text, SqlType.Text);
            }

            if (op == "||")
            {
                return (lu || l.IsString ? SqlType.Text : l, ru || r.IsString ? SqlType.Text : r);
            }

            if (lu && ru)
            {
                return (SqlType.Text, SqlType.Text);
            }

            if (lu || ru)
            {
                SqlType known = lu ? r : l;
                // there is no varchar operator: a varchar operand is compared (and its literal read) as text
                SqlType t = known.Kind == SqlTypeKind.Varchar && !known.IsArray ? SqlType.Text : known;
                return (t, t);
            }

            int lr = NumericRank(l.Kind), rr = NumericRank(r.Kind);
            if (lr > 0 && rr > 0)
            {
                return lr == rr ? (l, r) : lr > rr ? (l, l.Kind == SqlTypeKind.Numeric ? SqlType.Numeric : SqlType.Float8) : (r.Kind == SqlTypeKind.Numeric ? SqlType.Numeric : SqlType.Float8, r);
            }

            if (l.IsString && r.IsString && !l.IsArray && !r.IsArray)
            {
                return l.Kind == r.Kind && l.Kind != SqlTypeKind.Varchar ? (l, r) : (SqlType.Text, SqlType.Text);
            }

            return Same(l, r) ? (l, r) : throw new NotModelledException();
        }

        private Node Binary(string op, Node left, Node right)
        {
            if (op is "->" or "->>" or "#>" or "#>>" && left.Type is { Kind: SqlTypeKind.Json or SqlTypeKind.Jsonb, IsArray: false })
            {
                // a key or path: an untyped literal is text (text[] for a path); an integer stays an index
                SqlType key = op.StartsWith('#') ? SqlType.Text.ArrayOf() : right.Type.Kind == SqlTypeKind.Unknown ? SqlType.Text : right.Type;
                return new Op(op, left, Coerce(right, key), op.EndsWith(">>", StringComparison.Ordinal) ? SqlType.Text : left.Type);
            }

            (SqlType lt, SqlType rt) = OperandTypes(op, left.Type, right.Type);
            SqlType result = IsComparison(op) || op.Contains("~~", StringComparison.Ordinal) ? SqlType.Bool
                : op == "||" ? SqlType.Text
                : op is "+" or "-" or "*" or "/" or "%" ? (NumericRank(rt.Kind) > NumericRank(lt.Kind) || (NumericRank(rt.Kind) == 1 && WiderInt(rt, lt)) ? rt : lt)
                : throw new NotModelledException();
            return new Op(op, Coerce(left, lt), Coerce(right, rt), result);
        }

        private static bool WiderInt(SqlType a, SqlType b) => a.Kind > b.Kind;

        private Bool Between(BetweenExpr b)
        {
            Node x = Build(b.Operand);
            return b.Negated
                ? new Bool(BoolKind.Or, [Binary("<", x, Build(b.Low)), Binary(">", x, Build(b.High))])
                : new Bool(BoolKind.And, [Binary(">=", x, Build(b.Low)), Binary("<=", x, Build(b.High))]);
        }

        /// <summary><c>x IN (1, 2)</c> of constants is <c>x = ANY (ARRAY[1, 2])</c>, as PostgreSQL's parser rewrites it.</summary>
        private ArrayOp InList(InListExpr i)
        {
            Node x = Build(i.Operand);
            List<Node> items = [.. i.List.Select(Build)];
            if (items.Any(n => n is not Const))
            {
                throw new NotModelledException();
            }

            SqlType type = x.Type;
            foreach (Node n in items)
            {
                (type, _) = OperandTypes("=", type, n.Type);
            }

            if (!Same(type, x.Type))
            {
                throw new NotModelledException();
            }

            return new ArrayOp(i.Negated ? "<>" : "=", !i.Negated, x, new ArrayOf([.. items.Select(n => Coerce(n, type))], type with { IsArray = true }));
        }

        private Node Function(FunctionCallExpr f)
        {
            if (f.Name.Count > 1 && f.Name[0] != "pg_catalog")
            {
                throw new NotModelledException();
            }

            string name = f.FunctionName;
            List<Node> args = [.. f.Args.Select(Build)];
            switch (name)
            {
                case "nextval" or "currval" when args is [Const { Untyped: true, Text: { } seq }]:
                    return new Func(name, [new RegClassConst(RegClassName(seq))], SqlType.Int8);
                case "now" or "statement_timestamp" or "transaction_timestamp" or "clock_timestamp" when args.Count == 0:
                    return new Func(name, [], new SqlType(SqlTypeKind.TimestampTz));
                case "gen_random_uuid" when args.Count == 0:
                    return new Func(name, [], new SqlType(SqlTypeKind.Uuid));
                case "lower" or "upper" or "btrim" or "ltrim" or "rtrim" or "md5" or "initcap" or "reverse":
                    return new Func(name, [.. args.Select(a => Coerce(a, SqlType.Text))], SqlType.Text);
                case "length" or "char_length" or "octet_length" when args.Count == 1:
                    return new Func(name, [Coerce(args[0], args[0].Type.Kind == SqlTypeKind.Char ? args[0].Type : SqlType.Text)], SqlType.Int4);
                case "abs" when args.Count == 1 && NumericRank(args[0].Type.Kind) > 0:
                    return new Func(name, args, args[0].Type);
                default:
                    throw new NotModelledException();
            }
        }

        /// <summary>regclass output: the relation's name, schema-qualified when the search path does not find it.</summary>
        private string RegClassName(string text)
        {
            string[] parts = text.Split('.');
            CatalogObject? rel = null;
            uint schema = table?.SchemaOid ?? 0;
            if (parts.Length == 2 && catalog.All.OfType<SchemaDef>().FirstOrDefault(s => s.Name == parts[0] && (table is null || s.DatabaseOid == catalog.Find<SchemaDef>(table.SchemaOid)?.DatabaseOid)) is { } s)
            {
                rel = catalog.FindRelation(s.Oid, parts[1]);
            }
            else if (parts.Length == 1)
            {
                rel = catalog.FindRelation(schema, parts[0]);
            }

            return rel is null ? throw new NotModelledException() : isVisible(rel.Oid) ? CatalogText.QuoteIdent(rel.Name) : CatalogText.QualifiedName(catalog, rel);
        }
    }

    /// <summary>ruleutils' get_rule_expr with its pretty-parenthesis rules (isSimpleNode).</summary>
    private sealed class Printer(bool pretty)
    {
        private readonly StringBuilder _sb = new();

        public override string ToString() => _sb.ToString();

        private static bool IsLowPriority(string op) => op is "+" or "-";

        private static bool IsHighPriority(string op) => op is "*" or "/" or "%";

        private static bool IsSimple(Node node, Node? parent)
        {
            switch (node)
            {
                case Const or RegClassConst or Var or Func or Keyword or Cast or ArrayOf:
                    return true;
                case Op op when parent is Op { Left: not null } p && op.Left is not null:
                    bool lo = IsLowPriority(op.Name), hi = IsHighPriority(op.Name), plo = IsLowPriority(p.Name), phi = IsHighPriority(p.Name);
                    return (lo || hi) && (plo || phi) && ((hi && plo) || (!(lo && phi) && ReferenceEquals(node, p.Left)));
                case Op or Test:
                    return parent is Bool or ArrayOf or Func;
                case Bool b:
                    return parent is Bool p2 && (b.Kind is BoolKind.Not or BoolKind.And ? p2.Kind is BoolKind.And or BoolKind.Or : p2.Kind == BoolKind.Or);
                default:
                    return false;
            }
        }

        private void Paren(Node node, Node parent, bool showImplicit)
        {
            bool paren = pretty && !IsSimple(node, parent);
            _sb.Append(paren ? "(" : "");
            Print(node, parent, showImplicit);
            _sb.Append(paren ? ")" : "");
        }

        public void Print(Node node, Node? parent, bool showImplicit)
        {
            switch (node)
            {
                case Cast { Implicit: true } c when !showImplicit:
                    Print(c.Arg, parent, false);
                    break;
                case Cast c:
                    _sb.Append(pretty ? "" : "(");
                    Paren(c.Arg, c, false);
                    _sb.Append(pretty ? "" : ")").Append("::").Append(TypeName(c.Type));
                    break;
                case Const c:
                    Constant(c);
                    break;
                case RegClassConst r:
                    _sb.Append(SqlPrinter.QuoteString(r.Name)).Append("::regclass");
                    break;
                case Var v:
                    _sb.Append(v.Name);
                    break;
                case Keyword k:
                    _sb.Append(k.Text);
                    break;
                case Op op:
                    _sb.Append(pretty ? "" : "(");
                    if (op.Left is not null)
                    {
                        Paren(op.Left, op, true);
                        _sb.Append(' ');
                    }

                    _sb.Append(op.Name).Append(' ');
                    Paren(op.Right, op, true);
                    _sb.Append(pretty ? "" : ")");
                    break;
                case Bool { Kind: BoolKind.Not } not:
                    _sb.Append(pretty ? "NOT " : "(NOT ");
                    Paren(not.Args[0], not, false);
                    _sb.Append(pretty ? "" : ")");
                    break;
                case Bool b:
                    _sb.Append(pretty ? "" : "(");
                    for (int i = 0; i < b.Args.Count; i++)
                    {
                        _sb.Append(i > 0 ? b.Kind == BoolKind.And ? " AND " : " OR " : "");
                        Paren(b.Args[i], b, false);
                    }

                    _sb.Append(pretty ? "" : ")");
                    break;
                case Test t:
                    _sb.Append(pretty ? "" : "(");
                    Paren(t.Arg, t, true);
                    _sb.Append(t.Suffix).Append(pretty ? "" : ")");
                    break;
                case ArrayOp a:
                    _sb.Append(pretty ? "" : "(");
                    Paren(a.Left, a, true);
                    _sb.Append(' ').Append(a.Name).Append(a.Any ? " ANY (" : " ALL (");
                    Paren(a.Array, a, true);
                    _sb.Append(')').Append(pretty ? "" : ")");
                    break;
                case ArrayOf arr:
                    _sb.Append("ARRAY[");
                    for (int i = 0; i < arr.Elements.Count; i++)
                    {
                        _sb.Append(i > 0 ? ", " : "");
                        Print(arr.Elements[i], arr, true);
                    }

                    _sb.Append(']');
                    break;
                case Func f:
                    _sb.Append(f.Name).Append('(');
                    for (int i = 0; i < f.Args.Count; i++)
                    {
                        _sb.Append(i > 0 ? ", " : "");
                        Print(f.Args[i], f, true);
                    }

                    _sb.Append(')');
                    break;
            }
        }

        /// <summary>get_const_expr: int4 and float-looking numerics bare unless negative, booleans bare, everything else quoted with its type.</summary>
        private void Constant(Const c)
        {
            if (c.Text is null)
            {
                _sb.Append("NULL");
                if (!c.Untyped)
                {
                    _sb.Append("::").Append(c.Type.ToString());
                }

                return;
            }

            bool label;
            switch (c.Type.Kind)
            {
                case SqlTypeKind.Int4:
                    label = c.Text.StartsWith('-');
                    _sb.Append(label ? SqlPrinter.QuoteString(c.Text) : c.Text);
                    break;
                case SqlTypeKind.Numeric:
                    label = !(char.IsAsciiDigit(c.Text[0]) && c.Text.AsSpan().IndexOfAny("eE.") >= 0);
                    _sb.Append(label ? SqlPrinter.QuoteString(c.Text) : c.Text);
                    break;
                case SqlTypeKind.Bool:
                    label = false;
                    _sb.Append(c.Text is "t" or "true" ? "true" : "false");
                    break;
                default:
                    label = !c.Untyped;
                    _sb.Append(SqlPrinter.QuoteString(c.Text));
                    break;
            }

            if (label)
            {
                _sb.Append("::").Append(TypeName(c.Type));
            }
        }

        /// <summary>format_type_with_typemod: character without a length is bpchar.</summary>
        private static string TypeName(SqlType type) => type is { Kind: SqlTypeKind.Char, IsArray: false, Modifier: < 0 } ? "bpchar" : type.ToString();
    }
}
