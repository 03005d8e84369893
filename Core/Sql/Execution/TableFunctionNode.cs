using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// A set-returning function in FROM. Arguments are evaluated once per execution, below the enclosing row (a lateral
/// call runs again for each row of the FROM items before it). A NULL argument gives no rows, except that unnest
/// reads a NULL array as empty. WITH ORDINALITY appends each row's 1-based number.
/// </summary>
public sealed class TableFunctionNode(TableFunction function, IReadOnlyList<BoundExpr> args, bool withOrdinality) : PlanNode
{
    private readonly PlanColumn[] _columns = withOrdinality ? [.. function.Columns, new PlanColumn("ordinality", SqlType.Int8)] : [.. function.Columns];

    public override IReadOnlyList<PlanColumn> Columns => _columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        EvalContext ctx = context.Nested();
        var values = new SqlValue[args.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = args[i].Evaluate(ctx);
            if (values[i].IsNull)
            {
                if (function.Name != "unnest")
                {
                    yield break;
                }

                values[i] = SqlValue.FromArray(new SqlArray(args[i].Type.Element, []));
            }
        }

        long ordinal = 0;
        foreach (SqlValue[] row in function.Body(values, ctx))
        {
            yield return withOrdinality ? [.. row, SqlValue.FromInt8(++ordinal)] : row;
        }
    }

    public override string Describe() => $"Function Scan on {function.Name}";
}
