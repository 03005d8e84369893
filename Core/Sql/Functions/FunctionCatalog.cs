using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

// PLACEHOLDER until the functions library lands (same public API); replaced by it at merge.
public delegate SqlValue ScalarBody(SqlValue[] args, EvalContext context);

public sealed record ScalarFunction(string Name, IReadOnlyList<SqlType> Parameters, SqlType ReturnType, ScalarBody Body,
    bool Strict = true, bool IsVolatile = false, SqlType? VariadicElement = null);

public interface IAggregateState
{
    void Step(SqlValue[] args);

    SqlValue Result();
}

public sealed record AggregateFunction(string Name, IReadOnlyList<SqlType> Parameters, SqlType ReturnType, Func<IAggregateState> CreateState, bool IgnoresNulls = true);

public static class FunctionCatalog
{
    public static ScalarFunction ResolveScalar(string name, IReadOnlyList<SqlType> argTypes) =>
        throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", argTypes)}) does not exist");

    public static AggregateFunction? ResolveAggregate(string name, IReadOnlyList<SqlType> argTypes) => null;

    public static bool IsAggregate(string name) => name is "count" or "sum" or "avg" or "min" or "max";
}
