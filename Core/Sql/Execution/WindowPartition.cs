using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// The rows of one partition of a window, in window order, with their peer groups (rows equal on every ORDER BY
/// key; the whole partition without ORDER BY), and the frame of each row as PostgreSQL defines ROWS, RANGE and GROUPS.
/// </summary>
internal sealed class WindowPartition(WindowDefinition window, List<SqlValue[]> rows, SqlValue[][] keys, EvalContext ctx)
{
    private readonly int _partitionWidth = window.PartitionBy.Count;
    private int[] _members = [];
    private int[] _group = [];
    private List<(int Start, int End)> _groups = [];

    public bool SamePartition(int a, int b) => EqualKeys(keys[a], keys[b], 0, _partitionWidth);

    private static bool EqualKeys(SqlValue[] x, SqlValue[] y, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            if (x[i].IsNull != y[i].IsNull || (!x[i].IsNull && SqlCompare.Compare(x[i], y[i]) != 0))
            {
                return false;
            }
        }

        return true;
    }

    public void Reset(int[] members)
    {
        _members = members;
        _group = new int[members.Length];
        _groups = [];
        int width = keys.Length == 0 ? 0 : keys[members[0]].Length;
        for (int k = 0; k < members.Length; k++)
        {
            if (k > 0 && EqualKeys(keys[members[k - 1]], keys[members[k]], _partitionWidth, width))
            {
                _groups[^1] = (_groups[^1].Start, k);
            }
            else
            {
                _groups.Add((k, k));
            }

            _group[k] = _groups.Count - 1;
        }
    }

    private SqlValue Arg(WindowCall call, int index, int k)
    {
        ctx.Row = rows[_members[k]];
        return call.Args[index].Evaluate(ctx);
    }

    public void Compute(WindowCall call, int column)
    {
        int n = _members.Length;
        switch (call.Kind)
        {
            case WindowFunctionKind.Aggregate:
                ComputeAggregate(call, column);
                return;
            case WindowFunctionKind.Ntile:
            {
                SqlValue buckets = Arg(call, 0, 0);
                if (!buckets.IsNull && buckets.AsInt64 <= 0)
                {
                    throw new SqlException("22014", "argument of ntile must be greater than zero");
                }

                for (int k = 0; k < n; k++)
                {
                    Set(k, column, buckets.IsNull ? SqlValue.Null : SqlValue.FromInt4(Ntile(k, n, buckets.AsInt64)));
                }

                return;
            }
        }

        for (int k = 0; k < n; k++)
        {
            (int start, int end) peers = _groups[_group[k]];
            SqlValue value = call.Kind switch
            {
                WindowFunctionKind.RowNumber => SqlValue.FromInt8(k + 1),
                WindowFunctionKind.Rank => SqlValue.FromInt8(peers.start + 1),
                WindowFunctionKind.DenseRank => SqlValue.FromInt8(_group[k] + 1),
                WindowFunctionKind.PercentRank => SqlValue.FromFloat8(n > 1 ? peers.start / (double)(n - 1) : 0),
                WindowFunctionKind.CumeDist => SqlValue.FromFloat8((peers.end + 1) / (double)n),
                WindowFunctionKind.Lag or WindowFunctionKind.Lead => Shifted(call, k),
                _ => FrameValue(call, k),
            };
            Set(k, column, value);
        }
    }

    private void Set(int k, int column, SqlValue value) => rows[_members[k]][column] = value;

    /// <summary>ntile: the first n % buckets buckets hold one row more than the others.</summary>
    private static int Ntile(int k, int n, long buckets)
    {
        if (buckets >= n)
        {
            return k + 1;
        }

        long small = n / buckets, extra = n % buckets, bigRows = extra * (small + 1);
        return (int)(k < bigRows ? (k / (small + 1)) + 1 : extra + ((k - bigRows) / small) + 1);
    }

    /// <summary>lag/lead(value [, offset [, default]]): the value offset rows away in the partition, else the default (evaluated on the current row).</summary>
    private SqlValue Shifted(WindowCall call, int k)
    {
        long offset = 1;
        if (call.Args.Count > 1)
        {
            SqlValue o = Arg(call, 1, k);
            if (o.IsNull)
            {
                return SqlValue.Null;
            }

            offset = o.AsInt64;
        }

        long target = call.Kind == WindowFunctionKind.Lag ? k - offset : k + offset;
        if (target >= 0 && target < _members.Length)
        {
            return Arg(call, 0, (int)target);
        }

        return call.Args.Count > 2 ? Arg(call, 2, k) : SqlValue.Null;
    }

    /// <summary>first_value, last_value and nth_value read the frame of the current row.</summary>
    private SqlValue FrameValue(WindowCall call, int k)
    {
        long nth = 1;
        if (call.Kind == WindowFunctionKind.NthValue)
        {
            SqlValue nv = Arg(call, 1, k);
            if (nv.IsNull)
            {
                return SqlValue.Null;
            }

            nth = nv.AsInt64;
            if (nth <= 0)
            {
                throw new SqlException("22016", "argument of nth_value must be greater than zero");
            }
        }

        (int start, int end) = Frame(k);
        int found = -1;
        long seen = 0;
        if (call.Kind == WindowFunctionKind.LastValue)
        {
            for (int j = end; j >= start && found < 0; j--)
            {
                found = Excluded(k, j) ? -1 : j;
            }
        }
        else
        {
            for (int j = start; j <= end; j++)
            {
                if (!Excluded(k, j) && ++seen == nth)
                {
                    found = j;
                    break;
                }
            }
        }

        return found < 0 ? SqlValue.Null : Arg(call, 0, found);
    }

    private void ComputeAggregate(WindowCall call, int column)
    {
        AggregateFunction fn = call.Aggregate!;
        int n = _members.Length;
        var args = new SqlValue[n][];
        var counts = new bool[n];
        for (int j = 0; j < n; j++)
        {
            ctx.Row = rows[_members[j]];
            args[j] = new SqlValue[call.Args.Count];
            bool anyNull = false;
            for (int a = 0; a < args[j].Length; a++)
            {
                args[j][a] = call.Args[a].Evaluate(ctx);
                anyNull |= args[j][a].IsNull;
            }

            bool pass = true;
            if (call.Filter is not null)
            {
                SqlValue f = call.Filter.Evaluate(ctx);
                pass = !f.IsNull && f.AsBool;
            }

            counts[j] = pass && !(anyNull && fn.IgnoresNulls);
        }

        WindowFrameSpec frame = window.Frame;
        if (frame.Start.Kind == WindowBoundKind.UnboundedPreceding && frame.Exclude == WindowExclusion.NoOthers)
        {
            // the frame only grows from row to row: one running state
            IAggregateState running = fn.CreateState();
            int fed = -1;
            for (int k = 0; k < n; k++)
            {
                (_, int end) = Frame(k);
                for (; fed < end; fed++)
                {
                    if (counts[fed + 1])
                    {
                        running.Step(args[fed + 1]);
                    }
                }

                Set(k, column, running.Result());
            }

            return;
        }

        for (int k = 0; k < n; k++)
        {
            (int start, int end) = Frame(k);
            IAggregateState state = fn.CreateState();
            for (int j = start; j <= end; j++)
            {
                if (counts[j] && !Excluded(k, j))
                {
                    state.Step(args[j]);
                }
            }

            Set(k, column, state.Result());
        }
    }

    private bool Excluded(int k, int j) => window.Frame.Exclude switch
    {
        WindowExclusion.CurrentRow => j == k,
        WindowExclusion.Group => _group[j] == _group[k],
        WindowExclusion.Ties => j != k && _group[j] == _group[k],
        _ => false,
    };

    /// <summary>The frame of row <paramref name="k"/>: inclusive positions in the partition, empty when start &gt; end.</summary>
    private (int Start, int End) Frame(int k)
    {
        WindowFrameSpec f = window.Frame;
        int n = _members.Length;
        int start = Math.Max(0, Bound(f.Start, k, isStart: true));
        int end = Math.Min(n - 1, Bound(f.End, k, isStart: false));
        return (start, end);
    }

    private int Bound(WindowBound bound, int k, bool isStart)
    {
        int n = _members.Length;
        switch (bound.Kind)
        {
            case WindowBoundKind.UnboundedPreceding:
                return 0;
            case WindowBoundKind.UnboundedFollowing:
                return n - 1;
            case WindowBoundKind.CurrentRow:
                return window.Frame.Unit == WindowFrameUnit.Rows ? k : isStart ? _groups[_group[k]].Start : _groups[_group[k]].End;
        }

        bool preceding = bound.Kind == WindowBoundKind.Preceding;
        if (window.Frame.Unit == WindowFrameUnit.Range)
        {
            return RangeBound(bound, k, isStart);
        }

        long offset = Offset(bound, k, isStart);
        if (window.Frame.Unit == WindowFrameUnit.Rows)
        {
            long at = preceding ? k - offset : k + offset;
            return (int)Math.Clamp(at, -1, n);
        }

        // GROUPS: whole peer groups away from the current one
        long g = preceding ? _group[k] - offset : _group[k] + offset;
        if (g < 0)
        {
            return isStart ? 0 : -1;
        }

        if (g >= _groups.Count)
        {
            return isStart ? n : n - 1;
        }

        return isStart ? _groups[(int)g].Start : _groups[(int)g].End;
    }

    private long Offset(WindowBound bound, int k, bool isStart)
    {
        ctx.Row = rows[_members[k]];
        SqlValue v = bound.Offset!.Evaluate(ctx);
        string which = isStart ? "starting" : "ending";
        if (v.IsNull)
        {
            throw new SqlException("22004", $"frame {which} offset must not be null");
        }

        long offset = v.AsInt64;
        return offset < 0 ? throw new SqlException("22013", $"frame {which} offset must not be negative") : offset;
    }

    /// <summary>RANGE offset PRECEDING/FOLLOWING: the first (start) or last (end) row whose key lies within the offset of the current key.</summary>
    private int RangeBound(WindowBound bound, int k, bool isStart)
    {
        int n = _members.Length;
        int keyColumn = _partitionWidth;
        SqlValue current = keys[_members[k]][keyColumn];
        if (current.IsNull)
        {
            // NULL keys: the frame bound is the NULL peer group
            return isStart ? _groups[_group[k]].Start : _groups[_group[k]].End;
        }

        ctx.Row = rows[_members[k]];
        SqlValue offset = bound.Offset!.Evaluate(ctx);
        if (offset.IsNull)
        {
            throw new SqlException("22004", $"frame {(isStart ? "starting" : "ending")} offset must not be null");
        }

        if (IsNegative(offset))
        {
            throw new SqlException("22013", "invalid preceding or following size in window function");
        }

        var limitContext = ctx.Nested();
        limitContext.Row = [current, offset];
        SqlValue limit;
        try
        {
            limit = bound.RangeValue!.Evaluate(limitContext);
        }
        catch (SqlException e) when (e.SqlState is SqlState.NumericValueOutOfRange or "22008")
        {
            // past the type's range: every row on that side is inside the frame
            return bound.Kind == WindowBoundKind.Preceding ? (isStart ? 0 : -1) : (isStart ? n : n - 1);
        }

        OrderExpr order = window.OrderBy[0];
        var sortKey = new SortKey(0, order.Descending, order.NullsFirst);
        if (isStart)
        {
            for (int j = 0; j < n; j++)
            {
                if (SortNode.CompareForSort(keys[_members[j]][keyColumn], limit, sortKey) >= 0)
                {
                    return j;
                }
            }

            return n;
        }

        for (int j = n - 1; j >= 0; j--)
        {
            if (SortNode.CompareForSort(keys[_members[j]][keyColumn], limit, sortKey) <= 0)
            {
                return j;
            }
        }

        return -1;
    }

    private static bool IsNegative(SqlValue v) => v.Kind switch
    {
        SqlTypeKind.Numeric => v.AsDecimal < 0,
        SqlTypeKind.Float4 or SqlTypeKind.Float8 => v.AsDouble < 0,
        SqlTypeKind.Interval => v.IntervalMonths < 0 || v.IntervalDays < 0 || v.IntervalMicros < 0,
        _ => v.AsInt64 < 0,
    };
}
