using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>An ORDER BY key over a table column (0-based), for an index that can deliver the order.</summary>
internal readonly record struct OrderColumn(int Column, bool Descending, bool NullsFirst);

/// <summary>The chosen way to read a table: the path (null: a full scan), its rank (lower is better), a row estimate, and whether it yields the requested order.</summary>
internal sealed record AccessChoice(AccessPath? Path, int Rank, double Estimate, bool ProvidesOrder);

/// <summary>
/// Index selection without statistics, by a fixed rule: an equality on every column of a unique index (one row)
/// beats an equality on a prefix of an index, which beats a range on an index column, which beats a full scan;
/// ties go to more bound columns, then to the primary key (no second read per row). An index that yields the
/// requested ORDER BY is taken when it ranks no worse, or instead of a full scan when it is the primary key or a
/// LIMIT stops the scan early.
/// </summary>
internal static class AccessPlanner
{
    public const int UniquePoint = 0, EqualityPrefix = 1, Range = 2, FullScan = 3;

    private sealed record ColumnPredicate(int Column, ComparisonOperator Op, BoundExpr? Value, IReadOnlyList<BoundExpr>? Items, bool IsNull);

    /// <summary>
    /// Picks the access path for <paramref name="table"/>, whose columns are at <paramref name="offset"/> in the row
    /// <paramref name="conjuncts"/> read. <paramref name="isKeyValue"/> says which expressions can be evaluated
    /// before the scan (no column of this table).
    /// </summary>
    public static AccessChoice Choose(TableDef table, IReadOnlyList<IndexDef> indexes, int offset, IReadOnlyList<BoundExpr> conjuncts,
        Func<BoundExpr, bool> isKeyValue, IReadOnlyList<OrderColumn>? order, bool limited)
    {
        List<ColumnPredicate> predicates = Predicates(table, offset, conjuncts, isKeyValue);
        AccessChoice best = new(null, FullScan, 1000, order is null || order.Count == 0);
        int bestColumns = 0;
        AccessChoice? ordered = null;
        foreach (IndexDef index in indexes.OrderByDescending(i => i.Oid == table.PrimaryIndexOid))
        {
            if (index.Columns.Any(c => c.ExpressionSql is not null))
            {
                continue;
            }

            bool primary = index.Oid == table.PrimaryIndexOid;
            List<KeyColumnBound> bounds = Bounds(index, predicates, out int equalities, out int inItems);
            int rank = bounds.Count == 0 ? FullScan
                : index.IsUnique && equalities == index.Columns.Count && inItems == 0 && bounds.All(b => b.Equal?.All(e => e is not null) ?? true) ? UniquePoint
                : equalities > 0 ? EqualityPrefix : Range;
            double estimate = rank switch
            {
                UniquePoint => 1,
                EqualityPrefix => 10 * Math.Max(1, inItems) * (bounds.Count > equalities ? 0.5 : 1),
                Range => 300,
                _ => 1000,
            };
            bool? reverse = order is { Count: > 0 } ? Delivers(index, bounds, equalities, inItems, order) : null;
            if (rank < FullScan && (rank < best.Rank || (rank == best.Rank && bounds.Count > bestColumns)))
            {
                best = new AccessChoice(new AccessPath(index, primary, bounds, reverse ?? false), rank, estimate, order is null || order.Count == 0 || reverse is not null);
                bestColumns = bounds.Count;
            }

            if (reverse is bool r && (ordered is null || rank < ordered.Rank) && (rank < FullScan || primary || limited))
            {
                ordered = new AccessChoice(new AccessPath(index, primary, bounds, r), rank, estimate, true);
            }
        }

        // a full scan in primary key order is an ordered scan of the primary key for free
        if (ordered is not null && !best.ProvidesOrder && ordered.Rank <= best.Rank)
        {
            return ordered.Rank == FullScan && ordered.Path is { IsPrimary: true, Reverse: false } ? best with { Path = null, ProvidesOrder = true } : ordered;
        }

        return best;
    }

    /// <summary>Equalities on the leading index columns, then at most one range on the next one.</summary>
    private static List<KeyColumnBound> Bounds(IndexDef index, List<ColumnPredicate> predicates, out int equalities, out int inItems)
    {
        var bounds = new List<KeyColumnBound>();
        equalities = 0;
        int listed = 0;
        foreach (IndexColumn column in index.Columns)
        {
            int c = column.ColumnNumber - 1;
            ColumnPredicate? eq = predicates.FirstOrDefault(p => p.Column == c && p.Op == ComparisonOperator.Equal && p.Items is null)
                ?? predicates.FirstOrDefault(p => p.Column == c && p.Items is not null && (listed == 0 || p.Items.Count == 1));
            if (eq is not null)
            {
                bounds.Add(new KeyColumnBound(eq.Items is { } items ? [.. items] : eq.IsNull ? [null] : [eq.Value]));
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

    /// <summary>The conjuncts of the form <c>column op value</c>, <c>column IN (values)</c> and <c>column IS NULL</c> on this table.</summary>
    private static List<ColumnPredicate> Predicates(TableDef table, int offset, IReadOnlyList<BoundExpr> conjuncts, Func<BoundExpr, bool> isKeyValue)
    {
        var found = new List<ColumnPredicate>();
        int width = table.Columns.Count;
        int? Local(BoundExpr e) => e is ColumnExpr { Depth: 0 } c && c.Ordinal >= offset && c.Ordinal < offset + width ? c.Ordinal - offset : null;
        bool Fits(int column, BoundExpr value) => isKeyValue(value) && KeyValues.Usable(table.Columns[column].Type, value.Type);
        foreach (BoundExpr conjunct in conjuncts)
        {
            switch (conjunct)
            {
                case ComparisonExpr { Operator: not ComparisonOperator.NotEqual } cmp:
                    if (Local(cmp.Left) is int l && Fits(l, cmp.Right))
                    {
                        found.Add(new ColumnPredicate(l, cmp.Operator, cmp.Right, null, false));
                    }
                    else if (Local(cmp.Right) is int r && Fits(r, cmp.Left))
                    {
                        found.Add(new ColumnPredicate(r, Flip(cmp.Operator), cmp.Left, null, false));
                    }

                    break;
                case InListExpr { Negated: false } inList when Local(inList.Operand) is int column && inList.Items.All(i => Fits(column, i)):
                    found.Add(new ColumnPredicate(column, ComparisonOperator.Equal, null, inList.Items, false));
                    break;
                case IsExpr { IsNullTest: true, Negated: false } isNull when Local(isNull.Operand) is int column:
                    found.Add(new ColumnPredicate(column, ComparisonOperator.Equal, null, null, true));
                    break;
            }
        }

        return found;
    }

    private static ComparisonOperator Flip(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Less => ComparisonOperator.Greater,
        ComparisonOperator.LessOrEqual => ComparisonOperator.GreaterOrEqual,
        ComparisonOperator.Greater => ComparisonOperator.Less,
        ComparisonOperator.GreaterOrEqual => ComparisonOperator.LessOrEqual,
        _ => op,
    };
}
