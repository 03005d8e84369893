namespace ThunderDb.Core.Redis;

/// <summary>Redis glob matching (<c>*</c>, <c>?</c>, <c>[a-z]</c>, <c>[^x]</c>, <c>\</c> escapes) over raw bytes, as KEYS, SCAN MATCH and PSUBSCRIBE use it.</summary>
public static class GlobPattern
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        bool exhausted = false;
        return Match(pattern, text, ignoreCase, 0, ref exhausted);
    }

    /// <summary>
    /// <paramref name="exhausted"/> is set when a <c>*</c> tried every suffix of the text and none matched: an outer
    /// <c>*</c> that skips more bytes only offers shorter suffixes, so it stops too. Without this, patterns like
    /// <c>*a*a*a...*b</c> backtrack exponentially and one KEYS or PSUBSCRIBE stalls the server.
    /// </summary>
    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, bool nocase, int depth, ref bool exhausted)
    {
        if (depth > 1000)
        {
            return false; // pathological patterns: refuse rather than recurse without bound
        }

        while (p.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == '*')
                    {
                        p = p[1..];
                    }

                    if (p.Length == 1)
                    {
                        return true;
                    }

                    for (int i = 0; i <= s.Length; i++)
                    {
                        if (Match(p[1..], s[i..], nocase, depth + 1, ref exhausted))
                        {
                            return true;
                        }

                        if (exhausted)
                        {
                            return false;
                        }
                    }

                    exhausted = true;
                    return false;
                case (byte)'?':
                    if (s.Length == 0)
                    {
                        return false;
                    }

                    s = s[1..];
                    p = p[1..];
                    break;
                case (byte)'[':
                    {
                        if (s.Length == 0)
                        {
                            return false;
                        }

                        p = p[1..];
                        bool not = p.Length > 0 && p[0] == '^';
                        if (not)
                        {
                            p = p[1..];
                        }

                        bool match = false;
                        while (p.Length > 0 && p[0] != ']')
                        {
                            if (p[0] == '\\' && p.Length >= 2)
                            {
                                p = p[1..];
                                match |= Eq(p[0], s[0], nocase);
                            }
                            else if (p.Length >= 3 && p[1] == '-')
                            {
                                byte lo = p[0], hi = p[2];
                                if (lo > hi)
                                {
                                    (lo, hi) = (hi, lo);
                                }

                                byte c = s[0];
                                if (nocase)
                                {
                                    lo = Lower(lo);
                                    hi = Lower(hi);
                                    c = Lower(c);
                                }

                                match |= c >= lo && c <= hi;
                                p = p[2..];
                            }
                            else
                            {
                                match |= Eq(p[0], s[0], nocase);
                            }

                            p = p[1..];
                        }

                        if (p.Length > 0)
                        {
                            p = p[1..]; // the closing ']'
                        }

                        if (not)
                        {
                            match = !match;
                        }

                        if (!match)
                        {
                            return false;
                        }

                        s = s[1..];
                        break;
                    }

                case (byte)'\\' when p.Length >= 2:
                    p = p[1..];
                    goto default;
                default:
                    if (s.Length == 0 || !Eq(p[0], s[0], nocase))
                    {
                        return false;
                    }

                    s = s[1..];
                    p = p[1..];
                    break;
            }
        }

        return s.Length == 0;
    }

    private static bool Eq(byte a, byte b, bool nocase) => a == b || (nocase && Lower(a) == Lower(b));

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
