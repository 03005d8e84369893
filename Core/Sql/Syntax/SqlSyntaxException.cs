namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// A statement that cannot be parsed: SQLSTATE 42601 (or 54001 when nested too deeply), a PostgreSQL-style
/// message and the 1-based character position PostgreSQL reports in the error's "position" field.
/// </summary>
public sealed class SqlSyntaxException(string sqlState, string message, int position) : SqlException(sqlState, message, position: position)
{
    public const string SyntaxError = "42601";
    public const string StackDepthExceeded = "54001";
    public const string FeatureNotSupported = "0A000";
    public const string InvalidTableDefinition = "42P16";

    /// <summary>Turns a 0-based UTF-16 offset into PostgreSQL's 1-based character position.</summary>
    public static int PositionOf(ReadOnlySpan<char> sql, int offset)
    {
        offset = Math.Clamp(offset, 0, sql.Length);
        int position = 1;
        for (int i = 0; i < offset; i++)
        {
            if (!char.IsLowSurrogate(sql[i]))
            {
                position++;
            }
        }

        return position;
    }

    public static SqlSyntaxException At(ReadOnlySpan<char> sql, int offset, string message) =>
        new(SyntaxError, message, PositionOf(sql, offset));
}
