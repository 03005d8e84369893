using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Execution;

/// <summary>An output column of a plan: its name as the client sees it and its type; <see cref="Relation"/> is the FROM alias it comes from (EXPLAIN qualifies with it).</summary>
public sealed record PlanColumn(string Name, SqlType Type, uint TableOid = 0, int ColumnNumber = 0, string? Relation = null);

/// <summary>
/// A node of an executable plan (iterator model): <see cref="Execute"/> yields rows lazily. The context passed
/// in is the enclosing query's (its runtime, parameters and, for correlated subqueries, the outer row).
/// </summary>
public abstract class PlanNode
{
    public abstract IReadOnlyList<PlanColumn> Columns { get; }

    /// <summary>The node's rows; under EXPLAIN ANALYZE (<see cref="ExecutionRuntime.Analysis"/> set) counted per node, else untouched.</summary>
    public IEnumerable<SqlValue[]> Execute(EvalContext context) =>
        context?.Runtime?.Analysis is { } analysis ? analysis.Measure(this, ExecuteCore(context)) : ExecuteCore(context!);

    protected abstract IEnumerable<SqlValue[]> ExecuteCore(EvalContext context);

    /// <summary>One line of EXPLAIN for this node; children indent below it.</summary>
    public abstract string Describe();

    public virtual IEnumerable<PlanNode> Children => [];

    /// <summary>A node EXPLAIN leaves out (it only rearranges columns): its children print in its place.</summary>
    public virtual bool HiddenInExplain => false;
}

/// <summary>The one empty row a SELECT without FROM reads.</summary>
public sealed class SingleRowNode : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => [];

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        yield return [];
    }

    public override string Describe() => "Result";
}

/// <summary>VALUES rows, evaluated when read.</summary>
public sealed class ValuesNode(IReadOnlyList<PlanColumn> columns, IReadOnlyList<IReadOnlyList<BoundExpr>> rows) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => columns;

    public IReadOnlyList<IReadOnlyList<BoundExpr>> Rows => rows;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        EvalContext ctx = context.Nested();
        foreach (IReadOnlyList<BoundExpr> row in rows)
        {
            var values = new SqlValue[row.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = row[i].Evaluate(ctx);
            }

            yield return values;
        }
    }

    public override string Describe() => $"Values Scan ({rows.Count} rows)";
}

public sealed class FilterNode(PlanNode input, BoundExpr predicate) : PlanNode
{
    public PlanNode Input => input;

    public BoundExpr Predicate => predicate;

    public override IReadOnlyList<PlanColumn> Columns => input.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        if (predicate is ConstantExpr { Value: var constant } && (constant.IsNull || !constant.AsBool))
        {
            yield break; // no row can pass: the input is not read at all (PostgreSQL's One-Time Filter: false)
        }

        EvalContext ctx = context.Nested();
        foreach (SqlValue[] row in input.Execute(context))
        {
            ctx.Row = row;
            SqlValue keep = predicate.Evaluate(ctx);
            if (!keep.IsNull && keep.AsBool)
            {
                yield return row;
            }
        }
    }

    public override string Describe() => "Filter";

    // PostgreSQL evaluates a qual inside the node below it: EXPLAIN shows it as that node's "Filter:" line
    public override bool HiddenInExplain => true;

    public override IEnumerable<PlanNode> Children => [input];
}

public sealed class ProjectNode(PlanNode input, IReadOnlyList<BoundExpr> expressions, IReadOnlyList<PlanColumn> columns) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => columns;

    public IReadOnlyList<BoundExpr> Expressions => expressions;

    public PlanNode Input => input;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        EvalContext ctx = context.Nested();
        foreach (SqlValue[] row in input.Execute(context))
        {
            ctx.Row = row;
            var output = new SqlValue[expressions.Count];
            for (int i = 0; i < output.Length; i++)
            {
                output[i] = expressions[i].Evaluate(ctx);
            }

            yield return output;
        }
    }

    public override string Describe() => "Project";

    // PostgreSQL computes the select list inside the node below (its target list): no node of its own in EXPLAIN
    public override bool HiddenInExplain => true;

    public override IEnumerable<PlanNode> Children => [input];
}

public enum PlanJoinKind : byte
{
    Inner,
    Left,
    Right,
    Full,
}

/// <summary>Nested-loop join: the right side is read once into memory, then matched against every left row.</summary>
public sealed class NestedLoopJoinNode(PlanNode left, PlanNode right, PlanJoinKind kind, BoundExpr? condition) : PlanNode
{
    public PlanNode Left => left;

    public PlanNode Right => right;

    public PlanJoinKind Kind => kind;

    public BoundExpr? Condition => condition;

    private readonly PlanColumn[] _columns = [.. left.Columns, .. right.Columns];

    public override IReadOnlyList<PlanColumn> Columns => _columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        List<SqlValue[]> inner = [.. right.Execute(context)];
        bool[] innerMatched = new bool[inner.Count];
        EvalContext ctx = context.Nested();
        int leftWidth = left.Columns.Count, rightWidth = right.Columns.Count;
        foreach (SqlValue[] l in left.Execute(context))
        {
            bool matched = false;
            for (int i = 0; i < inner.Count; i++)
            {
                SqlValue[] combined = [.. l, .. inner[i]];
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
                yield return [.. l, .. new SqlValue[rightWidth]];
            }
        }

        if (kind is PlanJoinKind.Right or PlanJoinKind.Full)
        {
            for (int i = 0; i < inner.Count; i++)
            {
                if (!innerMatched[i])
                {
                    yield return [.. new SqlValue[leftWidth], .. inner[i]];
                }
            }
        }
    }

    public override string Describe() => kind == PlanJoinKind.Inner ? "Nested Loop" : $"Nested Loop {kind} Join";

    public override IEnumerable<PlanNode> Children => [left, right];
}

public sealed record SortKey(int Column, bool Descending, bool NullsFirst);

/// <summary>Sorts all input rows (stable, so ties keep their input order).</summary>
public sealed class SortNode(PlanNode input, IReadOnlyList<SortKey> keys) : PlanNode
{
    public PlanNode Input => input;

    public IReadOnlyList<SortKey> Keys => keys;

    public override IReadOnlyList<PlanColumn> Columns => input.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        List<SqlValue[]> rows = [.. input.Execute(context)];
        var indexed = rows.Select((r, i) => (Row: r, Index: i)).ToList();
        indexed.Sort((a, b) =>
        {
            foreach (SortKey k in keys)
            {
                int c = CompareForSort(a.Row[k.Column], b.Row[k.Column], k);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.Index.CompareTo(b.Index);
        });
        foreach ((SqlValue[] row, int _) in indexed)
        {
            yield return row;
        }
    }

    public static int CompareForSort(SqlValue a, SqlValue b, SortKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (a.IsNull || b.IsNull)
        {
            if (a.IsNull && b.IsNull)
            {
                return 0;
            }

            return a.IsNull == key.NullsFirst ? -1 : 1;
        }

        int c = SqlCompare.Compare(a, b);
        return key.Descending ? -c : c;
    }

    public override string Describe() => "Sort";

    public override IEnumerable<PlanNode> Children => [input];
}

public sealed class LimitNode(PlanNode input, BoundExpr? limit, BoundExpr? offset) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => input.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        long take = Count(limit, context, long.MaxValue, "LIMIT");
        long skip = Count(offset, context, 0, "OFFSET");
        if (take == 0)
        {
            yield break;
        }

        foreach (SqlValue[] row in input.Execute(context))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }

            yield return row;
            if (--take == 0)
            {
                yield break;
            }
        }
    }

    private static long Count(BoundExpr? e, EvalContext context, long absent, string clause)
    {
        if (e is null)
        {
            return absent;
        }

        SqlValue v = e.Evaluate(context.Nested());
        if (v.IsNull)
        {
            return absent;
        }

        long n = SqlCast.Coerce(v, SqlType.Int8).AsInt64;
        return n < 0 ? throw new SqlException("2201W", $"{clause} must not be negative") : n;
    }

    public override string Describe() => "Limit";

    public override IEnumerable<PlanNode> Children => [input];
}

/// <summary>DISTINCT: the first row of each set of equal rows (NULLs equal each other here, as SQL's DISTINCT says).</summary>
public sealed class DistinctNode(PlanNode input) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => input.Columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        var seen = new HashSet<SqlValue[]>(RowComparer.Instance);
        foreach (SqlValue[] row in input.Execute(context))
        {
            if (seen.Add(row))
            {
                yield return row;
            }
        }
    }

    public override string Describe() => "Unique";

    public override IEnumerable<PlanNode> Children => [input];
}

/// <summary>Row equality for DISTINCT, GROUP BY and set operations: values compare equal by SQL rules, NULL equals NULL.</summary>
public sealed class RowComparer : IEqualityComparer<SqlValue[]>
{
    public static readonly RowComparer Instance = new();

    public bool Equals(SqlValue[]? x, SqlValue[]? y)
    {
        if (x is null || y is null || x.Length != y.Length)
        {
            return ReferenceEquals(x, y);
        }

        for (int i = 0; i < x.Length; i++)
        {
            if (x[i].IsNull != y[i].IsNull || (!x[i].IsNull && SqlCompare.Compare(x[i], y[i]) != 0))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(SqlValue[] obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var h = new HashCode();
        foreach (SqlValue v in obj)
        {
            h.Add(SqlCompare.Hash(v));
        }

        return h.ToHashCode();
    }
}

public enum SetOperationKind : byte
{
    Union,
    Intersect,
    Except,
}

public sealed class SetOperationNode(SetOperationKind kind, bool all, PlanNode left, PlanNode right, IReadOnlyList<PlanColumn> columns) : PlanNode
{
    public override IReadOnlyList<PlanColumn> Columns => columns;

    protected override IEnumerable<SqlValue[]> ExecuteCore(EvalContext context)
    {
        if (kind == SetOperationKind.Union)
        {
            var seen = all ? null : new HashSet<SqlValue[]>(RowComparer.Instance);
            foreach (SqlValue[] row in left.Execute(context).Concat(right.Execute(context)))
            {
                if (seen is null || seen.Add(row))
                {
                    yield return row;
                }
            }

            yield break;
        }

        // INTERSECT / EXCEPT: count the right side's rows, then let left rows through by the counts.
        var counts = new Dictionary<SqlValue[], int>(RowComparer.Instance);
        foreach (SqlValue[] row in right.Execute(context))
        {
            counts[row] = counts.GetValueOrDefault(row) + 1;
        }

        var emitted = new HashSet<SqlValue[]>(RowComparer.Instance);
        foreach (SqlValue[] row in left.Execute(context))
        {
            int n = counts.GetValueOrDefault(row);
            bool keep = kind == SetOperationKind.Intersect ? n > 0 : n == 0;
            if (all)
            {
                if (kind == SetOperationKind.Intersect && n > 0)
                {
                    counts[row] = n - 1;
                    yield return row;
                }
                else if (kind == SetOperationKind.Except)
                {
                    if (n > 0)
                    {
                        counts[row] = n - 1;
                    }
                    else
                    {
                        yield return row;
                    }
                }
            }
            else if (keep && emitted.Add(row))
            {
                yield return row;
            }
        }
    }

    public override string Describe() => kind.ToString() + (all ? " All" : "");

    public override IEnumerable<PlanNode> Children => [left, right];
}
