using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// Array inspection functions. Every lower bound is 1 (SqlArray holds no others), so a dimension's upper bound is
/// its length; an empty array has no dimensions, so its bounds, lengths and dims are NULL.
/// </summary>
internal static partial class ArrayFunctions
{
    private static readonly SqlType I4 = SqlType.Int4, Any = FunctionCatalog.AnyArray;

    public static void Register(List<ScalarFunction> f)
    {
        f.Add("array_length", I4, (a, _) => Bound(a[0], a[1].AsInt32, length: true), Any, I4);
        f.Add("array_upper", I4, (a, _) => Bound(a[0], a[1].AsInt32, length: true), Any, I4);
        f.Add("array_lower", I4, (a, _) => Bound(a[0], a[1].AsInt32, length: false), Any, I4);
        f.Add("array_ndims", I4, (a, _) => a[0].AsArray.Rank == 0 ? SqlValue.Null : SqlValue.FromInt4(a[0].AsArray.Rank), Any);
        f.Add("array_dims", SqlType.Text, (a, _) => Dims(a[0].AsArray), Any);
        f.Add("cardinality", I4, (a, _) => SqlValue.FromInt4(a[0].AsArray.Items.Count), Any);
        // not strict in the element: array_position(a, NULL) finds the first NULL, as in PostgreSQL
        f.Add(new ScalarFunction("array_position", [Any, FunctionCatalog.AnyElement], I4, (a, _) => a[0].IsNull ? SqlValue.Null : Position(a[0].AsArray, a[1], 1), Strict: false));
        f.Add(new ScalarFunction("array_position", [Any, FunctionCatalog.AnyElement, I4], I4,
            (a, _) => a[0].IsNull ? SqlValue.Null : a[2].IsNull ? throw Fn.InvalidParameter("initial position must not be null") : Position(a[0].AsArray, a[1], a[2].AsInt32), Strict: false));
        f.Add("arraycontains", SqlType.Bool, (a, _) => SqlValue.FromBool(Contains(a[0].AsArray, a[1].AsArray)), Any, Any);
        f.Add("arraycontained", SqlType.Bool, (a, _) => SqlValue.FromBool(Contains(a[1].AsArray, a[0].AsArray)), Any, Any);
        f.Add("arrayoverlap", SqlType.Bool, (a, _) => SqlValue.FromBool(Overlaps(a[0].AsArray, a[1].AsArray)), Any, Any);
        RegisterEditing(f);
    }

    /// <summary><c>@&gt;</c>: every element of <paramref name="inner"/> equals one of <paramref name="outer"/>'s (dimensions ignored; a NULL matches nothing).</summary>
    public static bool Contains(SqlArray outer, SqlArray inner) =>
        inner.Items.All(i => !i.IsNull && outer.Items.Any(o => !o.IsNull && SqlCompare.Compare(o, i) == 0));

    /// <summary><c>&amp;&amp;</c>: some non-NULL element is in both.</summary>
    public static bool Overlaps(SqlArray left, SqlArray right) =>
        left.Items.Any(l => !l.IsNull && right.Items.Any(r => !r.IsNull && SqlCompare.Compare(l, r) == 0));

    private static SqlValue Position(SqlArray array, SqlValue target, int start)
    {
        if (array.IsMultidimensional)
        {
            throw SqlException.NotSupported("searching for elements in multidimensional arrays");
        }

        for (int i = Math.Max(start, 1) - 1; i < array.Items.Count; i++)
        {
            SqlValue item = array.Items[i];
            if (item.IsNull ? target.IsNull : !target.IsNull && SqlCompare.Compare(item, target) == 0)
            {
                return SqlValue.FromInt4(i + 1);
            }
        }

        return SqlValue.Null;
    }

    private static SqlValue Bound(SqlValue array, int dimension, bool length) =>
        dimension >= 1 && dimension <= array.AsArray.Rank ? SqlValue.FromInt4(length ? array.AsArray.Length(dimension) : 1) : SqlValue.Null;

    /// <summary>array_dims: <c>[1:2][1:3]</c>.</summary>
    private static SqlValue Dims(SqlArray array)
    {
        if (array.Rank == 0)
        {
            return SqlValue.Null;
        }

        var sb = new System.Text.StringBuilder();
        for (int d = 1; d <= array.Rank; d++)
        {
            sb.Append("[1:").Append(array.Length(d).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
        }

        return SqlValue.FromText(sb.ToString());
    }
}
