using System.Text;

namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// ALTER TABLE ... RENAME COLUMN for the expressions a table keeps as SQL text (CHECKs, defaults, generation and index
/// expressions): every reference to the column, bare or qualified by the table, is respelt. Works on tokens, so string
/// literals, function names (followed by "("), type names (after "::") and other tables' columns are left alone.
/// </summary>
public static class ColumnRename
{
    public static string Apply(string sql, string table, string column, string newName)
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
            if (t.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier) || Name(t) != column)
            {
                continue;
            }

            bool call = i + 1 < tokens.Count && tokens[i + 1].Kind is TokenKind.LeftParen or TokenKind.Dot;
            bool typeName = i > 0 && tokens[i - 1].Kind == TokenKind.DoubleColon;
            bool otherTable = i > 1 && tokens[i - 1].Kind == TokenKind.Dot && Name(tokens[i - 2]) != table;
            if (call || typeName || otherTable)
            {
                continue;
            }

            text.Append(sql, copied, t.Start - copied).Append(SqlPrinter.QuoteIdentifier(newName));
            copied = t.End;
        }

        return copied == 0 ? sql : text.Append(sql, copied, sql.Length - copied).ToString();
    }

    /// <summary>ALTER TABLE ... RENAME TO for a view's query: every name token spelling the relation (as a FROM item or a qualifier) respelt.</summary>
    public static string Relation(string sql, string relation, string newName)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var lexer = new SqlLexer(sql);
        var text = new StringBuilder(sql.Length + 8);
        int copied = 0;
        SqlToken previous = default;
        for (SqlToken t = lexer.Next(); t.Kind != TokenKind.EndOfInput; t = lexer.Next())
        {
            SqlToken next = t;
            bool candidate = t.Kind is TokenKind.Word or TokenKind.QuotedIdentifier && previous.Kind != TokenKind.DoubleColon
                && SqlLiterals.Identifier(sql, t, SqlDialect.PostgreSql) == relation;
            if (candidate)
            {
                var peek = lexer;
                next = peek.Next();
                if (next.Kind != TokenKind.LeftParen)
                {
                    text.Append(sql, copied, t.Start - copied).Append(SqlPrinter.QuoteIdentifier(newName));
                    copied = t.End;
                }
            }

            previous = t;
        }

        return copied == 0 ? sql : text.Append(sql, copied, sql.Length - copied).ToString();
    }
}
