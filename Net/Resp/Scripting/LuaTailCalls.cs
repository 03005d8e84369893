namespace ThunderDb.Net.Resp.Scripting;

/// <summary>
/// Rewrites <c>return redis.xxx(...)</c> into <c>return (redis.xxx(...))</c> before a script is compiled.
/// </summary>
/// <remarks>
/// Redis's <c>redis.call</c> is a C function, so a script's frame stays on the stack under it and an error it raises
/// is located at the script's line ("script: sha, on @user_script:1."). Ours is a small Lua wrapper (a Lua error must
/// never be raised from C# frames), and Lua 5.4 turns <c>return f()</c> into a tail call that drops the script's frame.
/// Parentheses make it an ordinary call (same single value: every <c>redis.*</c> function returns at most one) and
/// keep every line number. Strings and comments are skipped, so only real code is touched.
/// </remarks>
internal static class LuaTailCalls
{
    public static byte[] Protect(byte[] code)
    {
        List<(int Open, int Close)>? edits = null;
        int i = 0;
        while (i < code.Length)
        {
            int skipped = SkipStringOrComment(code, i);
            if (skipped != i)
            {
                i = skipped;
                continue;
            }

            if (IsWordAt(code, i, "return"u8))
            {
                int at = SkipSpace(code, i + 6);
                if (IsWordAt(code, at, "redis"u8))
                {
                    int p = SkipSpace(code, at + 5);
                    if (p < code.Length && code[p] == (byte)'.')
                    {
                        p = SkipSpace(code, p + 1);
                        int nameStart = p;
                        while (p < code.Length && IsIdentifier(code[p]))
                        {
                            p++;
                        }

                        p = SkipSpace(code, p);
                        if (p > nameStart && p < code.Length && code[p] == (byte)'(' && MatchingParen(code, p) is int close and > 0)
                        {
                            (edits ??= []).Add((at, close + 1));
                        }
                    }
                }

                i += 6;
                continue;
            }

            i = IsIdentifier(code[i]) ? SkipIdentifier(code, i) : i + 1;
        }

        if (edits is null)
        {
            return code;
        }

        var output = new byte[code.Length + (edits.Count * 2)];
        int from = 0;
        int to = 0;
        foreach ((int open, int close) in edits)
        {
            code.AsSpan(from, open - from).CopyTo(output.AsSpan(to));
            to += open - from;
            output[to++] = (byte)'(';
            code.AsSpan(open, close - open).CopyTo(output.AsSpan(to));
            to += close - open;
            output[to++] = (byte)')';
            from = close;
        }

        code.AsSpan(from).CopyTo(output.AsSpan(to));
        return output;
    }

    private static bool IsIdentifier(byte b) => b == (byte)'_' || char.IsAsciiLetterOrDigit((char)b);

    private static int SkipIdentifier(byte[] code, int i)
    {
        while (i < code.Length && IsIdentifier(code[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsWordAt(byte[] code, int i, ReadOnlySpan<byte> word) =>
        i + word.Length <= code.Length && code.AsSpan(i, word.Length).SequenceEqual(word)
        && (i == 0 || !IsIdentifier(code[i - 1])) && (i + word.Length == code.Length || !IsIdentifier(code[i + word.Length]));

    private static int SkipSpace(byte[] code, int i)
    {
        while (i < code.Length)
        {
            if (code[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
                continue;
            }

            int skipped = code[i] == (byte)'-' ? SkipStringOrComment(code, i) : i;
            if (skipped == i)
            {
                break;
            }

            i = skipped;
        }

        return i;
    }

    /// <summary>The index of the parenthesis closing the one at <paramref name="open"/>, or -1.</summary>
    private static int MatchingParen(byte[] code, int open)
    {
        int depth = 0;
        int i = open;
        while (i < code.Length)
        {
            int skipped = SkipStringOrComment(code, i);
            if (skipped != i)
            {
                i = skipped;
                continue;
            }

            if (code[i] == (byte)'(')
            {
                depth++;
            }
            else if (code[i] == (byte)')' && --depth == 0)
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    /// <summary>Past the string literal or comment starting at <paramref name="i"/>; <paramref name="i"/> itself when none starts there.</summary>
    private static int SkipStringOrComment(byte[] code, int i)
    {
        byte c = code[i];
        if (c is (byte)'"' or (byte)'\'')
        {
            int j = i + 1;
            while (j < code.Length && code[j] != c && code[j] != (byte)'\n')
            {
                j += code[j] == (byte)'\\' ? 2 : 1;
            }

            return Math.Min(j + 1, code.Length);
        }

        if (c == (byte)'[' && LongBracketLevel(code, i) is int level and >= 0)
        {
            return SkipLongBracket(code, i, level);
        }

        if (c == (byte)'-' && i + 1 < code.Length && code[i + 1] == (byte)'-')
        {
            int j = i + 2;
            if (j < code.Length && code[j] == (byte)'[' && LongBracketLevel(code, j) is int l and >= 0)
            {
                return SkipLongBracket(code, j, l);
            }

            while (j < code.Length && code[j] != (byte)'\n')
            {
                j++;
            }

            return j;
        }

        return i;
    }

    private static int LongBracketLevel(byte[] code, int i)
    {
        int j = i + 1;
        int level = 0;
        while (j < code.Length && code[j] == (byte)'=')
        {
            level++;
            j++;
        }

        return j < code.Length && code[j] == (byte)'[' ? level : -1;
    }

    private static int SkipLongBracket(byte[] code, int i, int level)
    {
        int j = i + level + 2;
        while (j < code.Length)
        {
            if (code[j] == (byte)']')
            {
                int k = j + 1;
                int n = 0;
                while (k < code.Length && code[k] == (byte)'=')
                {
                    n++;
                    k++;
                }

                if (n == level && k < code.Length && code[k] == (byte)']')
                {
                    return k + 1;
                }
            }

            j++;
        }

        return code.Length;
    }
}
