using System.Collections.Frozen;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>A scalar function's implementation: the arguments, already cast to the resolved parameter types.</summary>
public delegate SqlValue ScalarBody(SqlValue[] args, EvalContext context);

/// <summary>
/// A built-in scalar function. Once resolved, <see cref="Parameters"/> has one entry per argument of the call
/// (variadic parameters expanded, polymorphic ones made concrete): the binder casts each argument to it.
/// <see cref="Strict"/> functions are not called when an argument is NULL (the result is NULL).
/// </summary>
public sealed record ScalarFunction(string Name, IReadOnlyList<SqlType> Parameters, SqlType ReturnType, ScalarBody Body,
    bool Strict = true, bool IsVolatile = false, SqlType? VariadicElement = null)
{
    /// <summary>For a polymorphic function whose body needs its resolved return type (the element type of an array it builds).</summary>
    public Func<SqlType, ScalarBody>? ForResult { get; init; }
}

/// <summary>One group's running state. <see cref="Step"/> gets each input row's arguments (NULLs already skipped when the aggregate ignores them).</summary>
public interface IAggregateState
{
    void Step(SqlValue[] args);

    SqlValue Result();
}

/// <summary>A built-in aggregate. When <see cref="IgnoresNulls"/>, the executor skips rows where any argument is NULL, as PostgreSQL does for strict transition functions.</summary>
public sealed record AggregateFunction(string Name, IReadOnlyList<SqlType> Parameters, SqlType ReturnType, Func<IAggregateState> CreateState, bool IgnoresNulls = true);

/// <summary>
/// The built-in functions by name, and PostgreSQL's overload resolution over them (see <see cref="FunctionResolver"/>).
/// Session-dependent functions (current_database(), current_user...) live in <see cref="SessionFunctions"/>.
/// </summary>
public static class FunctionCatalog
{
    /// <summary>A polymorphic parameter (anyelement, or "any" for variadic functions); as a return type: the resolved element type.</summary>
    public static readonly SqlType AnyElement = SqlType.Unknown;

    /// <summary>anyarray as a parameter; as a return type: an array of the resolved element type.</summary>
    public static readonly SqlType AnyArray = SqlType.Unknown.ArrayOf();

    private static readonly FrozenDictionary<string, ScalarFunction[]> Scalars = BuildScalars();
    private static readonly FrozenDictionary<string, AggregateFunction[]> Aggregates = Functions.Aggregates.Build()
        .GroupBy(a => a.Name, StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    public static ScalarFunction ResolveScalar(string name, IReadOnlyList<SqlType> argTypes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(argTypes);
        if (SessionFunctions.IsSessionFunction(name))
        {
            throw new SqlException(SqlState.InternalError, $"function {name}() depends on the session: resolve it through SessionFunctions");
        }

        if (!Scalars.TryGetValue(name, out ScalarFunction[]? candidates))
        {
            throw FunctionResolver.NotFound(name, argTypes);
        }

        return FunctionResolver.Choose(name, argTypes, candidates, c => (c.Parameters, c.VariadicElement), (c, types) =>
        {
            SqlType returns = FunctionResolver.Concrete(c.ReturnType, c.Parameters, types);
            return c with { Parameters = types, ReturnType = returns, Body = c.ForResult?.Invoke(returns) ?? c.Body };
        });
    }

    public static AggregateFunction? ResolveAggregate(string name, IReadOnlyList<SqlType> argTypes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(argTypes);
        if (!Aggregates.TryGetValue(name, out AggregateFunction[]? candidates))
        {
            return null;
        }

        if (name is "json_object_agg" or "jsonb_object_agg")
        {
            return argTypes.Count == 2 ? JsonFunctions.ObjectAgg(name, argTypes) : null; // ("any", "any"): any key and value types
        }

        if (name is "min" or "max" && argTypes is [{ Enum: not null, IsArray: false } enumType])
        {
            return Functions.Aggregates.Extreme(name, enumType); // min(anyenum), max(anyenum)
        }

        return FunctionResolver.Choose(name, argTypes, candidates, c => (c.Parameters, null), (c, types) => c with
        {
            Parameters = types,
            ReturnType = FunctionResolver.Concrete(c.ReturnType, c.Parameters, types),
            CreateState = c.Name switch
            {
                "array_agg" => Functions.Aggregates.ArrayAgg(types[0]),
                "json_agg" or "jsonb_agg" => JsonFunctions.Agg(types[0], jsonb: c.Name == "jsonb_agg"),
                _ => c.CreateState,
            },
        });
    }

    public static bool IsAggregate(string name) => name is not null && Aggregates.ContainsKey(name);

    /// <summary>True when <paramref name="name"/> names a built-in scalar function (of any arity).</summary>
    public static bool IsScalar(string name) => name is not null && (Scalars.ContainsKey(name) || SessionFunctions.IsSessionFunction(name));

    private static FrozenDictionary<string, ScalarFunction[]> BuildScalars()
    {
        var all = new List<ScalarFunction>();
        MathFunctions.Register(all);
        StringFunctions.Register(all);
        RegexFunctions.Register(all);
        SimilarTo.Register(all);
        ArrayFunctions.Register(all);
        DateFunctions.Register(all);
        TimeZoneFunctions.Register(all);
        JsonFunctions.Register(all);
        JsonEditing.Register(all);
        SystemFunctions.Register(all);
        return all.GroupBy(f => f.Name, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }
}

/// <summary>Shorthands the function tables share.</summary>
internal static class Fn
{
    public static void Add(this List<ScalarFunction> list, string name, SqlType returns, ScalarBody body, params SqlType[] parameters) =>
        list.Add(new ScalarFunction(name, parameters, returns, body));

    /// <summary>A numeric result, with decimal overflow reported as PostgreSQL reports numeric overflow.</summary>
    public static SqlValue Numeric(Func<decimal> compute)
    {
        try
        {
            return SqlValue.FromNumeric(compute());
        }
        catch (OverflowException)
        {
            throw new SqlException(SqlState.NumericValueOutOfRange, "value overflows numeric format");
        }
    }

    public static SqlValue Text(string s) => SqlValue.FromText(s);

    public static SqlException InvalidParameter(string message) => new(SqlState.InvalidParameterValue, message);

    /// <summary>A timestamp's calendar fields; outside years 1 to 9999 (the range SqlDateTime supports) it is a range error, not a crash.</summary>
    public static DateTime Calendar(long micros) =>
        micros < MinMicros || micros > MaxMicros
            ? throw new SqlException(SqlState.DatetimeFieldOverflow, "timestamp out of range")
            : SqlDateTime.ToDateTime(micros);

    public static readonly long MinMicros = SqlDateTime.FromDateTime(DateTime.MinValue);
    public static readonly long MaxMicros = SqlDateTime.FromDateTime(DateTime.MaxValue);
}
