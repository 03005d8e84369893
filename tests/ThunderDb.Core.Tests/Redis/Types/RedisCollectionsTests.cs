using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisCollectionsTests
{
    [Test]
    public async Task Hset_counts_new_fields_once_and_hdel_deletes_an_emptied_hash()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(RedisHashes.Set(t.Keyspace, B("h"), Args("a", "1", "b", "2", "a", "3"), out long added)).IsEqualTo(RedisError.None);
        await Assert.That(added).IsEqualTo(2);
        RedisHashes.Get(t.Keyspace, B("h"), B("a"), out bool found, out ReadOnlySpan<byte> value);
        string text = S(value);
        await Assert.That(found).IsTrue();
        await Assert.That(text).IsEqualTo("3");
        RedisCollections.Remove(t.Keyspace, B("h"), RedisType.Hash, Args("a", "a", "zz"), out long removed);
        await Assert.That(removed).IsEqualTo(1);
        RedisCollections.Count(t.Keyspace, B("h"), RedisType.Hash, out long count);
        await Assert.That(count).IsEqualTo(1);
        RedisCollections.Remove(t.Keyspace, B("h"), RedisType.Hash, Args("b"), out removed);
        await Assert.That(t.Keyspace.Lookup(B("h"), out _)).IsEqualTo(RedisType.None);
    }

    [Test]
    public async Task Hdel_and_srem_are_one_mechanism_that_checks_the_type()
    {
        using var t = new RedisTestKeyspace();
        RedisSets.Add(t.Keyspace, B("s"), Args("x", "y"), out _);
        RedisHashes.Set(t.Keyspace, B("h"), Args("x", "1"), out _);
        await Assert.That(RedisCollections.Remove(t.Keyspace, B("s"), RedisType.Hash, Args("x"), out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisCollections.Remove(t.Keyspace, B("h"), RedisType.Set, Args("x"), out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisCollections.Remove(t.Keyspace, B("s"), RedisType.Set, Args("x"), out long removed)).IsEqualTo(RedisError.None);
        await Assert.That(removed).IsEqualTo(1);
        RedisCollections.Contains(t.Keyspace, B("s"), RedisType.Set, B("y"), out bool contains);
        await Assert.That(contains).IsTrue();
    }

    [Test]
    public async Task Hincrby_and_hincrbyfloat_keep_redis_errors()
    {
        using var t = new RedisTestKeyspace();
        RedisHashes.IncrBy(t.Keyspace, B("h"), B("n"), 41, out long r);
        RedisHashes.IncrBy(t.Keyspace, B("h"), B("n"), 1, out r);
        await Assert.That(r).IsEqualTo(42);
        RedisHashes.Set(t.Keyspace, B("h"), Args("t", "abc"), out _);
        await Assert.That(RedisHashes.IncrBy(t.Keyspace, B("h"), B("t"), 1, out _)).IsEqualTo(RedisError.HashNotInteger);
        RedisNumbers.ParseLongDouble(B("0.5"), out ExtendedReal half);
        await Assert.That(RedisHashes.IncrByFloat(t.Keyspace, B("h"), B("t"), half, out _)).IsEqualTo(RedisError.HashNotFloat);
        await Assert.That(RedisHashes.IncrByFloat(t.Keyspace, B("h"), B("n"), half, out byte[] text)).IsEqualTo(RedisError.None);
        await Assert.That(S(text)).IsEqualTo("42.5");
    }

    [Test]
    public async Task Hgetall_reads_fields_in_byte_order()
    {
        using var t = new RedisTestKeyspace();
        RedisHashes.Set(t.Keyspace, B("h"), Args("b", "2", "a", "1"), out _);
        RedisCollections.Read(t.Keyspace, B("h"), RedisType.Hash, out long count, out ElementReader reader);
        var seen = new List<string>();
        using (reader)
        {
            while (reader.MoveNext())
            {
                seen.Add(S(reader.Element) + "=" + S(reader.Value));
            }
        }

        await Assert.That(count).IsEqualTo(2);
        await Assert.That(seen).IsEquivalentTo(["a=1", "b=2"]);
    }

    [Test]
    public async Task Set_algebra_and_store()
    {
        using var t = new RedisTestKeyspace();
        RedisSets.Add(t.Keyspace, B("a"), Args("1", "2", "3"), out _);
        RedisSets.Add(t.Keyspace, B("b"), Args("2", "3", "4"), out _);
        RedisSets.Combine(t.Keyspace, SetOperation.Intersect, Args("a", "b"), out SortedSet<byte[]> inter);
        await Assert.That(inter.Select(m => S(m)).ToList()).IsEquivalentTo(["2", "3"]);
        RedisSets.Combine(t.Keyspace, SetOperation.Difference, Args("a", "b", "missing"), out SortedSet<byte[]> diff);
        await Assert.That(diff.Select(m => S(m)).ToList()).IsEquivalentTo(["1"]);
        RedisSets.Store(t.Keyspace, B("u"), SetOperation.Union, Args("a", "b"), out long n);
        await Assert.That(n).IsEqualTo(4);
        RedisStrings.Overwrite(t.Keyspace, B("str"), B("x"), 0);
        await Assert.That(RedisSets.Combine(t.Keyspace, SetOperation.Union, Args("a", "str"), out _)).IsEqualTo(RedisError.WrongType);
    }

    [Test]
    public async Task Smove_and_spop()
    {
        using var t = new RedisTestKeyspace();
        RedisSets.Add(t.Keyspace, B("a"), Args("m", "n"), out _);
        RedisSets.Move(t.Keyspace, B("a"), B("b"), B("m"), out bool moved);
        await Assert.That(moved).IsTrue();
        RedisCollections.Contains(t.Keyspace, B("b"), RedisType.Set, B("m"), out bool inB);
        await Assert.That(inB).IsTrue();
        var popped = new List<byte[]>();
        RedisSets.Pop(t.Keyspace, B("a"), null, popped);
        await Assert.That(popped.Count).IsEqualTo(1);
        await Assert.That(S(popped[0])).IsEqualTo("n");
        await Assert.That(t.Keyspace.Lookup(B("a"), out _)).IsEqualTo(RedisType.None);
    }

    [Test]
    public async Task A_union_store_past_its_deadline_stops_and_the_rollback_leaves_nothing()
    {
        using var t = new RedisTestKeyspace();
        var members = Enumerable.Range(0, 5000).Select(i => "m" + i).ToArray();
        RedisSets.Add(t.Keyspace, B("big"), Args(members), out _);
        t.Commit();
        t.Keyspace.SetDeadline(TimeSpan.FromTicks(1));
        Thread.Sleep(2);
        RedisError error = RedisSets.Store(t.Keyspace, B("dest"), SetOperation.Union, Args("big", "big"), out _);
        await Assert.That(error).IsEqualTo(RedisError.DeadlineExceeded);
        t.Rollback();
        await Assert.That(t.Keyspace.Lookup(B("dest"), out _)).IsEqualTo(RedisType.None);
        t.Keyspace.SetDeadline(TimeSpan.Zero);
        await Assert.That(RedisSets.Store(t.Keyspace, B("dest"), SetOperation.Union, Args("big"), out long n)).IsEqualTo(RedisError.None);
        await Assert.That(n).IsEqualTo(5000);
    }
}
