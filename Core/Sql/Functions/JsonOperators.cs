using System.Globalization;
using System.Text.Json;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The json and jsonb operators: <c>-&gt;</c> and <c>-&gt;&gt;</c> (an object's field by key, an array's element by
/// index, negative from the end), <c>#&gt;</c> and <c>#&gt;&gt;</c> (by a text[] path), and jsonb's <c>@&gt;</c> /
/// <c>&lt;@</c> (containment), <c>?</c>, <c>?|</c>, <c>?&amp;</c> (key or array-string existence), with PostgreSQL's
/// results: a missing field, a wrong-kind step or a JSON null read as text is SQL NULL. jsonb's editing operators
/// <c>-</c> and <c>#-</c> are <see cref="JsonEditing"/>'s.
/// </summary>
internal static class JsonOperators
{
    /// <summary>The operator's function for these operand types (the right one already coerced), or null when it has none.</summary>
    public static (SqlType Result, Func<SqlValue, SqlValue, SqlValue> Apply)? Resolve(string op, SqlType left, SqlType right)
    {
        SqlTypeKind kind = left.Kind;
        if (left.IsArray || kind is not (SqlTypeKind.Json or SqlTypeKind.Jsonb))
        {
            return null;
        }

        bool jsonb = kind == SqlTypeKind.Jsonb;
        bool textArray = right.IsArray && right.Kind == SqlTypeKind.Text;
        return op switch
        {
            "->" when right.IsInteger => (left, (a, b) => Step(a, kind, e => Index(e, b.AsInt64), asText: false)),
            "->" when right.IsString => (left, (a, b) => Step(a, kind, e => Field(e, b.AsString), asText: false)),
            "->>" when right.IsInteger => (SqlType.Text, (a, b) => Step(a, kind, e => Index(e, b.AsInt64), asText: true)),
            "->>" when right.IsString => (SqlType.Text, (a, b) => Step(a, kind, e => Field(e, b.AsString), asText: true)),
            "#>" when textArray => (left, (a, b) => Extract(a, kind, b.AsArray.Items, asText: false)),
            "#>>" when textArray => (SqlType.Text, (a, b) => Extract(a, kind, b.AsArray.Items, asText: true)),
            "@>" when jsonb && right.Kind == SqlTypeKind.Jsonb && !right.IsArray => (SqlType.Bool, (a, b) => SqlValue.FromBool(Contains(a, b))),
            "<@" when jsonb && right.Kind == SqlTypeKind.Jsonb && !right.IsArray => (SqlType.Bool, (a, b) => SqlValue.FromBool(Contains(b, a))),
            "?" when jsonb && right.IsString => (SqlType.Bool, (a, b) => SqlValue.FromBool(Exists(a, [b.AsString], any: true))),
            "?|" when jsonb && textArray => (SqlType.Bool, (a, b) => SqlValue.FromBool(Exists(a, Strings(b), any: true))),
            "?&" when jsonb && textArray => (SqlType.Bool, (a, b) => SqlValue.FromBool(Exists(a, Strings(b), any: false))),
            "#-" when jsonb && textArray => (left, JsonEditing.DeletePath),
            "-" when jsonb && JsonEditing.Minus(right) is { } minus => (left, minus),
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="op"/> is one of these operators (so the binder coerces its untyped operand).</summary>
    public static bool IsJsonOperator(string op) => op is "->" or "->>" or "#>" or "#>>" or "@>" or "<@" or "?" or "?|" or "?&" or "#-";

    private static SqlValue Step(SqlValue json, SqlTypeKind kind, Func<JsonElement, JsonElement?> step, bool asText)
    {
        using JsonDocument document = JsonDocument.Parse(json.AsString);
        if (step(document.RootElement) is not { } found)
        {
            return SqlValue.Null;
        }

        if (!asText)
        {
            return SqlValue.FromString(kind, SqlJson.Text(found, kind));
        }

        return found.ValueKind switch
        {
            JsonValueKind.Null => SqlValue.Null,
            JsonValueKind.String => SqlValue.FromText(found.GetString()!),
            _ => SqlValue.FromText(SqlJson.Text(found, kind)),
        };
    }

    private static JsonElement? Field(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && LastProperty(e, key) is { } value ? value : null;

    /// <summary>json keeps duplicate keys as written; like PostgreSQL's json operators, the last one is the field.</summary>
    private static JsonElement? LastProperty(JsonElement e, string key)
    {
        JsonElement? found = null;
        foreach (JsonProperty p in e.EnumerateObject())
        {
            if (p.NameEquals(key))
            {
                found = p.Value;
            }
        }

        return found;
    }

    private static JsonElement? Index(JsonElement e, long index)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        int length = e.GetArrayLength();
        long at = index < 0 ? length + index : index;
        return at >= 0 && at < length ? e[(int)at] : null;
    }

    /// <summary><c>#&gt;</c> / <c>#&gt;&gt;</c> and json(b)_extract_path[_text]: the value at a path of keys and indexes.</summary>
    public static SqlValue Extract(SqlValue json, SqlTypeKind kind, IReadOnlyList<SqlValue> steps, bool asText) =>
        Step(json, kind, e => Path(e, steps), asText);

    private static JsonElement? Path(JsonElement e, IReadOnlyList<SqlValue> steps)
    {
        JsonElement current = e;
        foreach (SqlValue step in steps)
        {
            if (step.IsNull)
            {
                return null;
            }

            string s = step.AsString;
            JsonElement? next = current.ValueKind switch
            {
                JsonValueKind.Object => Field(current, s),
                JsonValueKind.Array when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i) => Index(current, i),
                _ => null,
            };
            if (next is not { } n)
            {
                return null;
            }

            current = n;
        }

        return current;
    }

    private static bool Exists(SqlValue json, IEnumerable<string> keys, bool any)
    {
        using JsonDocument document = JsonDocument.Parse(json.AsString);
        JsonElement root = document.RootElement;
        bool Has(string key) => root.ValueKind switch
        {
            JsonValueKind.Object => LastProperty(root, key) is not null,
            JsonValueKind.Array => root.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.String && i.GetString() == key),
            JsonValueKind.String => root.GetString() == key,
            _ => false,
        };
        return any ? keys.Any(Has) : keys.All(Has);
    }

    private static IEnumerable<string> Strings(SqlValue array) => array.AsArray.Items.Where(v => !v.IsNull).Select(v => v.AsString);

    private static bool Contains(SqlValue container, SqlValue contained)
    {
        using JsonDocument a = JsonDocument.Parse(container.AsString);
        using JsonDocument b = JsonDocument.Parse(contained.AsString);
        JsonElement outer = a.RootElement, inner = b.RootElement;
        // a top-level array contains a scalar it holds (PostgreSQL's one exception to "same kind")
        if (outer.ValueKind == JsonValueKind.Array && inner.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            return outer.EnumerateArray().Any(e => Contains(e, inner));
        }

        return Contains(outer, inner);
    }

    private static bool Contains(JsonElement outer, JsonElement inner)
    {
        if (outer.ValueKind != inner.ValueKind && !(IsBool(outer) && IsBool(inner)))
        {
            return false;
        }

        switch (inner.ValueKind)
        {
            case JsonValueKind.Object:
                return inner.EnumerateObject().All(p => LastProperty(outer, p.Name) is { } v && Contains(v, p.Value));
            case JsonValueKind.Array:
                // every element of the right array is contained in some element of the left (nested arrays and objects alike)
                return inner.EnumerateArray().All(i => outer.EnumerateArray().Any(o => o.ValueKind == i.ValueKind && Contains(o, i)));
            case JsonValueKind.String:
                return outer.GetString() == inner.GetString();
            case JsonValueKind.Number:
                return decimal.TryParse(outer.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal x)
                    && decimal.TryParse(inner.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal y) ? x == y : outer.GetRawText() == inner.GetRawText();
            default:
                return outer.ValueKind == inner.ValueKind; // true, false, null
        }
    }

    /// <summary>jsonb <c>||</c>: two objects merge (the right's keys win), otherwise both sides as arrays concatenate.</summary>
    public static SqlValue Concat(SqlValue left, SqlValue right)
    {
        using JsonDocument a = JsonDocument.Parse(left.AsString);
        using JsonDocument b = JsonDocument.Parse(right.AsString);
        JsonElement x = a.RootElement, y = b.RootElement;
        var text = new System.Text.StringBuilder();
        if (x.ValueKind == JsonValueKind.Object && y.ValueKind == JsonValueKind.Object)
        {
            text.Append('{');
            string sep = "";
            foreach (JsonProperty p in x.EnumerateObject().Concat(y.EnumerateObject()))
            {
                text.Append(sep).Append('"').Append(JsonEncodedText.Encode(p.Name).ToString()).Append("\":").Append(p.Value.GetRawText());
                sep = ",";
            }

            text.Append('}');
        }
        else
        {
            IEnumerable<string> Items(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(i => i.GetRawText()) : [e.GetRawText()];
            text.Append('[').AppendJoin(',', Items(x).Concat(Items(y))).Append(']');
        }

        // any valid escaping will do: the canonical form rewrites it, and keeps the last of duplicate keys (the right side's)
        return SqlValue.FromString(SqlTypeKind.Jsonb, SqlJson.Validate(text.ToString(), SqlTypeKind.Jsonb));
    }

    private static bool IsBool(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False;
}
