using System.Text;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// SIMILAR TO as PostgreSQL runs it: <c>s SIMILAR TO p ESCAPE e</c> is <c>s ~ similar_to_escape(p, e)</c>, the SQL
/// pattern rewritten as an anchored POSIX regex: % is .*, _ is ., ( groups without capturing, . ^ $ are literal,
/// bracket expressions and | * + ? {m,n} keep their regex meaning, and the escape character makes the next one literal.
/// </summary>
internal static class SimilarTo
{
    public static void Register(List<ScalarFunction> f)
    {
        SqlType t = SqlType.Text;
        f.Add("similar_to_escape", t, (a, _) => SqlValue.FromText(ToRegex(a[0].AsString, '\\')), t);
        f.Add("similar_to_escape", t, (a, _) => SqlValue.FromText(ToRegex(a[0].AsString, EscapeChar(a[1].AsString))), t, t);
    }

    private static char? EscapeChar(string escape) => escape.Length switch
    {
        0 => null,
        1 => escape[0],
        _ => throw new SqlException("22025", "invalid escape string", hint: "Escape string must be empty or one character."),
    };

    public static string ToRegex(string pattern, char? escape)
    {
        var sb = new StringBuilder("^(?:", pattern.Length + 8);
        bool afterEscape = false, inClass = false;
        int quotes = 0;
        foreach (char c in pattern)
        {
            if (afterEscape)
            {
                if (c == '"' && !inClass)
                {
                    // escape-double-quote: SUBSTRING's markers, a lazy first part then the captured middle
                    sb.Append(++quotes == 1 ? "){1,1}?(" : quotes == 2 ? "){1,1}(?:"
                        : throw new SqlException("2201B", "SQL regular expression may not contain more than two escape-double-quote separators"));
                }
                else
                {
                    sb.Append('\\').Append(c);
                }

                afterEscape = false;
            }
            else if (escape is char e && c == e)
            {
                afterEscape = true;
            }
            else if (inClass)
            {
                if (c == '\\')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
                inClass = c != ']';
            }
            else
            {
                switch (c)
                {
                    case '[':
                        inClass = true;
                        sb.Append(c);
                        break;
                    case '%':
                        sb.Append(".*");
                        break;
                    case '_':
                        sb.Append('.');
                        break;
                    case '(':
                        sb.Append("(?:");
                        break;
                    case '\\' or '.' or '^' or '$':
                        sb.Append('\\').Append(c);
                        break;
                    default:
                        sb.Append(c);
                        break;
                }
            }
        }

        return sb.Append(")$").ToString();
    }
}
