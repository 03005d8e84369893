namespace ThunderDb.Core.Sql.Syntax;

/// <summary>Which SQL dialect the text is written in; the MySQL front end parses with <see cref="MySql"/>.</summary>
public enum SqlDialect : byte
{
    PostgreSql,
    MySql,
}

public enum TokenKind : byte
{
    EndOfInput,
    /// <summary>An unquoted word: a keyword (see <see cref="SqlToken.Keyword"/>) or an identifier.</summary>
    Word,
    QuotedIdentifier,
    Integer,
    /// <summary>A number with a fraction or an exponent.</summary>
    Numeric,
    String,
    BitString,
    HexString,
    /// <summary><c>$1</c>, or <c>?</c> in MySQL.</summary>
    Parameter,
    Operator,
    /// <summary>MySQL <c>@name</c> or <c>@@name</c>.</summary>
    Variable,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Semicolon,
    Dot,
    Colon,
    DoubleColon,
}

/// <summary>How a string or quoted identifier is written, so its value can be decoded.</summary>
[Flags]
public enum TokenFlags : byte
{
    None = 0,
    /// <summary>Backslash escapes apply (E'...', or any MySQL string).</summary>
    BackslashEscapes = 1,
    DollarQuoted = 2,
    /// <summary>A MySQL double-quoted string or a backquoted identifier.</summary>
    AlternateQuote = 4,
    /// <summary>The token has a one-character prefix before its quote (E, B, X, N).</summary>
    Prefixed = 8,
    /// <summary>Several quoted segments joined across a newline (<c>'a'\n'b'</c> is <c>'ab'</c>).</summary>
    Continued = 16,
}

/// <summary>One token: a slice of the query text (0-based char offset) plus what the lexer learned.</summary>
public readonly record struct SqlToken(TokenKind Kind, int Start, int Length, Keyword Keyword = Keyword.None, TokenFlags Flags = TokenFlags.None)
{
    public int End => Start + Length;
}
