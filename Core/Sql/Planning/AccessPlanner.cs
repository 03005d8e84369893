using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>An ORDER BY key over a table column (0-based), for an index that can deliver the order.</summary>
internal readonly record struct OrderColumn(int Column, bool Descending, bool NullsFirst);

/// <summary>
/// The chosen way to read a table: the path (null: a full scan), its rank (lower is better), a row estimate, and whether it
/// yields the requested order; when <see cref="Costed"/> (the table has statistics) the estimate is of the rows left after
/// every conjunct and <see cref="Cost"/> is the path's cost in row reads.
/// </summary>
internal sealed record AccessChoice(AccessPath? Path, int Rank, double Estimate, bool ProvidesOrder, double Cost = 0, bool Costed = false);

/// <summary>
/// Index selection. Without statistics, by a fixed rule: an equality on every column of a unique index (one row) beats
/// an equality on a prefix of an index, which beats a range on an index column, which beats a full scan; ties go to
/// more bound columns, then to the primary key (no second read per row). After ANALYZE, by cost: a full scan reads
/// every row, a primary key range the rows it matches, a secondary index its matches each with a second read by row
/// key (<see cref="SecondaryFetchCost"/>), the matches estimated by <see cref="Selectivity"/>; so a common value of a
/// skewed column is read by a full scan and a rare one by its index. An index that yields the requested ORDER BY is
/// taken when it ranks no worse (with statistics: costs no more than the best path plus a sort), or instead of a full
/// scan when it is the primary key or a LIMIT stops the scan early.
/// </summary>
internal static class AccessPlanner
{
    public const int UniquePoint = 0, EqualityPrefix = 1, Range = 2, FullScan = 3;

    /// <summary>
    /// A row found through a secondary index costs this many sequential row reads: an index entry, then a descent of the
    /// primary B+tree by the row key (PostgreSQL's random_page_cost / seq_page_cost is 4 as well).
    /// </summary>
    private const double SecondaryFetchCost = 4;

    /// <summary>Sorting costs this many row reads per row and comparison level (n log2 n), against an index that yields the order.</summary>
    private const double SortCostPerRowLevel = 0.2;

    /// <summary>Key column <see cref="Column"/> of <see cref="Index"/>, an expression, bound over the table's row.</summary>
    private sealed record ExpressionKey(IndexDef Index, int Column, BoundExpr Expr);

    private sealed record ColumnPredicate(int Column, ComparisonOperator Op, BoundExpr? Value, IReadOnlyList<BoundExpr>? Items, bool IsNull, BoundExpr Source);

    /// <summary>
    /// Picks the access path for <paramref name="table"/>, whose columns are at <paramref name="offset"/> in the row
    /// <paramref name="conjuncts"/> read. <paramref name="isKeyValue"/> says which expressions can be evaluated
    /// before the scan (no column of this table).
    /// </summary>
    public static AccessChoice Choose(TableDef table, IReadOnlyList<IndexDef> indexes, int offset, IReadOnlyList<BoundExpr> conjuncts,
        Func<BoundExpr, bool> isKeyValue, IReadOnlyList<OrderColumn>? order, bool limited)
    {
        ArgumentNullException.ThrowIfNull(table);
        List<ExpressionKey> expressionKeys = ExpressionKeys(table, indexes);
        List<ColumnPredicate> predicates = Predicates(table, offset, conjuncts, isKeyValue, expressionKeys);
        bool costed = Selectivity.HasStatistics(table);
        double rows = Selectivity.TableRows(table);
        double filtered = costed ? Math.Max(1, rows * Selectivity.Of(table, indexes, offset, conjuncts)) : 0;
        bool unordered = order is null || order.Count == 0;
        AccessChoice best = new(null, FullScan, costed ? filtered : 1000, unordered, rows, costed);
        int bestColumns = 0;
        AccessChoice? ordered = null;
        foreach (IndexDef index in indexes.OrderByDescending(i => i.Oid == table.PrimaryIndexOid))
        {
            bool primary = index.Oid == table.PrimaryIndexOid;
            List<KeyColumnBound> bounds = Bounds(index, table.Columns.Count, expressionKeys, predicates, out int equalities, out int inItems, out List<ColumnPredicate> used);
            int rank = bounds.Count == 0 ? FullScan
                : index.IsUnique && equalities == index.Columns.Count && inItems == 0 && bounds.All(b => b.Equal?.All(e => e is not null) ?? true) ? UniquePoint
                : equalities > 0 ? EqualityPrefix : Range;
            double estimate = costed ? filtered : rank switch
            {
                UniquePoint => 1,
                EqualityPrefix => 10 * Math.Max(1, inItems) * (bounds.Count > equalities ? 0.5 : 1),
                Range => 300,
                _ => 1000,
            };
            double matched = rank == UniquePoint ? 1 : costed ? rows * Selectivity.Of(table, indexes, offset, used.Select(u => u.Source).Distinct()) : 0;
            double cost = primary ? Math.Max(1, matched) : 1 + (matched * SecondaryFetchCost);
            bool? reverse = order is { Count: > 0 } ? Delivers(index, bounds, equalities, inItems, order) : null;
            bool better = costed ? rank < FullScan && cost < best.Cost : rank < FullScan && (rank < best.Rank || (rank == best.Rank && bounds.Count > bestColumns));
            if (better)
            {
                best = new AccessChoice(new AccessPath(index, primary, bounds, reverse ?? false), rank, estimate, unordered || reverse is not null, cost, costed);
                bestColumns = bounds.Count;
            }

            bool betterOrdered = ordered is null || (costed ? cost < ordered.Cost : rank < ordered.Rank);
            if (reverse is bool r && betterOrdered && (rank < FullScan || primary || limited))
            {
                ordered = new AccessChoice(new AccessPath(index, primary, bounds, r), rank, estimate, true, cost, costed);
            }
        }

        if (ordered is null || best.ProvidesOrder)
        {
            return best;
        }

        bool takeOrdered = costed
            ? limited || ordered.Cost <= best.Cost + (SortCostPerRowLevel * best.Estimate * Math.Log2(best.Estimate + 1))
            : ordered.Rank <= best.Rank;
        if (!takeOrdered)
        {
            return best;
        }

        // a full scan in primary key order is an ordered scan of the primary key for free
        return ordered.Rank == FullScan && ordered.Path is { IsPrimary: true, Reverse: false }
            ? new AccessChoice(null, FullScan, best.Estimate, true, rows, costed)
            : ordered;
    }

    /// <summary>Equalities on the leading index columns, then at most one range on the next one.</summary>
    /// <summary>The index expressions of the table's indexes, numbered in this order past its <paramref name="table"/>'s columns; a shared empty list when none.</summary>
    private static List<ExpressionKey> ExpressionKeys(TableDef table, IReadOnlyList<IndexDef> indexes)
    {
        List<ExpressionKey>? keys = null;
        foreach (IndexDef index in indexes)
        {
            for (int k = 0; k < index.Columns.Count; k++)
            {
                if (index.Columns[k].ExpressionSql is not null)
                {
                    (keys ??= []).Add(new ExpressionKey(index, k, Rows.IndexExpressions.Key(table, index, k)));
                }
            }
        }

        return keys ?? NoExpressionKeys;
    }

    private static readonly List<ExpressionKey> NoExpressionKeys = [];

    /// <summary>The predicates' column ordinal of key column <paramref name="k"/>: the table column's, or past the <paramref name="width"/> table columns for an expression.</summary>
    private static int OrdinalOf(IndexDef index, int k, int width, List<ExpressionKey> expressionKeys)
    {
        if (index.Columns[k].ExpressionSql is null)
        {
            return index.Columns[k].ColumnNumber - 1;
        }

        for (int e = 0; e < expressionKeys.Count; e++)
        {
            if (expressionKeys[e].Index == index && expressionKeys[e].Column == k)
            {
                return width + e;
            }
        }

        return -1;
    }

    private static List<KeyColumnBound> Bounds(IndexDef index, int width, List<ExpressionKey> expressionKeys, List<ColumnPredicate> predicates, out int equalities,
        out int inItems, out List<ColumnPredicate> used)
    {
        var bounds = new List<KeyColumnBound>();
        used = [];
        equalities = 0;
        int listed = 0;
        for (int k = 0; k < index.Columns.Count; k++)
        {
            int c = OrdinalOf(index, k, width, expressionKeys);
            ColumnPredicate? eq = predicates.FirstOrDefault(p => p.Column == c && p.Op == ComparisonOperator.Equal && p.Items is null)
                ?? predicates.FirstOrDefault(p => p.Column == c && p.Items is not null && (listed == 0 || p.Items.Count == 1));
            if (eq is not null)
            {
                bounds.Add(new KeyColumnBound(eq.Items is { } items ? [.. items] : eq.IsNull ? [null] : [eq.Value]));
                used.Add(eq);
                equalities++;
                if (eq.Items is { Count: > 1 } list)
                {
                    listed = list.Count;
                }

                continue;
            }

            ColumnPredicate? lower = predicates.FirstOrDefault(p => p.Column == c && p.Op is ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual);
            ColumnPredicate? upper = predicates.FirstOrDefault(p => p.Column == c && p.Op is ComparisonOperator.Less or ComparisonOperator.LessOrEqual);
            if (lower is not null || upper is not null)
            {
                bounds.Add(new KeyColumnBound(null, lower?.Value, lower?.Op == ComparisonOperator.GreaterOrEqual, upper?.Value, upper?.Op == ComparisonOperator.LessOrEqual));
                used.AddRange(new[] { lower, upper }.OfType<ColumnPredicate>());
            }

            break;
        }

        inItems = listed;
        return bounds;
    }

    /// <summary>
    /// Whether scanning the bounded index yields rows in <paramref name="order"/>: null if not, else whether backwards.
    /// Order keys on columns fixed by a single equality are satisfied by any order.
    /// </summary>
    private static bool? Delivers(IndexDef index, List<KeyColumnBound> bounds, int equalities, int inItems, IReadOnlyList<OrderColumn> order)
    {
        if (inItems > 0)
        {
            return null; // several equality prefixes interleave
        }

        bool? reverse = null;
        int position = equalities;
        foreach (OrderColumn key in order)
        {
            int fixedAt = index.Columns.Take(equalities).ToList().FindIndex(c => c.ColumnNumber - 1 == key.Column);
            if (fixedAt >= 0 && bounds[fixedAt].Equal is { Count: 1 })
            {
                continue;
            }

            if (position >= index.Columns.Count || index.Columns[position].ColumnNumber - 1 != key.Column)
            {
                return null;
            }

            IndexColumn column = index.Columns[position++];
            bool nullsFirst = column.NullsFirst ?? column.Descending;
            bool forward = key.Descending == column.Descending && key.NullsFirst == nullsFirst;
            bool backward = key.Descending != column.Descending && key.NullsFirst != nullsFirst;
            if (!forward && !backward)
            {
                return null;
            }

            if (reverse is not null && reverse != backward)
            {
                return null;
            }

            reverse = backward;
        }

        return reverse ?? false;
    }

    /// <summary>
    /// The conjuncts of the form <c>column op value</c>, <c>column IN (values)</c> and <c>column IS NULL</c> on this table; an
    /// index expression in the column's place (<c>lower(email) = $1</c>) is the column numbered past the table's, one per key.
    /// </summary>
    private static List<ColumnPredicate> Predicates(TableDef table, int offset, IReadOnlyList<BoundExpr> conjuncts, Func<BoundExpr, bool> isKeyValue,
        List<ExpressionKey> expressionKeys)
    {
        var found = new List<ColumnPredicate>();
        int width = table.Columns.Count;
        int? Local(BoundExpr e)
        {
            if (e is ColumnExpr { Depth: 0 } c)
            {
                return c.Ordinal >= offset && c.Ordinal < offset + width ? c.Ordinal - offset : null;
            }

            for (int key = 0; key < expressionKeys.Count; key++)
            {
                if (ExprFacts.SameExpression(e, expressionKeys[key].Expr, offset))
                {
                    return width + key;
                }
            }

            return null;
        }

        SqlType TypeOf(int column) => column < width ? table.Columns[column].Type : expressionKeys[column - width].Expr.Type;
        bool Fits(int column, BoundExpr value) => isKeyValue(value) && KeyValues.Usable(TypeOf(column), value.Type);
        foreach (BoundExpr conjunct in conjuncts)
        {
            switch (conjunct)
            {
                case ComparisonExpr { Operator: not ComparisonOperator.NotEqual } cmp:
                    if (Local(cmp.Left) is int l && Fits(l, cmp.Right))
                    {
                        found.Add(new ColumnPredicate(l, cmp.Operator, cmp.Right, null, false, conjunct));
                    }
                    else if (Local(cmp.Right) is int r && Fits(r, cmp.Left))
                    {
                        found.Add(new ColumnPredicate(r, Flip(cmp.Operator), cmp.Left, null, false, conjunct));
                    }

                    break;
                case InListExpr { Negated: false } inList when Local(inList.Operand) is int column && inList.Items.All(i => Fits(column, i)):
                    found.Add(new ColumnPredicate(column, ComparisonOperator.Equal, null, inList.Items, false, conjunct));
                    break;
                case IsExpr { IsNullTest: true, Negated: false } isNull when Local(isNull.Operand) is int column:
                    found.Add(new ColumnPredicate(column, ComparisonOperator.Equal, null, null, true, conjunct));
                    break;
            }
        }

        return found;
    }

    /// <summary>The operator with its operands swapped (<c>5 &lt; x</c> is <c>x &gt; 5</c>).</summary>
    internal static ComparisonOperator Flip(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Less => ComparisonOperator.Greater,
        ComparisonOperator.LessOrEqual => ComparisonOperator.GreaterOrEqual,
        ComparisonOperator.Greater => ComparisonOperator.Less,
        ComparisonOperator.GreaterOrEqual => ComparisonOperator.LessOrEqual,
        _ => op,
    };
}
