using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Planning;

/// <summary>
/// Row estimates from ANALYZE's statistics, as PostgreSQL's selfuncs.c makes them: <c>col = const</c> is the value's
/// most-common-value frequency, else the rest spread over the other distinct values (eqsel); <c>&lt;&gt;</c> is what
/// equality leaves; <c>&lt;, &lt;=, &gt;, &gt;=</c> add the matching MCVs to the histogram fraction below or above the
/// constant, interpolated inside its bucket (scalarineqsel); a lower and an upper bound on one column make a range
/// (hi + lo - 1); IN sums its items; IS NULL is the null fraction; <c>col = expr</c> (a parameter, an outer column) is
/// 1/n_distinct. Conjuncts multiply (independence). Without statistics PostgreSQL's defaults apply (DEFAULT_EQ_SEL
/// 0.005, DEFAULT_INEQ_SEL 1/3, DEFAULT_RANGE_INEQ_SEL 0.005, DEFAULT_NUM_DISTINCT 200).
/// </summary>
internal static class Selectivity
{
    public const double DefaultEquality = 0.005, DefaultInequality = 1.0 / 3, DefaultRange = 0.005, DefaultNullTest = 0.005, DefaultMatch = 0.005;

    private const double DefaultDistinct = 200;

    /// <summary>Whether ANALYZE has recorded column statistics for the table (the planner then costs by them).</summary>
    public static bool HasStatistics(TableDef table) => table.Statistics?.Columns is not null;

    /// <summary>The table's rows as ANALYZE counted them (at least 1); 1000 before any ANALYZE.</summary>
    public static double TableRows(TableDef table) => HasStatistics(table) ? Math.Max(1, table.Statistics!.LiveRows) : 1000;

    /// <summary>
    /// The fraction of <paramref name="table"/>'s rows (its columns at <paramref name="offset"/> of the row) that pass every
    /// conjunct; <paramref name="column"/>, when given, keeps only the conjuncts on the columns it accepts (0-based).
    /// </summary>
    public static double Of(TableDef table, IReadOnlyList<IndexDef> indexes, int offset, IEnumerable<BoundExpr> conjuncts, Func<int, bool>? column = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        double rows = TableRows(table);
        double product = 1;
        var lower = new Dictionary<int, double>();
        var upper = new Dictionary<int, double>();
        int width = table.Columns.Count;
        int? Local(BoundExpr e) => Unwrap(e) is ColumnExpr { Depth: 0 } c && c.Ordinal >= offset && c.Ordinal < offset + width ? c.Ordinal - offset : null;
        foreach (BoundExpr conjunct in conjuncts)
        {
            int? on = conjunct switch
            {
                ComparisonExpr cmp => Local(cmp.Left) ?? Local(cmp.Right),
                InListExpr i => Local(i.Operand),
                IsExpr i => Local(i.Operand),
                LikeExpr l => Local(l.Subject),
                _ => null,
            };
            if (column is not null && (on is not int onColumn || !column(onColumn)))
            {
                continue;
            }

            ColumnStatistics? Stats(int c) => table.Statistics?.For(c + 1);
            double Distinct(int c) => DistinctValues(table, indexes, c, rows);
            switch (conjunct)
            {
                case ComparisonExpr cmp when Local(cmp.Left) is int l && Local(cmp.Right) is null:
                    Compare(cmp.Operator, l, cmp.Right);
                    break;
                case ComparisonExpr cmp when Local(cmp.Right) is int r && Local(cmp.Left) is null:
                    Compare(AccessPlanner.Flip(cmp.Operator), r, cmp.Left);
                    break;
                case InListExpr inList when Local(inList.Operand) is int c:
                {
                    double s = inList.Negated ? 1 : 0;
                    foreach (BoundExpr item in inList.Items)
                    {
                        double eq = Equality(Stats(c), Distinct(c), item);
                        s = inList.Negated ? s * (1 - eq - (Stats(c)?.NullFraction ?? 0)) : s + eq;
                    }

                    product *= Math.Clamp(s, 0, 1);
                    break;
                }

                case IsExpr { IsNullTest: true } isNull when Local(isNull.Operand) is int c:
                {
                    double nulls = Stats(c) is { } s ? s.NullFraction : DefaultNullTest;
                    product *= isNull.Negated ? 1 - nulls : nulls;
                    break;
                }

                case LikeExpr:
                    product *= DefaultMatch;
                    break;
                case ComparisonExpr { Operator: ComparisonOperator.Equal }:
                    product *= DefaultEquality;
                    break;
                default:
                    product *= DefaultInequality;
                    break;
            }

            void Compare(ComparisonOperator op, int c, BoundExpr other)
            {
                ColumnStatistics? s = Stats(c);
                switch (op)
                {
                    case ComparisonOperator.Equal:
                        product *= Equality(s, Distinct(c), other);
                        break;
                    case ComparisonOperator.NotEqual:
                        product *= Math.Clamp(1 - Equality(s, Distinct(c), other) - (s?.NullFraction ?? 0), 0, 1);
                        break;
                    default:
                        bool greater = op is ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual;
                        double sel = Inequality(s, greater, op is ComparisonOperator.LessOrEqual or ComparisonOperator.GreaterOrEqual, other);
                        Dictionary<int, double> side = greater ? lower : upper;
                        side[c] = side.TryGetValue(c, out double was) ? Math.Min(was, sel) : sel;
                        break;
                }
            }
        }

        // a lower and an upper bound on one column are a range: both fractions overlap (clauselist_selectivity's addRangeClause)
        foreach ((int c, double lo) in lower)
        {
            if (upper.Remove(c, out double hi))
            {
                // both fractions leave the NULLs out, so hi + lo - 1 removed them twice
                ColumnStatistics? stats = table.Statistics?.For(c + 1);
                double range = stats is not null && lo != DefaultInequality && hi != DefaultInequality ? lo + hi - 1 + stats.NullFraction : DefaultRange;
                product *= range > 0 ? range : 1e-10;
            }
            else
            {
                product *= lo;
            }
        }

        foreach (double hi in upper.Values)
        {
            product *= hi;
        }

        return Math.Clamp(product, 0, 1);
    }

    /// <summary>
    /// The rows of an inner join on <c>a = b</c> per pair of input rows: 1 / max(n_distinct(a), n_distinct(b)) over the
    /// non-null fractions (eqjoinsel without its MCV matching).
    /// </summary>
    public static double JoinEquality((TableDef Table, int Column)? a, (TableDef Table, int Column)? b, Func<uint, IReadOnlyList<IndexDef>> indexes)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        double Nd((TableDef Table, int Column)? side) =>
            side is { } s ? DistinctValues(s.Table, indexes(s.Table.Oid), s.Column, TableRows(s.Table)) : DefaultDistinct;
        double NotNull((TableDef Table, int Column)? side) => side is { } s && s.Table.Statistics?.For(s.Column + 1) is { } st ? 1 - st.NullFraction : 1;
        return NotNull(a) * NotNull(b) / Math.Max(1, Math.Max(Nd(a), Nd(b)));
    }

    /// <summary>get_variable_numdistinct: the stored n_distinct (a negative one times the rows), the rows for a unique column, else 200 (or the rows, if fewer).</summary>
    public static double DistinctValues(TableDef table, IReadOnlyList<IndexDef> indexes, int column, double rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (indexes.Any(i => i.IsUnique && i.Columns.Count == 1 && i.Columns[0].ColumnNumber == column + 1))
        {
            return rows;
        }

        double d = table.Statistics?.For(column + 1)?.Distinct ?? 0;
        d = d > 0 ? d : d < 0 ? -d * rows : Math.Min(DefaultDistinct, rows);
        return Math.Clamp(d, 1, Math.Max(1, rows));
    }

    /// <summary>var_eq_const / var_eq_non_const.</summary>
    private static double Equality(ColumnStatistics? stats, double distinct, BoundExpr other)
    {
        if (Unwrap(other) is not ConstantExpr { } constant)
        {
            return Math.Clamp((1 - (stats?.NullFraction ?? 0)) / distinct, 0, 1);
        }

        if (constant.Value.IsNull)
        {
            return 0; // a strict operator: NULL matches nothing
        }

        if (stats is null)
        {
            return 1 / distinct;
        }

        double common = 0;
        for (int i = 0; i < stats.CommonValues.Count; i++)
        {
            if (TryCompare(stats.CommonValues[i], constant.Value) == 0)
            {
                return stats.CommonFrequencies[i];
            }

            common += stats.CommonFrequencies[i];
        }

        double rest = Math.Clamp(1 - common - stats.NullFraction, 0, 1);
        double others = distinct - stats.CommonValues.Count;
        if (others > 1)
        {
            rest /= others;
        }

        return stats.CommonFrequencies.Count > 0 ? Math.Min(rest, stats.CommonFrequencies[^1]) : rest;
    }

    /// <summary>scalarineqsel: matching MCVs plus the histogram's fraction (half of the rest without a histogram).</summary>
    private static double Inequality(ColumnStatistics? stats, bool greater, bool inclusive, BoundExpr other)
    {
        if (stats is null || Unwrap(other) is not ConstantExpr { } constant)
        {
            return DefaultInequality;
        }

        if (constant.Value.IsNull)
        {
            return 0;
        }

        SqlValue value = constant.Value;
        double commonMatch = 0, common = 0;
        for (int i = 0; i < stats.CommonValues.Count; i++)
        {
            int? c = TryCompare(stats.CommonValues[i], value);
            if (c is null)
            {
                return DefaultInequality;
            }

            common += stats.CommonFrequencies[i];
            if (greater ? c > 0 || (inclusive && c == 0) : c < 0 || (inclusive && c == 0))
            {
                commonMatch += stats.CommonFrequencies[i];
            }
        }

        double histogram = HistogramFraction(stats.Histogram, value) is double below ? (greater ? 1 - below : below) : 0.5;
        return Math.Clamp(((1 - stats.NullFraction - common) * histogram) + commonMatch, 0, 1);
    }

    /// <summary>The fraction of the histogram's population below <paramref name="value"/>, interpolated inside its bucket; null without a histogram.</summary>
    private static double? HistogramFraction(IReadOnlyList<SqlValue> bounds, SqlValue value)
    {
        if (bounds.Count < 2)
        {
            return null;
        }

        if (TryCompare(value, bounds[0]) is not int first)
        {
            return null;
        }

        if (first <= 0)
        {
            return 0;
        }

        if (TryCompare(value, bounds[^1]) >= 0)
        {
            return 1;
        }

        int lo = 0, hi = bounds.Count - 1; // bounds[lo] < value <= bounds[hi]
        while (hi - lo > 1)
        {
            int mid = (lo + hi) / 2;
            if (TryCompare(bounds[mid], value) < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        double inBucket = Position(bounds[lo], bounds[hi], value);
        return (lo + inBucket) / (bounds.Count - 1);
    }

    /// <summary>Where <paramref name="value"/> lies between two bounds (convert_to_scalar): linear for numbers and times, by leading characters for strings, else the middle.</summary>
    private static double Position(SqlValue low, SqlValue high, SqlValue value)
    {
        static double? Scalar(SqlValue v) => v.Kind switch
        {
            _ when v.IsNull || v.IsArray => null,
            SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Oid or SqlTypeKind.Float4 or SqlTypeKind.Float8 or SqlTypeKind.Numeric
                or SqlTypeKind.Date or SqlTypeKind.Time or SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz => v.ToDouble(),
            _ => null,
        };

        double? l = Scalar(low), h = Scalar(high), x = Scalar(value);
        if (l is null || h is null || x is null)
        {
            if (low.Kind is SqlTypeKind.Text or SqlTypeKind.Varchar or SqlTypeKind.Name && value.Kind == low.Kind && high.Kind == low.Kind)
            {
                (l, h, x) = Strings(low.AsString, high.AsString, value.AsString);
            }
            else
            {
                return 0.5;
            }
        }

        return h > l ? Math.Clamp((x!.Value - l!.Value) / (h.Value - l.Value), 0, 1) : 0.5;
    }

    /// <summary>convert_string_to_scalar in spirit: the common prefix dropped, the next characters read as a base-65536 fraction.</summary>
    private static (double, double, double) Strings(string low, string high, string value)
    {
        int prefix = 0;
        while (prefix < low.Length && prefix < high.Length && prefix < value.Length && low[prefix] == high[prefix] && low[prefix] == value[prefix])
        {
            prefix++;
        }

        static double Fraction(string s, int from)
        {
            double f = 0, scale = 1;
            for (int i = from; i < s.Length && i < from + 4; i++)
            {
                scale /= 65536;
                f += s[i] * scale;
            }

            return f;
        }

        return (Fraction(low, prefix), Fraction(high, prefix), Fraction(value, prefix));
    }

    private static int? TryCompare(SqlValue a, SqlValue b)
    {
        try
        {
            return SqlCompare.Compare(a, b);
        }
        catch (SqlException)
        {
            return null; // kinds the statistics cannot order against the constant: the caller's default applies
        }
    }

    /// <summary>The expression under implicit casts (an int4 column compared with an int8 constant is still that column).</summary>
    private static BoundExpr Unwrap(BoundExpr e)
    {
        while (e is CastExpr cast && cast.Operand.Type.Kind != SqlTypeKind.Unknown && SqlCompare.IsNumber(cast.Type.Kind) == SqlCompare.IsNumber(cast.Operand.Type.Kind))
        {
            e = cast.Operand;
        }

        return e;
    }
}
