using System.Globalization;

namespace ThunderDb.Core.Sql.Types;

/// <summary>
/// Why a text is not JSON, told as PostgreSQL's json parser tells it: the DETAIL names the first bad token and what
/// the grammar expected there, the CONTEXT shows the line up to that token. Runs only once the fast parser has
/// refused the text, so it favours the same lexing rules over speed.
/// </summary>
internal sealed class JsonSyntaxError
{
    private readonly string _text;
    private readonly bool _rejectNul;
    private bool _nul;
    private int _at;
    private int _line = 1;
    private int _lineStart;
    private int _tokenStart;
    private int _tokenEnd;

    private JsonSyntaxError(string text, bool rejectNul)
    {
        _text = text;
        _rejectNul = rejectNul;
    }

    private enum Token
    {
        ObjectStart,
        ObjectEnd,
        ArrayStart,
        ArrayEnd,
        Comma,
        Colon,
        String,
        Number,
        Literal,
        End,
    }

    /// <summary>
    /// The 22P02 error for <paramref name="text"/>, which the fast parser refused (<paramref name="fallback"/> when this grammar
    /// finds nothing wrong); with <paramref name="rejectNul"/> (jsonb, whose strings are text) a <c>\u0000</c> escape is 22P05.
    /// </summary>
    public static SqlException For(string text, string fallback, bool rejectNul = false)
    {
        var parser = new JsonSyntaxError(text, rejectNul);
        string detail;
        try
        {
            parser.Value(parser.Next(), "Expected JSON value");
            Token after = parser.Next();
            if (after == Token.End)
            {
                return new SqlException(SqlState.InvalidTextRepresentation, "invalid input syntax for type json", detail: fallback);
            }

            detail = parser.Unexpected("Expected end of input", after);
        }
        catch (FormatException fault)
        {
            detail = fault.Message;
        }

        return parser._nul
            ? new SqlException(SqlState.UntranslatableCharacter, "unsupported Unicode escape sequence", detail: detail) { Where = parser.Context() }
            : new SqlException(SqlState.InvalidTextRepresentation, "invalid input syntax for type json", detail: detail) { Where = parser.Context() };
    }

    private void Value(Token token, string expected)
    {
        switch (token)
        {
            case Token.ObjectStart:
                Object();
                break;
            case Token.ArrayStart:
                Array();
                break;
            case Token.String or Token.Number or Token.Literal:
                break;
            default:
                throw new FormatException(Unexpected(expected, token));
        }
    }

    private void Object()
    {
        Token token = Next();
        if (token == Token.ObjectEnd)
        {
            return;
        }

        string expectedKey = "Expected string or \"}\"";
        while (true)
        {
            if (token != Token.String)
            {
                throw new FormatException(Unexpected(expectedKey, token));
            }

            if (Next() is var colon && colon != Token.Colon)
            {
                throw new FormatException(Unexpected("Expected \":\"", colon));
            }

            Value(Next(), "Expected JSON value");
            token = Next();
            if (token == Token.ObjectEnd)
            {
                return;
            }

            if (token != Token.Comma)
            {
                throw new FormatException(Unexpected("Expected \",\" or \"}\"", token));
            }

            token = Next();
            expectedKey = "Expected string";
        }
    }

    private void Array()
    {
        Token token = Next();
        if (token == Token.ArrayEnd)
        {
            return;
        }

        string expected = "Expected array element or \"]\"";
        while (true)
        {
            Value(token, expected);
            token = Next();
            if (token == Token.ArrayEnd)
            {
                return;
            }

            if (token != Token.Comma)
            {
                throw new FormatException(Unexpected("Expected \",\" or \"]\"", token));
            }

            token = Next();
            expected = "Expected JSON value";
        }
    }

    private string Unexpected(string expected, Token token) =>
        token == Token.End ? "The input string ended unexpectedly." : $"{expected}, but found \"{_text[_tokenStart.._tokenEnd]}\".";

    private Token Next()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r')
        {
            if (_text[_at++] == '\n')
            {
                _line++;
                _lineStart = _at;
            }
        }

        _tokenStart = _at;
        if (_at >= _text.Length)
        {
            _tokenEnd = _at;
            return Token.End;
        }

        char c = _text[_at];
        Token? punctuation = c switch
        {
            '{' => Token.ObjectStart,
            '}' => Token.ObjectEnd,
            '[' => Token.ArrayStart,
            ']' => Token.ArrayEnd,
            ',' => Token.Comma,
            ':' => Token.Colon,
            _ => null,
        };
        if (punctuation is { } p)
        {
            _tokenEnd = ++_at;
            return p;
        }

        return c switch
        {
            '"' => String(),
            '-' or (>= '0' and <= '9') => Number(),
            _ => Word(),
        };
    }

    private Token String()
    {
        _at++;
        while (true)
        {
            if (_at >= _text.Length)
            {
                throw Invalid(_at); // an unterminated string is one invalid token
            }

            char c = _text[_at];
            if (c == '"')
            {
                _tokenEnd = ++_at;
                return Token.String;
            }

            if (c < ' ')
            {
                _tokenEnd = _at;
                throw new FormatException($"Character with value 0x{(int)c:x2} must be escaped.");
            }

            if (c == '\\')
            {
                _at++;
                if (_at >= _text.Length)
                {
                    throw Invalid(_at);
                }

                char escape = _text[_at];
                if (escape == 'u')
                {
                    int digits = 0;
                    while (digits < 4 && _at + 1 + digits < _text.Length && char.IsAsciiHexDigit(_text[_at + 1 + digits]))
                    {
                        digits++;
                    }

                    if (digits < 4)
                    {
                        _tokenEnd = Math.Min(_at + 1 + digits + 1, _text.Length);
                        throw new FormatException("\"\\u\" must be followed by four hexadecimal digits.");
                    }

                    if (_rejectNul && _text.AsSpan(_at + 1, 4) is "0000")
                    {
                        _nul = true;
                        _tokenEnd = _at + 5;
                        throw new FormatException("\\u0000 cannot be converted to text.");
                    }

                    _at += 4;
                }
                else if (escape is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't'))
                {
                    _tokenEnd = _at + 1;
                    throw new FormatException($"Escape sequence \"\\{escape}\" is invalid.");
                }
            }

            _at++;
        }
    }

    private Token Number()
    {
        int i = _at;
        bool bad = false;
        if (_text[i] == '-')
        {
            i++;
        }

        if (i < _text.Length && _text[i] == '0')
        {
            i++;
        }
        else if (i < _text.Length && char.IsAsciiDigit(_text[i]))
        {
            i = Digits(i);
        }
        else
        {
            bad = true;
        }

        if (!bad && i < _text.Length && _text[i] == '.')
        {
            int start = ++i;
            i = Digits(i);
            bad = i == start;
        }

        if (!bad && i < _text.Length && _text[i] is 'e' or 'E')
        {
            i++;
            if (i < _text.Length && _text[i] is '+' or '-')
            {
                i++;
            }

            int start = i;
            i = Digits(i);
            bad = i == start;
        }

        // letters or digits straight after a number make it one invalid token, as PostgreSQL's lexer reads them
        for (; i < _text.Length && IsWordChar(_text[i]); i++)
        {
            bad = true;
        }

        if (bad)
        {
            throw Invalid(i);
        }

        _tokenEnd = _at = i;
        return Token.Number;
    }

    private int Digits(int i)
    {
        while (i < _text.Length && char.IsAsciiDigit(_text[i]))
        {
            i++;
        }

        return i;
    }

    private Token Word()
    {
        int i = _at;
        while (i < _text.Length && IsWordChar(_text[i]))
        {
            i++;
        }

        if (i == _at)
        {
            throw Invalid(_at + (char.IsHighSurrogate(_text[_at]) && _at + 1 < _text.Length ? 2 : 1));
        }

        if (_text.AsSpan(_at, i - _at) is not ("true" or "false" or "null"))
        {
            throw Invalid(i);
        }

        _tokenEnd = _at = i;
        return Token.Literal;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c >= 0x80;

    private FormatException Invalid(int end)
    {
        _tokenEnd = end;
        return new FormatException($"Token \"{_text[_tokenStart..end]}\" is invalid.");
    }

    /// <summary>"JSON data, line N: ..." with at most 50 characters of the line, ending at the bad token.</summary>
    private string Context()
    {
        int start = _lineStart, end = _tokenEnd;
        if (end - start >= 50)
        {
            start = end - 49;
        }

        if (start - _lineStart <= 3)
        {
            start = _lineStart;
        }

        string prefix = start > _lineStart ? "..." : "";
        string suffix = end < _text.Length && _text[end] is not ('\n' or '\r') ? "..." : "";
        return string.Create(CultureInfo.InvariantCulture, $"JSON data, line {_line}: {prefix}{_text[start..end]}{suffix}");
    }
}
