using System.Text;
using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

/// <summary>LCS with the examples of Redis's documentation and its option checks.</summary>
public class RedisLcsTests
{
    [Test]
    public async Task Sequence_length_and_ranges_match_the_redis_documentation()
    {
        using var t = new RedisTestKeyspace();
        RedisStrings.MSet(t.Keyspace, Args("key1", "ohmytext", "key2", "mynewtext"));
        var matches = new List<LcsMatch>();
        await Assert.That(RedisLcs.Run(t.Keyspace, B("key1"), B("key2"), Args(), out LcsMode mode, out _, out long length, out byte[] sequence, matches))
            .IsEqualTo(RedisError.None);
        await Assert.That(mode).IsEqualTo(LcsMode.Sequence);
        await Assert.That(Encoding.ASCII.GetString(sequence)).IsEqualTo("mytext");
        await Assert.That(length).IsEqualTo(6L);
        RedisLcs.Run(t.Keyspace, B("key1"), B("key2"), Args("IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"), out mode, out bool withLength, out _, out _, matches);
        await Assert.That(mode).IsEqualTo(LcsMode.Indexes);
        await Assert.That(withLength).IsTrue();
        await Assert.That(matches).IsEquivalentTo(new[] { new LcsMatch(4, 7, 5, 8) });
        matches.Clear();
        RedisLcs.Run(t.Keyspace, B("key1"), B("key2"), Args("IDX"), out _, out _, out _, out _, matches);
        await Assert.That(matches).IsEquivalentTo(new[] { new LcsMatch(4, 7, 5, 8), new LcsMatch(2, 3, 0, 1) });
    }

    [Test]
    public async Task Wrong_types_and_bad_options_are_errors()
    {
        using var t = new RedisTestKeyspace();
        RedisHashes.Set(t.Keyspace, B("h"), Args("f", "v"), out _);
        var matches = new List<LcsMatch>();
        await Assert.That(RedisLcs.Run(t.Keyspace, B("h"), B("x"), Args("BOGUS"), out _, out _, out _, out _, matches)).IsEqualTo(RedisError.LcsWrongType);
        await Assert.That(RedisLcs.Run(t.Keyspace, B("x"), B("y"), Args("LEN", "IDX"), out _, out _, out _, out _, matches)).IsEqualTo(RedisError.LcsLenAndIdx);
        await Assert.That(RedisLcs.Run(t.Keyspace, B("x"), B("y"), Args("MINMATCHLEN"), out _, out _, out _, out _, matches)).IsEqualTo(RedisError.Syntax);
        await Assert.That(RedisLcs.Run(t.Keyspace, B("x"), B("y"), Args("MINMATCHLEN", "x"), out _, out _, out _, out _, matches)).IsEqualTo(RedisError.NotInteger);
        await Assert.That(RedisLcs.Run(t.Keyspace, B("x"), B("y"), Args("LEN"), out _, out _, out long length, out _, matches)).IsEqualTo(RedisError.None);
        await Assert.That(length).IsEqualTo(0L);
    }
}
