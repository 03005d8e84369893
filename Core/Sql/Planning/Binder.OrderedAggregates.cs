using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Planning;

internal sealed partial class Binder
{
    /// <summary>
    /// <c>agg(args ORDER BY keys)</c> and the ordered-set form <c>agg(direct args) WITHIN GROUP (ORDER BY value)</c>,
    /// whose sorted value is the aggregate's last argument. <paramref name="args"/> are the bound call arguments.
    /// </summary>
    private AggregateCall BindOrderedAggregate(Ast.FunctionCallExpr call, string name, List<BoundExpr> args, BoundExpr? filter, Scope scope)
    {
        bool orderedSet = OrderedAggregates.IsOrderedSet(name);
        if (orderedSet && call.WithinGroup is null)
        {
            throw new SqlException(SqlState.WrongObjectType, $"WITHIN GROUP is required for ordered-set aggregate {name}", position: Pos(call));
        }

        IReadOnlyList<Ast.OrderItem> items = call.WithinGroup ?? call.OrderBy!;
        string? saved = _noAggregatesIn;
        _noAggregatesIn = "the arguments of an aggregate";
        List<BoundExpr> keys;
        try
        {
            keys = [.. items.Select(o => BindExpr(o.Expr, scope))];
        }
        finally
        {
            _noAggregatesIn = saved;
        }

        if (call.WithinGroup is not null)
        {
            args = [.. args, .. keys];
        }

        args = [.. args.Select(a => a.Type.Kind == SqlTypeKind.Unknown && !a.Type.IsArray ? TypeRules.Coerce(a, SqlType.Text) : a)];
        if (name == "percentile_cont" && args.Count == 2 && args[0].Type.IsArray && args[0].Type.Element.IsNumeric)
        {
            args[0] = TypeRules.Coerce(args[0], SqlType.Float8.ArrayOf(), Pos(call)); // numeric[] casts to float8[] implicitly in PostgreSQL
        }

        if (call.WithinGroup is not null && !orderedSet)
        {
            throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call),
                hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        }

        if (call.Distinct && call.OrderBy is { } orderBy)
        {
            var argTexts = call.Args.Select(Ast.SqlPrinter.Print).ToHashSet(StringComparer.Ordinal);
            if (orderBy.FirstOrDefault(o => !argTexts.Contains(Ast.SqlPrinter.Print(o.Expr))) is { } stray)
            {
                throw new SqlException(SqlState.InvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list", position: Pos(stray.Expr));
            }
        }

        AggregateFunction fn;
        try
        {
            fn = FunctionCatalog.ResolveAggregate(name, [.. args.Select(a => a.Type)])
                ?? throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", args.Select(a => a.Type))}) does not exist", position: Pos(call));
        }
        catch (SqlException e) when (e.Position == 0)
        {
            throw e.AtPosition(Pos(call));
        }

        args = [.. args.Select((a, i) => i < fn.Parameters.Count ? TypeRules.Coerce(Infer(a, fn.Parameters[i]), fn.Parameters[i]) : a)];
        if (call.WithinGroup is not null)
        {
            // the sorted values are the trailing arguments, after any cast the signature asked for
            keys = [.. args.Skip(args.Count - keys.Count)];
        }

        List<OrderExpr> order = [.. items.Select((o, i) => new OrderExpr(TextOperand(keys[i]), o.Descending, o.NullsFirst ?? o.Descending))];
        return new AggregateCall(fn, args, call.Distinct, filter, order);
    }
}
