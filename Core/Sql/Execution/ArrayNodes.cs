using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// The elements of an array value as one-column rows, so <c>x = ANY(array)</c> runs as
/// <see cref="QuantifiedSubqueryExpr"/> over them with the same NULL rules as <c>x = ANY(subquery)</c>.
/// </summary>
public sealed class ArrayElementsNode(BoundExpr array) : PlanNode
{
    private readonly PlanColumn[] _columns = [new("unnest", array.Type.Element)];

    public override IReadOnlyList<PlanColumn> Columns => _columns;

    public override IEnumerable<SqlValue[]> Execute(EvalContext context)
    {
        SqlValue value = array.Evaluate(context);
        if (value.IsNull)
        {
            yield break;
        }

        foreach (SqlValue item in value.AsArray.Items)
        {
            yield return [item];
        }
    }

    public override string Describe() => "Function Scan on unnest";
}

/// <summary>
/// <c>ARRAY(subquery)</c>: the subquery's one column collected into an array (empty, not NULL, when it has no rows).
/// An empty ANY over it is false, so a NULL array here would change <c>x = ANY(ARRAY(...))</c>: keep it empty.
/// </summary>
public sealed class ArraySubqueryValueExpr(PlanNode plan, bool correlated = true) : SubqueryExpr(plan, correlated, plan.Columns[0].Type.ArrayOf())
{
    private sealed record Kept(SqlValue Value);

    public override SqlValue Evaluate(EvalContext context) => Once(context, c => new Kept(Run(c)))?.Value ?? Run(context);

    private SqlValue Run(EvalContext context)
    {
        var items = new List<SqlValue>();
        foreach (SqlValue[] row in Plan.Execute(context))
        {
            items.Add(row[0]);
        }

        return SqlValue.FromArray(new SqlArray(Type.Element, [.. items]));
    }
}

/// <summary><c>ARRAY[a, b, ...]</c>: a one-dimensional array of the element values (NULL elements stay elements).</summary>
public sealed class ArrayConstructorExpr(IReadOnlyList<BoundExpr> elements, SqlType type) : BoundExpr(type)
{
    public override SqlValue Evaluate(EvalContext context)
    {
        var items = new SqlValue[elements.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = elements[i].Evaluate(context);
        }

        return SqlValue.FromArray(new SqlArray(Type.Element, items));
    }
}

/// <summary><c>array[i]</c>: PostgreSQL arrays count from 1; an index outside the array is NULL, not an error.</summary>
public sealed class ArraySubscriptExpr(BoundExpr array, BoundExpr index) : BoundExpr(array.Type.Element)
{
    public override IReadOnlyList<BoundExpr> Operands => [array, index];

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue a = array.Evaluate(context);
        SqlValue i = index.Evaluate(context);
        if (a.IsNull || i.IsNull)
        {
            return SqlValue.Null;
        }

        IReadOnlyList<SqlValue> items = a.AsArray.Items;
        long n = i.AsInt64;
        return n >= 1 && n <= items.Count ? items[(int)n - 1] : SqlValue.Null;
    }
}

/// <summary>
/// A join whose right side is a LATERAL subquery: the right side runs again for every left row, with that row
/// as its outer row (its references to earlier FROM items are one level up). Inner or left join only.
/// </summary>
public sealed class LateralJoinNode(PlanNode left, PlanNode right, PlanJoinKind kind, BoundExpr? condition) : PlanNode
{
    private readonly PlanColumn[] _columns = [.. left.Columns, .. right.Columns];

    public override IReadOnlyList<PlanColumn> Columns => _columns;

    public override IEnumerable<SqlValue[]> Execute(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        EvalContext leftRow = context.Nested();
        EvalContext ctx = context.Nested();
        foreach (SqlValue[] l in left.Execute(context))
        {
            leftRow.Row = l;
            bool matched = false;
            foreach (SqlValue[] r in right.Execute(leftRow))
            {
                SqlValue[] combined = [.. l, .. r];
                if (condition is not null)
                {
                    ctx.Row = combined;
                    SqlValue ok = condition.Evaluate(ctx);
                    if (ok.IsNull || !ok.AsBool)
                    {
                        continue;
                    }
                }

                matched = true;
                yield return combined;
            }

            if (!matched && kind == PlanJoinKind.Left)
            {
                yield return [.. l, .. new SqlValue[right.Columns.Count]];
            }
        }
    }

    public override string Describe() => "Nested Loop (lateral)";

    public override IEnumerable<PlanNode> Children => [left, right];
}
