using System.Text;

namespace ThunderDb.Core.Redis;

/// <summary>One matched range of LCS IDX: inclusive byte ranges in the first and the second string.</summary>
public readonly record struct LcsMatch(long AStart, long AEnd, long BStart, long BEnd)
{
    public long Length => AEnd - AStart + 1;
}

/// <summary>What LCS asked for: the sequence (default), its length (LEN), or the matched ranges (IDX).</summary>
public enum LcsMode : byte
{
    Sequence,
    Length,
    Indexes,
}

/// <summary>
/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of two strings by Redis's
/// dynamic-programming table, walked back from the end the same way, so ties resolve and ranges come out as Redis's do.
/// </summary>
public static class RedisLcs
{
    /// <summary>Options as Redis parses them; <paramref name="options"/> is everything after the two keys.</summary>
    private static RedisError ParseOptions(RedisArgs options, out LcsMode mode, out long minMatchLength, out bool withMatchLength)
    {
        mode = LcsMode.Sequence;
        minMatchLength = 0;
        withMatchLength = false;
        bool length = false, indexes = false;
        for (int j = 0; j < options.Count; j++)
        {
            ReadOnlySpan<byte> option = options[j];
            if (Ascii.EqualsIgnoreCase(option, "IDX"u8))
            {
                indexes = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "LEN"u8))
            {
                length = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "WITHMATCHLEN"u8))
            {
                withMatchLength = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "MINMATCHLEN"u8) && j + 1 < options.Count)
            {
                if (!RedisNumbers.ParseLong(options[++j], out minMatchLength))
                {
                    return RedisError.NotInteger;
                }

                minMatchLength = Math.Max(minMatchLength, 0);
            }
            else
            {
                return RedisError.Syntax;
            }
        }

        if (length && indexes)
        {
            return RedisError.LcsLenAndIdx;
        }

        mode = indexes ? LcsMode.Indexes : length ? LcsMode.Length : LcsMode.Sequence;
        return RedisError.None;
    }

    /// <summary>
    /// Runs LCS (missing keys are empty strings; any other type fails before the options are read, as in Redis).
    /// <paramref name="sequence"/> is filled for <see cref="LcsMode.Sequence"/>, <paramref name="matches"/> for
    /// <see cref="LcsMode.Indexes"/> (ranges shorter than MINMATCHLEN left out), <paramref name="length"/> always.
    /// </summary>
    public static RedisError Run(RedisKeyspace ks, ReadOnlySpan<byte> keyA, ReadOnlySpan<byte> keyB, RedisArgs options,
        out LcsMode mode, out bool withMatchLength, out long length, out byte[] sequence, List<LcsMatch> matches)
    {
        mode = LcsMode.Sequence;
        withMatchLength = false;
        length = 0;
        sequence = [];
        if (ks.Find(keyA, RedisType.String, out KeyMeta metaA) != RedisError.None)
        {
            return RedisError.LcsWrongType;
        }

        byte[] a = metaA.Type == RedisType.String ? ks.StringValue.ToArray() : [];
        if (ks.Find(keyB, RedisType.String, out KeyMeta metaB) != RedisError.None)
        {
            return RedisError.LcsWrongType;
        }

        ReadOnlySpan<byte> b = metaB.Type == RedisType.String ? ks.StringValue : default;
        RedisError error = ParseOptions(options, out mode, out long minMatchLength, out withMatchLength);
        if (error != RedisError.None)
        {
            return error;
        }

        // Redis refuses a table larger than proto-max-bulk-len (512 MB) before allocating it.
        long cells = (long)(a.Length + 1) * (b.Length + 1);
        if (cells * sizeof(uint) > RedisKeyspace.MaxStringLength)
        {
            return RedisError.LcsTooLarge;
        }

        int width = b.Length + 1;
        uint[] table = new uint[cells];
        for (int i = 1; i <= a.Length; i++)
        {
            if (ks.DeadlinePassed())
            {
                return RedisError.DeadlineExceeded;
            }

            for (int j = 1; j <= b.Length; j++)
            {
                table[(i * width) + j] = a[i - 1] == b[j - 1]
                    ? table[((i - 1) * width) + j - 1] + 1
                    : Math.Max(table[((i - 1) * width) + j], table[(i * width) + j - 1]);
            }
        }

        uint total = table[(a.Length * width) + b.Length];
        length = total;
        if (mode == LcsMode.Length)
        {
            return RedisError.None;
        }

        byte[] result = new byte[total];
        uint idx = total;
        int ai = a.Length, bi = b.Length;
        long aStart = a.Length, aEnd = 0, bStart = 0, bEnd = 0; // aStart == a.Length: no range open
        while (ai > 0 && bi > 0)
        {
            bool emit = false;
            if (a[ai - 1] == b[bi - 1])
            {
                result[idx - 1] = a[ai - 1];
                if (aStart == a.Length)
                {
                    aStart = aEnd = ai - 1;
                    bStart = bEnd = bi - 1;
                }
                else if (aStart == ai && bStart == bi)
                {
                    aStart--;
                    bStart--;
                }
                else
                {
                    emit = true;
                }

                if (aStart == 0 || bStart == 0)
                {
                    emit = true;
                }

                idx--;
                ai--;
                bi--;
            }
            else
            {
                if (table[((ai - 1) * width) + bi] > table[(ai * width) + bi - 1])
                {
                    ai--;
                }
                else
                {
                    bi--;
                }

                if (aStart != a.Length)
                {
                    emit = true;
                }
            }

            if (emit)
            {
                var match = new LcsMatch(aStart, aEnd, bStart, bEnd);
                if (mode == LcsMode.Indexes && (minMatchLength == 0 || match.Length >= minMatchLength))
                {
                    matches.Add(match);
                }

                aStart = a.Length;
            }
        }

        sequence = result;
        return RedisError.None;
    }
}
