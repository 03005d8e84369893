using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// Functions in FROM: set-returning functions (<see cref="TableFunctions"/>) and any scalar function as a one-row
/// table. As in PostgreSQL they are implicitly LATERAL: arguments may name the FROM items before them, and then the
/// call runs once per row of those.
/// </summary>
internal sealed partial class Binder
{
    /// <summary>Function items whose arguments read earlier FROM items, so they join as lateral.</summary>
    private readonly HashSet<Ast.TableRef> _lateralFunctions = new(ReferenceEqualityComparer.Instance);

    private bool IsLateral(Ast.TableRef item) => item is Ast.SubqueryTableRef { Lateral: true } || _lateralFunctions.Contains(item);

    private (PlanNode, List<ScopeColumn>) BindFunctionTable(Ast.FunctionTableRef item, Scope? outer, List<ScopeColumn>? lateralLeft)
    {
        Ast.FunctionCallExpr call = item.Function;
        string name = FunctionName(call);
        bool lateral = lateralLeft is not null && call.Args.SelectMany(ExpressionWalker.Walk).OfType<Ast.ColumnRefExpr>()
            .Any(c => TryResolveLocal(new Scope(lateralLeft, null), c) is not null);
        if (lateral)
        {
            _lateralFunctions.Add(item);
        }

        Scope scope = Scope.Empty(lateral ? new Scope(lateralLeft!, outer) : outer);
        if (call.Over is not null || IsAggregateCall(call))
        {
            throw new SqlException(SqlState.GroupingError, $"{(call.Over is null ? "aggregate" : "window")} functions are not allowed in functions in FROM", position: Pos(call));
        }

        string? saved = _noAggregatesIn;
        _noAggregatesIn = "functions in FROM";
        PlanNode plan;
        try
        {
            List<BoundExpr> args = [.. call.Args.Select(a => BindExpr(a, scope))];
            TableFunction? function = TableFunctions.Resolve(name, [.. args.Select(a => a.Type)]);
            if (function is not null)
            {
                args = [.. args.Select((a, i) => TypeRules.Coerce(Infer(a, function.Parameters[i]), function.Parameters[i], Pos(call.Args[i])))];
                plan = new TableFunctionNode(function, args, item.WithOrdinality);
            }
            else if (name is "generate_series" or "unnest" or "regexp_split_to_table" || name.StartsWith("json", StringComparison.Ordinal) && TableFunctions.Resolve(name, [SqlType.Jsonb]) is not null)
            {
                throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call),
                    hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
            }
            else
            {
                // a scalar function: one row of its value
                BoundExpr value = BindExpr(call, scope);
                List<BoundExpr> exprs = [value.Type.Kind == SqlTypeKind.Unknown && !value.Type.IsArray ? TypeRules.Coerce(value, SqlType.Text) : value];
                List<PlanColumn> columns = [new PlanColumn(name, exprs[0].Type)];
                if (item.WithOrdinality)
                {
                    exprs.Add(new ConstantExpr(SqlValue.FromInt8(1), SqlType.Int8));
                    columns.Add(new PlanColumn("ordinality", SqlType.Int8));
                }

                plan = new ProjectNode(new SingleRowNode(), exprs, columns);
            }
        }
        finally
        {
            _noAggregatesIn = saved;
        }

        // a function of one result column names it after the alias, as PostgreSQL does
        string alias = item.Alias?.Name ?? name;
        int resultColumns = plan.Columns.Count - (item.WithOrdinality ? 1 : 0);
        IReadOnlyList<PlanColumn> named = resultColumns == 1 && plan.Columns[0].Name == name
            ? [plan.Columns[0] with { Name = alias }, .. plan.Columns.Skip(1)]
            : plan.Columns;
        return (plan, Rename(named, alias, item.Alias?.Columns));
    }

    /// <summary>The set-returning calls of the select list being bound; null where they are not allowed.</summary>
    private sealed class ProjectSetCalls(int inputWidth)
    {
        public int InputWidth => inputWidth;

        public List<SetReturningCall> Calls { get; } = [];
    }

    private ProjectSetCalls? _projectSet;

    /// <summary>Binds an expression where PostgreSQL refuses set-returning calls even in a select list (CASE, COALESCE: they would run conditionally).</summary>
    private T NoSetReturningIn<T>(string clause, Func<T> bind)
    {
        string? saved = _setReturningClause;
        _setReturningClause ??= clause;
        try
        {
            return bind();
        }
        finally
        {
            _setReturningClause = saved;
        }
    }

    /// <summary>A clause that allows aggregates but not set-returning functions (HAVING), for the error.</summary>
    private string? _setReturningClause;

    /// <summary>
    /// <c>generate_series(...)</c>, <c>unnest(a)</c>... in a select list: a call of the ProjectSet below the projection,
    /// read as the column after the input's (see <see cref="ProjectSetNode"/>). Elsewhere it is PostgreSQL's 0A000.
    /// </summary>
    private BoundExpr BindSetReturningCall(Ast.FunctionCallExpr call, string name, Scope scope)
    {
        ProjectSetCalls? calls = _projectSet;
        if (calls is null || _noAggregatesIn is not null || _setReturningClause is not null)
        {
            string where = _setReturningClause ?? _noAggregatesIn ?? "this context";
            throw where switch
            {
                "the arguments of an aggregate" => new SqlException(SqlState.FeatureNotSupported, "aggregate function calls cannot contain set-returning function calls",
                    position: Pos(call), hint: "You might be able to move the set-returning function into a LATERAL FROM item."),
                "functions in FROM" => new SqlException(SqlState.FeatureNotSupported, "set-returning functions must appear at top level of FROM", position: Pos(call)),
                "CASE" or "COALESCE" => new SqlException(SqlState.FeatureNotSupported, $"set-returning functions are not allowed in {where}", position: Pos(call),
                    hint: "You might be able to move the set-returning function into a LATERAL FROM item."),
                _ => new SqlException(SqlState.FeatureNotSupported, $"set-returning functions are not allowed in {where}", position: Pos(call)),
            };
        }

        if (call.Over is not null || call.Distinct || call.Star || call.Filter is not null)
        {
            throw new SqlException(SqlState.WrongObjectType, $"{name} is not an aggregate or window function", position: Pos(call));
        }

        List<BoundExpr> args;
        _projectSet = null; // a set-returning call inside the arguments would need a second ProjectSet
        try
        {
            args = [.. call.Args.Select(a => BindExpr(a, scope))];
        }
        catch (SqlException e) when (e.Message.StartsWith("set-returning functions are not allowed", StringComparison.Ordinal))
        {
            throw SqlException.NotSupported("a set-returning function in the arguments of another in a select list");
        }
        finally
        {
            _projectSet = calls;
        }

        // unnest of several arrays exists only in FROM, as in PostgreSQL
        TableFunction function = (name == "unnest" && args.Count != 1 ? null : TableFunctions.Resolve(name, [.. args.Select(a => a.Type)]))
            ?? throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call),
                hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        if (function.Columns.Count > 1)
        {
            throw SqlException.NotSupported($"{name} returning a record in a select list (call it in FROM)");
        }

        args = [.. args.Select((a, i) => TypeRules.Coerce(Infer(a, function.Parameters[i]), function.Parameters[i], Pos(call.Args[i])))];
        calls.Calls.Add(new SetReturningCall(function, args));
        return new ColumnExpr(calls.InputWidth + calls.Calls.Count - 1, function.Columns[0].Type);
    }
}
