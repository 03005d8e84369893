using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// How the planner's joins build their output: every row of a join group is as wide as the group (its FROM items
/// side by side, in the order the query wrote them), whatever order the tables are joined in, so every
/// expression keeps the column ordinals the binder gave it. A left row is the group width or a prefix of it;
/// the right side's columns sit at <see cref="RightSegments"/> (its rows are full width, or a prefix holding them).
/// </summary>
public sealed class RowMerge(IReadOnlyList<PlanColumn> columns, IReadOnlyList<(int Offset, int Width)> rightSegments)
{
    /// <summary>The group's columns (what a join's output rows hold).</summary>
    public IReadOnlyList<PlanColumn> Columns { get; } = columns;

    public int Width => Columns.Count;

    public IReadOnlyList<(int Offset, int Width)> RightSegments { get; } = rightSegments;

    public SqlValue[] Merge(SqlValue[]? left, SqlValue[]? right)
    {
        var row = new SqlValue[Width];
        if (left is not null)
        {
            Array.Copy(left, row, Math.Min(left.Length, Width));
        }

        if (right is not null)
        {
            foreach ((int offset, int width) in RightSegments)
            {
                Array.Copy(right, offset, row, offset, width);
            }
        }

        return row;
    }
}

/// <summary>A FROM item's rows widened to its join group's width, its columns at their place in it.</summary>
public sealed class PlaceNode(PlanNode input, int offset, IReadOnlyList<PlanColumn> groupColumns) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => groupColumns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        foreach (SqlValue[] row in input.Execute(context))
        {
            var placed = new SqlValue[groupColumns.Count];
            Array.Copy(row, 0, placed, offset, row.Length);
            yield return placed;
        }
    }

    public override string Describe() => "Place";

    public override bool HiddenInExplain => true;

    public override IEnumerable<PlanNode> Children => [input];
}

/// <summary>
/// Equi-join by hashing: the build side is read into a table keyed by its join key values, then every probe row
/// looks its key up. A NULL key never matches (SQL's <c>=</c>), but the row still appears NULL-extended in an
/// outer join. <paramref name="residual"/> is the rest of the join condition, checked on each key match; a row is
/// matched only when it holds. Outer joins build the right side; an inner join builds whichever side the planner
/// estimated smaller.
/// </summary>
public sealed class HashJoinNode(PlanNode left, PlanNode right, PlanJoinKind kind, IReadOnlyList<BoundExpr> leftKeys, IReadOnlyList<BoundExpr> rightKeys,
    BoundExpr? residual, RowMerge merge, bool buildLeft) : PlanNode
{
    /// <summary>The join keys as EXPLAIN's Hash Cond pairs them: the probe side's first.</summary>
    public IEnumerable<(BoundExpr Outer, BoundExpr Inner)> HashCond => buildLeft && kind == PlanJoinKind.Inner ? rightKeys.Zip(leftKeys) : leftKeys.Zip(rightKeys);

    public BoundExpr? Residual => residual;

    public override IReadOnlyList<PlanColumn> Columns => merge.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context) => buildLeft && kind == PlanJoinKind.Inner ? ProbeRight(context) : ProbeLeft(context);

    private IEnumerable<SqlValue[]> ProbeLeft(EvalContext context)
    {
        EvalContext ctx = context.Nested();
        var rows = new List<SqlValue[]>();
        var table = new Dictionary<SqlValue[], List<int>>(RowComparer.Instance);
        foreach (SqlValue[] r in right.Execute(context))
        {
            rows.Add(r);
            if (Key(ctx, rightKeys, r) is { } key)
            {
                if (!table.TryGetValue(key, out List<int>? list))
                {
                    table[key] = list = new List<int>(1);
                }

                list.Add(rows.Count - 1);
            }
        }

        bool[]? rightMatched = kind is PlanJoinKind.Right or PlanJoinKind.Full ? new bool[rows.Count] : null;
        foreach (SqlValue[] l in left.Execute(context))
        {
            bool matched = false;
            if (Key(ctx, leftKeys, l) is { } key && table.TryGetValue(key, out List<int>? hits))
            {
                foreach (int i in hits)
                {
                    SqlValue[] combined = merge.Merge(l, rows[i]);
                    if (Holds(ctx, combined))
                    {
                        matched = true;
                        if (rightMatched is not null)
                        {
                            rightMatched[i] = true;
                        }
                        yield return combined;
                    }
                }
            }

            if (!matched && kind is PlanJoinKind.Left or PlanJoinKind.Full)
            {
                yield return merge.Merge(l, null);
            }
        }

        if (rightMatched is not null)
        {
            for (int i = 0; i < rows.Count; i++)
            {
                if (!rightMatched[i])
                {
                    yield return merge.Merge(null, rows[i]);
                }
            }
        }
    }

    private IEnumerable<SqlValue[]> ProbeRight(EvalContext context)
    {
        EvalContext ctx = context.Nested();
        var table = new Dictionary<SqlValue[], List<SqlValue[]>>(RowComparer.Instance);
        foreach (SqlValue[] l in left.Execute(context))
        {
            if (Key(ctx, leftKeys, l) is { } key)
            {
                if (!table.TryGetValue(key, out List<SqlValue[]>? list))
                {
                    table[key] = list = new List<SqlValue[]>(1);
                }

                list.Add(l);
            }
        }

        if (table.Count == 0)
        {
            yield break;
        }

        foreach (SqlValue[] r in right.Execute(context))
        {
            if (Key(ctx, rightKeys, r) is { } key && table.TryGetValue(key, out List<SqlValue[]>? hits))
            {
                foreach (SqlValue[] l in hits)
                {
                    SqlValue[] combined = merge.Merge(l, r);
                    if (Holds(ctx, combined))
                    {
                        yield return combined;
                    }
                }
            }
        }
    }

    /// <summary>The join key of a row; null when a key value is NULL (it matches nothing).</summary>
    private static SqlValue[]? Key(EvalContext ctx, IReadOnlyList<BoundExpr> keys, SqlValue[] row)
    {
        ctx.Row = row;
        var key = new SqlValue[keys.Count];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = keys[i].Evaluate(ctx);
            if (key[i].IsNull)
            {
                return null;
            }
        }

        return key;
    }

    private bool Holds(EvalContext ctx, SqlValue[] combined)
    {
        if (residual is null)
        {
            return true;
        }

        ctx.Row = combined;
        SqlValue ok = residual.Evaluate(ctx);
        return !ok.IsNull && ok.AsBool;
    }

    public override string Describe() => kind == PlanJoinKind.Inner ? "Hash Join" : $"Hash {kind} Join";

    // PostgreSQL shows the build side under a Hash node, second
    public override IEnumerable<PlanNode> Children => buildLeft && kind == PlanJoinKind.Inner ? [right, new HashNode(left)] : [left, new HashNode(right)];
}

/// <summary>The build side of a hash join as EXPLAIN shows it: a "Hash" node over the input it reads.</summary>
public sealed class HashNode(PlanNode input) : PlanNode
{
    public PlanNode Input => input;

    public override IReadOnlyList<PlanColumn> Columns => input.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context) => input.Execute(context);

    public override string Describe() => "Hash";

    public override IEnumerable<PlanNode> Children => [input];
}

/// <summary>
/// Nested-loop join inside a join group: the right side is read once into memory, then matched against every
/// left row (for conditions that are not equalities, and cross joins). Rows are merged at their group places.
/// </summary>
public sealed class LoopJoinNode(PlanNode left, PlanNode right, PlanJoinKind kind, BoundExpr? condition, RowMerge merge) : PlanNode
{
    public BoundExpr? Condition => condition;

    public override IReadOnlyList<PlanColumn> Columns => merge.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        List<SqlValue[]> inner = [.. right.Execute(context)];
        bool[] innerMatched = new bool[inner.Count];
        EvalContext ctx = context.Nested();
        foreach (SqlValue[] l in left.Execute(context))
        {
            bool matched = false;
            for (int i = 0; i < inner.Count; i++)
            {
                SqlValue[] combined = merge.Merge(l, inner[i]);
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
                innerMatched[i] = true;
                yield return combined;
            }

            if (!matched && kind is PlanJoinKind.Left or PlanJoinKind.Full)
            {
                yield return merge.Merge(l, null);
            }
        }

        if (kind is PlanJoinKind.Right or PlanJoinKind.Full)
        {
            for (int i = 0; i < inner.Count; i++)
            {
                if (!innerMatched[i])
                {
                    yield return merge.Merge(null, inner[i]);
                }
            }
        }
    }

    public override string Describe() => kind == PlanJoinKind.Inner ? "Nested Loop" : $"Nested Loop {kind} Join";

    public override IEnumerable<PlanNode> Children => [left, right];
}

/// <summary>
/// Index nested-loop join: for every left row, the inner table is read through its index (or primary key) with
/// the join key taken from that row, and <paramref name="condition"/> (the inner table's own predicates and the
/// join's) is checked on the merged row. Inner joins only.
/// </summary>
public sealed class IndexNestedLoopJoinNode(PlanNode left, TableScanNode inner, int innerOffset, BoundExpr? condition, IReadOnlyList<PlanColumn> columns) : PlanNode
{
    public BoundExpr? Condition => condition;

    public int InnerOffset => innerOffset;

    public override IReadOnlyList<PlanColumn> Columns => columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        EvalContext ctx = context.Nested();
        int width = columns.Count;
        foreach (SqlValue[] l in left.Execute(context))
        {
            foreach ((byte[] _, SqlValue[] r) in inner.ExecuteWithKeys(context, l))
            {
                var combined = new SqlValue[width];
                Array.Copy(l, combined, Math.Min(l.Length, width));
                Array.Copy(r, 0, combined, innerOffset, r.Length);
                if (condition is not null)
                {
                    ctx.Row = combined;
                    SqlValue ok = condition.Evaluate(ctx);
                    if (ok.IsNull || !ok.AsBool)
                    {
                        continue;
                    }
                }

                yield return combined;
            }
        }
    }

    public override string Describe() => "Nested Loop";

    public override IEnumerable<PlanNode> Children => [left, inner];
}
