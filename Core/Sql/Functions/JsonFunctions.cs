using System.Text;
using System.Text.Json;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// The json / jsonb functions: to_json[b] and json[b]_build_object / _build_array over values of any type (as
/// PostgreSQL's datum_to_json renders them: numbers bare, timestamps ISO 8601, arrays as arrays, json embedded),
/// json[b]_agg, json[b]_typeof, json[b]_array_length, json[b]_strip_nulls and jsonb_pretty.
/// </summary>
internal static class JsonFunctions
{
    public static void Register(List<ScalarFunction> f)
    {
        foreach ((SqlType type, string prefix) in new[] { (SqlType.Json, "json"), (SqlType.Jsonb, "jsonb") })
        {
            SqlTypeKind kind = type.Kind;
            f.Add(prefix + "_typeof", SqlType.Text, (a, _) => SqlValue.FromText(TypeOf(a[0].AsString)), type);
            f.Add(prefix + "_array_length", SqlType.Int4, (a, _) => SqlValue.FromInt4(ArrayLength(a[0].AsString)), type);
            f.Add(prefix + "_strip_nulls", type, (a, _) => SqlValue.FromString(kind, StripNulls(a[0].AsString, kind)), type);
            f.Add(new ScalarFunction(prefix + "_extract_path", [type], type, (a, _) => JsonOperators.Extract(a[0], kind, a[1..], asText: false),
                VariadicElement: SqlType.Text));
            f.Add(new ScalarFunction(prefix + "_extract_path_text", [type], SqlType.Text, (a, _) => JsonOperators.Extract(a[0], kind, a[1..], asText: true),
                VariadicElement: SqlType.Text));
            f.Add(prefix + "_object", type, (a, _) => Object(Pairs(a[0].AsArray), kind), SqlType.Text.ArrayOf());
            f.Add(prefix + "_object", type, (a, _) => Object(Pairs(a[0].AsArray, a[1].AsArray), kind), SqlType.Text.ArrayOf(), SqlType.Text.ArrayOf());
        }

        f.Add("jsonb_pretty", SqlType.Text, (a, _) => SqlValue.FromText(Pretty(a[0].AsString)), SqlType.Jsonb);
    }

    /// <summary>Whether the binder builds <paramref name="name"/> itself: its arguments may be of any type.</summary>
    public static bool TakesAnyArguments(string name) =>
        name is "to_json" or "to_jsonb" or "json_build_object" or "jsonb_build_object" or "json_build_array" or "jsonb_build_array" or "row_to_json";

    /// <summary>The body and result type of a function <see cref="TakesAnyArguments"/>, for arguments of <paramref name="types"/>.</summary>
    public static (SqlType Result, Func<SqlValue[], SqlValue> Body, bool Strict) Bind(string name, IReadOnlyList<SqlType> types, int position)
    {
        SqlTypeKind kind = name.StartsWith("jsonb", StringComparison.Ordinal) || name == "to_jsonb" ? SqlTypeKind.Jsonb : SqlTypeKind.Json;
        SqlType result = kind == SqlTypeKind.Jsonb ? SqlType.Jsonb : SqlType.Json;
        SqlValue Make(string text) => SqlValue.FromString(kind, kind == SqlTypeKind.Jsonb ? SqlJson.Validate(text, kind) : text);
        SqlType[] argTypes = [.. types];
        switch (name)
        {
            case "to_json" or "to_jsonb" when types.Count == 1:
                return (result, a => Make(ToJson(a[0], argTypes[0])), true);
            case "row_to_json" when types is [{ Kind: SqlTypeKind.Record, IsArray: false }] or [{ Kind: SqlTypeKind.Record, IsArray: false }, { Kind: SqlTypeKind.Bool or SqlTypeKind.Unknown }]:
                return (result, a => Make(RecordToJson(a[0].AsRecord, a.Length > 1 && !a[1].IsNull && (a[1].Kind == SqlTypeKind.Bool ? a[1].AsBool : SqlText.ParseBool(a[1].AsString)))), true);
            case "json_build_array" or "jsonb_build_array":
                return (result, a => Make("[" + string.Join(", ", a.Select((v, i) => ToJson(v, argTypes[i]))) + "]"), false);
            case "json_build_object" or "jsonb_build_object":
                if (types.Count % 2 != 0)
                {
                    throw new SqlException(SqlState.InvalidParameterValue, "argument list must have even number of elements",
                        hint: $"The arguments of {name}() must consist of alternating keys and values.");
                }

                return (result, a => Make(BuildObject(a, argTypes)), false);
            default:
                throw new SqlException(SqlState.UndefinedFunction, $"function {name}({string.Join(", ", types)}) does not exist", position: position,
                    hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
        }
    }

    /// <summary>json_agg / jsonb_agg over values of <paramref name="type"/>: the rows' values as one array (NULL rows as null).</summary>
    public static Func<IAggregateState> Agg(SqlType type, bool jsonb) => () => new AggState(type, jsonb);

    private sealed class AggState(SqlType type, bool jsonb) : IAggregateState
    {
        private StringBuilder? _text;

        // json_agg puts each row or array after the first on a line of its own, as PostgreSQL's does
        public void Step(SqlValue[] args) => (_text is null ? _text = new StringBuilder("[")
            : _text.Append(!jsonb && !args[0].IsNull && (type.IsArray || type.Kind == SqlTypeKind.Record) ? ", \n " : ", ")).Append(ToJson(args[0], type));

        public SqlValue Result() => _text is null ? SqlValue.Null : jsonb
            ? SqlValue.FromString(SqlTypeKind.Jsonb, SqlJson.Validate(_text.ToString() + "]", SqlTypeKind.Jsonb))
            : SqlValue.FromString(SqlTypeKind.Json, _text.ToString() + "]");
    }

    /// <summary>json_object_agg / jsonb_object_agg: the rows' key/value pairs as one object (keys as text, never NULL).</summary>
    public static AggregateFunction ObjectAgg(string name, IReadOnlyList<SqlType> types)
    {
        bool jsonb = name == "jsonb_object_agg";
        SqlType keyType = types[0], valueType = types[1];
        return new AggregateFunction(name, types, jsonb ? SqlType.Jsonb : SqlType.Json, () => new ObjectAggState(keyType, valueType, jsonb), IgnoresNulls: false);
    }

    private sealed class ObjectAggState(SqlType keyType, SqlType valueType, bool jsonb) : IAggregateState
    {
        private StringBuilder? _text;

        public void Step(SqlValue[] args)
        {
            if (args[0].IsNull)
            {
                throw new SqlException(SqlState.InvalidParameterValue, "field name must not be null");
            }

            string key = keyType.IsString || keyType.Kind == SqlTypeKind.Unknown ? args[0].AsString : SqlText.Format(args[0]);
            (_text is null ? _text = new StringBuilder("{ ") : _text.Append(", ")).Append(Quote(key)).Append(" : ").Append(ToJson(args[1], valueType));
        }

        public SqlValue Result() => _text is null ? SqlValue.Null : jsonb
            ? SqlValue.FromString(SqlTypeKind.Jsonb, SqlJson.Validate(_text.ToString() + " }", SqlTypeKind.Jsonb))
            : SqlValue.FromString(SqlTypeKind.Json, _text.ToString() + " }");
    }

    /// <summary>json(b)_object(text[]): a one-dimensional array of alternating keys and values, or a two-column one of pairs.</summary>
    private static List<(SqlValue Key, SqlValue Value)> Pairs(SqlArray array)
    {
        int[] lengths = array.Lengths;
        if (lengths.Length > 2)
        {
            throw new SqlException(SqlState.ArraySubscriptError, "wrong number of array subscripts");
        }

        if (lengths.Length == 2 && lengths[1] != 2)
        {
            throw new SqlException(SqlState.ArraySubscriptError, "array must have two columns");
        }

        if (array.Items.Count % 2 != 0)
        {
            throw new SqlException(SqlState.ArraySubscriptError, "array must have even number of elements");
        }

        return [.. Enumerable.Range(0, array.Items.Count / 2).Select(i => (array.Items[2 * i], array.Items[(2 * i) + 1]))];
    }

    /// <summary>json(b)_object(keys text[], values text[]): the two arrays paired up.</summary>
    private static List<(SqlValue Key, SqlValue Value)> Pairs(SqlArray keys, SqlArray values)
    {
        if (keys.Rank > 1 || values.Rank > 1)
        {
            throw new SqlException(SqlState.ArraySubscriptError, "wrong number of array subscripts");
        }

        if (keys.Items.Count != values.Items.Count)
        {
            throw new SqlException(SqlState.ArraySubscriptError, "mismatched array dimensions");
        }

        return [.. keys.Items.Zip(values.Items)];
    }

    private static SqlValue Object(List<(SqlValue Key, SqlValue Value)> pairs, SqlTypeKind kind)
    {
        var text = new StringBuilder("{");
        foreach ((SqlValue key, SqlValue value) in pairs)
        {
            if (key.IsNull)
            {
                throw new SqlException(SqlState.NullValueNotAllowed, "null value not allowed for object key");
            }

            text.Append(text.Length == 1 ? "" : ", ").Append(Quote(key.AsString)).Append(" : ").Append(value.IsNull ? "null" : Quote(value.AsString));
        }

        string json = text.Append('}').ToString();
        return SqlValue.FromString(kind, kind == SqlTypeKind.Jsonb ? SqlJson.Validate(json, kind) : json);
    }

    /// <summary>A value as JSON text, as PostgreSQL's datum_to_json writes it.</summary>
    public static string ToJson(SqlValue value, SqlType type)
    {
        if (value.IsNull)
        {
            return "null";
        }

        if (type.IsArray)
        {
            SqlArray array = value.AsArray;
            return array.Items.Count == 0 ? "[]" : Nested(array, array.Lengths, 0, 0, type.Element).Text;
        }

        switch (type.Kind)
        {
            case SqlTypeKind.Bool:
                return value.AsBool ? "true" : "false";
            case SqlTypeKind.Int2 or SqlTypeKind.Int4 or SqlTypeKind.Int8 or SqlTypeKind.Numeric or SqlTypeKind.Float4 or SqlTypeKind.Float8 or SqlTypeKind.Oid:
            {
                string text = SqlText.Format(value);
                return text is "NaN" or "Infinity" or "-Infinity" ? Quote(text) : text;
            }

            case SqlTypeKind.Json or SqlTypeKind.Jsonb:
                return value.AsString;
            case SqlTypeKind.Record:
                return RecordToJson(value.AsRecord, pretty: false);
            case SqlTypeKind.Timestamp or SqlTypeKind.TimestampTz:
            {
                string text = SqlText.Format(value);
                if (text.Length >= 10 && text[^3] is '+' or '-' && char.IsAsciiDigit(text[^1]) && type.Kind == SqlTypeKind.TimestampTz)
                {
                    text += ":00"; // ISO 8601 writes the offset's minutes
                }

                int space = text.IndexOf(' ', StringComparison.Ordinal);
                return Quote(space > 0 && !text.EndsWith(" BC", StringComparison.Ordinal) ? string.Concat(text.AsSpan(0, space), "T", text.AsSpan(space + 1)) : text);
            }

            default:
                return Quote(type.Kind == SqlTypeKind.Unknown || type.IsString ? value.AsString : SqlText.Format(value));
        }
    }

    /// <summary>row_to_json: the fields as an object, in order (<paramref name="pretty"/>: one per line, as row_to_json(r, true)).</summary>
    public static string RecordToJson(SqlRecord record, bool pretty)
    {
        ArgumentNullException.ThrowIfNull(record);
        var sb = new StringBuilder("{");
        for (int i = 0; i < record.Values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(pretty ? ",\n " : ",");
            }

            (string name, SqlType type) = record.Type.Fields[i];
            sb.Append(Quote(name)).Append(':').Append(ToJson(record.Values[i], type));
        }

        return sb.Append('}').ToString();
    }

    private static (string Text, int Next) Nested(SqlArray array, int[] lengths, int dimension, int at, SqlType element)
    {
        var items = new List<string>();
        for (int i = 0; i < lengths[dimension]; i++)
        {
            if (dimension == lengths.Length - 1)
            {
                items.Add(ToJson(array.Items[at++], element));
            }
            else
            {
                (string text, int next) = Nested(array, lengths, dimension + 1, at, element);
                items.Add(text);
                at = next;
            }
        }

        return ("[" + string.Join(",", items) + "]", at);
    }

    private static string BuildObject(SqlValue[] args, SqlType[] types)
    {
        var text = new StringBuilder("{");
        for (int i = 0; i < args.Length; i += 2)
        {
            if (args[i].IsNull)
            {
                throw new SqlException(SqlState.NullValueNotAllowed, $"argument {i + 1}: key must not be null");
            }

            string key = types[i].IsString || types[i].Kind == SqlTypeKind.Unknown ? args[i].AsString : SqlText.Format(args[i]);
            text.Append(i == 0 ? "" : ", ").Append(Quote(key)).Append(" : ").Append(ToJson(args[i + 1], types[i + 1]));
        }

        return text.Append('}').ToString();
    }

    private static string Quote(string s) => SqlJson.Quote(s);

    private static string TypeOf(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
    }

    private static int ArrayLength(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind switch
        {
            JsonValueKind.Array => document.RootElement.GetArrayLength(),
            JsonValueKind.Object => throw new SqlException(SqlState.InvalidParameterValue, "cannot get array length of a non-array"),
            _ => throw new SqlException(SqlState.InvalidParameterValue, "cannot get array length of a scalar"),
        };
    }

    private static string StripNulls(string json, SqlTypeKind kind)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var sb = new StringBuilder();
        Strip(sb, document.RootElement);
        return kind == SqlTypeKind.Jsonb ? SqlJson.Validate(sb.ToString(), kind) : sb.ToString();
    }

    /// <summary>Object fields whose value is null go, at every depth; nulls in arrays stay (as in PostgreSQL).</summary>
    private static void Strip(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                string sep = "";
                foreach (JsonProperty p in e.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null))
                {
                    sb.Append(sep).Append(Quote(p.Name)).Append(':');
                    Strip(sb, p.Value);
                    sep = ",";
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                string comma = "";
                foreach (JsonElement item in e.EnumerateArray())
                {
                    sb.Append(comma);
                    Strip(sb, item);
                    comma = ",";
                }

                sb.Append(']');
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    /// <summary>jsonb_pretty: four spaces per level, one item per line, as PostgreSQL's JsonbToCStringIndent.</summary>
    private static string Pretty(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var sb = new StringBuilder();
        Indent(sb, document.RootElement, 0);
        return sb.ToString();
    }

    private static void Indent(StringBuilder sb, JsonElement e, int level)
    {
        string pad = new(' ', 4 * (level + 1));
        switch (e.ValueKind)
        {
            case JsonValueKind.Object when e.EnumerateObject().Any():
            {
                sb.Append("{\n");
                bool first = true;
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    sb.Append(first ? "" : ",\n").Append(pad).Append(Quote(p.Name)).Append(": ");
                    Indent(sb, p.Value, level + 1);
                    first = false;
                }

                sb.Append('\n').Append(' ', 4 * level).Append('}');
                break;
            }

            case JsonValueKind.Array when e.GetArrayLength() > 0:
            {
                sb.Append("[\n");
                bool first = true;
                foreach (JsonElement item in e.EnumerateArray())
                {
                    sb.Append(first ? "" : ",\n").Append(pad);
                    Indent(sb, item, level + 1);
                    first = false;
                }

                sb.Append('\n').Append(' ', 4 * level).Append(']');
                break;
            }

            case JsonValueKind.Object or JsonValueKind.Array:
                // an empty container still spans two lines
                sb.Append(e.ValueKind == JsonValueKind.Object ? "{\n" : "[\n").Append(' ', 4 * level).Append(e.ValueKind == JsonValueKind.Object ? '}' : ']');
                break;
            default:
                sb.Append(SqlJson.Text(e, SqlTypeKind.Jsonb));
                break;
        }
    }
}
