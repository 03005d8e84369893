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

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
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

/// <summary>
/// <c>ARRAY[a, b, ...]</c>: a one-dimensional array of the element values (NULL elements stay elements); with
/// <paramref name="nested"/> the elements are arrays of one shape and become the rows of one more dimension
/// (<c>ARRAY[[1,2],[3,4]]</c>; NULL or empty sub-arrays only when all are, giving an empty array).
/// </summary>
public sealed class ArrayConstructorExpr(IReadOnlyList<BoundExpr> elements, SqlType type, bool nested = false) : BoundExpr(type)
{
    public override IReadOnlyList<BoundExpr> Operands => elements;

    public override SqlValue Evaluate(EvalContext context)
    {
        var items = new SqlValue[elements.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = elements[i].Evaluate(context);
        }

        return SqlValue.FromArray(nested ? Stack(items) : new SqlArray(Type.Element, items));
    }

    private SqlArray Stack(SqlValue[] subArrays)
    {
        int[]? shape = null;
        bool sawEmpty = false;
        var items = new List<SqlValue>();
        foreach (SqlValue sub in subArrays)
        {
            if (sub.IsNull || sub.AsArray.Rank == 0)
            {
                sawEmpty = true;
            }
            else if (shape is null)
            {
                shape = sub.AsArray.Lengths;
            }
            else if (!shape.AsSpan().SequenceEqual(sub.AsArray.Lengths))
            {
                shape = null;
                sawEmpty = true;
                break;
            }

            if (!sub.IsNull)
            {
                items.AddRange(sub.AsArray.Items);
            }
        }

        if (shape is null)
        {
            return sawEmpty && items.Count == 0 ? new SqlArray(Type.Element, []) : throw Mismatch();
        }

        if (sawEmpty)
        {
            throw Mismatch();
        }

        return new SqlArray(Type.Element, [.. items], [subArrays.Length, .. shape]);
    }

    private static SqlException Mismatch() =>
        new(SqlState.ArraySubscriptError, "multidimensional arrays must have array expressions with matching dimensions");
}

/// <summary>
/// <c>array[i][j]</c>: PostgreSQL arrays count from 1; subscripts outside the array, or fewer or more of them than
/// it has dimensions, give NULL, not an error. With <paramref name="slice"/> (any subscript written <c>l:u</c>)
/// the result is the sub-array within the bounds (clipped to the array; a missing bound is the array's own), of
/// the same rank, counted from 1 again.
/// </summary>
public sealed class ArraySubscriptExpr(BoundExpr array, BoundExpr?[] lowers, BoundExpr?[] uppers, bool slice) : BoundExpr(slice ? array.Type : array.Type.Element)
{
    public override IReadOnlyList<BoundExpr> Operands => [array, .. lowers.OfType<BoundExpr>(), .. uppers.OfType<BoundExpr>()];

    public override SqlValue Evaluate(EvalContext context)
    {
        SqlValue a = array.Evaluate(context);
        if (a.IsNull)
        {
            return SqlValue.Null;
        }

        SqlArray value = a.AsArray;
        Span<long> low = stackalloc long[lowers.Length];
        Span<long> high = stackalloc long[lowers.Length];
        for (int d = 0; d < lowers.Length; d++)
        {
            if (!Bound(lowers[d], context, 1, out low[d]) || !Bound(uppers[d], context, slice ? value.Length(d + 1) : low[d], out high[d]))
            {
                return SqlValue.Null;
            }
        }

        return slice ? Slice(value, low, high) : Fetch(value, low);
    }

    /// <summary>A subscript's value, or <paramref name="otherwise"/> when it was not written; false when it is NULL.</summary>
    private static bool Bound(BoundExpr? e, EvalContext context, long otherwise, out long value)
    {
        value = otherwise;
        if (e is null)
        {
            return true;
        }

        SqlValue v = e.Evaluate(context);
        value = v.IsNull ? 0 : v.AsInt64;
        return !v.IsNull;
    }

    private static SqlValue Fetch(SqlArray value, ReadOnlySpan<long> at)
    {
        if (at.Length != value.Rank)
        {
            return SqlValue.Null;
        }

        long offset = 0;
        for (int d = 0; d < at.Length; d++)
        {
            int length = value.Length(d + 1);
            if (at[d] < 1 || at[d] > length)
            {
                return SqlValue.Null;
            }

            offset = (offset * length) + at[d] - 1;
        }

        return value.Items[(int)offset];
    }

    private SqlValue Slice(SqlArray value, ReadOnlySpan<long> low, ReadOnlySpan<long> high)
    {
        int rank = value.Rank;
        if (low.Length > rank || rank == 0)
        {
            return SqlValue.FromArray(new SqlArray(Type.Element, []));
        }

        // the dimensions without a subscript are taken whole
        var from = new int[rank];
        var lengths = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            long l = d < low.Length ? Math.Max(low[d], 1) : 1;
            long u = d < high.Length ? Math.Min(high[d], value.Length(d + 1)) : value.Length(d + 1);
            if (l > u)
            {
                return SqlValue.FromArray(new SqlArray(Type.Element, []));
            }

            from[d] = (int)l - 1;
            lengths[d] = (int)(u - l + 1);
        }

        var items = new List<SqlValue>();
        var index = new int[rank];
        while (true)
        {
            long offset = 0;
            for (int d = 0; d < rank; d++)
            {
                offset = (offset * value.Length(d + 1)) + from[d] + index[d];
            }

            items.Add(value.Items[(int)offset]);
            int carry = rank - 1;
            while (carry >= 0 && ++index[carry] == lengths[carry])
            {
                index[carry--] = 0;
            }

            if (carry < 0)
            {
                break;
            }
        }

        return SqlValue.FromArray(new SqlArray(Type.Element, [.. items], lengths));
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

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
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
