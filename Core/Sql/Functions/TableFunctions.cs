using System.Text.Json;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>A set-returning function's rows for one call, from its arguments (already cast to the resolved parameter types, none NULL).</summary>
public delegate IEnumerable<SqlValue[]> TableFunctionBody(SqlValue[] args, EvalContext context);

/// <summary>A resolved set-returning function: the types its arguments are cast to, its result columns, and its rows.</summary>
public sealed record TableFunction(string Name, IReadOnlyList<SqlType> Parameters, IReadOnlyList<PlanColumn> Columns, TableFunctionBody Body);

/// <summary>
/// The set-returning functions of FROM: generate_series over integers, numeric and timestamps, unnest of one or
/// more arrays, the json(b) element and key/value expansions, and regexp_split_to_table. Null when the name is not one.
/// </summary>
internal static class TableFunctions
{
    private static readonly SqlType T = SqlType.Text;

    /// <summary>True for the names of set-returning functions (in a select list they make a ProjectSet).</summary>
    public static bool IsSetReturning(string name) =>
        name is "generate_series" or "unnest" or "regexp_split_to_table" or "jsonb_array_elements" or "json_array_elements" or "jsonb_array_elements_text"
            or "json_array_elements_text" or "jsonb_each" or "json_each" or "jsonb_each_text" or "json_each_text" or "jsonb_object_keys" or "json_object_keys";

    public static TableFunction? Resolve(string name, IReadOnlyList<SqlType> args)
    {
        switch (name)
        {
            case "generate_series":
                return GenerateSeries(args);
            case "unnest" when args.Count > 0 && args.All(a => a.IsArray):
                return new(name, args, [.. args.Select(a => new PlanColumn(name, a.Element))], Unnest);
            case "jsonb_array_elements" or "json_array_elements" or "jsonb_array_elements_text" or "json_array_elements_text" when args.Count == 1:
            {
                SqlType json = name.StartsWith("jsonb", StringComparison.Ordinal) ? SqlType.Jsonb : SqlType.Json;
                bool text = name.EndsWith("_text", StringComparison.Ordinal);
                return new(name, [json], [new PlanColumn("value", text ? T : json)], (a, _) => JsonElements(a[0], text));
            }

            case "jsonb_each" or "json_each" or "jsonb_each_text" or "json_each_text" when args.Count == 1:
            {
                SqlType json = name.StartsWith("jsonb", StringComparison.Ordinal) ? SqlType.Jsonb : SqlType.Json;
                bool text = name.EndsWith("_text", StringComparison.Ordinal);
                return new(name, [json], [new PlanColumn("key", T), new PlanColumn("value", text ? T : json)], (a, _) => JsonEach(a[0], text, name));
            }

            case "jsonb_object_keys" or "json_object_keys" when args.Count == 1:
            {
                SqlType json = name.StartsWith("jsonb", StringComparison.Ordinal) ? SqlType.Jsonb : SqlType.Json;
                return new(name, [json], [new PlanColumn(name, T)], (a, _) => ObjectKeys(a[0], name));
            }

            case "regexp_split_to_table" when args.Count is 2 or 3:
                return new(name, [.. args.Select(_ => T)], [new PlanColumn(name, T)],
                    (a, _) => RegexFunctions.Split(a[0].AsString, a[1].AsString, a.Length > 2 ? a[2].AsString : "").Select(p => new[] { SqlValue.FromText(p) }));
            default:
                return null;
        }
    }

    private static TableFunction? GenerateSeries(IReadOnlyList<SqlType> args)
    {
        if (args.Count is not (2 or 3))
        {
            return null;
        }

        bool Unknown(SqlType t) => t.Kind == SqlTypeKind.Unknown && !t.IsArray;
        SqlType type;
        if (args.All(a => a.IsInteger || Unknown(a)))
        {
            type = args.Any(a => a.Kind == SqlTypeKind.Int8) ? SqlType.Int8 : SqlType.Int4;
        }
        else if (args.All(a => a.IsInteger || a.Kind == SqlTypeKind.Numeric || Unknown(a)))
        {
            type = SqlType.Numeric;
        }
        else if (args.Count == 3 && args.Take(2).All(a => (a.IsDateTime && a.Kind != SqlTypeKind.Time) || Unknown(a)) && (args[2].Kind == SqlTypeKind.Interval || Unknown(args[2])))
        {
            type = args.Take(2).All(a => a.Kind == SqlTypeKind.Timestamp || Unknown(a)) && !args.Take(2).All(Unknown) ? SqlType.Timestamp : SqlType.TimestampTz;
            return new("generate_series", [type, type, SqlType.Interval], [new PlanColumn("generate_series", type)], (a, c) => TimeSeries(a, type, c));
        }
        else
        {
            return null;
        }

        return new("generate_series", [.. args.Select(_ => type)], [new PlanColumn("generate_series", type)], (a, c) => NumberSeries(a, type, c));
    }

    private static SqlException ZeroStep() => new(SqlState.InvalidParameterValue, "step size cannot equal zero");

    private static IEnumerable<SqlValue[]> NumberSeries(SqlValue[] a, SqlType type, EvalContext context)
    {
        SqlValue step = a.Length > 2 ? a[2] : type.Kind == SqlTypeKind.Numeric ? SqlValue.FromNumeric(1) : SqlValue.FromInteger(type.Kind, 1);
        int direction = SqlCompare.Compare(step, type.Kind == SqlTypeKind.Numeric ? SqlValue.FromNumeric(0) : SqlValue.FromInteger(type.Kind, 0));
        if (direction == 0)
        {
            throw ZeroStep();
        }

        SqlValue stop = a[1];
        for (SqlValue v = a[0]; direction > 0 ? SqlCompare.Compare(v, stop) <= 0 : SqlCompare.Compare(v, stop) >= 0;)
        {
            context.Runtime?.CountRow();
            yield return [v];
            try
            {
                v = SqlArithmetic.Apply(ArithmeticOperator.Add, v, step, type);
            }
            catch (SqlException e) when (e.SqlState == SqlState.NumericValueOutOfRange)
            {
                yield break; // the next value would pass the type's end, so it is past stop too
            }
        }
    }

    private static IEnumerable<SqlValue[]> TimeSeries(SqlValue[] a, SqlType type, EvalContext context)
    {
        SqlValue step = a[2];
        // intervals compare as months of 30 days and days of 24 hours, as PostgreSQL orders them
        decimal span = (((decimal)step.IntervalMonths * 30) + step.IntervalDays) * SqlDateTime.MicrosPerDay + step.IntervalMicros;
        if (span == 0)
        {
            throw ZeroStep();
        }

        bool forward = span > 0;
        for (SqlValue v = a[0]; forward ? SqlCompare.Compare(v, a[1]) <= 0 : SqlCompare.Compare(v, a[1]) >= 0;
             v = SqlDateArithmetic.Apply(ArithmeticOperator.Add, v, step, type))
        {
            context.Runtime?.CountRow();
            yield return [v];
        }
    }

    /// <summary>unnest(a, b, ...): row i holds element i of every array, NULL where an array is shorter.</summary>
    private static IEnumerable<SqlValue[]> Unnest(SqlValue[] arrays, EvalContext context)
    {
        int rows = arrays.Max(a => a.AsArray.Items.Count);
        for (int i = 0; i < rows; i++)
        {
            context.Runtime?.CountRow();
            var row = new SqlValue[arrays.Length];
            for (int c = 0; c < arrays.Length; c++)
            {
                IReadOnlyList<SqlValue> items = arrays[c].AsArray.Items;
                row[c] = i < items.Count ? items[i] : SqlValue.Null;
            }

            yield return row;
        }
    }

    private static SqlValue JsonValue(JsonElement e, bool text, SqlTypeKind kind)
    {
        if (!text)
        {
            return SqlValue.FromString(kind, SqlJson.Validate(e.GetRawText(), kind));
        }

        return e.ValueKind switch
        {
            JsonValueKind.Null => SqlValue.Null,
            JsonValueKind.String => SqlValue.FromText(e.GetString()!),
            _ => SqlValue.FromText(SqlJson.Validate(e.GetRawText(), SqlTypeKind.Jsonb)),
        };
    }

    private static List<SqlValue[]> JsonElements(SqlValue json, bool text)
    {
        using JsonDocument doc = JsonDocument.Parse(json.AsString);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new SqlException(SqlState.InvalidParameterValue, doc.RootElement.ValueKind == JsonValueKind.Object
                ? "cannot extract elements from an object" : "cannot extract elements from a scalar");
        }

        return [.. doc.RootElement.EnumerateArray().Select(e => new[] { JsonValue(e, text, json.Kind) })];
    }

    /// <summary>json(b)_each: key/value rows; jsonb orders keys as it stores them (shorter first, then bytewise) and keeps the last of duplicates.</summary>
    private static List<SqlValue[]> JsonEach(SqlValue json, bool text, string name)
    {
        using JsonDocument doc = JsonDocument.Parse(json.AsString);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new SqlException(SqlState.InvalidParameterValue, $"cannot call {name} on a non-object");
        }

        var pairs = doc.RootElement.EnumerateObject().Select(p => (p.Name, Value: JsonValue(p.Value, text, json.Kind))).ToList();
        if (json.Kind == SqlTypeKind.Jsonb)
        {
            pairs = [.. pairs.GroupBy(p => p.Name, StringComparer.Ordinal).Select(g => g.Last())
                .OrderBy(p => System.Text.Encoding.UTF8.GetByteCount(p.Name)).ThenBy(p => p.Name, StringComparer.Ordinal)];
        }

        return [.. pairs.Select(p => new[] { SqlValue.FromText(p.Name), p.Value })];
    }

    /// <summary>json(b)_object_keys: the keys in stored order (json: as written, duplicates included; jsonb: its canonical order).</summary>
    private static List<SqlValue[]> ObjectKeys(SqlValue json, string name)
    {
        using JsonDocument doc = JsonDocument.Parse(json.AsString);
        return doc.RootElement.ValueKind switch
        {
            JsonValueKind.Object => [.. doc.RootElement.EnumerateObject().Select(p => new[] { SqlValue.FromText(p.Name) })],
            JsonValueKind.Array => throw new SqlException(SqlState.InvalidParameterValue, $"cannot call {name} on an array"),
            _ => throw new SqlException(SqlState.InvalidParameterValue, $"cannot call {name} on a scalar"),
        };
    }
}
