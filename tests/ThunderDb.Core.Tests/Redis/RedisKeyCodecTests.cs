using System.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Core.Tests.Redis;

public class RedisKeyCodecTests
{
    [Test]
    public async Task Element_ranges_of_different_keys_never_overlap()
    {
        // "a" and "a\0b" must not share element ranges even though one key is a prefix of the other.
        byte[][] keys = [Encoding.ASCII.GetBytes("a"), [(byte)'a', 0, (byte)'b'], [(byte)'a', 0], Encoding.ASCII.GetBytes("ab")];
        var ranges = keys.Select(k =>
        {
            byte[] start = new byte[RedisKeyCodec.MaxElementPrefixLength(k.Length)];
            int n = RedisKeyCodec.WriteElementPrefix(start, 0, k);
            byte[] s = start[..n];
            byte[] e = (byte[])s.Clone();
            e[^1] = 0x02;
            return (Start: s, End: e);
        }).ToList();
        for (int i = 0; i < ranges.Count; i++)
        {
            for (int j = 0; j < ranges.Count; j++)
            {
                if (i == j)
                {
                    continue;
                }

                bool disjoint = ranges[i].End.AsSpan().SequenceCompareTo(ranges[j].Start) <= 0 ||
                                ranges[j].End.AsSpan().SequenceCompareTo(ranges[i].Start) <= 0;
                await Assert.That(disjoint).IsTrue();
            }
        }
    }

    [Test]
    [Arguments("h?llo", "hello", true)]
    [Arguments("h*llo", "heeeello", true)]
    [Arguments("h[ae]llo", "hallo", true)]
    [Arguments("h[^e]llo", "hello", false)]
    [Arguments("h[a-b]llo", "hbllo", true)]
    [Arguments("user:*", "user:42", true)]
    [Arguments("user:*", "users", false)]
    [Arguments("a\\*b", "a*b", true)]
    [Arguments("a\\*b", "axb", false)]
    [Arguments("*", "", true)]
    public async Task Glob_patterns_match_like_redis(string pattern, string text, bool expected)
    {
        await Assert.That(GlobPattern.IsMatch(Encoding.ASCII.GetBytes(pattern), Encoding.ASCII.GetBytes(text))).IsEqualTo(expected);
    }
}
