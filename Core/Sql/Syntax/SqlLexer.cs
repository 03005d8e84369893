namespace ThunderDb.Core.Sql.Syntax;

/// <summary>
/// Splits SQL text into tokens without allocating: a token is an offset and a length into the text, and a
/// keyword is recognised from the span itself (<see cref="Keywords.Lookup"/>). Values of identifiers and
/// literals are decoded on demand by <see cref="SqlLiterals"/>. Follows PostgreSQL's scanner (scan.l) for
/// operators, numbers, strings and nested comments; <see cref="SqlDialect.MySql"/> switches to backquoted
/// names, <c>#</c> comments, <c>?</c> parameters, <c>/*! ... */</c> executable comments and
/// backslash-escaped single- and double-quoted strings.
/// </summary>
public ref struct SqlLexer(ReadOnlySpan<char> sql, SqlDialect dialect = SqlDialect.PostgreSql)
{
    private readonly ReadOnlySpan<char> _sql = sql;
    private readonly SqlDialect _dialect = dialect;
    private int _pos;
    private int _executableCommentDepth;

    private readonly bool MySql => _dialect == SqlDialect.MySql;

    public SqlToken Next()
    {
        SkipWhitespaceAndComments();
        if (_pos >= _sql.Length)
        {
            return new SqlToken(TokenKind.EndOfInput, _sql.Length, 0);
        }

        int start = _pos;
        char c = _sql[_pos];
        switch (c)
        {
            case '(': _pos++; return new SqlToken(TokenKind.LeftParen, start, 1);
            case ')': _pos++; return new SqlToken(TokenKind.RightParen, start, 1);
            case '[': _pos++; return new SqlToken(TokenKind.LeftBracket, start, 1);
            case ']': _pos++; return new SqlToken(TokenKind.RightBracket, start, 1);
            case ',': _pos++; return new SqlToken(TokenKind.Comma, start, 1);
            case ';': _pos++; return new SqlToken(TokenKind.Semicolon, start, 1);
            case ':':
                if (Peek(1) == ':')
                {
                    _pos += 2;
                    return new SqlToken(TokenKind.DoubleColon, start, 2);
                }

                if (Peek(1) == '=')
                {
                    _pos += 2;
                    return new SqlToken(TokenKind.Operator, start, 2);
                }

                _pos++;
                return new SqlToken(TokenKind.Colon, start, 1);
            case '.':
                if (IsDigit(Peek(1)))
                {
                    return LexNumber(start);
                }

                _pos++;
                return new SqlToken(TokenKind.Dot, start, 1);
            case '\'':
                return LexQuoted(start, start, '\'', MySql ? TokenFlags.BackslashEscapes : TokenFlags.None, TokenKind.String);
            case '"':
                return MySql
                    ? LexQuoted(start, start, '"', TokenFlags.BackslashEscapes | TokenFlags.AlternateQuote, TokenKind.String)
                    : LexQuoted(start, start, '"', TokenFlags.None, TokenKind.QuotedIdentifier);
            case '`' when MySql:
                return LexQuoted(start, start, '`', TokenFlags.AlternateQuote, TokenKind.QuotedIdentifier);
            case '$':
                return LexDollar(start);
            case '?' when MySql:
                _pos++;
                return new SqlToken(TokenKind.Parameter, start, 1);
            case '@' when MySql && (Peek(1) == '@' || IsIdentifierStart(Peek(1)) || Peek(1) is '\'' or '"' or '`'):
                return LexVariable(start);
        }

        if (IsDigit(c))
        {
            return LexNumber(start);
        }

        if (Peek(1) == '\'' && TryLexPrefixedString(start, c, out SqlToken prefixed))
        {
            return prefixed;
        }

        if (IsIdentifierStart(c))
        {
            return LexWord(start);
        }

        if (IsOperatorChar(c))
        {
            return LexOperator(start);
        }

        throw SqlSyntaxException.At(_sql, start, $"syntax error at or near \"{c}\"");
    }

    private readonly char Peek(int ahead) => _pos + ahead < _sql.Length ? _sql[_pos + ahead] : '\0';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || c >= '\u0080';

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c) || c == '$';

    private readonly bool IsOperatorChar(char c) => c switch
    {
        '+' or '-' or '*' or '/' or '<' or '>' or '=' or '~' or '!' or '@' or '%' or '^' or '&' or '|' => true,
        '#' or '?' or '`' => !MySql,
        _ => false,
    };

    private void SkipWhitespaceAndComments()
    {
        while (_pos < _sql.Length)
        {
            char c = _sql[_pos];
            if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '-' && Peek(1) == '-')
            {
                SkipToEndOfLine();
            }
            else if (c == '#' && MySql)
            {
                SkipToEndOfLine();
            }
            else if (c == '/' && Peek(1) == '*')
            {
                if (MySql && Peek(2) == '!')
                {
                    // MySQL runs the text of /*! ... */ (optionally after a version number) as SQL.
                    _pos += 3;
                    while (_pos < _sql.Length && IsDigit(_sql[_pos]))
                    {
                        _pos++;
                    }

                    _executableCommentDepth++;
                }
                else
                {
                    SkipBlockComment();
                }
            }
            else if (c == '*' && Peek(1) == '/' && _executableCommentDepth > 0)
            {
                _executableCommentDepth--;
                _pos += 2;
            }
            else
            {
                return;
            }
        }
    }

    private void SkipToEndOfLine()
    {
        while (_pos < _sql.Length && _sql[_pos] != '\n' && _sql[_pos] != '\r')
        {
            _pos++;
        }
    }

    private void SkipBlockComment()
    {
        int start = _pos;
        int depth = 0;
        while (_pos < _sql.Length)
        {
            if (_sql[_pos] == '/' && Peek(1) == '*')
            {
                depth++;
                _pos += 2;
            }
            else if (_sql[_pos] == '*' && Peek(1) == '/')
            {
                _pos += 2;
                // PostgreSQL nests block comments; MySQL ends at the first */.
                if (--depth == 0 || MySql)
                {
                    return;
                }
            }
            else
            {
                _pos++;
            }
        }

        throw SqlSyntaxException.At(_sql, start, "unterminated /* comment at or near \"" + Excerpt(start) + "\"");
    }

    private SqlToken LexWord(int start)
    {
        _pos++;
        while (_pos < _sql.Length && IsIdentifierPart(_sql[_pos]))
        {
            _pos++;
        }

        return new SqlToken(TokenKind.Word, start, _pos - start, Keywords.Lookup(_sql[start.._pos]));
    }

    private SqlToken LexNumber(int start)
    {
        bool fractional = false;
        if (MySql && _sql[_pos] == '0' && Peek(1) is 'x' or 'X' && Uri.IsHexDigit(Peek(2)))
        {
            _pos += 2;
            while (_pos < _sql.Length && Uri.IsHexDigit(_sql[_pos]))
            {
                _pos++;
            }

            return new SqlToken(TokenKind.HexString, start, _pos - start);
        }

        while (_pos < _sql.Length && IsDigit(_sql[_pos]))
        {
            _pos++;
        }

        // "1..5" is not a number followed by ".5": PostgreSQL stops before a second dot.
        if (_pos < _sql.Length && _sql[_pos] == '.' && Peek(1) != '.')
        {
            fractional = true;
            _pos++;
            while (_pos < _sql.Length && IsDigit(_sql[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < _sql.Length && _sql[_pos] is 'e' or 'E')
        {
            int mark = _pos;
            _pos++;
            if (_pos < _sql.Length && _sql[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < _sql.Length && IsDigit(_sql[_pos]))
            {
                fractional = true;
                while (_pos < _sql.Length && IsDigit(_sql[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = mark;
            }
        }

        if (!MySql && _pos < _sql.Length && IsIdentifierStart(_sql[_pos]))
        {
            throw SqlSyntaxException.At(_sql, start, "trailing junk after numeric literal at or near \"" + _sql[start..(_pos + 1)].ToString() + "\"");
        }

        return new SqlToken(fractional ? TokenKind.Numeric : TokenKind.Integer, start, _pos - start);
    }

    private bool TryLexPrefixedString(int start, char prefix, out SqlToken token)
    {
        switch (prefix)
        {
            case 'E' or 'e' when !MySql:
                token = LexQuoted(start, start + 1, '\'', TokenFlags.BackslashEscapes | TokenFlags.Prefixed, TokenKind.String);
                return true;
            case 'N' or 'n':
                token = LexQuoted(start, start + 1, '\'', TokenFlags.Prefixed | (MySql ? TokenFlags.BackslashEscapes : TokenFlags.None), TokenKind.String);
                return true;
            case 'B' or 'b':
                token = LexQuoted(start, start + 1, '\'', TokenFlags.Prefixed, TokenKind.BitString);
                return true;
            case 'X' or 'x':
                token = LexQuoted(start, start + 1, '\'', TokenFlags.Prefixed, TokenKind.HexString);
                return true;
            default:
                token = default;
                return false;
        }
    }

    /// <summary>Scans a quoted token whose opening quote is at <paramref name="quoteAt"/>; a doubled quote is one quote.</summary>
    private SqlToken LexQuoted(int start, int quoteAt, char quote, TokenFlags flags, TokenKind kind)
    {
        _pos = quoteAt + 1;
        bool backslash = (flags & TokenFlags.BackslashEscapes) != 0;
        while (_pos < _sql.Length)
        {
            char c = _sql[_pos];
            if (backslash && c == '\\')
            {
                _pos += 2;
                continue;
            }

            if (c == quote)
            {
                if (Peek(1) == quote)
                {
                    _pos += 2;
                    continue;
                }

                _pos++;
                if (kind == TokenKind.QuotedIdentifier && _pos - quoteAt == 2)
                {
                    throw SqlSyntaxException.At(_sql, start, "zero-length delimited identifier at or near \"" + _sql[start.._pos].ToString() + "\"");
                }

                if (kind != TokenKind.QuotedIdentifier && IsContinuation(quote))
                {
                    flags |= TokenFlags.Continued;
                    continue;
                }

                return new SqlToken(kind, start, _pos - start, Keyword.None, flags);
            }

            _pos++;
        }

        string what = kind == TokenKind.QuotedIdentifier ? "unterminated quoted identifier" : kind switch
        {
            TokenKind.BitString => "unterminated bit string literal",
            TokenKind.HexString => "unterminated hexadecimal string literal",
            _ => "unterminated quoted string",
        };
        throw SqlSyntaxException.At(_sql, start, what + " at or near \"" + Excerpt(start) + "\"");
    }

    /// <summary>
    /// A string literal continues after whitespace that holds a newline (SQL standard; MySQL needs no
    /// newline). On true, <see cref="_pos"/> is just past the next segment's opening quote.
    /// </summary>
    private bool IsContinuation(char quote)
    {
        int j = _pos;
        bool newline = false;
        while (j < _sql.Length && char.IsWhiteSpace(_sql[j]))
        {
            newline |= _sql[j] is '\n' or '\r';
            j++;
        }

        if (j == _pos || j >= _sql.Length || _sql[j] != quote || !(newline || MySql))
        {
            return false;
        }

        _pos = j + 1;
        return true;
    }

    private SqlToken LexDollar(int start)
    {
        if (IsDigit(Peek(1)))
        {
            _pos++;
            while (_pos < _sql.Length && IsDigit(_sql[_pos]))
            {
                _pos++;
            }

            return new SqlToken(TokenKind.Parameter, start, _pos - start);
        }

        // $tag$ ... $tag$ (the tag may be empty).
        int tagEnd = start + 1;
        if (tagEnd < _sql.Length && IsIdentifierStart(_sql[tagEnd]))
        {
            while (tagEnd < _sql.Length && (IsIdentifierStart(_sql[tagEnd]) || IsDigit(_sql[tagEnd])))
            {
                tagEnd++;
            }
        }

        if (tagEnd >= _sql.Length || _sql[tagEnd] != '$')
        {
            throw SqlSyntaxException.At(_sql, start, "syntax error at or near \"$\"");
        }

        ReadOnlySpan<char> tag = _sql[start..(tagEnd + 1)];
        int close = _sql[(tagEnd + 1)..].IndexOf(tag);
        if (close < 0)
        {
            throw SqlSyntaxException.At(_sql, start, "unterminated dollar-quoted string at or near \"" + Excerpt(start) + "\"");
        }

        _pos = tagEnd + 1 + close + tag.Length;
        return new SqlToken(TokenKind.String, start, _pos - start, Keyword.None, TokenFlags.DollarQuoted);
    }

    private SqlToken LexVariable(int start)
    {
        _pos++;
        if (_pos < _sql.Length && _sql[_pos] == '@')
        {
            _pos++;
        }

        if (_pos < _sql.Length && _sql[_pos] is '\'' or '"' or '`')
        {
            char quote = _sql[_pos];
            SqlToken quoted = LexQuoted(start, _pos, quote, TokenFlags.None, TokenKind.Variable);
            return quoted with { Flags = TokenFlags.Prefixed };
        }

        // System variables may be qualified: @@session.autocommit.
        while (_pos < _sql.Length && (IsIdentifierPart(_sql[_pos]) || (_sql[_pos] == '.' && _pos + 1 < _sql.Length && IsIdentifierStart(_sql[_pos + 1]))))
        {
            _pos++;
        }

        return new SqlToken(TokenKind.Variable, start, _pos - start);
    }

    private SqlToken LexOperator(int start)
    {
        int end = _pos;
        while (end < _sql.Length && IsOperatorChar(_sql[end]))
        {
            // A comment start ends the operator ("a*/*c*/b" is a * b).
            if (end > start && ((_sql[end] == '-' && end + 1 < _sql.Length && _sql[end + 1] == '-') ||
                                (_sql[end] == '/' && end + 1 < _sql.Length && _sql[end + 1] == '*')))
            {
                break;
            }

            end++;
        }

        // PostgreSQL: a multi-character operator cannot end in + or - unless it contains ~ ! @ # % ^ & | ` ?
        // ("a<-1" is a < -1).
        if (end - start > 1 && _sql[end - 1] is '+' or '-' && _sql[start..end].IndexOfAny("~!@#%^&|`?") < 0)
        {
            while (end - start > 1 && _sql[end - 1] is '+' or '-')
            {
                end--;
            }
        }

        _pos = end;
        return new SqlToken(TokenKind.Operator, start, end - start);
    }

    private readonly string Excerpt(int start) => _sql[start..].ToString();
}
