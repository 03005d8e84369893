using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Sql.Functions;

/// <summary>
/// POSIX regular expressions: regexp_replace, regexp_match, regexp_like and the functions behind the
/// <c>~</c>, <c>~*</c>, <c>!~</c>, <c>!~*</c> operators (textregexeq, texticregexeq, textregexne,
/// texticregexne). PostgreSQL's ARE syntax is mapped onto .NET's (bracket classes such as [[:digit:]],
/// \m \M \y word boundaries); patterns are compiled once and cached; a match is bounded in time so a
/// pathological pattern fails with an error instead of hanging the session.
/// </summary>
internal static class RegexFunctions
{
    private const int CacheLimit = 256;
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(5);
    private static readonly ConcurrentDictionary<(string, RegexOptions), Regex> Cache = new();
    private static readonly SqlType T = SqlType.Text, B = SqlType.Bool;

    public static void Register(List<ScalarFunction> f)
    {
        f.Add("textregexeq", B, (a, _) => SqlValue.FromBool(IsMatch(a[0].AsString, a[1].AsString, RegexOptions.None)), T, T);
        f.Add("texticregexeq", B, (a, _) => SqlValue.FromBool(IsMatch(a[0].AsString, a[1].AsString, RegexOptions.IgnoreCase)), T, T);
        f.Add("textregexne", B, (a, _) => SqlValue.FromBool(!IsMatch(a[0].AsString, a[1].AsString, RegexOptions.None)), T, T);
        f.Add("texticregexne", B, (a, _) => SqlValue.FromBool(!IsMatch(a[0].AsString, a[1].AsString, RegexOptions.IgnoreCase)), T, T);
        f.Add("regexp_like", B, (a, _) => SqlValue.FromBool(IsMatch(a[0].AsString, a[1].AsString, RegexOptions.None)), T, T);
        f.Add("regexp_like", B, (a, _) => SqlValue.FromBool(IsMatch(a[0].AsString, a[1].AsString, Flags(a[2].AsString, out bool _))), T, T, T);
        f.Add("regexp_replace", T, (a, _) => Fn.Text(Replace(a[0].AsString, a[1].AsString, a[2].AsString, "")), T, T, T);
        f.Add("regexp_replace", T, (a, _) => Fn.Text(Replace(a[0].AsString, a[1].AsString, a[2].AsString, a[3].AsString)), T, T, T, T);
        f.Add("regexp_match", T.ArrayOf(), (a, _) => MatchGroups(a[0].AsString, a[1].AsString, RegexOptions.None), T, T);
        f.Add("regexp_match", T.ArrayOf(), (a, _) => MatchGroups(a[0].AsString, a[1].AsString, Flags(a[2].AsString, out bool _)), T, T, T);
    }

    /// <summary>PostgreSQL's default (not newline-sensitive) mode: '.' matches a newline and '$' only the very end.</summary>
    private const RegexOptions Default = RegexOptions.Singleline;

    private static bool IsMatch(string s, string pattern, RegexOptions options) => Run(() => Get(pattern, options | Default).IsMatch(s));

    private static string Replace(string s, string pattern, string replacement, string flags)
    {
        RegexOptions options = Flags(flags, out bool global);
        Regex regex = Get(pattern, options | Default);
        return Run(() => regex.Replace(s, m => Substitute(m, replacement), global ? -1 : 1));
    }

    /// <summary>PostgreSQL's replacement syntax: \1..\9 a group, \&amp; the whole match, \\ a backslash.</summary>
    private static string Substitute(Match m, string replacement)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < replacement.Length; i++)
        {
            char c = replacement[i];
            if (c == '\\' && i + 1 < replacement.Length)
            {
                char n = replacement[i + 1];
                if (n is >= '1' and <= '9')
                {
                    sb.Append(m.Groups[n - '0'].Value);
                    i++;
                    continue;
                }

                if (n is '&' or '\\')
                {
                    sb.Append(n == '&' ? m.Value : "\\");
                    i++;
                    continue;
                }
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static SqlValue MatchGroups(string s, string pattern, RegexOptions options)
    {
        Match m = Run(() => Get(pattern, options | Default).Match(s));
        if (!m.Success)
        {
            return SqlValue.Null;
        }

        SqlValue[] items = m.Groups.Count == 1
            ? [Fn.Text(m.Value)]
            : Enumerable.Range(1, m.Groups.Count - 1).Select(i => m.Groups[i].Success ? Fn.Text(m.Groups[i].Value) : SqlValue.Null).ToArray();
        return SqlValue.FromArray(new SqlArray(SqlType.Text, items));
    }

    private static RegexOptions Flags(string flags, out bool global)
    {
        global = false;
        RegexOptions options = RegexOptions.None;
        foreach (char c in flags)
        {
            switch (c)
            {
                case 'g': global = true; break;
                case 'i': options |= RegexOptions.IgnoreCase; break;
                case 'c': options &= ~RegexOptions.IgnoreCase; break;
                case 'n' or 'm': options |= NewlineSensitive; break;
                case 's': break;
                case 'x': options |= RegexOptions.IgnorePatternWhitespace; break;
                default: throw Fn.InvalidParameter($"invalid regular expression option: \"{c}\"");
            }
        }

        return options;
    }

    /// <summary>Flag 'n': '.' stops at newlines and '^'/'$' match at them (Multiline without Singleline; <see cref="Get"/> drops Singleline).</summary>
    private const RegexOptions NewlineSensitive = RegexOptions.Multiline;

    /// <summary>regexp_split_to_table: the pieces between matches; zero-length matches at either end or right after a match split nothing, as in PostgreSQL.</summary>
    internal static List<string> Split(string s, string pattern, string flags)
    {
        RegexOptions options = Flags(flags, out bool global);
        if (global)
        {
            throw Fn.InvalidParameter("regexp_split_to_table() does not support the \"global\" option");
        }

        Regex regex = Get(pattern, options | Default);
        return Run(() =>
        {
            var pieces = new List<string>();
            int start = 0, previousEnd = -1;
            for (Match m = regex.Match(s); m.Success; m = m.NextMatch())
            {
                if (m.Length == 0 && (m.Index == 0 || m.Index == s.Length || m.Index == previousEnd))
                {
                    continue;
                }

                pieces.Add(s[start..m.Index]);
                start = m.Index + m.Length;
                previousEnd = start;
            }

            pieces.Add(s[start..]);
            return pieces;
        });
    }

    private static T Run<T>(Func<T> match)
    {
        try
        {
            return match();
        }
        catch (RegexMatchTimeoutException)
        {
            throw new SqlException(SqlState.ProgramLimitExceeded, "regular expression match took too long");
        }
    }

    private static Regex Get(string pattern, RegexOptions options)
    {
        if (Cache.TryGetValue((pattern, options), out Regex? cached))
        {
            return cached;
        }

        Regex regex;
        bool newlineSensitive = (options & NewlineSensitive) != 0;
        RegexOptions effective = newlineSensitive ? options & ~RegexOptions.Singleline : options;
        try
        {
            regex = new Regex(Translate(pattern, endIsAbsolute: !newlineSensitive), effective | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new SqlException(SqlState.InvalidRegularExpression, $"invalid regular expression: {e.Message}");
        }

        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear(); // a bounded cache: patterns built per row must not grow memory without end
        }

        Cache[(pattern, options)] = regex;
        return regex;
    }

    /// <summary>The ARE constructs .NET spells differently; '$' becomes \z where it must not match before a final newline.</summary>
    private static string Translate(string pattern, bool endIsAbsolute) => (endIsAbsolute ? AbsoluteEnd(LiteralUnderscores(pattern)) : LiteralUnderscores(pattern))
        .Replace("[:alpha:]", @"\p{L}", StringComparison.Ordinal)
        .Replace("[:digit:]", "0-9", StringComparison.Ordinal)
        .Replace("[:alnum:]", @"\p{L}0-9", StringComparison.Ordinal)
        .Replace("[:upper:]", @"\p{Lu}", StringComparison.Ordinal)
        .Replace("[:lower:]", @"\p{Ll}", StringComparison.Ordinal)
        .Replace("[:space:]", @"\s", StringComparison.Ordinal)
        .Replace("[:punct:]", @"\p{P}", StringComparison.Ordinal)
        .Replace("[:xdigit:]", "0-9A-Fa-f", StringComparison.Ordinal)
        .Replace(@"\m", @"\b(?=\w)", StringComparison.Ordinal)
        .Replace(@"\M", @"\b(?<=\w)", StringComparison.Ordinal)
        .Replace(@"\y", @"\b", StringComparison.Ordinal);

    /// <summary>\_ is a literal underscore in PostgreSQL's regexes (SIMILAR TO produces it); .NET rejects that escape.</summary>
    private static string LiteralUnderscores(string pattern)
    {
        if (!pattern.Contains(@"\_", StringComparison.Ordinal))
        {
            return pattern;
        }

        var sb = new StringBuilder(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                char next = pattern[++i];
                sb.Append(next == '_' ? "_" : $"\\{next}");
                continue;
            }

            sb.Append(pattern[i]);
        }

        return sb.ToString();
    }

    private static string AbsoluteEnd(string pattern)
    {
        if (!pattern.Contains('$', StringComparison.Ordinal))
        {
            return pattern;
        }

        var sb = new StringBuilder(pattern.Length + 4);
        bool inBracket = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                sb.Append(c).Append(pattern[++i]);
                continue;
            }

            if (inBracket)
            {
                inBracket = c != ']';
            }
            else if (c == '[')
            {
                inBracket = true;
                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    sb.Append(c).Append(pattern[++i]); // a leading ] is a literal member
                    continue;
                }
            }
            else if (c == '$')
            {
                sb.Append(@"\z");
                continue;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
