using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The functions that build a new array from others, as PostgreSQL's array_userfuncs: array_cat (the <c>||</c> of two
/// arrays), array_append / array_prepend (<c>||</c> with an element), array_remove, array_replace, array_positions.
/// None is strict: a NULL array is an empty one for cat/append/prepend (NULL when both are), NULL for the others. The
/// element type a new array gets is the call's resolved one (<see cref="ScalarFunction.ForResult"/>).
/// </summary>
internal static partial class ArrayFunctions
{
    private static readonly SqlType AnyElement = FunctionCatalog.AnyElement;

    /// <summary>The functions whose arguments PostgreSQL declares anycompatible: the binder brings them to one element type first.</summary>
    public static bool TakesCompatibleArguments(string name) =>
        name is "array_cat" or "array_append" or "array_prepend" or "array_remove" or "array_replace" or "array_position" or "array_positions";

    private static void RegisterEditing(List<ScalarFunction> f)
    {
        f.Add(Typed("array_cat", [Any, Any], Any, t => (a, _) => Cat(t, a[0], a[1])));
        f.Add(Typed("array_append", [Any, AnyElement], Any, t => (a, _) => Append(t, a[0], a[1])));
        f.Add(Typed("array_prepend", [AnyElement, Any], Any, t => (a, _) => Prepend(t, a[0], a[1])));
        f.Add(Typed("array_remove", [Any, AnyElement], Any, t => (a, _) => a[0].IsNull ? SqlValue.Null : Remove(t, a[0].AsArray, a[1])));
        f.Add(Typed("array_replace", [Any, AnyElement, AnyElement], Any, t => (a, _) => a[0].IsNull ? SqlValue.Null : Replace(t, a[0].AsArray, a[1], a[2])));
        f.Add(new ScalarFunction("array_positions", [Any, AnyElement], I4.ArrayOf(), (a, _) => a[0].IsNull ? SqlValue.Null : Positions(a[0].AsArray, a[1]), Strict: false));
    }

    private static ScalarFunction Typed(string name, SqlType[] parameters, SqlType returns, Func<SqlType, ScalarBody> body) =>
        new(name, parameters, returns, body(SqlType.Text.ArrayOf()), Strict: false) { ForResult = body };

    private static bool Same(SqlValue item, SqlValue target) => item.IsNull ? target.IsNull : !target.IsNull && SqlCompare.Compare(item, target) == 0;

    /// <summary>array_cat: arrays of equal rank join along the first dimension; an array of one rank less is one more element of the other.</summary>
    public static SqlValue Cat(SqlType type, SqlValue left, SqlValue right)
    {
        if (left.IsNull || right.IsNull)
        {
            return left.IsNull ? right : left;
        }

        SqlArray l = left.AsArray, r = right.AsArray;
        if (l.Rank == 0 || r.Rank == 0)
        {
            return l.Rank == 0 ? right : left;
        }

        int[] ld = l.Lengths, rd = r.Lengths;
        int[] lengths;
        if (ld.Length == rd.Length)
        {
            if (!ld.AsSpan(1).SequenceEqual(rd.AsSpan(1)))
            {
                throw Incompatible("Arrays with differing element dimensions are not compatible for concatenation.");
            }

            lengths = [ld[0] + rd[0], .. ld[1..]];
        }
        else if (ld.Length == rd.Length - 1 || ld.Length - 1 == rd.Length)
        {
            (int[] outer, int[] element) = ld.Length > rd.Length ? (ld, rd) : (rd, ld);
            if (!outer.AsSpan(1).SequenceEqual(element))
            {
                throw Incompatible("Arrays with differing dimensions are not compatible for concatenation.");
            }

            lengths = [outer[0] + 1, .. outer[1..]];
        }
        else
        {
            throw Incompatible($"Arrays of {ld.Length} and {rd.Length} dimensions are not compatible for concatenation.");
        }

        SqlValue[] items = [.. l.Items, .. r.Items];
        return SqlValue.FromArray(new SqlArray(type.Element, items, lengths));
    }

    private static SqlException Incompatible(string detail) => new(SqlState.ArraySubscriptError, "cannot concatenate incompatible arrays", detail);

    private static IReadOnlyList<SqlValue> OneDimensional(SqlValue array) =>
        array.IsNull ? [] : array.AsArray.Rank > 1 ? throw new SqlException("22000", "argument must be empty or one-dimensional array") : array.AsArray.Items;

    public static SqlValue Append(SqlType type, SqlValue array, SqlValue element) =>
        SqlValue.FromArray(new SqlArray(type.Element, [.. OneDimensional(array), element]));

    public static SqlValue Prepend(SqlType type, SqlValue element, SqlValue array) =>
        SqlValue.FromArray(new SqlArray(type.Element, [element, .. OneDimensional(array)]));

    private static SqlValue Remove(SqlType type, SqlArray array, SqlValue target)
    {
        if (array.IsMultidimensional)
        {
            throw SqlException.NotSupported("removing elements from multidimensional arrays");
        }

        return SqlValue.FromArray(new SqlArray(type.Element, [.. array.Items.Where(i => !Same(i, target))]));
    }

    private static SqlValue Replace(SqlType type, SqlArray array, SqlValue target, SqlValue replacement) =>
        SqlValue.FromArray(array.WithItems(type.Element, [.. array.Items.Select(i => Same(i, target) ? replacement : i)]));

    private static SqlValue Positions(SqlArray array, SqlValue target)
    {
        if (array.IsMultidimensional)
        {
            throw SqlException.NotSupported("searching for elements in multidimensional arrays");
        }

        var found = new List<SqlValue>();
        for (int i = 0; i < array.Items.Count; i++)
        {
            if (Same(array.Items[i], target))
            {
                found.Add(SqlValue.FromInt4(i + 1));
            }
        }

        return SqlValue.FromArray(new SqlArray(I4, [.. found]));
    }
}
