using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// json keeps the text as written once it is valid JSON; jsonb stores it in PostgreSQL's canonical form
/// (JsonbToCString): object keys unique (the last one wins) and ordered by length then bytes, ", " and ": "
/// between items, numbers as numeric prints them, strings escaped as escape_json does (non-ASCII kept).
/// </summary>
public static class SqlJson
{
    public static string Validate(string text, SqlTypeKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
            if (kind != SqlTypeKind.Jsonb)
            {
                return text;
            }

            var sb = new StringBuilder(text.Length);
            WriteCanonical(sb, document.RootElement);
            return sb.ToString();
        }
        catch (SqlException e) when (e.SqlState == SqlState.UntranslatableCharacter)
        {
            throw JsonSyntaxError.For(text, e.Detail ?? e.Message, rejectNul: true);
        }
        catch (JsonException e)
        {
            throw JsonSyntaxError.For(text, e.Message);
        }
    }

    /// <summary>An element as its type prints it: jsonb's canonical form, or json's text as written.</summary>
    public static string Text(JsonElement e, SqlTypeKind kind)
    {
        if (kind != SqlTypeKind.Jsonb)
        {
            return e.GetRawText();
        }

        var sb = new StringBuilder();
        WriteCanonical(sb, e);
        return sb.ToString();
    }

    private static void WriteCanonical(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    members[p.Name] = p.Value;
                }

                sb.Append('{');
                bool first = true;
                foreach (KeyValuePair<string, JsonElement> m in members.OrderBy(m => Encoding.UTF8.GetByteCount(m.Key)).ThenBy(m => m.Key, Utf8Order.Instance))
                {
                    sb.Append(first ? "" : ", ");
                    first = false;
                    WriteString(sb, TextOnly(m.Key));
                    sb.Append(": ");
                    WriteCanonical(sb, m.Value);
                }

                sb.Append('}');
                break;
            }

            case JsonValueKind.Array:
            {
                sb.Append('[');
                bool first = true;
                foreach (JsonElement item in e.EnumerateArray())
                {
                    sb.Append(first ? "" : ", ");
                    first = false;
                    WriteCanonical(sb, item);
                }

                sb.Append(']');
                break;
            }

            case JsonValueKind.String:
                WriteString(sb, TextOnly(e.GetString()!));
                break;
            case JsonValueKind.Number:
            {
                // jsonb keeps numbers as numeric: an exponent is expanded, trailing zeros of a fraction stay
                string raw = e.GetRawText();
                sb.Append(raw.AsSpan().IndexOfAny('e', 'E') >= 0 && decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d)
                    ? d.ToString(CultureInfo.InvariantCulture) : raw);
                break;
            }

            default:
                sb.Append(e.GetRawText()); // true, false, null
                break;
        }
    }

    /// <summary>jsonb keeps strings as text, which cannot hold NUL (json keeps the escape as written).</summary>
    private static string TextOnly(string s) => s.Contains('\0', StringComparison.Ordinal)
        ? throw new SqlException(SqlState.UntranslatableCharacter, "unsupported Unicode escape sequence", detail: "\\u0000 cannot be converted to text.")
        : s;

    /// <summary>A string as a JSON string literal, escaped as PostgreSQL's escape_json does (non-ASCII kept).</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        WriteString(sb, s);
        return sb.ToString();
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Orders strings as their UTF-8 bytes compare (PostgreSQL compares jsonb keys with memcmp).</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) => Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
