using System.Text.Json;

namespace ThunderDb.Core.Sql.Types;

/// <summary>json keeps the text as written once it is valid JSON; jsonb stores it compacted.</summary>
public static class SqlJson
{
    public static string Validate(string text, SqlTypeKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
            return kind == SqlTypeKind.Jsonb ? JsonSerializerCompact(document.RootElement) : text;
        }
        catch (JsonException e)
        {
            throw new SqlException(SqlState.InvalidTextRepresentation, $"invalid input syntax for type {(kind == SqlTypeKind.Jsonb ? "jsonb" : "json")}",
                detail: e.Message);
        }
    }

    private static string JsonSerializerCompact(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
