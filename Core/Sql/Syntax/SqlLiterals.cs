using System.Globalization;
using System.Text;

namespace ThunderDb.Core.Sql.Syntax;

/// <summary>Decodes the value of an identifier, string or parameter token (allocates the result only).</summary>
public static class SqlLiterals
{
    /// <summary>
    /// An identifier's name: unquoted words fold to lower case in PostgreSQL (ASCII only, as PostgreSQL's
    /// downcase_identifier does for UTF-8) and keep their spelling in MySQL, whose names compare
    /// case-insensitively; quoted names keep their case with the doubled quote undone.
    /// </summary>
    public static string Identifier(ReadOnlySpan<char> sql, SqlToken token, SqlDialect dialect)
    {
        ReadOnlySpan<char> text = sql.Slice(token.Start, token.Length);
        if (token.Kind == TokenKind.QuotedIdentifier)
        {
            char quote = text[0];
            return Undouble(text[1..^1], quote);
        }

        return dialect == SqlDialect.MySql ? text.ToString() : FoldAscii(text);
    }

    public static string FoldAscii(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length && !char.IsAsciiLetterUpper(text[i]))
        {
            i++;
        }

        if (i == text.Length)
        {
            return text.ToString();
        }

        return string.Create(text.Length, text, static (dest, src) =>
        {
            for (int j = 0; j < src.Length; j++)
            {
                char c = src[j];
                dest[j] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        });
    }

    /// <summary>The value of a string token ('...', E'...', $tag$...$tag$, N'...', MySQL "...").</summary>
    public static string String(ReadOnlySpan<char> sql, SqlToken token)
    {
        ReadOnlySpan<char> text = sql.Slice(token.Start, token.Length);
        if ((token.Flags & TokenFlags.DollarQuoted) != 0)
        {
            int tagLength = text[1..].IndexOf('$') + 2;
            return text[tagLength..^tagLength].ToString();
        }

        if ((token.Flags & TokenFlags.Prefixed) != 0)
        {
            text = text[1..];
        }

        char quote = text[0];
        bool backslash = (token.Flags & TokenFlags.BackslashEscapes) != 0;
        if ((token.Flags & TokenFlags.Continued) == 0)
        {
            ReadOnlySpan<char> body = text[1..^1];
            return backslash ? Unescape(sql, token.Start, body, quote) : Undouble(body, quote);
        }

        var joined = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            int end = ClosingQuote(text, i + 1, quote, backslash);
            ReadOnlySpan<char> segment = text[(i + 1)..end];
            joined.Append(backslash ? Unescape(sql, token.Start, segment, quote) : Undouble(segment, quote));
            i = end + 1;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
        }

        return joined.ToString();
    }

    /// <summary>Index of the quote that closes a segment starting at <paramref name="from"/> (the lexer checked it exists).</summary>
    private static int ClosingQuote(ReadOnlySpan<char> text, int from, char quote, bool backslash)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (backslash && text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i++;
                }
                else
                {
                    return i;
                }
            }
        }

        return text.Length - 1;
    }

    /// <summary>The digits of B'...' / X'...' (or MySQL 0x...).</summary>
    public static string BitOrHexDigits(ReadOnlySpan<char> sql, SqlToken token)
    {
        ReadOnlySpan<char> text = sql.Slice(token.Start, token.Length);
        if (text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X')
        {
            return text[2..].ToString();
        }

        if ((token.Flags & TokenFlags.Continued) == 0)
        {
            return text[2..^1].ToString();
        }

        var digits = new StringBuilder();
        foreach (char c in text[2..])
        {
            if (c != '\'' && !char.IsWhiteSpace(c))
            {
                digits.Append(c);
            }
        }

        return digits.ToString();
    }

    /// <summary>The parameter number of <c>$n</c>.</summary>
    public static int ParameterNumber(ReadOnlySpan<char> sql, SqlToken token)
    {
        ReadOnlySpan<char> digits = sql.Slice(token.Start + 1, token.Length - 1);
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n == 0)
        {
            throw SqlSyntaxException.At(sql, token.Start, "there is no parameter $" + digits.ToString());
        }

        return n;
    }

    private static string Undouble(ReadOnlySpan<char> body, char quote)
    {
        if (body.IndexOf(quote) < 0)
        {
            return body.ToString();
        }

        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            sb.Append(body[i]);
            if (body[i] == quote)
            {
                i++;
            }
        }

        return sb.ToString();
    }

    private static string Unescape(ReadOnlySpan<char> sql, int tokenStart, ReadOnlySpan<char> body, char quote)
    {
        if (body.IndexOf('\\') < 0)
        {
            return Undouble(body, quote);
        }

        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c == quote)
            {
                sb.Append(c);
                i++;
                continue;
            }

            if (c != '\\' || i + 1 >= body.Length)
            {
                sb.Append(c);
                continue;
            }

            char e = body[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'x' when i + 1 < body.Length && Uri.IsHexDigit(body[i + 1]):
                {
                    int n = 0, k = 0;
                    while (k < 2 && i + 1 < body.Length && Uri.IsHexDigit(body[i + 1]))
                    {
                        n = (n * 16) + HexValue(body[++i]);
                        k++;
                    }

                    sb.Append((char)n);
                    break;
                }

                case 'u' or 'U':
                {
                    int digits = e == 'u' ? 4 : 8;
                    if (i + digits >= body.Length)
                    {
                        throw SqlSyntaxException.At(sql, tokenStart, "invalid Unicode escape");
                    }

                    if (!int.TryParse(body.Slice(i + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp) ||
                        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    {
                        throw SqlSyntaxException.At(sql, tokenStart, "invalid Unicode escape value");
                    }

                    sb.Append(char.ConvertFromUtf32(cp));
                    i += digits;
                    break;
                }

                case >= '0' and <= '7':
                {
                    int n = e - '0', k = 1;
                    while (k < 3 && i + 1 < body.Length && body[i + 1] is >= '0' and <= '7')
                    {
                        n = (n * 8) + (body[++i] - '0');
                        k++;
                    }

                    sb.Append((char)(n & 0xFF));
                    break;
                }

                default: sb.Append(e); break;
            }
        }

        return sb.ToString();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
