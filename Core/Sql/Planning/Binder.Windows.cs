using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// Window functions: the select list's and ORDER BY's <c>f(...) OVER (...)</c> calls become the columns of a
/// <see cref="WindowNode"/> placed above grouping and HAVING, and the projection reads them by their text.
/// </summary>
internal sealed partial class Binder
{
    private const string WindowingError = "42P20";

    /// <summary>The window calls of the select block being projected, by printed text, as columns of its WindowNode.</summary>
    private Dictionary<string, ColumnExpr>? _windowColumns;

    private static bool IsWindowOnly(string name) => name is "row_number" or "rank" or "dense_rank" or "percent_rank" or "cume_dist" or "ntile"
        or "lag" or "lead" or "first_value" or "last_value" or "nth_value";

    /// <summary>The window calls of the select list and ORDER BY (HAVING may not have any), checked for nesting.</summary>
    private static List<Ast.FunctionCallExpr> CollectWindowCalls(Ast.SelectQuery select, IEnumerable<Ast.SqlExpr> projected)
    {
        if (select.Having is not null && FindWindowCall(select.Having) is { } inHaving)
        {
            throw new SqlException(WindowingError, "window functions are not allowed in HAVING", position: Pos(inHaving));
        }

        var calls = new List<Ast.FunctionCallExpr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Ast.SqlExpr e in projected)
        {
            foreach (Ast.SqlExpr node in ExpressionWalker.Walk(e))
            {
                if (node is Ast.FunctionCallExpr { Over: not null } call && seen.Add(Ast.SqlPrinter.Print(call)))
                {
                    calls.Add(call);
                }
            }
        }

        foreach (Ast.FunctionCallExpr call in calls)
        {
            foreach (Ast.SqlExpr inner in WindowCallParts(call, select))
            {
                if (FindWindowCall(inner) is { } nested)
                {
                    throw new SqlException(WindowingError, "window function calls cannot be nested", position: Pos(nested));
                }
            }
        }

        return calls;
    }

    private static Ast.FunctionCallExpr? FindWindowCall(Ast.SqlExpr e) =>
        ExpressionWalker.Walk(e).OfType<Ast.FunctionCallExpr>().FirstOrDefault(f => f.Over is not null);

    /// <summary>A call's arguments, FILTER and window expressions (named windows included).</summary>
    private static IEnumerable<Ast.SqlExpr> WindowCallParts(Ast.FunctionCallExpr call, Ast.SelectQuery select)
    {
        foreach (Ast.SqlExpr a in call.Args)
        {
            yield return a;
        }

        if (call.Filter is not null)
        {
            yield return call.Filter;
        }

        for (Ast.WindowSpec? w = call.Over; w is not null; w = w.BaseName is { } name ? select.Windows.FirstOrDefault(n => n.Name == name)?.Spec : null)
        {
            foreach (Ast.SqlExpr p in w.PartitionBy)
            {
                yield return p;
            }

            foreach (Ast.OrderItem o in w.OrderBy)
            {
                yield return o.Expr;
            }
        }
    }

    /// <summary>Aggregates inside window calls (<c>rank() OVER (ORDER BY sum(b))</c>) are computed by the grouping below the window.</summary>
    private static void CollectWindowAggregates(List<Ast.FunctionCallExpr> windowCalls, Ast.SelectQuery select, List<Ast.FunctionCallExpr> into)
    {
        foreach (Ast.FunctionCallExpr call in windowCalls)
        {
            foreach (Ast.SqlExpr part in WindowCallParts(call, select))
            {
                CollectAggregates(part, into);
            }
        }
    }

    /// <summary>Builds the WindowNode over <paramref name="input"/> and makes its columns visible to the projection.</summary>
    private PlanNode BindWindows(PlanNode input, Ast.SelectQuery select, List<Ast.FunctionCallExpr> calls, Scope scope)
    {
        var definitions = new Dictionary<string, WindowDefinition>(StringComparer.Ordinal);
        var bound = new List<WindowCall>();
        var columns = new List<PlanColumn>();
        var references = new Dictionary<string, ColumnExpr>(StringComparer.Ordinal);
        string? saved = _noAggregatesIn;
        try
        {
            foreach (Ast.FunctionCallExpr call in calls)
            {
                Ast.WindowSpec spec = ResolveWindow(call.Over!, select);
                string key = Ast.SqlPrinter.Print(new Ast.FunctionCallExpr(["w"], [], Over: spec));
                if (!definitions.TryGetValue(key, out WindowDefinition? definition))
                {
                    definition = BindWindowDefinition(spec, scope);
                    definitions[key] = definition;
                }

                WindowCall windowCall = BindWindowCall(call, definition, scope);
                references[Ast.SqlPrinter.Print(call)] = new ColumnExpr(input.Columns.Count + bound.Count, windowCall.Type);
                bound.Add(windowCall);
                columns.Add(new PlanColumn(FunctionName(call), windowCall.Type));
            }
        }
        finally
        {
            _noAggregatesIn = saved;
        }

        _windowColumns = references;
        return new WindowNode(input, bound, columns);
    }

    /// <summary><c>OVER w</c> and <c>OVER (w ORDER BY ...)</c>: the named window, refined as PostgreSQL allows.</summary>
    private static Ast.WindowSpec ResolveWindow(Ast.WindowSpec spec, Ast.SelectQuery select, int depth = 0)
    {
        if (spec.BaseName is not { } name)
        {
            return spec;
        }

        Ast.NamedWindow named = select.Windows.FirstOrDefault(w => w.Name == name)
            ?? throw new SqlException(SqlState.UndefinedObject, $"window \"{name}\" does not exist");
        Ast.WindowSpec baseSpec = depth > select.Windows.Count ? named.Spec : ResolveWindow(named.Spec, select, depth + 1);
        bool refined = spec.PartitionBy.Count > 0 || spec.OrderBy.Count > 0 || spec.Frame is not null;
        if (!refined)
        {
            return baseSpec;
        }

        if (spec.PartitionBy.Count > 0)
        {
            throw new SqlException(WindowingError, $"cannot override PARTITION BY clause of window \"{name}\"");
        }

        if (spec.OrderBy.Count > 0 && baseSpec.OrderBy.Count > 0)
        {
            throw new SqlException(WindowingError, $"cannot override ORDER BY clause of window \"{name}\"");
        }

        if (baseSpec.Frame is not null)
        {
            throw new SqlException(WindowingError, $"cannot copy window \"{name}\" because it has a frame clause", hint: "Omit the parentheses in this OVER clause.");
        }

        return new Ast.WindowSpec(null, baseSpec.PartitionBy, spec.OrderBy.Count > 0 ? spec.OrderBy : baseSpec.OrderBy, spec.Frame);
    }

    private WindowDefinition BindWindowDefinition(Ast.WindowSpec spec, Scope scope)
    {
        _noAggregatesIn = null;
        List<BoundExpr> partition = [.. spec.PartitionBy.Select(p => TextOperand(BindExpr(p, scope)))];
        List<OrderExpr> order = [.. spec.OrderBy.Select(o => new OrderExpr(TextOperand(BindExpr(o.Expr, scope)), o.Descending, o.NullsFirst ?? o.Descending))];
        if (spec.Frame is not { } frame)
        {
            return new WindowDefinition(partition, order, WindowFrameSpec.Default);
        }

        Ast.FrameBound end = frame.End ?? new Ast.FrameBound(Ast.FrameBoundKind.CurrentRow);
        CheckFrameBounds(frame.Start, end);
        var unit = frame.Unit switch
        {
            Ast.FrameUnit.Rows => WindowFrameUnit.Rows,
            Ast.FrameUnit.Range => WindowFrameUnit.Range,
            _ => WindowFrameUnit.Groups,
        };
        if (unit == WindowFrameUnit.Groups && order.Count == 0)
        {
            throw new SqlException(WindowingError, "GROUPS mode requires an ORDER BY clause");
        }

        var exclude = frame.Exclude?.ToUpperInvariant() switch
        {
            "CURRENT ROW" => WindowExclusion.CurrentRow,
            "GROUP" => WindowExclusion.Group,
            "TIES" => WindowExclusion.Ties,
            _ => WindowExclusion.NoOthers,
        };
        return new WindowDefinition(partition, order, new WindowFrameSpec(unit, BindFrameBound(frame.Start, unit, order), BindFrameBound(end, unit, order), exclude));
    }

    private static void CheckFrameBounds(Ast.FrameBound start, Ast.FrameBound end)
    {
        string? error = (start.Kind, end.Kind) switch
        {
            (Ast.FrameBoundKind.UnboundedFollowing, _) => "frame start cannot be UNBOUNDED FOLLOWING",
            (_, Ast.FrameBoundKind.UnboundedPreceding) => "frame end cannot be UNBOUNDED PRECEDING",
            (Ast.FrameBoundKind.CurrentRow, Ast.FrameBoundKind.Preceding) => "frame starting from current row cannot have preceding rows",
            (Ast.FrameBoundKind.Following, Ast.FrameBoundKind.Preceding or Ast.FrameBoundKind.CurrentRow) => "frame starting from following row cannot have preceding rows",
            _ => null,
        };
        if (error is not null)
        {
            throw new SqlException(WindowingError, error);
        }
    }

    private WindowBound BindFrameBound(Ast.FrameBound bound, WindowFrameUnit unit, List<OrderExpr> order)
    {
        var kind = (WindowBoundKind)(byte)bound.Kind;
        if (bound.Offset is null)
        {
            return new WindowBound(kind);
        }

        BoundExpr offset = BindExpr(bound.Offset, Scope.Empty(null));
        if (unit != WindowFrameUnit.Range)
        {
            return new WindowBound(kind, TypeRules.Coerce(Infer(offset, SqlType.Int8), SqlType.Int8, Pos(bound.Offset)));
        }

        if (order.Count != 1)
        {
            throw new SqlException(WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column", position: Pos(bound.Offset));
        }

        // the bound's key is key - offset (PRECEDING) or key + offset (FOLLOWING), the other way round for DESC
        SqlType keyType = order[0].Expr.Type;
        SqlType offsetType = keyType.IsNumeric && !keyType.IsArray ? keyType
            : !keyType.IsArray && keyType.Kind is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz or SqlTypeKind.Time or SqlTypeKind.Interval ? SqlType.Interval
            : throw new SqlException(SqlState.FeatureNotSupported, $"RANGE with offset PRECEDING/FOLLOWING is not supported for column type {keyType}", position: Pos(bound.Offset));
        if (offsetType.IsInteger && offset.Type.IsInteger)
        {
            offsetType = offset.Type.Kind == SqlTypeKind.Int8 || keyType.Kind == SqlTypeKind.Int8 ? SqlType.Int8 : keyType;
        }

        offset = TypeRules.Coerce(Infer(offset, offsetType), offsetType, Pos(bound.Offset));
        bool subtract = (kind == WindowBoundKind.Preceding) != order[0].Descending;
        BoundExpr rangeValue = Arithmetic(subtract ? "-" : "+", new ColumnExpr(0, keyType), new ColumnExpr(1, offset.Type), Pos(bound.Offset));
        return new WindowBound(kind, offset, rangeValue);
    }

    private WindowCall BindWindowCall(Ast.FunctionCallExpr call, WindowDefinition window, Scope scope)
    {
        string name = FunctionName(call);
        if (call.Distinct)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "DISTINCT is not implemented for window functions", position: Pos(call));
        }

        if (call.OrderBy is { Count: > 0 })
        {
            throw new SqlException(SqlState.FeatureNotSupported, "aggregate ORDER BY is not implemented for window functions", position: Pos(call));
        }

        if (OrderedAggregates.IsOrderedSet(name) || call.WithinGroup is not null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"OVER is not supported for ordered-set aggregate {name}", position: Pos(call));
        }

        _noAggregatesIn = null;
        List<BoundExpr> args = call.Star ? [] : [.. call.Args.Select(a => BindExpr(a, scope))];
        if (FunctionCatalog.IsAggregate(name))
        {
            args = [.. args.Select(a => a.Type.Kind == SqlTypeKind.Unknown ? TypeRules.Coerce(a, SqlType.Text) : a)];
            AggregateFunction fn = FunctionCatalog.ResolveAggregate(name, [.. args.Select(a => a.Type)])
                ?? throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call));
            args = [.. args.Select((a, i) => i < fn.Parameters.Count ? TypeRules.Coerce(a, fn.Parameters[i]) : a)];
            BoundExpr? filter = call.Filter is null ? null : Boolean(call.Filter, scope, "FILTER");
            return new WindowCall(WindowFunctionKind.Aggregate, fn, args, filter, window, fn.ReturnType);
        }

        if (!IsWindowOnly(name))
        {
            throw new SqlException(SqlState.WrongObjectType, $"OVER specified, but {name} is not a window function nor an aggregate function", position: Pos(call));
        }

        if (call.Filter is not null)
        {
            throw new SqlException(SqlState.WrongObjectType, "FILTER is not implemented for non-aggregate window functions", position: Pos(call));
        }

        (WindowFunctionKind kind, int min, int max) = name switch
        {
            "row_number" => (WindowFunctionKind.RowNumber, 0, 0),
            "rank" => (WindowFunctionKind.Rank, 0, 0),
            "dense_rank" => (WindowFunctionKind.DenseRank, 0, 0),
            "percent_rank" => (WindowFunctionKind.PercentRank, 0, 0),
            "cume_dist" => (WindowFunctionKind.CumeDist, 0, 0),
            "ntile" => (WindowFunctionKind.Ntile, 1, 1),
            "lag" => (WindowFunctionKind.Lag, 1, 3),
            "lead" => (WindowFunctionKind.Lead, 1, 3),
            "first_value" => (WindowFunctionKind.FirstValue, 1, 1),
            "last_value" => (WindowFunctionKind.LastValue, 1, 1),
            _ => (WindowFunctionKind.NthValue, 2, 2),
        };
        if (args.Count < min || args.Count > max)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call),
                hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        }

        SqlType type;
        switch (kind)
        {
            case WindowFunctionKind.RowNumber or WindowFunctionKind.Rank or WindowFunctionKind.DenseRank:
                type = SqlType.Int8;
                break;
            case WindowFunctionKind.PercentRank or WindowFunctionKind.CumeDist:
                type = SqlType.Float8;
                break;
            case WindowFunctionKind.Ntile:
                type = SqlType.Int4;
                args[0] = TypeRules.Coerce(Infer(args[0], SqlType.Int4), SqlType.Int4, Pos(call.Args[0]));
                break;
            case WindowFunctionKind.Lag or WindowFunctionKind.Lead:
                type = args.Count == 3 ? TypeRules.Common([args[0].Type, args[2].Type], name, Pos(call)) : TextIfUnknown(args[0].Type);
                args[0] = TypeRules.Coerce(args[0], type);
                if (args.Count > 1)
                {
                    args[1] = TypeRules.Coerce(Infer(args[1], SqlType.Int4), SqlType.Int4, Pos(call.Args[1]));
                }

                if (args.Count > 2)
                {
                    args[2] = TypeRules.Coerce(args[2], type, Pos(call.Args[2]));
                }

                break;
            default:
                type = TextIfUnknown(args[0].Type);
                args[0] = TypeRules.Coerce(args[0], type);
                if (kind == WindowFunctionKind.NthValue)
                {
                    args[1] = TypeRules.Coerce(Infer(args[1], SqlType.Int4), SqlType.Int4, Pos(call.Args[1]));
                }

                break;
        }

        return new WindowCall(kind, null, args, null, window, type);
    }

    private static SqlType TextIfUnknown(SqlType t) => t.Kind == SqlTypeKind.Unknown && !t.IsArray ? SqlType.Text : t;

    /// <summary>A window call met while binding an expression: a column of the WindowNode, or the error for where it stands.</summary>
    private BoundExpr BindWindowReference(Ast.FunctionCallExpr f, string name)
    {
        if (f.Over is null)
        {
            throw new SqlException(SqlState.WrongObjectType, $"window function {name} requires an OVER clause", position: Pos(f));
        }

        if (_windowColumns is not null && _windowColumns.TryGetValue(Ast.SqlPrinter.Print(f), out ColumnExpr? column))
        {
            return column;
        }

        if (_noAggregatesIn == "the arguments of an aggregate")
        {
            throw new SqlException(SqlState.GroupingError, "aggregate function calls cannot contain window function calls", position: Pos(f));
        }

        throw new SqlException(WindowingError, $"window functions are not allowed in {_noAggregatesIn ?? "this context"}", position: Pos(f));
    }
}
