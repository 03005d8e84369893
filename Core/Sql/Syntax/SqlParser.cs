using System.Runtime.CompilerServices;

namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// Hand-written recursive-descent parser for the PostgreSQL dialect with a MySQL switch. Expressions use
/// precedence climbing with PostgreSQL's operator precedence (gram.y). Split by area: Select (queries,
/// FROM), Expressions, Types, Dml, Ddl, Utility. Every failure is a <see cref="SqlSyntaxException"/>:
/// 42601 at the offending token, 54001 when nesting exceeds <see cref="MaxDepth"/>.
/// </summary>
public sealed partial class SqlParser
{
    /// <summary>Deepest nesting of expressions and subqueries accepted (deeper input is refused, not crashed on).</summary>
    public const int MaxDepth = 1000;

    private readonly string _sql;
    private readonly SqlDialect _dialect;
    private readonly List<SqlToken> _tokens;
    private int _pos;
    private int _depth;
    private int _parameterMarkers;

    private SqlParser(string sql, SqlDialect dialect)
    {
        _sql = sql;
        _dialect = dialect;
        _tokens = new List<SqlToken>(Math.Max(8, sql.Length / 4));
        var lexer = new SqlLexer(sql, dialect);
        SqlToken t;
        do
        {
            t = lexer.Next();
            _tokens.Add(t);
        }
        while (t.Kind != TokenKind.EndOfInput);
    }

    /// <summary>A type name alone, as <c>format_type</c> prints one (<c>character varying(20)</c>, <c>integer[]</c>).</summary>
    public static TypeName ParseType(string text)
    {
        var parser = new SqlParser(text, SqlDialect.PostgreSql);
        TypeName type = parser.ParseTypeName();
        if (parser.Current.Kind != TokenKind.EndOfInput)
        {
            throw parser.ErrorAt(parser.Current);
        }

        return type;
    }

    /// <summary>Parses every ';'-separated statement (empty statements are skipped; empty text gives none).</summary>
    public static IReadOnlyList<SqlStatement> Parse(string sql, SqlDialect dialect = SqlDialect.PostgreSql) =>
        ParseWithText(sql, dialect).Select(p => p.Statement).ToList();

    /// <summary>
    /// Like <see cref="Parse"/>, with where each statement's text lies in <paramref name="sql"/> (for the
    /// simple query protocol's per-statement logging; error positions stay relative to the whole text).
    /// </summary>
    public static IReadOnlyList<ParsedStatement> ParseWithText(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        var parser = new SqlParser(sql, dialect);
        var statements = new List<ParsedStatement>();
        while (true)
        {
            while (parser.Accept(TokenKind.Semicolon))
            {
            }

            if (parser.Current.Kind == TokenKind.EndOfInput)
            {
                return statements;
            }

            int start = parser.Current.Start;
            SqlStatement statement = parser.ParseStatement();
            int end = parser._tokens[parser._pos - 1].End;
            statements.Add(new ParsedStatement(statement, start, end - start));
            if (parser.Current.Kind != TokenKind.EndOfInput && !parser.Accept(TokenKind.Semicolon))
            {
                throw parser.Error();
            }
        }
    }

    /// <summary>Parses exactly one statement (a trailing ';' is allowed).</summary>
    public static SqlStatement ParseSingle(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        IReadOnlyList<SqlStatement> all = Parse(sql, dialect);
        if (all.Count != 1)
        {
            throw new SqlSyntaxException(SqlSyntaxException.SyntaxError, all.Count == 0 ? "empty query" : "cannot insert multiple commands into a prepared statement", 0);
        }

        return all[0];
    }

    /// <summary>Parses a standalone expression (used by tests and by defaults stored as text).</summary>
    public static SqlExpr ParseExpression(string sql, SqlDialect dialect = SqlDialect.PostgreSql)
    {
        var parser = new SqlParser(sql, dialect);
        SqlExpr e = parser.ParseExpr();
        if (parser.Current.Kind != TokenKind.EndOfInput)
        {
            throw parser.Error();
        }

        return e;
    }

    private bool MySql => _dialect == SqlDialect.MySql;

    private SqlToken Current => _tokens[_pos];

    private SqlToken PeekToken(int ahead = 1) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private ReadOnlySpan<char> TextOf(SqlToken t) => _sql.AsSpan(t.Start, t.Length);

    private SqlToken Advance() => _tokens[_pos < _tokens.Count - 1 ? _pos++ : _pos];

    private bool Is(TokenKind kind) => Current.Kind == kind;

    private bool IsKeyword(Keyword k) => Current.Kind == TokenKind.Word && Current.Keyword == k;

    private bool IsKeywordAt(int ahead, Keyword k)
    {
        SqlToken t = PeekToken(ahead);
        return t.Kind == TokenKind.Word && t.Keyword == k;
    }

    private bool IsOperator(string op) => Current.Kind == TokenKind.Operator && TextOf(Current).SequenceEqual(op);

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private bool AcceptKeyword(Keyword k)
    {
        if (!IsKeyword(k))
        {
            return false;
        }

        Advance();
        return true;
    }

    private bool AcceptKeywords(Keyword first, Keyword second)
    {
        if (!IsKeyword(first) || !IsKeywordAt(1, second))
        {
            return false;
        }

        _pos += 2;
        return true;
    }

    private bool AcceptOperator(string op)
    {
        if (!IsOperator(op))
        {
            return false;
        }

        Advance();
        return true;
    }

    private SqlToken Expect(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            throw Error();
        }

        return Advance();
    }

    private void ExpectKeyword(Keyword k)
    {
        if (!AcceptKeyword(k))
        {
            throw Error();
        }
    }

    private void ExpectOperator(string op)
    {
        if (!AcceptOperator(op))
        {
            throw Error();
        }
    }

    /// <summary>PostgreSQL's message for an unexpected token: its text as written, or "end of input".</summary>
    private SqlSyntaxException Error() => ErrorAt(Current);

    private SqlSyntaxException ErrorAt(SqlToken t) => t.Kind == TokenKind.EndOfInput
        ? SqlSyntaxException.At(_sql, _sql.Length, "syntax error at end of input")
        : SqlSyntaxException.At(_sql, t.Start, "syntax error at or near \"" + TextOf(t).ToString() + "\"");

    private SqlSyntaxException ErrorHere(string message) => SqlSyntaxException.At(_sql, Current.Start, message);

    /// <summary>Counts one level of nesting; refuses input nested deeper than the limit or than the stack allows.</summary>
    private void Enter()
    {
        if (++_depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new SqlSyntaxException(SqlSyntaxException.StackDepthExceeded, "stack depth limit exceeded", SqlSyntaxException.PositionOf(_sql, Current.Start));
        }
    }

    private void Exit() => _depth--;

    private static KeywordCategory CategoryOf(SqlToken t) => t.Keyword == Keyword.None ? KeywordCategory.Unreserved : Keywords.Category(t.Keyword);

    /// <summary>A token usable as a column or table name (PostgreSQL ColId): not a reserved or type/function keyword.</summary>
    private bool IsColId(SqlToken t) => t.Kind == TokenKind.QuotedIdentifier ||
        (t.Kind == TokenKind.Word && CategoryOf(t) <= KeywordCategory.ColumnName);

    /// <summary>A token usable as a function or type name: anything but a reserved or column-name keyword.</summary>
    private bool IsFunctionName(SqlToken t) => t.Kind == TokenKind.QuotedIdentifier ||
        (t.Kind == TokenKind.Word && CategoryOf(t) is KeywordCategory.Unreserved or KeywordCategory.TypeOrFunctionName);

    private string NameOf(SqlToken t) => SqlLiterals.Identifier(_sql, t, _dialect);

    private string ParseColId()
    {
        if (!IsColId(Current))
        {
            throw Error();
        }

        return NameOf(Advance());
    }

    /// <summary>Any word, reserved ones included (after AS, after a dot).</summary>
    private string ParseColLabel()
    {
        if (Current.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier))
        {
            throw Error();
        }

        return NameOf(Advance());
    }

    private ObjectName ParseObjectName()
    {
        var parts = new List<string> { ParseColId() };
        while (Is(TokenKind.Dot))
        {
            Advance();
            parts.Add(ParseColLabel());
        }

        return new ObjectName(parts);
    }

    private List<ObjectName> ParseObjectNameList()
    {
        var names = new List<ObjectName> { ParseObjectName() };
        while (Accept(TokenKind.Comma))
        {
            names.Add(ParseObjectName());
        }

        return names;
    }

    /// <summary><c>(a, b, c)</c>.</summary>
    private List<string> ParseParenthesizedNames()
    {
        Expect(TokenKind.LeftParen);
        var names = new List<string> { ParseColId() };
        while (Accept(TokenKind.Comma))
        {
            names.Add(ParseColId());
        }

        Expect(TokenKind.RightParen);
        return names;
    }

    private bool ParseIfExists()
    {
        if (IsKeyword(Keyword.If) && IsKeywordAt(1, Keyword.Exists))
        {
            _pos += 2;
            return true;
        }

        return false;
    }

    private bool ParseIfNotExists()
    {
        if (IsKeyword(Keyword.If) && IsKeywordAt(1, Keyword.Not) && IsKeywordAt(2, Keyword.Exists))
        {
            _pos += 3;
            return true;
        }

        return false;
    }

    /// <summary>CASCADE → true, RESTRICT or nothing → false.</summary>
    private bool ParseDropBehavior()
    {
        if (AcceptKeyword(Keyword.Cascade))
        {
            return true;
        }

        AcceptKeyword(Keyword.Restrict);
        return false;
    }

    private string ParseStringLiteral()
    {
        SqlToken t = Expect(TokenKind.String);
        return SqlLiterals.String(_sql, t);
    }

    private int ParseIntegerLiteral()
    {
        SqlToken t = Current;
        if (t.Kind != TokenKind.Integer || !int.TryParse(TextOf(t), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value))
        {
            throw Error();
        }

        Advance();
        return value;
    }
}
