using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

public enum WindowFrameUnit : byte
{
    Rows,
    Range,
    Groups,
}

public enum WindowBoundKind : byte
{
    UnboundedPreceding,
    Preceding,
    CurrentRow,
    Following,
    UnboundedFollowing,
}

public enum WindowExclusion : byte
{
    NoOthers,
    CurrentRow,
    Group,
    Ties,
}

/// <summary>
/// One end of a frame. For ROWS and GROUPS, <see cref="Offset"/> is the count (evaluated once per partition).
/// For RANGE with an offset, <see cref="RangeValue"/> computes the bound's key from the current row's key, which
/// it reads as column 0 of its row (key − offset for PRECEDING, key + offset for FOLLOWING, reversed for DESC).
/// </summary>
public sealed record WindowBound(WindowBoundKind Kind, BoundExpr? Offset = null, BoundExpr? RangeValue = null);

public sealed record WindowFrameSpec(WindowFrameUnit Unit, WindowBound Start, WindowBound End, WindowExclusion Exclude)
{
    /// <summary>PostgreSQL's default: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (the current row's peers included).</summary>
    public static readonly WindowFrameSpec Default = new(WindowFrameUnit.Range, new(WindowBoundKind.UnboundedPreceding), new(WindowBoundKind.CurrentRow), WindowExclusion.NoOthers);
}

/// <summary>An ordering key over the input row: of a window, or of an aggregate's ORDER BY / WITHIN GROUP.</summary>
public sealed record OrderExpr(BoundExpr Expr, bool Descending, bool NullsFirst);

/// <summary>A window: PARTITION BY, ORDER BY and frame. Calls sharing one instance are computed in one sort.</summary>
public sealed record WindowDefinition(IReadOnlyList<BoundExpr> PartitionBy, IReadOnlyList<OrderExpr> OrderBy, WindowFrameSpec Frame);

public enum WindowFunctionKind : byte
{
    Aggregate,
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
}

/// <summary>One window function call: its kind (or aggregate), argument expressions over the input row, FILTER and window.</summary>
public sealed record WindowCall(WindowFunctionKind Kind, Functions.AggregateFunction? Aggregate, IReadOnlyList<BoundExpr> Args, BoundExpr? Filter,
    WindowDefinition Window, SqlType Type);

/// <summary>
/// Window functions: reads all input rows, then for each window sorts them by partition and order keys and
/// computes every call over that window. Output: each input row followed by one column per call, in the order
/// of the last window's sort (as PostgreSQL emits them).
/// </summary>
public sealed class WindowNode : PlanNode
{
    private readonly PlanNode _input;
    private readonly IReadOnlyList<WindowCall> _calls;
    private readonly PlanColumn[] _columns;

    public WindowNode(PlanNode input, IReadOnlyList<WindowCall> calls, IReadOnlyList<PlanColumn> callColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _calls = calls;
        _columns = [.. input.Columns, .. callColumns];
    }

    public override IReadOnlyList<PlanColumn> Columns => _columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int width = _input.Columns.Count;
        var rows = new List<SqlValue[]>();
        foreach (SqlValue[] row in _input.Execute(context))
        {
            var extended = new SqlValue[_columns.Length];
            row.CopyTo(extended, 0);
            rows.Add(extended);
        }

        int[] order = [.. Enumerable.Range(0, rows.Count)];
        EvalContext ctx = context.Nested();
        foreach (WindowDefinition window in _calls.Select(c => c.Window).Distinct())
        {
            (order, SqlValue[][] keys) = SortFor(window, rows, ctx, order);
            var partition = new WindowPartition(window, rows, keys, ctx);
            int start = 0;
            while (start < order.Length)
            {
                int end = start + 1;
                while (end < order.Length && partition.SamePartition(order[start], order[end]))
                {
                    end++;
                }

                partition.Reset(order.AsSpan(start, end - start).ToArray());
                for (int c = 0; c < _calls.Count; c++)
                {
                    if (_calls[c].Window == window)
                    {
                        partition.Compute(_calls[c], width + c);
                    }
                }

                start = end;
            }
        }

        foreach (int i in order)
        {
            yield return rows[i];
        }
    }

    /// <summary>Row indices sorted by the partition keys then the order keys (stable: ties keep the previous order).</summary>
    private static (int[] Order, SqlValue[][] Keys) SortFor(WindowDefinition window, List<SqlValue[]> rows, EvalContext ctx, int[] previous)
    {
        int p = window.PartitionBy.Count;
        var keys = new SqlValue[rows.Count][];
        for (int i = 0; i < rows.Count; i++)
        {
            ctx.Row = rows[i];
            keys[i] = new SqlValue[p + window.OrderBy.Count];
            for (int k = 0; k < p; k++)
            {
                keys[i][k] = window.PartitionBy[k].Evaluate(ctx);
            }

            for (int k = 0; k < window.OrderBy.Count; k++)
            {
                keys[i][p + k] = window.OrderBy[k].Expr.Evaluate(ctx);
            }
        }

        var sortKeys = new SortKey[p + window.OrderBy.Count];
        for (int k = 0; k < p; k++)
        {
            sortKeys[k] = new SortKey(k, false, false);
        }

        for (int k = 0; k < window.OrderBy.Count; k++)
        {
            sortKeys[p + k] = new SortKey(p + k, window.OrderBy[k].Descending, window.OrderBy[k].NullsFirst);
        }

        int[] order = [.. previous];
        if (sortKeys.Length == 0)
        {
            return (order, keys);
        }

        var positions = new int[rows.Count];
        for (int i = 0; i < previous.Length; i++)
        {
            positions[previous[i]] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            foreach (SortKey k in sortKeys)
            {
                int c = SortNode.CompareForSort(keys[a][k.Column], keys[b][k.Column], k);
                if (c != 0)
                {
                    return c;
                }
            }

            return positions[a].CompareTo(positions[b]);
        });
        return (order, keys);
    }

    public override string Describe() => "WindowAgg";

    public override IEnumerable<PlanNode> Children => [_input];
}
