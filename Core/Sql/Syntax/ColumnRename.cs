using System.Text;

namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// ALTER TABLE ... RENAME for the SQL text ThunderDB keeps (CHECKs, defaults, generation and index expressions, view
/// queries): the name tokens that spell the renamed column or relation are respelt. Works on tokens, so string literals,
/// function names (followed by "(") and type names (after "::") are left alone.
/// </summary>
public static class ColumnRename
{
    /// <summary>RENAME COLUMN: every reference to <paramref name="column"/>, bare or qualified by <paramref name="table"/> (another table's stays).</summary>
    public static string Apply(string sql, string table, string column, string newName) =>
        Respell(sql, column, newName, (tokens, i, name) =>
            !(i + 1 < tokens.Count && tokens[i + 1].Kind == TokenKind.Dot)
            && !(i > 1 && tokens[i - 1].Kind == TokenKind.Dot && name(tokens[i - 2]) != table));

    /// <summary>RENAME TO: every token spelling the relation, as a FROM item or as a qualifier.</summary>
    public static string Relation(string sql, string relation, string newName) => Respell(sql, relation, newName, (_, _, _) => true);

    private static string Respell(string sql, string old, string newName, Func<List<SqlToken>, int, Func<SqlToken, string>, bool> applies)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var lexer = new SqlLexer(sql);
        var tokens = new List<SqlToken>();
        for (SqlToken t = lexer.Next(); t.Kind != TokenKind.EndOfInput; t = lexer.Next())
        {
            tokens.Add(t);
        }

        string Name(SqlToken t) => SqlLiterals.Identifier(sql, t, SqlDialect.PostgreSql);
        var text = new StringBuilder(sql.Length + 8);
        int copied = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            SqlToken t = tokens[i];
            bool call = i + 1 < tokens.Count && tokens[i + 1].Kind == TokenKind.LeftParen;
            bool typeName = i > 0 && tokens[i - 1].Kind == TokenKind.DoubleColon;
            if (t.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier) || call || typeName || Name(t) != old || !applies(tokens, i, Name))
            {
                continue;
            }

            text.Append(sql, copied, t.Start - copied).Append(SqlPrinter.QuoteIdentifier(newName));
            copied = t.End;
        }

        return copied == 0 ? sql : text.Append(sql, copied, sql.Length - copied).ToString();
    }
}
