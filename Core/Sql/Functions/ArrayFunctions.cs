using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// Array inspection functions on one-dimensional arrays (the only kind SqlArray holds): their lower bound
/// is 1 and dimension 1 is the only one; an empty array has no dimensions, so its bounds are NULL.
/// </summary>
internal static class ArrayFunctions
{
    private static readonly SqlType I4 = SqlType.Int4, Any = FunctionCatalog.AnyArray;

    public static void Register(List<ScalarFunction> f)
    {
        f.Add("array_length", I4, (a, _) => Bound(a[0], a[1].AsInt32, a[0].AsArray.Items.Count), Any, I4);
        f.Add("array_upper", I4, (a, _) => Bound(a[0], a[1].AsInt32, a[0].AsArray.Items.Count), Any, I4);
        f.Add("array_lower", I4, (a, _) => Bound(a[0], a[1].AsInt32, 1), Any, I4);
        f.Add("array_ndims", I4, (a, _) => a[0].AsArray.Items.Count == 0 ? SqlValue.Null : SqlValue.FromInt4(1), Any);
        f.Add("cardinality", I4, (a, _) => SqlValue.FromInt4(a[0].AsArray.Items.Count), Any);
        // not strict in the element: array_position(a, NULL) finds the first NULL, as in PostgreSQL
        f.Add(new ScalarFunction("array_position", [Any, FunctionCatalog.AnyElement], I4, (a, _) => a[0].IsNull ? SqlValue.Null : Position(a[0].AsArray, a[1]), Strict: false));
    }

    private static SqlValue Position(SqlArray array, SqlValue target)
    {
        for (int i = 0; i < array.Items.Count; i++)
        {
            SqlValue item = array.Items[i];
            if (item.IsNull ? target.IsNull : !target.IsNull && SqlCompare.Compare(item, target) == 0)
            {
                return SqlValue.FromInt4(i + 1);
            }
        }

        return SqlValue.Null;
    }

    private static SqlValue Bound(SqlValue array, int dimension, int value) =>
        dimension == 1 && array.AsArray.Items.Count > 0 ? SqlValue.FromInt4(value) : SqlValue.Null;
}
