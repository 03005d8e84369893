using System.Globalization;
using System.Text;
using System.Text.Json;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The jsonb editing functions and operators, with PostgreSQL's setPath semantics: <c>jsonb_set</c>, <c>jsonb_set_lax</c>,
/// <c>jsonb_insert</c>, <c>#-</c> (delete at a path) and <c>-</c> (delete keys, array strings or an element by index).
/// A path walks objects by key and arrays by integer index (negative from the end); a step that finds nothing, or a
/// scalar, leaves the value unchanged; only the last step may create a member or an element.
/// </summary>
internal static class JsonEditing
{
    private enum Edit
    {
        Replace,
        Create,
        InsertBefore,
        InsertAfter,
        Delete,
    }

    public static void Register(List<ScalarFunction> f)
    {
        SqlType j = SqlType.Jsonb, path = SqlType.Text.ArrayOf(), b = SqlType.Bool, t = SqlType.Text;
        f.Add("jsonb_set", j, (a, _) => Set(a[0], a[1], a[2].AsString, create: true), j, path, j);
        f.Add("jsonb_set", j, (a, _) => Set(a[0], a[1], a[2].AsString, a[3].AsBool), j, path, j, b);
        f.Add("jsonb_insert", j, (a, _) => Insert(a[0], a[1], a[2].AsString, after: false), j, path, j);
        f.Add("jsonb_insert", j, (a, _) => Insert(a[0], a[1], a[2].AsString, a[3].AsBool), j, path, j, b);
        f.Add("jsonb_delete_path", j, (a, _) => DeletePath(a[0], a[1]), j, path);
        f.Add(new ScalarFunction("jsonb_set_lax", [j, path, j], j, (a, _) => SetLax(a, true, "use_json_null"), Strict: false));
        f.Add(new ScalarFunction("jsonb_set_lax", [j, path, j, b], j, (a, _) => SetLax(a, a[3].IsNull ? null : a[3].AsBool, "use_json_null"), Strict: false));
        f.Add(new ScalarFunction("jsonb_set_lax", [j, path, j, b, t], j,
            (a, _) => SetLax(a, a[3].IsNull ? null : a[3].AsBool, a[4].IsNull ? null : a[4].AsString), Strict: false));
    }

    /// <summary>jsonb's <c>-</c> for a right operand of <paramref name="right"/>: text (a key), text[] (keys) or an integer (an index).</summary>
    public static Func<SqlValue, SqlValue, SqlValue>? Minus(SqlType right) =>
        right.IsArray ? right.Kind == SqlTypeKind.Text ? (a, k) => DeleteKeys(a, [.. k.AsArray.Items.Where(v => !v.IsNull).Select(v => v.AsString)]) : null
        : right.IsString ? (a, k) => DeleteKeys(a, [k.AsString])
        : right.IsInteger ? (a, i) => DeleteIndex(a, i.AsInt64)
        : null;

    public static SqlValue DeletePath(SqlValue target, SqlValue path)
    {
        SqlValue[] steps = Steps(path);
        using JsonDocument document = JsonDocument.Parse(target.AsString);
        JsonElement root = document.RootElement;
        if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            throw new SqlException(SqlState.InvalidParameterValue, "cannot delete path in scalar");
        }

        return IsEmpty(root) || steps.Length == 0 ? target : Jsonb(Apply(root, steps, 0, null, Edit.Delete));
    }

    private static SqlValue Set(SqlValue target, SqlValue path, string value, bool create)
    {
        SqlValue[] steps = Steps(path);
        using JsonDocument document = JsonDocument.Parse(target.AsString);
        JsonElement root = ContainerRoot(document, "cannot set path in scalar");
        return (IsEmpty(root) && !create) || steps.Length == 0 ? target : Jsonb(Apply(root, steps, 0, value, create ? Edit.Create : Edit.Replace));
    }

    private static SqlValue Insert(SqlValue target, SqlValue path, string value, bool after)
    {
        SqlValue[] steps = Steps(path);
        using JsonDocument document = JsonDocument.Parse(target.AsString);
        JsonElement root = ContainerRoot(document, "cannot set path in scalar");
        return steps.Length == 0 ? target : Jsonb(Apply(root, steps, 0, value, after ? Edit.InsertAfter : Edit.InsertBefore));
    }

    /// <summary>jsonb_set_lax: as jsonb_set, except that an SQL NULL value is treated as <paramref name="treatment"/> says.</summary>
    private static SqlValue SetLax(SqlValue[] a, bool? create, string? treatment)
    {
        if (treatment is null)
        {
            throw new SqlException(SqlState.NullValueNotAllowed, "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"");
        }

        if (a[0].IsNull || a[1].IsNull || create is null)
        {
            return SqlValue.Null;
        }

        if (!a[2].IsNull)
        {
            return Set(a[0], a[1], a[2].AsString, create.Value);
        }

        return treatment switch
        {
            "raise_exception" => throw new SqlException(SqlState.NullValueNotAllowed, "JSON value must not be null",
                detail: "Exception was raised because null_value_treatment is \"raise_exception\".",
                hint: "To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed."),
            "use_json_null" => Set(a[0], a[1], "null", create.Value),
            "delete_key" => DeletePath(a[0], a[1]),
            "return_target" => a[0],
            _ => throw new SqlException(SqlState.InvalidParameterValue,
                "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\""),
        };
    }

    /// <summary>jsonb - text / text[]: an object loses those keys, an array the strings equal to one of them.</summary>
    private static SqlValue DeleteKeys(SqlValue target, HashSet<string> keys)
    {
        using JsonDocument document = JsonDocument.Parse(target.AsString);
        JsonElement root = ContainerRoot(document, "cannot delete from scalar");
        if (IsEmpty(root) || keys.Count == 0)
        {
            return target;
        }

        var sb = new StringBuilder();
        if (root.ValueKind == JsonValueKind.Object)
        {
            sb.Append('{').AppendJoin(',', root.EnumerateObject().Where(p => !keys.Contains(p.Name)).Select(p => SqlJson.Quote(p.Name) + ":" + p.Value.GetRawText())).Append('}');
        }
        else
        {
            sb.Append('[').AppendJoin(',', root.EnumerateArray().Where(e => !(e.ValueKind == JsonValueKind.String && keys.Contains(e.GetString()!)))
                .Select(e => e.GetRawText())).Append(']');
        }

        return Jsonb(sb.ToString());
    }

    /// <summary>jsonb - integer: an array without the element at that index (negative from the end; out of range changes nothing).</summary>
    private static SqlValue DeleteIndex(SqlValue target, long index)
    {
        using JsonDocument document = JsonDocument.Parse(target.AsString);
        JsonElement root = ContainerRoot(document, "cannot delete from scalar");
        if (root.ValueKind == JsonValueKind.Object)
        {
            throw new SqlException(SqlState.InvalidParameterValue, "cannot delete from object using integer index");
        }

        int count = root.GetArrayLength();
        long at = index < 0 ? count + index : index;
        if (at < 0 || at >= count)
        {
            return target;
        }

        return Jsonb("[" + string.Join(',', root.EnumerateArray().Where((_, i) => i != at).Select(e => e.GetRawText())) + "]");
    }

    /// <summary>The value <paramref name="e"/> with <paramref name="edit"/> applied at <paramref name="path"/>[<paramref name="level"/>..], as JSON text.</summary>
    private static string Apply(JsonElement e, SqlValue[] path, int level, string? value, Edit edit) => e.ValueKind switch
    {
        JsonValueKind.Object => EditObject(e, path, level, value, edit),
        JsonValueKind.Array => EditArray(e, path, level, value, edit),
        _ => e.GetRawText(),
    };

    private static string EditObject(JsonElement e, SqlValue[] path, int level, string? value, Edit edit)
    {
        string key = StepAt(path, level);
        bool last = level == path.Length - 1, found = false;
        var members = new List<string>();
        foreach (JsonProperty p in e.EnumerateObject())
        {
            string member = p.Value.GetRawText();
            if (p.NameEquals(key))
            {
                found = true;
                if (!last)
                {
                    member = Apply(p.Value, path, level + 1, value, edit);
                }
                else if (edit is Edit.InsertBefore or Edit.InsertAfter)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, "cannot replace existing key", hint: "Try using the function jsonb_set to replace key value.");
                }
                else if (edit == Edit.Delete)
                {
                    continue;
                }
                else
                {
                    member = value!;
                }
            }

            members.Add(SqlJson.Quote(p.Name) + ":" + member);
        }

        if (!found && last && Creates(edit))
        {
            members.Add(SqlJson.Quote(key) + ":" + value);
        }

        return "{" + string.Join(',', members) + "}";
    }

    private static string EditArray(JsonElement e, SqlValue[] path, int level, string? value, Edit edit)
    {
        string step = StepAt(path, level);
        if (!int.TryParse(step, NumberStyles.AllowLeadingWhite | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
        {
            throw new SqlException(SqlState.InvalidTextRepresentation, $"path element at position {level + 1} is not an integer: \"{step}\"");
        }

        var items = e.EnumerateArray().Select(i => i.GetRawText()).ToList();
        int count = items.Count;
        bool beforeStart = index < 0 && -(long)index > count;
        index = index < 0 && !beforeStart ? count + index : index;
        if (level < path.Length - 1)
        {
            if (!beforeStart && index < count)
            {
                items[index] = Apply(e[index], path, level + 1, value, edit);
            }
        }
        else if (beforeStart || count == 0)
        {
            if (Creates(edit))
            {
                items.Insert(0, value!);
            }
        }
        else if (index >= count)
        {
            if (Creates(edit))
            {
                items.Add(value!);
            }
        }
        else
        {
            switch (edit)
            {
                case Edit.Replace or Edit.Create: items[index] = value!; break;
                case Edit.InsertBefore: items.Insert(index, value!); break;
                case Edit.InsertAfter: items.Insert(index + 1, value!); break;
                default: items.RemoveAt(index); break;
            }
        }

        return "[" + string.Join(',', items) + "]";
    }

    private static bool Creates(Edit edit) => edit is Edit.Create or Edit.InsertBefore or Edit.InsertAfter;

    private static string StepAt(SqlValue[] path, int level) => path[level].IsNull
        ? throw new SqlException(SqlState.NullValueNotAllowed, $"path element at position {level + 1} is null")
        : path[level].AsString;

    private static SqlValue[] Steps(SqlValue path)
    {
        SqlArray array = path.AsArray;
        if (array.Lengths is { Length: > 1 })
        {
            throw new SqlException(SqlState.ArraySubscriptError, "wrong number of array subscripts");
        }

        return [.. array.Items];
    }

    private static JsonElement ContainerRoot(JsonDocument document, string scalarError) =>
        document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array
            ? document.RootElement
            : throw new SqlException(SqlState.InvalidParameterValue, scalarError);

    private static bool IsEmpty(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object ? !e.EnumerateObject().Any() : e.GetArrayLength() == 0;

    /// <summary>Edited text back to jsonb's canonical form (key order, spacing, one of each key).</summary>
    private static SqlValue Jsonb(string text) => SqlValue.FromString(SqlTypeKind.Jsonb, SqlJson.Validate(text, SqlTypeKind.Jsonb));
}
