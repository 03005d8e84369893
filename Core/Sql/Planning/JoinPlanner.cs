using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// Turns a bound FROM tree and its WHERE into an executable plan:
/// <list type="bullet">
/// <item>a chain of inner joins and comma items becomes one join group: the WHERE and ON conjuncts that read one
/// item are pushed to it (a table then gets its access path, <see cref="AccessPlanner"/>), and the items are
/// joined greedily, smallest estimate first, each next item one that an equality connects to those joined
/// (so many-table comma joins never form a cross product they do not ask for);</item>
/// <item>an equality between the joined items and the next one makes a hash join, or an index nested-loop join
/// when the next item is a table with an index on the key and few rows come from the left; other conditions
/// make a nested loop;</item>
/// <item>outer joins keep their shape (a hash join on their ON equalities); a LEFT join's WHERE conjuncts on its
/// preserved side and ON conjuncts on its nullable side are pushed down.</item>
/// </list>
/// Conjuncts holding a subquery stay above the joins (a correlated reference may read any column). Output rows
/// keep the binder's column layout, so nothing above the FROM changes.
/// </summary>
internal sealed class JoinPlanner(CatalogSnapshot catalog, bool indexScans, bool hashJoins)
{
    /// <summary>Fewer estimated left rows than this read the inner table by index per row rather than hashing it whole.</summary>
    private const double IndexLoopOuterLimit = 100;

    /// <summary>
    /// With statistics, one index probe of the inner table costs this many sequential row reads (a B+tree descent, then
    /// the row), against a hash join that reads the inner table once and each outer row once.
    /// </summary>
    private const double IndexProbeCost = 10;

    private sealed record Leaf(PlanNode Node, int Offset, int Width)
    {
        public bool Contains(int ordinal) => ordinal >= Offset && ordinal < Offset + Width;
    }

    private sealed record Conjunct(BoundExpr Expr, HashSet<int> Leaves);

    public PlanNode Plan(PlanNode from, BoundExpr? where) => Plan(from, ExprFacts.Conjuncts(where));

    /// <summary>A single-table FROM read in <paramref name="order"/> by an index; null when no index delivers it.</summary>
    public PlanNode? PlanOrdered(PlanNode from, BoundExpr? where, IReadOnlyList<OrderColumn> order, bool limited)
    {
        if (!indexScans || from is not TableScanNode { Access: null } scan)
        {
            return null;
        }

        List<BoundExpr> conjuncts = ExprFacts.Conjuncts(where);
        AccessChoice choice = AccessPlanner.Choose(scan.Table, catalog.IndexesOf(scan.Table.Oid), 0, conjuncts, ExprFacts.IsRowIndependent, order, limited);
        if (!choice.ProvidesOrder)
        {
            return null;
        }

        PlanNode plan = new TableScanNode(scan.Table, scan.Columns, choice.Path);
        return where is null ? plan : new FilterNode(plan, where);
    }

    /// <summary>The access path of a single table for UPDATE and DELETE (their rows are re-checked after locking).</summary>
    public TableScanNode ScanFor(TableScanNode scan, BoundExpr where)
    {
        ArgumentNullException.ThrowIfNull(scan);
        if (!indexScans)
        {
            return scan;
        }

        AccessChoice choice = AccessPlanner.Choose(scan.Table, catalog.IndexesOf(scan.Table.Oid), 0, ExprFacts.Conjuncts(where), ExprFacts.IsRowIndependent, null, false);
        return choice.Path is null ? scan : new TableScanNode(scan.Table, scan.Columns, choice.Path);
    }

    private PlanNode Plan(PlanNode node, List<BoundExpr> conjuncts) => node switch
    {
        _ when conjuncts.Any(ConstantFolding.IsFalse) => new FilterNode(node, new ConstantExpr(SqlValue.FromBool(false), SqlType.Bool)),
        NestedLoopJoinNode { Kind: PlanJoinKind.Inner } or TableScanNode { Access: null } => PlanGroup(node, conjuncts),
        NestedLoopJoinNode join => PlanOuter(join, conjuncts),
        _ => Filtered(node, conjuncts),
    };

    private static PlanNode Filtered(PlanNode node, IReadOnlyList<BoundExpr> conjuncts) =>
        ExprFacts.And(conjuncts) is { } predicate ? new FilterNode(node, predicate) : node;

    private PlanNode PlanOuter(NestedLoopJoinNode join, List<BoundExpr> conjuncts)
    {
        int leftWidth = join.Left.Columns.Count;
        bool LeftOnly(BoundExpr e) => ExprFacts.ReadsOnly(e, c => c < leftWidth);
        bool RightOnly(BoundExpr e) => ExprFacts.ReadsOnly(e, c => c >= leftWidth);

        // WHERE on the preserved side of a LEFT join filters before the join; ON on its nullable side likewise
        List<BoundExpr> pushed = join.Kind == PlanJoinKind.Left ? [.. conjuncts.Where(LeftOnly)] : [];
        List<BoundExpr> above = [.. conjuncts.Where(c => !pushed.Contains(c))];
        List<BoundExpr> on = ExprFacts.Conjuncts(join.Condition);
        List<BoundExpr> rightOn = join.Kind == PlanJoinKind.Left ? [.. on.Where(c => RightOnly(c) && !ExprFacts.IsRowIndependent(c))] : [];
        on = [.. on.Where(c => !rightOn.Contains(c))];

        PlanNode left = Plan(join.Left, pushed);
        var rightPlaced = new PlaceNode(Plan(join.Right, []), leftWidth, join.Columns);
        PlanNode right = rightOn.Count == 0 ? rightPlaced : new FilterNode(rightPlaced, ExprFacts.And(rightOn)!);
        var merge = new RowMerge(join.Columns, [(leftWidth, join.Right.Columns.Count)]);
        (List<BoundExpr> leftKeys, List<BoundExpr> rightKeys, List<BoundExpr> residual) = EquiKeys(on, LeftOnly, RightOnly);
        PlanNode plan = hashJoins && leftKeys.Count > 0
            ? new HashJoinNode(left, right, join.Kind, leftKeys, rightKeys, ExprFacts.And(residual), merge, buildLeft: false)
            : new LoopJoinNode(left, right, join.Kind, ExprFacts.And(on), merge);
        return Filtered(plan, above);
    }

    private PlanNode PlanGroup(PlanNode root, List<BoundExpr> where)
    {
        var leaves = new List<Leaf>();
        var conjuncts = new List<BoundExpr>(where);
        Flatten(root, leaves, conjuncts);
        IReadOnlyList<PlanColumn> columns = root.Columns;

        var perLeaf = leaves.Select(_ => new List<BoundExpr>()).ToList();
        var constant = new List<BoundExpr>();
        var above = new List<BoundExpr>();
        var joins = new List<Conjunct>();
        foreach (BoundExpr c in conjuncts)
        {
            var read = new HashSet<int>();
            if (!ExprFacts.TryColumns(c, read))
            {
                above.Add(c);
                continue;
            }

            var touched = new HashSet<int>(read.Select(o => leaves.FindIndex(l => l.Contains(o))));
            switch (touched.Count)
            {
                case 0:
                    constant.Add(c);
                    break;
                case 1:
                    perLeaf[touched.First()].Add(c);
                    break;
                default:
                    joins.Add(new Conjunct(c, touched));
                    break;
            }
        }

        var estimates = new double[leaves.Count];
        var built = new PlanNode?[leaves.Count];
        for (int i = 0; i < leaves.Count; i++)
        {
            (built[i], estimates[i]) = BuildLeaf(leaves[i], perLeaf[i], columns, i == 0);
        }

        int start = Enumerable.Range(0, leaves.Count).MinBy(i => estimates[i]);
        var joined = new HashSet<int> { start };
        PlanNode plan = Filtered(built[start]!, constant);
        double estimate = estimates[start];
        // with statistics the next item is the one whose join yields the fewest rows; without, the smallest item
        bool costed = leaves.Any(l => l.Node is TableScanNode t && Selectivity.HasStatistics(t.Table));
        while (joined.Count < leaves.Count)
        {
            double outerRows = estimate;
            int next = NextLeaf(leaves, joined, joins, costed ? i => JoinRows(leaves, joined, i, outerRows, estimates[i], joins) : i => estimates[i]);
            List<Conjunct> applicable = [.. joins.Where(j => j.Leaves.All(l => joined.Contains(l) || l == next))];
            joins.RemoveAll(applicable.Contains);
            List<BoundExpr> on = [.. applicable.Select(a => a.Expr)];
            Leaf leaf = leaves[next];
            bool Outer(BoundExpr e) => ExprFacts.ReadsOnly(e, o => joined.Any(j => leaves[j].Contains(o)));
            bool Inner(BoundExpr e) => ExprFacts.ReadsOnly(e, leaf.Contains);
            (List<BoundExpr> outerKeys, List<BoundExpr> innerKeys, List<BoundExpr> residual) = EquiKeys(on, Outer, Inner);

            if (IndexLoop(plan, estimate, leaf, perLeaf[next], on, columns, outerKeys.Count > 0, costed) is { } loop)
            {
                plan = loop.Plan;
                estimate = Math.Max(1, estimate) * loop.InnerEstimate;
            }
            else
            {
                var merge = new RowMerge(columns, [(leaf.Offset, leaf.Width)]);
                PlanNode right = built[next]!;
                plan = hashJoins && outerKeys.Count > 0
                    ? new HashJoinNode(plan, right, PlanJoinKind.Inner, outerKeys, innerKeys, ExprFacts.And(residual), merge, buildLeft: estimate < estimates[next])
                    : new LoopJoinNode(plan, right, PlanJoinKind.Inner, ExprFacts.And(on), merge);
                estimate = costed ? JoinRows(leaves, joined, next, estimate, estimates[next], applicable)
                    : outerKeys.Count > 0 ? Math.Max(estimate, estimates[next]) : Math.Min(1e12, estimate * estimates[next]);
            }

            joined.Add(next);
        }

        return Filtered(plan, above);
    }

    /// <summary>The inner-join spine's items left to right, with their ON conditions added to <paramref name="conjuncts"/>.</summary>
    private static void Flatten(PlanNode node, List<Leaf> leaves, List<BoundExpr> conjuncts)
    {
        if (node is NestedLoopJoinNode { Kind: PlanJoinKind.Inner } join)
        {
            Flatten(join.Left, leaves, conjuncts);
            int offset = join.Left.Columns.Count;
            leaves.Add(new Leaf(join.Right, offset, join.Right.Columns.Count));
            conjuncts.AddRange(ExprFacts.Conjuncts(join.Condition));
            return;
        }

        leaves.Add(new Leaf(node, 0, node.Columns.Count));
    }

    /// <summary>One FROM item planned with its own conjuncts, placed in the group's row, and its estimated rows.</summary>
    private (PlanNode, double) BuildLeaf(Leaf leaf, List<BoundExpr> conjuncts, IReadOnlyList<PlanColumn> columns, bool first)
    {
        PlanNode plan;
        double estimate;
        bool filtered = false;
        if (leaf.Node is TableScanNode { Access: null } scan)
        {
            IReadOnlyList<IndexDef> indexes = catalog.IndexesOf(scan.Table.Oid);
            AccessChoice choice = indexScans
                ? AccessPlanner.Choose(scan.Table, indexes, leaf.Offset, conjuncts, ExprFacts.IsRowIndependent, null, false)
                : Selectivity.HasStatistics(scan.Table)
                    ? new AccessChoice(null, AccessPlanner.FullScan, Math.Max(1, Selectivity.TableRows(scan.Table) * Selectivity.Of(scan.Table, indexes, leaf.Offset, conjuncts)), true, 0, true)
                    : new AccessChoice(null, AccessPlanner.FullScan, 1000, true);
            plan = choice.Path is null ? scan : new TableScanNode(scan.Table, scan.Columns, choice.Path);
            estimate = choice.Costed ? choice.Estimate : choice.Estimate * (conjuncts.Count > 0 && choice.Path is null ? 0.5 : 1);
        }
        else if (first)
        {
            plan = Plan(leaf.Node, conjuncts); // at offset 0 the item reads the group's ordinals as its own
            filtered = true;
            estimate = Estimate(leaf.Node);
        }
        else
        {
            plan = Plan(leaf.Node, []);
            estimate = Estimate(leaf.Node);
        }

        if (leaf.Offset > 0)
        {
            plan = new PlaceNode(plan, leaf.Offset, columns);
        }

        return (filtered ? plan : Filtered(plan, conjuncts), estimate);
    }

    private static double Estimate(PlanNode node) => node switch
    {
        ValuesNode v => Math.Max(1, v.Rows.Count),
        SingleRowNode => 1,
        _ => 1000,
    };

    /// <summary>
    /// The rows of joining item <paramref name="next"/> (<paramref name="innerRows"/> rows) to the joined ones
    /// (<paramref name="outerRows"/>): the product, times 1/max(n_distinct) per equality between a joined column and one of
    /// the item's (<see cref="Selectivity.JoinEquality"/>), times 1/3 per other condition connecting them.
    /// </summary>
    private double JoinRows(List<Leaf> leaves, HashSet<int> joined, int next, double outerRows, double innerRows, List<Conjunct> joins)
    {
        double rows = outerRows * innerRows;
        foreach (Conjunct j in joins)
        {
            if (!j.Leaves.Contains(next) || !j.Leaves.All(l => l == next || joined.Contains(l)))
            {
                continue;
            }

            rows *= j.Expr is ComparisonExpr { Operator: ComparisonOperator.Equal } eq
                ? Selectivity.JoinEquality(TableColumn(leaves, eq.Left), TableColumn(leaves, eq.Right), catalog.IndexesOf)
                : Selectivity.DefaultInequality;
        }

        return Math.Clamp(rows, 1, 1e12);
    }

    /// <summary>The table column an expression is (under implicit casts), for its statistics; null for anything else.</summary>
    private static (TableDef Table, int Column)? TableColumn(List<Leaf> leaves, BoundExpr e)
    {
        while (e is CastExpr cast)
        {
            e = cast.Operand;
        }

        if (e is not ColumnExpr { Depth: 0 } column)
        {
            return null;
        }

        Leaf? leaf = leaves.Find(l => l.Contains(column.Ordinal));
        return leaf?.Node is TableScanNode scan ? (scan.Table, column.Ordinal - leaf.Offset) : null;
    }

    /// <summary>The next item to join: one an equality connects to the joined ones, else any condition, else the one scoring least.</summary>
    private static int NextLeaf(List<Leaf> leaves, HashSet<int> joined, List<Conjunct> joins, Func<int, double> score)
    {
        double bestScore = double.MaxValue;
        int best = -1, bestClass = 3;
        for (int i = 0; i < leaves.Count; i++)
        {
            if (joined.Contains(i))
            {
                continue;
            }

            int cls = 2;
            foreach (Conjunct j in joins)
            {
                if (j.Leaves.Contains(i) && j.Leaves.All(l => l == i || joined.Contains(l)))
                {
                    cls = Math.Min(cls, j.Expr is ComparisonExpr { Operator: ComparisonOperator.Equal } ? 0 : 1);
                }
            }

            double sc = cls <= bestClass ? score(i) : double.MaxValue;
            if (cls < bestClass || (cls == bestClass && sc < bestScore))
            {
                best = i;
                bestClass = cls;
                bestScore = sc;
            }
        }

        return best;
    }

    /// <summary>An index nested-loop join into <paramref name="leaf"/> when it is a table whose index the join key can probe and few rows come from the left.</summary>
    private (PlanNode Plan, double InnerEstimate)? IndexLoop(PlanNode outer, double outerEstimate, Leaf leaf, List<BoundExpr> own, List<BoundExpr> on,
        IReadOnlyList<PlanColumn> columns, bool hashable, bool costed)
    {
        if (!indexScans || leaf.Node is not TableScanNode { Access: null } scan)
        {
            return null;
        }

        // with statistics: probing per outer row against hashing the whole inner table once; without, a fixed limit
        if (hashable && hashJoins && (costed && Selectivity.HasStatistics(scan.Table)
            ? outerEstimate * IndexProbeCost >= Selectivity.TableRows(scan.Table) + outerEstimate
            : outerEstimate > IndexLoopOuterLimit))
        {
            return null;
        }

        List<BoundExpr> all = [.. own, .. on];
        bool KeyValue(BoundExpr e) => ExprFacts.ReadsOnly(e, o => !leaf.Contains(o));
        AccessChoice choice = AccessPlanner.Choose(scan.Table, catalog.IndexesOf(scan.Table.Oid), leaf.Offset, all, KeyValue, null, false);
        if (choice.Path is not { } path || !path.Bounds.Any(ReadsRow))
        {
            return null;
        }

        var inner = new TableScanNode(scan.Table, scan.Columns, path);
        return (new IndexNestedLoopJoinNode(outer, inner, leaf.Offset, ExprFacts.And(all), columns), choice.Estimate);
    }

    private static bool ReadsRow(KeyColumnBound bound) =>
        new[] { bound.Lower, bound.Upper }.Concat(bound.Equal ?? []).Any(e => e is not null && !ExprFacts.IsRowIndependent(e));

    /// <summary>The equalities of <paramref name="on"/> with one side over the left input and the other over the right, as hash keys; the rest.</summary>
    private static (List<BoundExpr> Left, List<BoundExpr> Right, List<BoundExpr> Residual) EquiKeys(List<BoundExpr> on, Func<BoundExpr, bool> leftOnly, Func<BoundExpr, bool> rightOnly)
    {
        List<BoundExpr> left = [], right = [], residual = [];
        foreach (BoundExpr c in on)
        {
            if (c is ComparisonExpr { Operator: ComparisonOperator.Equal } eq && Hashable(eq.Left.Type, eq.Right.Type) && !ExprFacts.IsRowIndependent(eq.Left) && !ExprFacts.IsRowIndependent(eq.Right))
            {
                if (leftOnly(eq.Left) && rightOnly(eq.Right))
                {
                    left.Add(eq.Left);
                    right.Add(eq.Right);
                    continue;
                }

                if (leftOnly(eq.Right) && rightOnly(eq.Left))
                {
                    left.Add(eq.Right);
                    right.Add(eq.Left);
                    continue;
                }
            }

            residual.Add(c);
        }

        return (left, right, residual);
    }

    /// <summary>Types whose equal values hash alike (<see cref="SqlCompare.Hash"/>): one kind, integers together, integers with numerics, non-char strings, the time line.</summary>
    internal static bool Hashable(SqlType a, SqlType b)
    {
        if (a.IsArray || b.IsArray)
        {
            return false;
        }

        SqlTypeKind x = a.Kind, y = b.Kind;
        static bool Exact(SqlTypeKind k) => SqlCompare.IsInteger(k) || k == SqlTypeKind.Numeric;
        static bool PlainString(SqlTypeKind k) => k is SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Name;
        static bool TimeLine(SqlTypeKind k) => k is SqlTypeKind.Date or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz;
        return (x == y && x != SqlTypeKind.Unknown) || (Exact(x) && Exact(y)) || (PlainString(x) && PlainString(y)) || (TimeLine(x) && TimeLine(y));
    }
}
