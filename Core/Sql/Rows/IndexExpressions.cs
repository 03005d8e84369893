using System.Runtime.CompilerServices;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Rows;

/// <summary>
/// The key columns of an index on expressions (<c>CREATE INDEX ON users (lower(email))</c>): each expression, kept as
/// SQL text in the catalog, bound once per index definition over its table's columns and evaluated for every row the
/// index is maintained for. An index expression reads only the row and immutable functions, so it binds without a
/// session; the binding lives as long as the catalog's <see cref="IndexDef"/> object does.
/// </summary>
internal static class IndexExpressions
{
    private static readonly ConditionalWeakTable<IndexDef, BoundExpr?[]> Bound = new();

    private static readonly SessionContext NoSession = new("", "", 0, []);

    /// <summary>The value of key column <paramref name="column"/> (0-based) of <paramref name="index"/> for <paramref name="row"/>.</summary>
    public static SqlValue Evaluate(TableDef table, IndexDef index, int column, ReadOnlySpan<SqlValue> row) =>
        Key(table, index, column).Evaluate(new EvalContext([]) { Row = row.ToArray() });

    /// <summary>Key column <paramref name="column"/> (0-based) of <paramref name="index"/>, an expression, bound over <paramref name="table"/>'s row.</summary>
    public static BoundExpr Key(TableDef table, IndexDef index, int column)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(index);
        BoundExpr?[] bound = Bound.GetValue(index, i => [.. i.Columns.Select(c => c.ExpressionSql is { } sql ? Bind(table, sql) : null)]);
        return bound[column] ?? throw new InvalidOperationException($"key column {column + 1} of index {index.Name} is not an expression");
    }

    /// <summary>Binds an index expression over <paramref name="table"/>'s row; 42P17 when it is not immutable (a volatile function, a subquery).</summary>
    public static BoundExpr Bind(TableDef table, string sql)
    {
        ArgumentNullException.ThrowIfNull(table);
        Ast.SqlExpr parsed = Ast.SqlParser.ParseExpression(sql);
        BoundExpr expr = new Binder(CatalogSnapshot.Empty, NoSession).BindExpr(parsed, Scope.OfTable(table, null));
        bool stable = ExpressionWalker.Walk(parsed).Any(e => e is Ast.SqlValueFunctionExpr or Ast.FunctionCallExpr { FunctionName: "now" or "statement_timestamp"
            or "transaction_timestamp" or "clock_timestamp" or "timeofday" or "current_setting" or "current_database" or "current_schema" or "version" });
        return !stable && ExprFacts.TryColumns(expr, new HashSet<int>()) ? expr
            : throw new SqlException(SqlState.InvalidObjectDefinition, "functions in index expression must be marked IMMUTABLE");
    }
}
