using System.Globalization;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary>Set while binding the expressions above an aggregation: group keys and aggregate calls map to its output columns.</summary>
    private sealed class AggregateScope(Scope input, Dictionary<string, int> groups, Dictionary<string, int> aggregates, IReadOnlyList<PlanColumn> output)
    {
        /// <summary>Group keys that are plain columns, by the column's ordinal in the input: <c>GROUP BY t.a</c> matches <c>a</c>.</summary>
        public Dictionary<int, int> GroupColumns { get; } = [];

        public Scope Input { get; } = input;

        public Dictionary<string, int> Groups { get; } = groups;

        public Dictionary<string, int> Aggregates { get; } = aggregates;

        public IReadOnlyList<PlanColumn> Output { get; } = output;
    }

    private AggregateScope? _aggregateScope;

    /// <summary>Where aggregates are not allowed, the clause name for the error (WHERE, JOIN conditions, GROUP BY).</summary>
    private string? _noAggregatesIn;

    public BoundExpr BindExpr(Ast.SqlExpr expr, Scope scope)
    {
        if (_aggregateScope is { } agg)
        {
            string key = Ast.SqlPrinter.Print(expr);
            if (agg.Groups.TryGetValue(key, out int g))
            {
                return new ColumnExpr(g, agg.Output[g].Type);
            }

            if (expr is Ast.FunctionCallExpr call && IsAggregateCall(call) && agg.Aggregates.TryGetValue(key, out int a))
            {
                return new ColumnExpr(a, agg.Output[a].Type);
            }

            if (expr is Ast.ColumnRefExpr grouped && TryResolveLocal(agg.Input, grouped) is int ordinal && agg.GroupColumns.TryGetValue(ordinal, out int groupIndex))
            {
                return new ColumnExpr(groupIndex, agg.Output[groupIndex].Type);
            }

            if (expr is Ast.ColumnRefExpr column)
            {
                bool local;
                try
                {
                    local = agg.Input.Resolve(column.Names, Pos(expr)).Depth == 0;
                }
                catch (SqlException)
                {
                    local = false;
                }

                if (local)
                {
                    throw new SqlException(SqlState.GroupingError,
                        $"column \"{string.Join('.', column.Names)}\" must appear in the GROUP BY clause or be used in an aggregate function", position: Pos(expr));
                }
            }
        }

        return expr switch
        {
            Ast.LiteralExpr l => BindLiteral(l),
            Ast.TypedLiteralExpr t => TypeRules.Coerce(new ConstantExpr(SqlValue.FromString(SqlTypeKind.Unknown, t.Value), SqlType.Unknown), ResolveType(t.Type, Pos(expr)), Pos(expr)),
            Ast.ParameterExpr p => BindParameter(p),
            Ast.ColumnRefExpr c => BindColumn(c, scope),
            Ast.BinaryExpr b => BindBinary(b, scope),
            Ast.UnaryExpr u => BindUnary(u, scope),
            Ast.BoolExpr b => b.Operator == Ast.BoolOperator.And
                ? ConstantFolding.And([.. b.Args.Select(a => Boolean(a, scope, "AND"))])
                : ConstantFolding.Or([.. b.Args.Select(a => Boolean(a, scope, "OR"))]),
            Ast.NotExpr n => ConstantFolding.Not(Boolean(n.Operand, scope, "NOT")),
            Ast.IsExpr i => BindIs(i, scope),
            Ast.IsDistinctFromExpr d => BindDistinct(d, scope),
            Ast.BetweenExpr b => BindBetween(b, scope),
            Ast.InListExpr i => BindInList(i, scope),
            Ast.InSubqueryExpr i => BindQuantifiedSubquery(BindExpr(i.Operand, scope), i.Negated ? ComparisonOperator.NotEqual : ComparisonOperator.Equal, i.Negated, i.Subquery, scope,
                "=", Pos(expr)),
            Ast.LikeExpr l => BindLike(l, scope),
            Ast.CastExpr c => BindCast(c, scope),
            Ast.CaseExpr c => NoSetReturningIn("CASE", () => BindCase(c, scope)),
            Ast.FunctionCallExpr f => BindFunction(f, scope),
            // EXTRACT(field FROM x) is extract('field', x); x AT TIME ZONE z is timezone(z, x), as in PostgreSQL's grammar
            Ast.ExtractExpr x => BindFunction(new Ast.FunctionCallExpr(["extract"], [new Ast.LiteralExpr(Ast.LiteralKind.String, x.Field) { Position = x.Position }, x.Source])
                { Position = x.Position }, scope),
            Ast.AtTimeZoneExpr z => BindFunction(new Ast.FunctionCallExpr(["timezone"], [z.Zone, z.Operand]) { Position = z.Position }, scope),
            Ast.ExistsExpr e => BindExists(e, scope),
            Ast.SubqueryExpr s => BindScalarSubquery(s, scope),
            Ast.QuantifiedExpr q when q.Subquery is not null => BindQuantifiedSubquery(BindExpr(q.Left, scope), ComparisonOf(q.Operator, Pos(expr)),
                q.Quantifier == Ast.Quantifier.All, q.Subquery, scope, q.Operator, Pos(expr)),
            Ast.QuantifiedExpr q when q.Array is not null => BindQuantifiedArray(q, scope),
            Ast.ArraySubqueryExpr a => BindArraySubquery(a, scope),
            Ast.ArrayExpr a => BindArrayConstructor(a, scope),
            Ast.SubscriptExpr sub => BindSubscript(sub, scope),
            Ast.SqlValueFunctionExpr v => BindValueFunction(v),
            Ast.CollateExpr c => BindExpr(c.Operand, scope),
            Ast.RowExpr r => BindRowValue(r, scope),
            _ => throw new SqlException(SqlState.FeatureNotSupported, $"{Describe(expr)} is not supported yet", position: Pos(expr)),
        };
    }

    private static int Pos(Ast.SqlExpr e) => e.Position + 1;

    private static int? TryResolveLocal(Scope scope, Ast.ColumnRefExpr column)
    {
        try
        {
            (int ordinal, int depth, _) = scope.Resolve(column.Names, 0);
            return depth == 0 ? ordinal : null;
        }
        catch (SqlException)
        {
            return null;
        }
    }

    private static string Describe(Ast.SqlExpr e) => e.GetType().Name.Replace("Expr", "", StringComparison.Ordinal) switch
    {
        "Array" or "ArraySubquery" => "an array expression",
        "Subscript" => "array subscripting",
        "Row" => "a row constructor",
        "AtTimeZone" => "AT TIME ZONE",
        "Variable" => "a variable",
        "Default" => "DEFAULT in this place",
        var other => other,
    };

    private BoundExpr Boolean(Ast.SqlExpr e, Scope scope, string context)
    {
        BoundExpr b = BindExpr(e, scope);
        if (b.Type.Kind == SqlTypeKind.Unknown || b.Type.Kind == SqlTypeKind.Bool)
        {
            return TypeRules.Coerce(b, SqlType.Bool, Pos(e));
        }

        throw new SqlException(SqlState.DatatypeMismatch, $"argument of {context} must be type boolean, not type {b.Type}", position: Pos(e));
    }

    public BoundExpr BindCondition(Ast.SqlExpr e, Scope scope, string clause)
    {
        string? saved = _noAggregatesIn;
        _noAggregatesIn = clause;
        try
        {
            return ConstantFolding.Qualification(Boolean(e, scope, clause));
        }
        finally
        {
            _noAggregatesIn = saved;
        }
    }

    private static BoundExpr BindLiteral(Ast.LiteralExpr l)
    {
        switch (l.Kind)
        {
            case Ast.LiteralKind.Null:
                return new ConstantExpr(SqlValue.Null, SqlType.Unknown);
            case Ast.LiteralKind.Boolean:
                return new ConstantExpr(SqlValue.FromBool(l.Value == "true"), SqlType.Bool);
            case Ast.LiteralKind.Integer:
                if (int.TryParse(l.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i))
                {
                    return new ConstantExpr(SqlValue.FromInt4(i), SqlType.Int4);
                }

                if (long.TryParse(l.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                {
                    return new ConstantExpr(SqlValue.FromInt8(n), SqlType.Int8);
                }

                return new ConstantExpr(SqlValue.FromNumeric(SqlText.ParseNumeric(l.Value)), SqlType.Numeric);
            case Ast.LiteralKind.Numeric:
                return new ConstantExpr(SqlValue.FromNumeric(SqlText.ParseNumeric(l.Value)), SqlType.Numeric);
            case Ast.LiteralKind.String:
                return new ConstantExpr(SqlValue.FromString(SqlTypeKind.Unknown, l.Value), SqlType.Unknown);
            default:
                throw SqlException.NotSupported("bit-string literals");
        }
    }

    private BoundExpr BindParameter(Ast.ParameterExpr p)
    {
        int index = p.Number - 1;
        while (_parameterTypes.Count <= index)
        {
            _parameterTypes.Add(SqlType.Unknown);
        }

        return new Execution.ParameterExpr(index, _parameterTypes[index]);
    }

    /// <summary>An untyped parameter takes the type its context gives it (PostgreSQL infers $n from the other operand).</summary>
    private BoundExpr Infer(BoundExpr e, SqlType type)
    {
        if (e is Execution.ParameterExpr p && p.Type.Kind == SqlTypeKind.Unknown && type.Kind != SqlTypeKind.Unknown)
        {
            _parameterTypes[p.Index] = type with { Modifier = -1 };
            return new Execution.ParameterExpr(p.Index, type with { Modifier = -1 });
        }

        return e;
    }

    private BoundExpr BindColumn(Ast.ColumnRefExpr c, Scope scope)
    {
        (int ordinal, int depth, ScopeColumn column) resolved;
        try
        {
            resolved = scope.Resolve(c.Names, c.Position + 1);
        }
        catch (SqlException e) when (e.SqlState == SqlState.UndefinedColumn && c.Names.Count == 1 && WholeRow(c.Names[0], scope) is { } row)
        {
            return row;
        }

        (int ordinal, int depth, ScopeColumn column) = resolved;
        if (depth > 0)
        {
            NoteOuterReference(scope, depth);
        }

        return new ColumnExpr(ordinal, column.Type, depth);
    }

    private BoundExpr BindUnary(Ast.UnaryExpr u, Scope scope)
    {
        BoundExpr operand = BindExpr(u.Operand, scope);
        switch (u.Operator)
        {
            case "+":
                return operand;
            case "-":
                if (operand is ConstantExpr c && !c.Value.IsNull && c.Type.IsNumeric)
                {
                    return new ConstantExpr(SqlArithmetic.Negate(c.Value), c.Type);
                }

                if (operand.Type.Kind == SqlTypeKind.Unknown)
                {
                    operand = TypeRules.Coerce(Infer(operand, SqlType.Numeric), SqlType.Numeric, Pos(u));
                }

                return ConstantFolding.Strict(new NegateExpr(operand), operand);
            default:
                throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {u.Operator} {operand.Type}", position: Pos(u));
        }
    }

    private BoundExpr BindBinary(Ast.BinaryExpr b, Scope scope)
    {
        if (b is { Operator: "=" or "<>" or "<" or "<=" or ">" or ">=", Left: Ast.RowExpr leftRow, Right: Ast.RowExpr rightRow })
        {
            return BindRowComparison(b.Operator, leftRow, rightRow, scope, b.OperatorPosition > 0 ? b.OperatorPosition + 1 : Pos(b));
        }

        BoundExpr left = BindExpr(b.Left, scope);
        BoundExpr right = BindExpr(b.Right, scope);
        int position = Pos(b);
        switch (b.Operator)
        {
            case "=" or "<>" or "<" or "<=" or ">" or ">=":
                (left, right) = Comparable(left, right, b.Operator, b.OperatorPosition > 0 ? b.OperatorPosition + 1 : position, Pos(b.Left), Pos(b.Right));
                return Comparison(ComparisonOf(b.Operator, position), left, right);
            case "@>" or "<@" or "&&" when left.Type.IsArray || right.Type.IsArray:
                return BindArrayContainment(b, left, right, position);
            case "-" when left.Type.Kind == SqlTypeKind.Jsonb && !left.Type.IsArray:
                return BindJsonOperator(b, left, right, position);
            case "+" or "-" or "*" or "/" or "%" or "^":
                return Arithmetic(b.Operator, left, right, position);
            case "||":
                if (left.Type.IsArray || right.Type.IsArray)
                {
                    return BindArrayConcat(left, right, position);
                }

                if (left.Type.Kind == SqlTypeKind.Jsonb || right.Type.Kind == SqlTypeKind.Jsonb)
                {
                    // jsonb || jsonb merges objects and concatenates arrays (an untyped side is jsonb)
                    BoundExpr l = TypeRules.Coerce(left, SqlType.Jsonb, position), r = TypeRules.Coerce(right, SqlType.Jsonb, position);
                    return new FunctionExpr("||", (values, _) => JsonOperators.Concat(values[0], values[1]), [l, r], SqlType.Jsonb, strict: true, volatileResult: false);
                }

                return ConstantFolding.Strict(new ConcatExpr(TextOperand(left), TextOperand(right)), left, right);
            case "~" or "!~" or "~*" or "!~*":
            {
                // POSIX regex match: textregexeq and friends, as PostgreSQL's operators are defined
                string function = (b.Operator.StartsWith('!') ? "textregexne" : "textregexeq").Insert(4, b.Operator.EndsWith('*') ? "ic" : "");
                ScalarFunction regex = FunctionCatalog.ResolveScalar(function, [SqlType.Text, SqlType.Text]);
                ScalarBody body = regex.Body;
                return new FunctionExpr(function, (values, context) => body(values, context), [TypeRules.Coerce(TextOperand(left), SqlType.Text, position),
                    TypeRules.Coerce(TextOperand(right), SqlType.Text, position)], SqlType.Bool, strict: true, volatileResult: false);
            }

            case "~~" or "!~~" or "~~*" or "!~~*":
                return new LikeExpr(TextOperand(left), TextOperand(right), null, b.Operator.Contains('*', StringComparison.Ordinal), b.Operator.StartsWith('!'));
            case var op when JsonOperators.IsJsonOperator(op):
                return BindJsonOperator(b, left, right, position);
            default:
                throw NoSuchOperator(b, left, right, position);
        }
    }

    private static BoundExpr BindJsonOperator(Ast.BinaryExpr b, BoundExpr left, BoundExpr right, int position)
    {
        (BoundExpr l, BoundExpr r) = JsonOperand(left, right, b.Operator, position);
        if (JsonOperators.Resolve(b.Operator, l.Type, r.Type) is not { } json)
        {
            throw NoSuchOperator(b, left, right, position);
        }

        Func<SqlValue, SqlValue, SqlValue> apply = json.Apply;
        return new FunctionExpr(b.Operator, (values, _) => apply(values[0], values[1]), [l, r], json.Result, strict: true, volatileResult: false);
    }

    private static SqlException NoSuchOperator(Ast.BinaryExpr b, BoundExpr left, BoundExpr right, int position) =>
        new(SqlState.UndefinedFunction, $"operator does not exist: {left.Type} {b.Operator} {right.Type}",
            position: b.OperatorPosition > 0 ? b.OperatorPosition + 1 : position,
            hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");

    /// <summary>
    /// The operands of a json operator with an untyped side given its type as PostgreSQL resolves it: the json side
    /// json, the other text (a key; an integer literal stays an index), text[] for a path, jsonb for containment.
    /// </summary>
    private static (BoundExpr, BoundExpr) JsonOperand(BoundExpr left, BoundExpr right, string op, int position)
    {
        if (left.Type.Kind == SqlTypeKind.Unknown)
        {
            left = TypeRules.Coerce(left, op is "@>" or "<@" or "?" or "?|" or "?&" or "#-" ? SqlType.Jsonb : SqlType.Json, position);
        }

        if (right.Type.Kind == SqlTypeKind.Unknown)
        {
            SqlType target = op switch
            {
                "#>" or "#>>" or "?|" or "?&" or "#-" => SqlType.Text.ArrayOf(),
                "@>" or "<@" => left.Type,
                _ => SqlType.Text,
            };
            right = TypeRules.Coerce(right, target, position);
        }

        return (left, right);
    }

    private static BoundExpr TextOperand(BoundExpr e) => e.Type.Kind == SqlTypeKind.Unknown ? TypeRules.Coerce(e, SqlType.Text) : e;

    private static ComparisonOperator ComparisonOf(string op, int position) => op switch
    {
        "=" => ComparisonOperator.Equal,
        "<>" => ComparisonOperator.NotEqual,
        "<" => ComparisonOperator.Less,
        "<=" => ComparisonOperator.LessOrEqual,
        ">" => ComparisonOperator.Greater,
        ">=" => ComparisonOperator.GreaterOrEqual,
        _ => throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {op}", position: position),
    };

    /// <summary>Brings two comparison operands to comparable types: an untyped side takes the other's type.</summary>
    /// <param name="position">Where an operator mismatch is reported; <paramref name="leftPosition"/> and <paramref name="rightPosition"/> where an operand's literal fails to read.</param>
    private (BoundExpr, BoundExpr) Comparable(BoundExpr left, BoundExpr right, string op, int position, int leftPosition = 0, int rightPosition = 0)
    {
        left = Infer(left, right.Type);
        right = Infer(right, left.Type);
        SqlType lt = left.Type, rt = right.Type;
        int lp = leftPosition > 0 ? leftPosition : position, rp = rightPosition > 0 ? rightPosition : position;
        if (lt.Kind == SqlTypeKind.Unknown && rt.Kind == SqlTypeKind.Unknown)
        {
            return (TypeRules.Coerce(left, SqlType.Text, lp), TypeRules.Coerce(right, SqlType.Text, rp));
        }

        if (lt.Kind == SqlTypeKind.Unknown)
        {
            return (TypeRules.Coerce(left, rt with { Modifier = -1 }, lp), right);
        }

        if (rt.Kind == SqlTypeKind.Unknown)
        {
            return (left, TypeRules.Coerce(right, lt with { Modifier = -1 }, rp));
        }

        bool compatible = lt.IsArray == rt.IsArray && ((lt.Kind == rt.Kind && Equals(lt.Enum, rt.Enum)) || (lt.IsNumeric && rt.IsNumeric) || (lt.IsString && rt.IsString)
            || (IsTimeLine(lt) && IsTimeLine(rt)));
        if (!compatible)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {lt} {op} {rt}", position: position,
                hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");
        }

        return (left, right);
    }

    private static bool IsTimeLine(SqlType t) => !t.IsArray && t.Kind is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;

    private BoundExpr Arithmetic(string symbol, BoundExpr left, BoundExpr right, int position)
    {
        ArithmeticOperator op = symbol switch
        {
            "+" => ArithmeticOperator.Add,
            "-" => ArithmeticOperator.Subtract,
            "*" => ArithmeticOperator.Multiply,
            "/" => ArithmeticOperator.Divide,
            "%" => ArithmeticOperator.Modulo,
            _ => ArithmeticOperator.Power,
        };
        if (left.Type.Kind == SqlTypeKind.Unknown && right.Type.Kind == SqlTypeKind.Unknown)
        {
            left = TypeRules.Coerce(Infer(left, SqlType.Numeric), SqlType.Numeric, position);
            right = TypeRules.Coerce(Infer(right, SqlType.Numeric), SqlType.Numeric, position);
        }
        else if (left.Type.Kind == SqlTypeKind.Unknown)
        {
            SqlType t = TypeRules.ForUnknownOperand(right.Type, op);
            left = TypeRules.Coerce(Infer(left, t), t, position);
        }
        else if (right.Type.Kind == SqlTypeKind.Unknown)
        {
            SqlType t = TypeRules.ForUnknownOperand(left.Type, op);
            right = TypeRules.Coerce(Infer(right, t), t, position);
        }

        SqlType result = TypeRules.Arithmetic(op, left.Type, right.Type)
            ?? throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {left.Type} {symbol} {right.Type}", position: position,
                hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");
        return ConstantFolding.Evaluated(ConstantFolding.Strict(new ArithmeticExpr(op, left, right, result), left, right));
    }

    private BoundExpr BindIs(Ast.IsExpr i, Scope scope)
    {
        BoundExpr operand = BindExpr(i.Operand, scope);
        if (i.Test == Ast.IsTest.Null && operand is RowValueExpr row)
        {
            // a row IS NULL when every field is, IS NOT NULL when none is (so a row can be neither)
            return ConstantFolding.And([.. row.Operands.Select(f => ConstantFolding.Evaluated(new IsExpr(f, null, i.Negated)))]);
        }

        bool? truth = i.Test switch
        {
            Ast.IsTest.True => true,
            Ast.IsTest.False => false,
            _ => null,
        };
        if (i.Test != Ast.IsTest.Null)
        {
            operand = TypeRules.Coerce(operand, SqlType.Bool, Pos(i));
        }

        return ConstantFolding.Evaluated(new IsExpr(operand, truth, i.Negated));
    }

    private BoundExpr BindDistinct(Ast.IsDistinctFromExpr d, Scope scope)
    {
        (BoundExpr l, BoundExpr r) = Comparable(BindExpr(d.Left, scope), BindExpr(d.Right, scope), "IS DISTINCT FROM", Pos(d));
        return ConstantFolding.Evaluated(new IsDistinctExpr(l, r, d.Negated));
    }

    private BoundExpr BindBetween(Ast.BetweenExpr b, Scope scope)
    {
        BoundExpr x = BindExpr(b.Operand, scope);
        (BoundExpr x1, BoundExpr low) = Comparable(x, BindExpr(b.Low, scope), ">=", Pos(b));
        (BoundExpr x2, BoundExpr high) = Comparable(x, BindExpr(b.High, scope), "<=", Pos(b));
        BoundExpr inside = ConstantFolding.And([Comparison(ComparisonOperator.GreaterOrEqual, x1, low), Comparison(ComparisonOperator.LessOrEqual, x2, high)]);
        if (b.Symmetric)
        {
            inside = ConstantFolding.Or([inside, ConstantFolding.And([Comparison(ComparisonOperator.GreaterOrEqual, x1, high), Comparison(ComparisonOperator.LessOrEqual, x2, low)])]);
        }

        return b.Negated ? ConstantFolding.Not(inside) : inside;
    }

    private BoundExpr BindInList(Ast.InListExpr i, Scope scope)
    {
        if (i.Operand is Ast.RowExpr row)
        {
            return BindRowInList(i, row, scope);
        }

        BoundExpr x = BindExpr(i.Operand, scope);
        List<BoundExpr> bound = [.. i.List.Select(item => BindExpr(item, scope))];
        if (x.Type.Kind == SqlTypeKind.Unknown)
        {
            // NULL IN (NULL, 1): the untyped operand takes the list's common type, as PostgreSQL resolves it
            x = TypeRules.Coerce(x, TypeRules.Common(bound.Select(b => b.Type), "IN", Pos(i)), Pos(i));
        }

        var items = new List<BoundExpr>();
        foreach (Ast.SqlExpr item in i.List)
        {
            (BoundExpr xx, BoundExpr one) = Comparable(x, bound[items.Count], "IN", Pos(item));
            x = xx;
            items.Add(one);
        }

        return new InListExpr(x, items, i.Negated);
    }

    private BoundExpr BindLike(Ast.LikeExpr l, Scope scope)
    {
        if (l.Kind == Ast.LikeKind.SimilarTo)
        {
            return BindSimilarTo(l, scope);
        }

        BoundExpr s = TextOperand(BindExpr(l.Operand, scope));
        BoundExpr p = TextOperand(BindExpr(l.Pattern, scope));
        if (!s.Type.IsString || !p.Type.IsString)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: {s.Type} ~~ {p.Type}", position: Pos(l));
        }

        BoundExpr? escape = l.Escape is null ? null : TextOperand(BindExpr(l.Escape, scope));
        return new LikeExpr(s, p, escape, l.Kind == Ast.LikeKind.ILike, l.Negated);
    }

    private BoundExpr BindCast(Ast.CastExpr c, Scope scope)
    {
        if (c.Type.Name == "regclass" && c.Operand is Ast.LiteralExpr { Kind: Ast.LiteralKind.String } relationName)
        {
            return RegclassConstant(relationName.Value, Pos(c.Operand));
        }

        if (c.Type.Name is "text" or "varchar" or "name" && c.Operand is Ast.CastExpr { Type.Name: "regclass" or "regtype" or "regnamespace" } inner)
        {
            return RegNameText(BindCast(inner, scope), inner.Type.Name, ResolveType(c.Type, Pos(c)));
        }

        if (c.Type.Name == "regproc" && c.Operand is Ast.LiteralExpr { Kind: Ast.LiteralKind.String } procName)
        {
            return RegprocConstant(procName.Value, Pos(c.Operand));
        }

        if (c.Type.Name is "regnamespace" or "regrole" or "regtype" && c.Operand is Ast.LiteralExpr { Kind: Ast.LiteralKind.String } objectName)
        {
            return RegObjectConstant(c.Type.Name, objectName.Value, Pos(c.Operand));
        }

        SqlType target = ResolveType(c.Type, Pos(c));
        BoundExpr operand = c.Operand is Ast.ArrayExpr { Elements.Count: 0 } && target.IsArray ? EmptyArray(target) : BindExpr(c.Operand, scope);
        operand = Infer(operand, target);
        CheckEnumCast(operand.Type, target, c.OperatorPosition > 0 ? c.OperatorPosition + 1 : Pos(c), c.Type.Name is "regclass" or "regtype" or "regproc" or "regnamespace" ? c.Type.Name : null);
        if (operand is ConstantExpr k)
        {
            try
            {
                return new ConstantExpr(SqlCast.Coerce(k.Value, target, isExplicit: true), target);
            }
            catch (SqlException x) when (x.Position == 0 && c.Operand is Ast.LiteralExpr { Kind: Ast.LiteralKind.String })
            {
                throw x.AtPosition(Pos(c.Operand)); // a literal is read at parse time, where PostgreSQL points at it; a folded cast is not
            }
        }

        return operand.Type == target ? operand : new CastExpr(operand, target, isExplicit: true);
    }

    private BoundExpr BindCase(Ast.CaseExpr c, Scope scope)
    {
        BoundExpr? subject = c.Operand is null ? null : BindExpr(c.Operand, scope);
        var whens = new List<(BoundExpr, BoundExpr)>();
        foreach (Ast.CaseWhen w in c.Whens)
        {
            BoundExpr when;
            if (subject is null)
            {
                when = Boolean(w.When, scope, "CASE/WHEN");
            }
            else
            {
                (subject, when) = Comparable(subject, BindExpr(w.When, scope), "=", Pos(w.When));
            }

            whens.Add((when, BindExpr(w.Then, scope)));
        }

        BoundExpr? otherwise = c.Else is null ? null : BindExpr(c.Else, scope);
        SqlType type = TypeRules.Common(whens.Select(w => w.Item2.Type).Concat(otherwise is null ? [] : [otherwise.Type]), "CASE", Pos(c));
        return FoldedCase(subject, [.. whens.Select(w => (w.Item1, TypeRules.Coerce(w.Item2, type)))], otherwise is null ? null : TypeRules.Coerce(otherwise, type), type);
    }

    /// <summary>
    /// CASE without the arms a constant test rules out, ending at the first arm a constant test selects (as PostgreSQL
    /// simplifies it, so an unreachable arm's 1 / 0 raises nothing); no arm left is its ELSE.
    /// </summary>
    private static BoundExpr FoldedCase(BoundExpr? subject, List<(BoundExpr When, BoundExpr Then)> whens, BoundExpr? otherwise, SqlType type)
    {
        var kept = new List<(BoundExpr, BoundExpr)>();
        foreach ((BoundExpr when, BoundExpr then) in whens)
        {
            bool? test = subject is null
                ? (ConstantFolding.IsNullConstant(when) ? false : when is ConstantExpr { Value.Kind: SqlTypeKind.Bool } c ? c.Value.AsBool : null)
                : ConstantFolding.IsNullConstant(subject) || ConstantFolding.IsNullConstant(when) ? false
                : subject is ConstantExpr s && when is ConstantExpr w ? SqlCompare.Compare(s.Value, w.Value) == 0 : null;
            if (test == false)
            {
                continue;
            }

            if (test == true && kept.Count == 0)
            {
                return then;
            }

            if (test == true)
            {
                otherwise = then;
                break;
            }

            kept.Add((when, then));
        }

        return kept.Count == 0 ? otherwise ?? ConstantFolding.Null(type) : new CaseExpr(subject, kept, otherwise, type);
    }

    private static BoundExpr Comparison(ComparisonOperator op, BoundExpr left, BoundExpr right) =>
        ConstantFolding.Evaluated(ConstantFolding.Strict(new ComparisonExpr(op, left, right), left, right));

    /// <summary>CURRENT_TIMESTAMP(p), CURRENT_DATE, CURRENT_USER...: the functions of those names (the statement's time, the session's user).</summary>
    private BoundExpr BindValueFunction(Ast.SqlValueFunctionExpr v)
    {
        string name = v.Function switch
        {
            Ast.SqlValueFunction.CurrentDate => "current_date",
            Ast.SqlValueFunction.CurrentTime => "current_time",
            Ast.SqlValueFunction.CurrentTimestamp => "current_timestamp",
            Ast.SqlValueFunction.LocalTime => "localtime",
            Ast.SqlValueFunction.LocalTimestamp => "localtimestamp",
            Ast.SqlValueFunction.CurrentUser or Ast.SqlValueFunction.CurrentRole or Ast.SqlValueFunction.User => "current_user",
            Ast.SqlValueFunction.SessionUser => "session_user",
            Ast.SqlValueFunction.CurrentCatalog => "current_database",
            _ => "current_schema",
        };
        List<BoundExpr> args = v.Precision is int p ? [new ConstantExpr(SqlValue.FromInt4(p), SqlType.Int4)] : [];
        return CallScalar(name, args, Pos(v));
    }

    /// <summary>Resolves and binds a built-in scalar call; catalog and session functions read this statement's catalog and session.</summary>
    private BoundExpr CallScalar(string name, List<BoundExpr> args, int position, IReadOnlyList<int>? argPositions = null)
    {
        IReadOnlyList<SqlType> types = [.. args.Select(a => a.Type)];
        ScalarFunction fn;
        try
        {
            fn = CatalogFunctions.IsCatalogFunction(name) || SessionFunctions.IsSessionFunction(name)
                ? CatalogFunctions.Resolve(name, types, _session)
                : FunctionCatalog.ResolveScalar(name, types);
        }
        catch (SqlException e) when (e.Position == 0)
        {
            throw e.AtPosition(position);
        }

        var coerced = new List<BoundExpr>(args.Count);
        for (int i = 0; i < args.Count; i++)
        {
            SqlType p = i < fn.Parameters.Count ? fn.Parameters[i] : fn.VariadicElement ?? SqlType.Unknown;
            coerced.Add(TypeRules.Coerce(Infer(args[i], p), p, argPositions?[i] ?? position));
        }

        ScalarBody body = fn.Body;
        var call = new FunctionExpr(name, body.Invoke, coerced, fn.ReturnType, fn.Strict, fn.IsVolatile);
        return fn.Strict ? ConstantFolding.Strict(call, [.. coerced]) : call;
    }

    /// <summary>
    /// <c>f(a, VARIADIC arr)</c>: a variadic function called with an array for its variadic parameter; the array's elements
    /// are its arguments. A NULL array gives concat / concat_ws NULL, as PostgreSQL documents, and no arguments elsewhere.
    /// </summary>
    private BoundExpr BindVariadicCall(Ast.FunctionCallExpr f, string name, Scope scope)
    {
        if (f.Over is not null || f.Filter is not null || f.OrderBy is not null || IsAggregateCall(f) || TableFunctions.IsSetReturning(name) || JsonFunctions.TakesAnyArguments(name))
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"VARIADIC in a call of {name} is not supported", position: Pos(f));
        }

        List<BoundExpr> args = [.. f.Args.Select(a => BindExpr(a, scope))];
        BoundExpr array = args[^1];
        if (!array.Type.IsArray)
        {
            throw new SqlException(SqlState.DatatypeMismatch, "VARIADIC argument must be an array", position: Pos(f.Args[^1]));
        }

        // resolved as a call with one variadic argument of the element type; the body takes any number of them
        List<BoundExpr> fixedArgs = [.. args.SkipLast(1)];
        ScalarFunction? fn = null;
        try
        {
            fn = FunctionCatalog.ResolveScalar(name, [.. fixedArgs.Select(a => a.Type), array.Type.Element]);
        }
        catch (SqlException e) when (e.SqlState == SqlState.UndefinedFunction)
        {
        }

        if (fn?.VariadicElement is null || fn.Parameters.Count is var n && n != fixedArgs.Count && n != fixedArgs.Count + 1)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type.ToString()))}) does not exist",
                position: Pos(f), hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        }

        SqlType element = fn.Parameters.Count > fixedArgs.Count ? fn.Parameters[^1] : fn.VariadicElement.Value;

        fixedArgs = [.. fixedArgs.Select((a, i) => TypeRules.Coerce(Infer(a, fn.Parameters[i]), fn.Parameters[i], Pos(f.Args[i])))];
        BoundExpr spread = TypeRules.Coerce(array, element.ArrayOf(), Pos(f.Args[^1]));
        ScalarBody body = fn.Body;
        bool nullWhenNull = name is "concat" or "concat_ws";
        return new FunctionExpr(name, (values, context) =>
        {
            SqlValue items = values[^1];
            if (items.IsNull && nullWhenNull)
            {
                return SqlValue.Null;
            }

            SqlValue[] all = [.. values.AsSpan(0, values.Length - 1), .. items.IsNull ? [] : items.AsArray.Items];
            return fn.Strict && all.Any(v => v.IsNull) ? SqlValue.Null : body(all, context);
        }, [.. fixedArgs, spread], fn.ReturnType, strict: false, fn.IsVolatile);
    }

    private static bool IsAggregateCall(Ast.FunctionCallExpr f) => f.Over is null && FunctionCatalog.IsAggregate(FunctionName(f));

    private static string FunctionName(Ast.FunctionCallExpr f) =>
        f.Name.Count == 2 && f.Name[0] == "pg_catalog" ? f.Name[1] : string.Join('.', f.Name);

    private BoundExpr BindFunction(Ast.FunctionCallExpr f, Scope scope)
    {
        string name = FunctionName(f);
        if (f.Over is not null || IsWindowOnly(name))
        {
            return BindWindowReference(f, name);
        }

        if (f.VariadicLast)
        {
            return BindVariadicCall(f, name, scope);
        }

        if (JsonFunctions.TakesAnyArguments(name) && !f.Star && f.Filter is null && f.OrderBy is null)
        {
            // to_json(any), json_build_object(any...): each argument keeps its own type, as "any" parameters do
            List<BoundExpr> anyArgs = [.. f.Args.Select(a => BindExpr(a, scope)).Select(a => a.Type.Kind == SqlTypeKind.Unknown ? TypeRules.Coerce(a, SqlType.Text) : a)];
            (SqlType result, Func<SqlValue[], SqlValue> body, bool strict) = JsonFunctions.Bind(name, [.. anyArgs.Select(a => a.Type)], Pos(f));
            var call = new FunctionExpr(name, (values, _) => body(values), anyArgs, result, strict, volatileResult: false);
            return strict ? ConstantFolding.Strict(call, [.. anyArgs]) : call;
        }

        if (name == "pg_typeof" && f.Args.Count == 1 && !f.Star && f.Filter is null)
        {
            // pg_typeof(any): the argument's type as format_type names it (the value itself is not evaluated)
            SqlType type = BindExpr(f.Args[0], scope).Type;
            return new ConstantExpr(SqlValue.FromText(type.Kind == SqlTypeKind.Unknown ? "unknown" : type.ToString()), SqlType.Text);
        }

        if (IsAggregateCall(f))
        {
            string where = _noAggregatesIn ?? "this context";
            throw new SqlException(SqlState.GroupingError, _noAggregatesIn is null
                ? "aggregate function calls cannot be nested"
                : $"aggregate functions are not allowed in {where}", position: Pos(f));
        }

        if (TableFunctions.IsSetReturning(name))
        {
            return BindSetReturningCall(f, name, scope);
        }

        List<BoundExpr> args = name == "coalesce"
            ? NoSetReturningIn<List<BoundExpr>>("COALESCE", () => [.. f.Args.Select(a => BindExpr(a, scope))])
            : [.. f.Args.Select(a => BindExpr(a, scope))];
        switch (name)
        {
            case "coalesce":
            {
                SqlType t = TypeRules.Common(args.Select(a => a.Type), "COALESCE", Pos(f));
                return FoldedCoalesce([.. args.Select(a => TypeRules.Coerce(a, t))], t);
            }

            case "nullif" when args.Count == 2:
            {
                (BoundExpr a, BoundExpr b) = Comparable(args[0], args[1], "=", Pos(f));
                return new CaseExpr(null, [(new ComparisonExpr(ComparisonOperator.Equal, a, b), new ConstantExpr(SqlValue.Null, a.Type))], a, a.Type);
            }

            case "nextval" when args.Count == 1 && args[0] is ConstantExpr { Value.IsNull: false } seqName:
            {
                // nextval('s') or nextval('s'::regclass), which arrives as the sequence's OID
                bool byOid = seqName.Value.Kind == SqlTypeKind.Oid;
                string text = byOid ? seqName.Value.AsInt64.ToString(CultureInfo.InvariantCulture) : seqName.Value.AsString;
                SequenceDef seq = (byOid ? _catalog.Find<SequenceDef>((uint)seqName.Value.AsInt64) : FindRelation(new Ast.ObjectName(text.Split('.'))) as SequenceDef)
                    ?? throw new SqlException(SqlState.UndefinedTable, $"relation \"{text}\" does not exist", position: Pos(f));
                return new FunctionExpr("nextval", (_, context) => SqlValue.FromInt8(Rows.SequenceStore.Next(
                    context.Runtime?.Transaction ?? throw new InvalidOperationException("nextval needs a transaction"), seq)), [], SqlType.Int8, strict: false, volatileResult: true);
            }

            case "enum_first" or "enum_last" or "enum_range":
                return BindEnumFunction(name, args, Pos(f));
            case "greatest" or "least":
            {
                SqlType t = TypeRules.Common(args.Select(a => a.Type), name.ToUpperInvariant(), Pos(f));
                bool greatest = name == "greatest";
                return new FunctionExpr(name, (values, _) => Extreme(values, greatest), [.. args.Select(a => TypeRules.Coerce(a, t))], t, strict: false);
            }
        }

        if (Functions.ArrayFunctions.TakesCompatibleArguments(name))
        {
            args = CompatibleArrayArguments(name, args, Pos(f));
        }

        return CallScalar(name, args, Pos(f), [.. f.Args.Select(Pos)]);
    }

    /// <summary>COALESCE without NULL constants and without the arguments after a non-NULL constant (never evaluated).</summary>
    private static BoundExpr FoldedCoalesce(List<BoundExpr> args, SqlType type)
    {
        var kept = new List<BoundExpr>();
        foreach (BoundExpr a in args)
        {
            if (ConstantFolding.IsNullConstant(a))
            {
                continue;
            }

            kept.Add(a);
            if (a is ConstantExpr)
            {
                break;
            }
        }

        return kept.Count switch
        {
            0 => ConstantFolding.Null(type),
            1 => kept[0],
            _ => new CoalesceExpr(kept, type),
        };
    }

    private static SqlValue Extreme(SqlValue[] values, bool greatest)
    {
        SqlValue best = SqlValue.Null;
        foreach (SqlValue v in values)
        {
            if (!v.IsNull && (best.IsNull || (SqlCompare.Compare(v, best) > 0) == greatest && SqlCompare.Compare(v, best) != 0))
            {
                best = v;
            }
        }

        return best;
    }

    private BoundExpr BindScalarSubquery(Ast.SubqueryExpr s, Scope scope)
    {
        PlanNode plan = BindSubquery(s.Subquery, scope, 1, out bool correlated);
        return new ScalarSubqueryExpr(plan, plan.Columns[0].Type, correlated);
    }

    private BoundExpr BindExists(Ast.ExistsExpr e, Scope scope)
    {
        PlanNode plan = BindSubquery(e.Subquery, scope, null, out bool correlated);
        return new ExistsExpr(plan, negated: false, correlated);
    }

    private BoundExpr BindArraySubquery(Ast.ArraySubqueryExpr a, Scope scope)
    {
        PlanNode plan = BindSubquery(a.Subquery, scope, 1, out bool correlated);
        return new ArraySubqueryValueExpr(plan, correlated);
    }

    private BoundExpr BindQuantifiedSubquery(BoundExpr left, ComparisonOperator op, bool all, Ast.Query query, Scope scope, string symbol, int position)
    {
        PlanNode plan = BindSubquery(query, scope, 1, out bool correlated);
        // typed as a comparison with the subquery's column: an untyped literal or parameter takes its type ('1' IN (SELECT
        // int_col) reads '1' as an integer, 'x' fails with 22P02), and incomparable types fail with 42883
        (left, _) = Comparable(left, new ColumnExpr(0, plan.Columns[0].Type), symbol, position);
        return new QuantifiedSubqueryExpr(left, op, all, plan, correlated, JoinPlanner.Hashable(left.Type, plan.Columns[0].Type));
    }

    /// <summary>Binds a nested query whose rows are evaluated with this scope as its outer scope; <paramref name="columns"/> checks its width.</summary>
    private PlanNode BindSubquery(Ast.Query query, Scope scope, int? columns) => BindSubquery(query, scope, columns, out _);

    /// <summary>As above; <paramref name="correlated"/> tells whether the subquery read any enclosing query's column.</summary>
    private PlanNode BindSubquery(Ast.Query query, Scope scope, int? columns, out bool correlated)
    {
        var frame = new SubqueryFrame(scope);
        _subqueryFrames.Add(frame);
        try
        {
            PlanNode plan = BindSubqueryBody(query, scope, columns);
            correlated = frame.Correlated;
            return plan;
        }
        finally
        {
            _subqueryFrames.Remove(frame);
        }
    }

    private PlanNode BindSubqueryBody(Ast.Query query, Scope scope, int? columns)
    {
        AggregateScope? savedAgg = _aggregateScope;
        string? savedNoAgg = _noAggregatesIn;
        Dictionary<string, ColumnExpr>? savedWindows = _windowColumns;
        _aggregateScope = null;
        _noAggregatesIn = null;
        _windowColumns = null;
        try
        {
            PlanNode plan = BindQuery(query, savedAgg is null ? scope : new Scope(AggregateOutputScope(savedAgg), savedAgg.Input.Outer));
            if (columns is int n && plan.Columns.Count != n)
            {
                throw new SqlException(SqlState.SyntaxError, plan.Columns.Count > n ? "subquery has too many columns" : "subquery has too few columns");
            }

            return plan;
        }
        finally
        {
            _aggregateScope = savedAgg;
            _noAggregatesIn = savedNoAgg;
            _windowColumns = savedWindows;
        }
    }

    private static IReadOnlyList<ScopeColumn> AggregateOutputScope(AggregateScope agg) =>
        [.. agg.Output.Select(c => new ScopeColumn(null, c.Name, c.Type, HiddenFromUnqualified: true))];
}
