using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// Aggregates over sorted input: the ordered-set aggregates (<c>percentile_cont</c>, <c>percentile_disc</c>,
/// <c>mode</c>, called with WITHIN GROUP (ORDER BY ...)), and <see cref="SortedState"/>, which gives any aggregate
/// its rows in ORDER BY order (<c>string_agg(x, ',' ORDER BY y)</c>).
/// </summary>
internal static class OrderedAggregates
{
    public static bool IsOrderedSet(string name) => name is "percentile_cont" or "percentile_disc" or "mode";

    public static IEnumerable<AggregateFunction> Build()
    {
        yield return new("percentile_cont", [SqlType.Float8, SqlType.Float8], SqlType.Float8, () => new PercentileState(continuous: true));
        yield return new("percentile_cont", [SqlType.Float8.ArrayOf(), SqlType.Float8], SqlType.Float8.ArrayOf(), () => new PercentileState(continuous: true));
        yield return new("percentile_disc", [SqlType.Float8, FunctionCatalog.AnyElement], FunctionCatalog.AnyElement, () => new PercentileState(continuous: false));
        yield return new("mode", [FunctionCatalog.AnyElement], FunctionCatalog.AnyElement, () => new ModeState());
    }

    /// <summary>
    /// Buffers each row's arguments with its sort keys (appended after the <paramref name="argCount"/> arguments) and,
    /// for the result, feeds a fresh state of the aggregate in sorted order (stable: ties keep input order).
    /// </summary>
    public sealed class SortedState(Func<IAggregateState> create, int argCount, IReadOnlyList<OrderExpr> order) : IAggregateState
    {
        private readonly List<SqlValue[]> _rows = [];

        public void Step(SqlValue[] args) => _rows.Add(args);

        public SqlValue Result()
        {
            var sorted = _rows.Select((r, i) => (Row: r, Index: i)).ToList();
            sorted.Sort((a, b) =>
            {
                for (int k = 0; k < order.Count; k++)
                {
                    var key = new SortKey(0, order[k].Descending, order[k].NullsFirst);
                    int c = SortNode.CompareForSort(a.Row[argCount + k], b.Row[argCount + k], key);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return a.Index.CompareTo(b.Index);
            });
            IAggregateState state = create();
            foreach ((SqlValue[] row, _) in sorted)
            {
                state.Step(row[..argCount]);
            }

            return state.Result();
        }
    }

    /// <summary>percentile_cont interpolates between the two nearest values; percentile_disc takes the first whose position reaches the fraction.</summary>
    private sealed class PercentileState(bool continuous) : IAggregateState
    {
        private readonly List<SqlValue> _values = [];
        private SqlValue _fraction;

        public void Step(SqlValue[] args)
        {
            _fraction = args[0];
            _values.Add(args[1]);
        }

        public SqlValue Result()
        {
            if (_values.Count == 0)
            {
                return SqlValue.Null;
            }

            if (_fraction.IsArray)
            {
                // percentile_cont(float8[]): one result per fraction, NULL for a NULL fraction
                SqlValue[] results = [.. _fraction.AsArray.Items.Select(f => f.IsNull ? SqlValue.Null : At(f.AsDouble))];
                return SqlValue.FromArray(_fraction.AsArray.WithItems(SqlType.Float8, results));
            }

            return At(_fraction.AsDouble);
        }

        private SqlValue At(double p)
        {
            if (p is < 0 or > 1 || double.IsNaN(p))
            {
                throw new SqlException(SqlState.NumericValueOutOfRange, $"percentile value {SqlText.FormatFloat(p, single: false)} is not between 0 and 1");
            }

            int n = _values.Count;
            if (!continuous)
            {
                int index = Math.Max(0, (int)Math.Ceiling(p * n) - 1);
                return _values[Math.Min(index, n - 1)];
            }

            double position = p * (n - 1);
            int lo = (int)Math.Floor(position), hi = (int)Math.Ceiling(position);
            double low = _values[lo].AsDouble, high = _values[hi].AsDouble;
            return SqlValue.FromFloat8(lo == hi ? low : low + ((position - lo) * (high - low)));
        }
    }

    /// <summary>mode: the most frequent value; on a tie, the one that sorts first.</summary>
    private sealed class ModeState : IAggregateState
    {
        private readonly List<SqlValue> _values = [];

        public void Step(SqlValue[] args) => _values.Add(args[0]);

        public SqlValue Result()
        {
            SqlValue best = SqlValue.Null;
            int bestCount = 0;
            for (int i = 0; i < _values.Count;)
            {
                int j = i + 1;
                while (j < _values.Count && SqlCompare.Compare(_values[i], _values[j]) == 0)
                {
                    j++;
                }

                if (j - i > bestCount)
                {
                    (best, bestCount) = (_values[i], j - i);
                }

                i = j;
            }

            return best;
        }
    }
}
