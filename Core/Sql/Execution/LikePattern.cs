namespace ThunderDb.Core.Sql.Execution;

/// <summary>
/// SQL LIKE / ILIKE: <c>%</c> matches any run of characters, <c>_</c> exactly one, the escape character
/// (backslash unless ESCAPE says otherwise; ESCAPE '' disables it) makes the next character literal.
/// Matching is linear in practice: on a mismatch only the last <c>%</c> is retried (the classic greedy
/// two-pointer algorithm), so no input can make it backtrack exponentially.
/// </summary>
public static class LikePattern
{
    public static bool Matches(string text, string pattern, bool ignoreCase = false, char? escape = '\\')
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pattern);
        // Compile to (char, kind) tokens once: kind 0 literal, 1 '_', 2 '%'.
        var tokens = new List<(char C, byte Kind)>(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (escape is char e && c == e)
            {
                if (i + 1 >= pattern.Length)
                {
                    throw new SqlException("22025", "LIKE pattern must not end with escape character");
                }

                tokens.Add((pattern[++i], 0));
            }
            else if (c == '%')
            {
                if (tokens.Count == 0 || tokens[^1].Kind != 2)
                {
                    tokens.Add((c, 2));
                }
            }
            else
            {
                tokens.Add((c, c == '_' ? (byte)1 : (byte)0));
            }
        }

        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < tokens.Count && tokens[p].Kind != 2 && (tokens[p].Kind == 1 || Same(tokens[p].C, text[t], ignoreCase)))
            {
                t++;
                p++;
            }
            else if (p < tokens.Count && tokens[p].Kind == 2)
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < tokens.Count && tokens[p].Kind == 2)
        {
            p++;
        }

        return p == tokens.Count;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
}
