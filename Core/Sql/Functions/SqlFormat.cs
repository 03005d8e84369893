using System.Text;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// format(fmt, args...): <c>%s</c> (the value as text, NULL as empty), <c>%I</c> (quote_ident), <c>%L</c>
/// (quote_literal, NULL as <c>NULL</c>), <c>%%</c>, with an optional <c>n$</c> argument position,
/// a <c>-</c> flag and a width, as PostgreSQL's text_format.
/// </summary>
internal static class SqlFormat
{
    public static string Format(string format, ReadOnlySpan<SqlValue> args)
    {
        var sb = new StringBuilder(format.Length + 16);
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (++i >= format.Length)
            {
                throw Unterminated();
            }

            if (format[i] == '%')
            {
                sb.Append('%');
                continue;
            }

            int argIndex = next;
            int number = ReadNumber(format, ref i);
            if (number >= 0 && i < format.Length && format[i] == '$')
            {
                if (number == 0)
                {
                    throw Fn.InvalidParameter("format specifies argument 0, but arguments are numbered from 1");
                }

                argIndex = number - 1;
                i++;
                number = -1;
            }

            bool leftAlign = false;
            if (number < 0)
            {
                while (i < format.Length && format[i] == '-')
                {
                    leftAlign = true;
                    i++;
                }

                number = ReadNumber(format, ref i);
            }

            if (i >= format.Length)
            {
                throw Unterminated();
            }

            char type = format[i];
            if (type is not ('s' or 'I' or 'L'))
            {
                throw Fn.InvalidParameter($"unrecognized format() type specifier \"{type}\"");
            }

            if (argIndex >= args.Length)
            {
                throw Fn.InvalidParameter("too few arguments for format()");
            }

            next = argIndex + 1;
            string text = Render(type, args[argIndex]);
            int width = Math.Max(number, 0);
            if (leftAlign)
            {
                sb.Append(text.PadRight(width));
            }
            else
            {
                sb.Append(text.PadLeft(width));
            }
        }

        return sb.ToString();
    }

    private static string Render(char type, SqlValue v) => type switch
    {
        's' => v.IsNull ? "" : StringFunctions.OutputText(v),
        'I' => v.IsNull ? throw new SqlException("22004", "null values cannot be formatted as an SQL identifier") : StringFunctions.QuoteIdent(StringFunctions.OutputText(v)),
        _ => v.IsNull ? "NULL" : StringFunctions.QuoteLiteral(StringFunctions.OutputText(v)),
    };

    private static int ReadNumber(string s, ref int i)
    {
        int start = i, n = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            n = checked((n * 10) + (s[i] - '0'));
            i++;
        }

        return i > start ? n : -1;
    }

    private static SqlException Unterminated() =>
        new(SqlState.InvalidParameterValue, "unterminated format() type specifier", hint: "For a single \"%\" use \"%%\".");
}
