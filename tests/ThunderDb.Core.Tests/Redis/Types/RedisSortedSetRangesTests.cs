using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisSortedSetRangesTests
{
    private static RedisTestKeyspace WithScores(params (string Member, double Score)[] members)
    {
        var t = new RedisTestKeyspace();
        foreach ((string m, double s) in members)
        {
            RedisSortedSets.SetScore(t.Keyspace, B("z"), B(m), s, existed: false, oldScore: 0);
        }

        t.Keyspace.WriteCollectionMeta(B("z"), new KeyMeta { Type = RedisType.ZSet, Count = members.Length }, 0);
        return t;
    }

    private static List<string> Names(List<(byte[] Member, double Score)> items) => items.ConvertAll(e => S(e.Member));

    private static ScoreBound Score(string text) => ScoreBound.Parse(B(text), out ScoreBound b) == RedisError.None ? b : throw new FormatException(text);

    private static LexBound Lex(string text) => LexBound.Parse(B(text), out LexBound b) == RedisError.None ? b : throw new FormatException(text);

    [Test]
    public async Task Bounds_parse_like_Redis()
    {
        await Assert.That(ScoreBound.Parse(B("(1.5"), out ScoreBound open)).IsEqualTo(RedisError.None);
        await Assert.That(open.Exclusive && open.Value == 1.5).IsTrue();
        await Assert.That(ScoreBound.Parse(B("-inf"), out ScoreBound low)).IsEqualTo(RedisError.None);
        await Assert.That(double.IsNegativeInfinity(low.Value)).IsTrue();
        await Assert.That(ScoreBound.Parse(B("x"), out _)).IsEqualTo(RedisError.MinMaxNotFloat);
        await Assert.That(LexBound.Parse(B("a"), out _)).IsEqualTo(RedisError.MinMaxLex);
        await Assert.That(LexBound.Parse(B(""), out _)).IsEqualTo(RedisError.MinMaxLex);
        await Assert.That(LexBound.Parse(B("(b"), out LexBound b)).IsEqualTo(RedisError.None);
        await Assert.That(b.AboveMin(B("b"))).IsFalse();
        await Assert.That(b.AboveMin(B("ba"))).IsTrue();
    }

    [Test]
    public async Task Rank_ranges_count_from_either_end()
    {
        using RedisTestKeyspace t = WithScores(("a", 1), ("b", 2), ("c", 3), ("d", 4));
        var items = new List<(byte[] Member, double Score)>();
        RedisSortedSets.RangeByRank(t.Keyspace, B("z"), 1, -2, reverse: false, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("b,c");
        items.Clear();
        RedisSortedSets.RangeByRank(t.Keyspace, B("z"), 0, 0, reverse: true, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("d");
        items.Clear();
        RedisSortedSets.RangeByRank(t.Keyspace, B("z"), 3, 1, reverse: false, items);
        await Assert.That(items).IsEmpty();
    }

    [Test]
    public async Task Score_ranges_honour_exclusive_ends_reverse_and_limit()
    {
        using RedisTestKeyspace t = WithScores(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5));
        var items = new List<(byte[] Member, double Score)>();
        RedisSortedSets.RangeByScore(t.Keyspace, B("z"), Score("(1"), Score("4"), reverse: false, 1, 2, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("c,d");
        items.Clear();
        RedisSortedSets.RangeByScore(t.Keyspace, B("z"), Score("-inf"), Score("(3"), reverse: true, 0, -1, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("b,a");
        items.Clear();
        RedisSortedSets.RangeByScore(t.Keyspace, B("z"), Score("-inf"), Score("+inf"), reverse: false, -1, 2, items);
        await Assert.That(items).IsEmpty().Because("a negative LIMIT offset selects nothing");
        RedisSortedSets.CountByScore(t.Keyspace, B("z"), Score("2"), Score("(5"), out long count);
        await Assert.That(count).IsEqualTo(3);
    }

    [Test]
    public async Task Lex_ranges_walk_like_a_listpack_and_ZRANGE_BYLEX_filters()
    {
        using RedisTestKeyspace t = WithScores(("a", 0), ("b", 0), ("c", 0), ("d", 0));
        var items = new List<(byte[] Member, double Score)>();
        RedisSortedSets.LexRange(t.Keyspace, B("z"), Lex("[b"), Lex("+"), reverse: false, 0, -1, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("b,c,d");
        items.Clear();
        RedisSortedSets.LexRange(t.Keyspace, B("z"), Lex("-"), Lex("(c"), reverse: true, 0, 1, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("b");
        items.Clear();
        RedisSortedSets.RangeByLex(t.Keyspace, B("z"), Lex("(a"), Lex("[c"), reverse: false, 1, -1, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("c");
        RedisSortedSets.CountByLex(t.Keyspace, B("z"), Lex("[b"), Lex("[c"), out long count);
        await Assert.That(count).IsEqualTo(2);
    }

    [Test]
    public async Task Mixed_scores_lex_walk_stops_at_the_first_member_past_max()
    {
        // Redis answers a lex range over mixed scores from its listpack walk: from the first member >= min, on while <= max.
        using RedisTestKeyspace t = WithScores(("b", 1), ("a", 2), ("c", 3));
        var items = new List<(byte[] Member, double Score)>();
        RedisSortedSets.LexRange(t.Keyspace, B("z"), Lex("[a"), Lex("[b"), reverse: false, 0, -1, items);
        await Assert.That(string.Join(",", Names(items))).IsEqualTo("b,a");
    }

    [Test]
    public async Task Range_removals_delete_both_records_and_an_emptied_key()
    {
        using RedisTestKeyspace t = WithScores(("a", 1), ("b", 2), ("c", 3), ("d", 4));
        RedisSortedSets.RemoveRangeByRank(t.Keyspace, B("z"), -1, -1, out long removed);
        await Assert.That(removed).IsEqualTo(1);
        RedisSortedSets.RemoveRangeByScore(t.Keyspace, B("z"), Score("(1"), Score("2"), out removed);
        await Assert.That(removed).IsEqualTo(1);
        var left = new List<(byte[] Member, double Score)>();
        RedisSortedSets.LoadOrdered(t.Keyspace, B("z"), false, left);
        await Assert.That(string.Join(",", Names(left))).IsEqualTo("a,c");
        await Assert.That(RedisSortedSets.TryGetScore(t.Keyspace, B("z"), B("b"), out _)).IsFalse();
        RedisSortedSets.RemoveRangeByLex(t.Keyspace, B("z"), Lex("-"), Lex("+"), out removed);
        await Assert.That(removed).IsEqualTo(2);
        await Assert.That(t.Keyspace.Lookup(B("z"), out _)).IsEqualTo(RedisType.None);
    }

    [Test]
    public async Task Random_members_distinct_repeated_and_whole()
    {
        using RedisTestKeyspace t = WithScores(("a", 1), ("b", 2), ("c", 3));
        var picked = new List<(byte[] Member, double Score)>();
        RedisSortedSets.RandomMembers(t.Keyspace, B("z"), 2, picked);
        await Assert.That(Names(picked).Distinct().Count()).IsEqualTo(2);
        picked.Clear();
        RedisSortedSets.RandomMembers(t.Keyspace, B("z"), -7, picked);
        await Assert.That(picked.Count).IsEqualTo(7);
        picked.Clear();
        RedisSortedSets.RandomMembers(t.Keyspace, B("z"), 10, picked);
        await Assert.That(string.Join(",", Names(picked))).IsEqualTo("c,b,a").Because("a count covering the zset answers it from the top score down");
        await Assert.That(RedisSortedSets.RandomMembers(t.Keyspace, B("z"), -RedisSortedSets.MaxRandomPicks - 1, picked)).IsEqualTo(RedisError.ValueOutOfRange);
        await Assert.That(RedisSortedSets.RandomMember(t.Keyspace, B("missing"), out byte[]? none)).IsEqualTo(RedisError.None);
        await Assert.That(none).IsNull();
    }
}
