using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisSortedSetsTests
{
    private static ZAddResult Add(RedisTestKeyspace t, string key, params string[] args)
    {
        RedisError error = RedisSortedSets.ParseAddFlags(Args(args), out ZAddFlags flags, out int consumed);
        if (error != RedisError.None)
        {
            throw new InvalidOperationException(error.ToString());
        }

        error = RedisSortedSets.Add(t.Keyspace, B(key), flags, Args(args).Slice(consumed), out ZAddResult result);
        return error == RedisError.None ? result : throw new InvalidOperationException(error.ToString());
    }

    private static List<string> Members(List<(byte[] Member, double Score)> items) => items.ConvertAll(e => S(e.Member) + "=" + e.Score);

    private static List<string> All(RedisTestKeyspace t, string key, bool reverse = false)
    {
        var items = new List<(byte[] Member, double Score)>();
        RedisSortedSets.LoadOrdered(t.Keyspace, B(key), reverse, items);
        return Members(items);
    }

    [Test]
    public async Task Add_keeps_score_order_and_counts_new_members_only()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(Add(t, "z", "2", "b", "1", "a", "3", "c").Added).IsEqualTo(3);
        ZAddResult again = Add(t, "z", "CH", "5", "a", "9", "d");
        await Assert.That(again.Added).IsEqualTo(1);
        await Assert.That(again.Changed).IsEqualTo(1);
        await Assert.That(string.Join(",", All(t, "z"))).IsEqualTo("b=2,c=3,a=5,d=9");
        await Assert.That(string.Join(",", All(t, "z", reverse: true))).IsEqualTo("d=9,a=5,c=3,b=2");
        await Assert.That(RedisCollections.Count(t.Keyspace, B("z"), RedisType.ZSet, out long count)).IsEqualTo(RedisError.None);
        await Assert.That(count).IsEqualTo(4);
    }

    [Test]
    public async Task Add_flags_NX_XX_GT_LT_and_INCR_follow_Redis()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "z", "5", "a");
        await Assert.That(Add(t, "z", "NX", "1", "a").Performed).IsFalse();
        await Assert.That(Add(t, "z", "XX", "1", "new").Performed).IsFalse();
        await Assert.That(Add(t, "z", "GT", "4", "a").Performed).IsFalse();
        await Assert.That(Add(t, "z", "LT", "4", "a").Changed).IsEqualTo(1);
        ZAddResult incr = Add(t, "z", "INCR", "2.5", "a");
        await Assert.That(incr.LastScore).IsEqualTo(6.5);
        await Assert.That(string.Join(",", All(t, "z"))).IsEqualTo("a=6.5");

        // XX on a missing key creates nothing.
        Add(t, "missing", "XX", "1", "a");
        await Assert.That(t.Keyspace.Lookup(B("missing"), out _)).IsEqualTo(RedisType.None);
    }

    [Test]
    public async Task Add_option_errors_are_values_in_Redis_order()
    {
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("NX", "XX", "1", "a"), out _, out _)).IsEqualTo(RedisError.ZAddNxXx);
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("GT", "LT", "1", "a"), out _, out _)).IsEqualTo(RedisError.ZAddGtLtNx);
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("NX", "GT", "1", "a"), out _, out _)).IsEqualTo(RedisError.ZAddGtLtNx);
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("INCR", "1", "a", "2", "b"), out _, out _)).IsEqualTo(RedisError.ZAddIncrPair);
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("1", "a", "2"), out _, out _)).IsEqualTo(RedisError.Syntax);
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("NX"), out _, out _)).IsEqualTo(RedisError.Syntax);
        await Assert.That(RedisSortedSets.ParseAddFlags(Args("nx", "ch", "1", "a"), out ZAddFlags flags, out int consumed)).IsEqualTo(RedisError.None);
        await Assert.That(flags).IsEqualTo(ZAddFlags.Nx | ZAddFlags.Ch);
        await Assert.That(consumed).IsEqualTo(2);
    }

    [Test]
    public async Task A_bad_score_is_refused_before_the_key_is_type_checked()
    {
        using var t = new RedisTestKeyspace();
        t.Keyspace.WriteString(B("s"), B("v"), 0, 0);
        await Assert.That(RedisSortedSets.Add(t.Keyspace, B("s"), ZAddFlags.None, Args("nan", "a"), out _)).IsEqualTo(RedisError.NotFloat);
        await Assert.That(RedisSortedSets.Add(t.Keyspace, B("s"), ZAddFlags.None, Args("1", "a"), out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisSortedSets.Score(t.Keyspace, B("s"), B("a"), out _, out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisSortedSets.Rank(t.Keyspace, B("s"), B("a"), false, out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisSortedSets.IncrBy(t.Keyspace, B("s"), 1, B("a"), out _)).IsEqualTo(RedisError.WrongType);
    }

    [Test]
    public async Task IncrBy_starts_at_zero_and_refuses_NaN()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(RedisSortedSets.IncrBy(t.Keyspace, B("z"), 2, B("a"), out double score)).IsEqualTo(RedisError.None);
        await Assert.That(score).IsEqualTo(2);
        RedisSortedSets.IncrBy(t.Keyspace, B("z"), double.PositiveInfinity, B("a"), out _);
        await Assert.That(RedisSortedSets.IncrBy(t.Keyspace, B("z"), double.NegativeInfinity, B("a"), out _)).IsEqualTo(RedisError.ScoreNaN);
        await Assert.That(RedisSortedSets.Add(t.Keyspace, B("z"), ZAddFlags.Incr, Args("-inf", "a"), out _)).IsEqualTo(RedisError.ScoreNaN);
    }

    [Test]
    public async Task Score_rank_remove_and_pop()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "z", "1", "a", "2", "b", "3", "c", "4", "d");
        await Assert.That(RedisSortedSets.Score(t.Keyspace, B("z"), B("c"), out bool found, out double score)).IsEqualTo(RedisError.None);
        await Assert.That(found && score == 3).IsTrue();
        RedisSortedSets.Rank(t.Keyspace, B("z"), B("c"), false, out long rank);
        RedisSortedSets.Rank(t.Keyspace, B("z"), B("c"), true, out long revRank);
        RedisSortedSets.Rank(t.Keyspace, B("z"), B("x"), false, out long missing);
        await Assert.That((rank, revRank, missing)).IsEqualTo((2L, 1L, -1L));
        RedisSortedSets.Remove(t.Keyspace, B("z"), Args("a", "x", "a"), out long removed);
        await Assert.That(removed).IsEqualTo(1);
        var popped = new List<(byte[] Member, double Score)>();
        RedisSortedSets.Pop(t.Keyspace, B("z"), max: true, 2, popped);
        await Assert.That(string.Join(",", Members(popped))).IsEqualTo("d=4,c=3");
        popped.Clear();
        RedisSortedSets.Pop(t.Keyspace, B("z"), max: false, 5, popped);
        await Assert.That(string.Join(",", Members(popped))).IsEqualTo("b=2");
        await Assert.That(t.Keyspace.Lookup(B("z"), out _)).IsEqualTo(RedisType.None).Because("an emptied zset is deleted");
    }

    [Test]
    public async Task Store_unions_and_intersects_with_weights_and_aggregates()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "z1", "1", "a", "2", "b");
        Add(t, "z2", "10", "b", "20", "c");
        RedisSets.Add(t.Keyspace, B("s"), Args("b", "c"), out _);
        var inputs = new List<ZStoreInput>();
        await Assert.That(RedisSortedSets.LoadInputs(t.Keyspace, Args("z1", "z2", "missing"), inputs)).IsEqualTo(RedisError.None);
        inputs[1].Weight = 2;
        RedisSortedSets.Store(t.Keyspace, B("u"), inputs, SetOperation.Union, ScoreAggregate.Sum, out long count);
        await Assert.That(count).IsEqualTo(3);
        await Assert.That(string.Join(",", All(t, "u"))).IsEqualTo("a=1,b=22,c=40");

        inputs.Clear();
        RedisSortedSets.LoadInputs(t.Keyspace, Args("z2", "s"), inputs);
        RedisSortedSets.Store(t.Keyspace, B("i"), inputs, SetOperation.Intersect, ScoreAggregate.Min, out count);
        await Assert.That(string.Join(",", All(t, "i"))).IsEqualTo("b=1,c=1");

        t.Keyspace.WriteString(B("str"), B("v"), 0, 0);
        inputs.Clear();
        await Assert.That(RedisSortedSets.LoadInputs(t.Keyspace, Args("z1", "str"), inputs)).IsEqualTo(RedisError.WrongType);
    }

    [Test]
    public async Task Infinite_scores_summing_to_NaN_aggregate_to_zero()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "p", "inf", "a");
        Add(t, "n", "-inf", "a");
        var inputs = new List<ZStoreInput>();
        RedisSortedSets.LoadInputs(t.Keyspace, Args("p", "n"), inputs);
        RedisSortedSets.Store(t.Keyspace, B("d"), inputs, SetOperation.Union, ScoreAggregate.Sum, out _);
        await Assert.That(string.Join(",", All(t, "d"))).IsEqualTo("a=0");
    }

    [Test]
    public async Task Difference_keeps_the_first_inputs_scores_and_replies_come_in_zset_order()
    {
        using var t = new RedisTestKeyspace();
        Add(t, "z1", "3", "a", "1", "b", "1", "c", "2", "d");
        Add(t, "z2", "9", "c");
        RedisSets.Add(t.Keyspace, B("s"), Args("d"), out _);
        var inputs = new List<ZStoreInput>();
        RedisSortedSets.LoadInputs(t.Keyspace, Args("z1", "z2", "s"), inputs);
        await Assert.That(string.Join(",", Members(RedisSortedSets.CombineOrdered(inputs, SetOperation.Difference, ScoreAggregate.Sum))))
            .IsEqualTo("b=1,a=3");
        await Assert.That(string.Join(",", Members(RedisSortedSets.CombineOrdered(inputs, SetOperation.Union, ScoreAggregate.Max))))
            .IsEqualTo("b=1,d=2,a=3,c=9").Because("equal scores order by member bytes");
        RedisSortedSets.Store(t.Keyspace, B("z1"), inputs, SetOperation.Difference, ScoreAggregate.Sum, out long count);
        await Assert.That(count).IsEqualTo(2);
        await Assert.That(string.Join(",", All(t, "z1"))).IsEqualTo("b=1,a=3").Because("a destination that is also an input is replaced");
    }

    [Test]
    public async Task Replace_overwrites_any_type_and_an_empty_result_deletes()
    {
        using var t = new RedisTestKeyspace();
        t.Keyspace.WriteString(B("dst"), B("v"), 0, 0);
        RedisSortedSets.Replace(t.Keyspace, B("dst"), [KeyValuePair.Create(B("m"), 2.0)]);
        await Assert.That(string.Join(",", All(t, "dst"))).IsEqualTo("m=2");
        RedisSortedSets.Replace(t.Keyspace, B("dst"), []);
        await Assert.That(t.Keyspace.Lookup(B("dst"), out _)).IsEqualTo(RedisType.None);
    }
}
