using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The built-in aggregates with PostgreSQL's result types: sum(int2/int4) is bigint, sum(int8) and
/// avg/stddev/variance of integers are numeric, sum(float4) stays real, min/max keep the input type.
/// An empty input gives NULL, except count, which gives 0. count(DISTINCT ...) and FILTER are the
/// executor's: it feeds only the rows that count.
/// </summary>
internal static class Aggregates
{
    private static readonly SqlType I8 = SqlType.Int8, N = SqlType.Numeric, F8 = SqlType.Float8;

    private static readonly SqlType[] Ordered =
    [
        SqlType.Int2, SqlType.Int4, SqlType.Int8, SqlType.Float4, SqlType.Float8, SqlType.Numeric, SqlType.Text, SqlType.Char(-1),
        SqlType.Date, SqlType.Time, SqlType.Timestamp, SqlType.TimestampTz, SqlType.Interval, SqlType.Oid, SqlType.Bytea,
    ];

    public static IEnumerable<AggregateFunction> Build()
    {
        yield return new("count", [], I8, () => new CountState());
        yield return new("count", [FunctionCatalog.AnyElement], I8, () => new CountState());

        yield return new("sum", [SqlType.Int2], I8, () => new IntegerSumState());
        yield return new("sum", [SqlType.Int4], I8, () => new IntegerSumState());
        yield return new("sum", [I8], N, () => new NumericSumState(average: false));
        yield return new("sum", [N], N, () => new NumericSumState(average: false));
        yield return new("sum", [SqlType.Float4], SqlType.Float4, () => new FloatSumState(single: true, average: false));
        yield return new("sum", [F8], F8, () => new FloatSumState(single: false, average: false));
        yield return new("sum", [SqlType.Interval], SqlType.Interval, () => new IntervalSumState(average: false));

        foreach (SqlType t in (SqlType[])[SqlType.Int2, SqlType.Int4, I8, N])
        {
            yield return new("avg", [t], N, () => new NumericSumState(average: true));
        }

        yield return new("avg", [SqlType.Float4], F8, () => new FloatSumState(single: false, average: true));
        yield return new("avg", [F8], F8, () => new FloatSumState(single: false, average: true));
        yield return new("avg", [SqlType.Interval], SqlType.Interval, () => new IntervalSumState(average: true));

        foreach (SqlType t in Ordered)
        {
            yield return Extreme("min", t);
            yield return Extreme("max", t);
        }

        yield return new("bool_and", [SqlType.Bool], SqlType.Bool, () => new BoolState(and: true));
        yield return new("every", [SqlType.Bool], SqlType.Bool, () => new BoolState(and: true));
        yield return new("bool_or", [SqlType.Bool], SqlType.Bool, () => new BoolState(and: false));
        yield return new("string_agg", [SqlType.Text, SqlType.Text], SqlType.Text, () => new StringAggState(), IgnoresNulls: false);
        yield return new("array_agg", [FunctionCatalog.AnyElement], FunctionCatalog.AnyArray, () => new ArrayAggState(SqlType.Text), IgnoresNulls: false);
        yield return new("json_agg", [FunctionCatalog.AnyElement], SqlType.Json, JsonFunctions.Agg(SqlType.Text, jsonb: false), IgnoresNulls: false);
        yield return new("jsonb_agg", [FunctionCatalog.AnyElement], SqlType.Jsonb, JsonFunctions.Agg(SqlType.Text, jsonb: true), IgnoresNulls: false);
        yield return JsonFunctions.ObjectAgg("json_object_agg", [SqlType.Text, SqlType.Text]);
        yield return JsonFunctions.ObjectAgg("jsonb_object_agg", [SqlType.Text, SqlType.Text]);
        foreach (AggregateFunction ordered in OrderedAggregates.Build())
        {
            yield return ordered;
        }

        foreach ((string name, bool sample, bool root) in (ValueTuple<string, bool, bool>[])
                 [("stddev", true, true), ("stddev_samp", true, true), ("stddev_pop", false, true), ("variance", true, false), ("var_samp", true, false), ("var_pop", false, false)])
        {
            foreach (SqlType t in (SqlType[])[SqlType.Int2, SqlType.Int4, I8, N])
            {
                yield return new(name, [t], N, () => new NumericVarianceState(sample, root));
            }

            yield return new(name, [SqlType.Float4], F8, () => new FloatVarianceState(sample, root));
            yield return new(name, [F8], F8, () => new FloatVarianceState(sample, root));
        }
    }

    private static SqlException NumericOverflow() => new(SqlState.NumericValueOutOfRange, "value overflows numeric format");

    private sealed class CountState : IAggregateState
    {
        private long _count;

        public void Step(SqlValue[] args) => _count++;

        public SqlValue Result() => SqlValue.FromInt8(_count);
    }

    private sealed class IntegerSumState : IAggregateState
    {
        private long _sum;
        private bool _any;

        public void Step(SqlValue[] args)
        {
            try
            {
                _sum = checked(_sum + args[0].AsInt64);
            }
            catch (OverflowException)
            {
                throw SqlCast.OutOfRange(I8);
            }

            _any = true;
        }

        public SqlValue Result() => _any ? SqlValue.FromInt8(_sum) : SqlValue.Null;
    }

    private sealed class NumericSumState(bool average) : IAggregateState
    {
        private decimal _sum;
        private long _count;

        public void Step(SqlValue[] args)
        {
            SqlValue v = args[0];
            try
            {
                _sum += v.Kind == SqlTypeKind.Numeric ? v.AsDecimal : v.AsInt64;
            }
            catch (OverflowException)
            {
                throw NumericOverflow();
            }

            _count++;
        }

        public SqlValue Result()
        {
            if (_count == 0)
            {
                return SqlValue.Null;
            }

            return average
                ? SqlArithmetic.Apply(ArithmeticOperator.Divide, SqlValue.FromNumeric(_sum), SqlValue.FromNumeric(_count), N)
                : SqlValue.FromNumeric(_sum);
        }
    }

    private sealed class FloatSumState(bool single, bool average) : IAggregateState
    {
        private double _sum;
        private long _count;

        public void Step(SqlValue[] args)
        {
            _sum += args[0].AsDouble;
            _count++;
        }

        public SqlValue Result()
        {
            if (_count == 0)
            {
                return SqlValue.Null;
            }

            double r = average ? _sum / _count : _sum;
            return single ? SqlValue.FromFloat4((float)r) : SqlValue.FromFloat8(r);
        }
    }

    private sealed class IntervalSumState(bool average) : IAggregateState
    {
        private long _months, _days, _micros, _count;

        public void Step(SqlValue[] args)
        {
            SqlValue v = args[0];
            _months += v.IntervalMonths;
            _days += v.IntervalDays;
            _micros = checked(_micros + v.IntervalMicros);
            _count++;
        }

        public SqlValue Result()
        {
            if (_count == 0)
            {
                return SqlValue.Null;
            }

            if (!average)
            {
                return SqlValue.FromInterval(checked((int)_months), checked((int)_days), _micros);
            }

            // interval_div: a fraction of a month spills into days (30 per month), a fraction of a day into time
            decimal months = (decimal)_months / _count;
            decimal wholeMonths = decimal.Truncate(months);
            decimal days = ((decimal)_days / _count) + ((months - wholeMonths) * 30);
            decimal wholeDays = decimal.Truncate(days);
            decimal micros = ((decimal)_micros / _count) + ((days - wholeDays) * SqlDateTime.MicrosPerDay);
            return SqlValue.FromInterval((int)wholeMonths, (int)wholeDays, (long)decimal.Round(micros, MidpointRounding.AwayFromZero));
        }
    }

    /// <summary>min / max over <paramref name="type"/> (any type with an ordering).</summary>
    internal static AggregateFunction Extreme(string name, SqlType type) => new(name, [type], type, () => new ExtremeState(wantLess: name == "min"));

    private sealed class ExtremeState(bool wantLess) : IAggregateState
    {
        private SqlValue _best;

        public void Step(SqlValue[] args)
        {
            SqlValue v = args[0];
            if (_best.IsNull)
            {
                _best = v;
                return;
            }

            int c = SqlCompare.Compare(v, _best);
            if (wantLess ? c < 0 : c > 0)
            {
                _best = v;
            }
        }

        public SqlValue Result() => _best;
    }

    private sealed class BoolState(bool and) : IAggregateState
    {
        private bool? _value;

        public void Step(SqlValue[] args) => _value = and ? (_value ?? true) && args[0].AsBool : (_value ?? false) || args[0].AsBool;

        public SqlValue Result() => _value is bool b ? SqlValue.FromBool(b) : SqlValue.Null;
    }

    /// <summary>string_agg: NULL values are skipped; each later value is preceded by its own row's delimiter (none if NULL).</summary>
    private sealed class StringAggState : IAggregateState
    {
        private System.Text.StringBuilder? _text;

        public void Step(SqlValue[] args)
        {
            if (args[0].IsNull)
            {
                return;
            }

            if (_text is null)
            {
                _text = new System.Text.StringBuilder();
            }
            else if (!args[1].IsNull)
            {
                _text.Append(args[1].AsString);
            }

            _text.Append(args[0].AsString);
        }

        public SqlValue Result() => _text is null ? SqlValue.Null : SqlValue.FromText(_text.ToString());
    }

    /// <summary>The state of array_agg over elements of <paramref name="elementType"/> (the polymorphic type the call resolved to).</summary>
    public static Func<IAggregateState> ArrayAgg(SqlType elementType) => () => new ArrayAggState(elementType);

    private sealed class ArrayAggState(SqlType elementType) : IAggregateState
    {
        private readonly List<SqlValue> _items = [];

        public void Step(SqlValue[] args) => _items.Add(args[0]);

        public SqlValue Result() => _items.Count == 0 ? SqlValue.Null
            : SqlValue.FromArray(elementType.IsArray ? Stacked() : new SqlArray(elementType, [.. _items]));

        /// <summary>array_agg(anyarray): the arrays, all of one shape, as the rows of an array of one more dimension.</summary>
        private SqlArray Stacked()
        {
            var items = new List<SqlValue>();
            int[]? shape = null;
            foreach (SqlValue a in _items)
            {
                if (a.IsNull)
                {
                    throw new SqlException(SqlState.NullValueNotAllowed, "cannot accumulate null arrays");
                }

                if (a.AsArray.Rank == 0)
                {
                    throw new SqlException(SqlState.ArraySubscriptError, "cannot accumulate empty arrays");
                }

                shape ??= a.AsArray.Lengths;
                if (!shape.AsSpan().SequenceEqual(a.AsArray.Lengths))
                {
                    throw new SqlException(SqlState.ArraySubscriptError, "cannot accumulate arrays of different dimensionality");
                }

                items.AddRange(a.AsArray.Items);
            }

            return new SqlArray(elementType, [.. items], [_items.Count, .. shape!]);
        }
    }

    /// <summary>numeric_stddev_internal: (N·Σx² − (Σx)²) / (N·(N−1)) or / N², divided at PostgreSQL's division scale; the root at that scale.</summary>
    private sealed class NumericVarianceState(bool sample, bool root) : IAggregateState
    {
        private decimal _sum, _sumSquares;
        private long _count;

        public void Step(SqlValue[] args)
        {
            decimal x = args[0].Kind == SqlTypeKind.Numeric ? args[0].AsDecimal : args[0].AsInt64;
            try
            {
                _sum += x;
                _sumSquares += x * x;
            }
            catch (OverflowException)
            {
                throw NumericOverflow();
            }

            _count++;
        }

        public SqlValue Result()
        {
            if (_count == 0 || (sample && _count == 1))
            {
                return SqlValue.Null;
            }

            return Fn.Numeric(() =>
            {
                decimal numerator = (_count * _sumSquares) - (_sum * _sum);
                if (numerator <= 0)
                {
                    return 0m;
                }

                decimal denominator = sample ? (decimal)_count * (_count - 1) : (decimal)_count * _count;
                decimal variance = SqlArithmetic.Apply(ArithmeticOperator.Divide, SqlValue.FromNumeric(numerator), SqlValue.FromNumeric(denominator), N).AsDecimal;
                return root ? MathFunctions.Round(MathFunctions.Sqrt(variance), variance.Scale) : variance;
            });
        }
    }

    /// <summary>float8_accum's Youngs-Cramer update, which PostgreSQL uses to avoid cancellation in Σx² − (Σx)²/N.</summary>
    private sealed class FloatVarianceState(bool sample, bool root) : IAggregateState
    {
        private double _n, _sx, _sxx;

        public void Step(SqlValue[] args)
        {
            double x = args[0].AsDouble;
            double previousN = _n;
            _n += 1;
            _sx += x;
            if (previousN > 0)
            {
                double tmp = (x * _n) - _sx;
                _sxx += tmp * tmp / (_n * previousN);
            }
        }

        public SqlValue Result()
        {
            if (_n == 0 || (sample && _n == 1))
            {
                return SqlValue.Null;
            }

            double variance = _sxx / (sample ? _n - 1 : _n);
            return SqlValue.FromFloat8(root ? Math.Sqrt(variance) : variance);
        }
    }
}
