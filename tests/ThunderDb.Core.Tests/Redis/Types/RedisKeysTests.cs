using ThunderDb.Core.Redis;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisKeysTests
{
    [Test]
    public async Task Rename_moves_content_and_expiry_and_RENAMENX_keeps_a_taken_name()
    {
        using var t = new RedisTestKeyspace();
        RedisSets.Add(t.Keyspace, B("s"), Args("a", "b"), out _);
        t.Keyspace.WriteString(B("x"), B("v"), t.NowMs + 5000, 0);
        await Assert.That(RedisKeys.Rename(t.Keyspace, B("s"), B("x"), onlyIfNew: true, out bool renamed)).IsEqualTo(RedisError.None);
        await Assert.That(renamed).IsFalse();
        RedisKeys.Rename(t.Keyspace, B("x"), B("y"), onlyIfNew: false, out renamed);
        await Assert.That(RedisKeys.TimeToLive(t.Keyspace, B("y"), absolute: false, milliseconds: true)).IsEqualTo(5000);
        RedisKeys.Rename(t.Keyspace, B("s"), B("y"), onlyIfNew: false, out renamed);
        await Assert.That(t.Keyspace.Lookup(B("y"), out KeyMeta meta)).IsEqualTo(RedisType.Set);
        await Assert.That(meta.Count).IsEqualTo(2);
        await Assert.That(t.Keyspace.Lookup(B("s"), out _)).IsEqualTo(RedisType.None);
        await Assert.That(RedisKeys.Rename(t.Keyspace, B("s"), B("z"), false, out _)).IsEqualTo(RedisError.NoSuchKey);
    }

    [Test]
    public async Task Copy_and_move_between_databases()
    {
        using var t = new RedisTestKeyspace();
        t.Keyspace.WriteString(B("k"), B("v"), 0, 0);
        await Assert.That(RedisKeys.Copy(t.Keyspace, B("k"), B("k"), 0, false, out _)).IsEqualTo(RedisError.SameObject);
        RedisKeys.Copy(t.Keyspace, B("k"), B("k"), 3, false, out bool copied);
        await Assert.That(copied).IsTrue();
        RedisKeys.Copy(t.Keyspace, B("k"), B("k"), 3, false, out copied);
        await Assert.That(copied).IsFalse().Because("the destination exists and REPLACE was not given");
        await Assert.That(t.Keyspace.Db).IsEqualTo(0);
        RedisKeys.Move(t.Keyspace, B("k"), 3, out bool moved);
        await Assert.That(moved).IsFalse();
        RedisKeys.Move(t.Keyspace, B("k"), 4, out moved);
        await Assert.That(moved).IsTrue();
        await Assert.That(t.Keyspace.Lookup(B("k"), out _)).IsEqualTo(RedisType.None);
        t.Keyspace.Db = 4;
        await Assert.That(t.Keyspace.Lookup(B("k"), out _)).IsEqualTo(RedisType.String);
    }

    [Test]
    public async Task Expire_conditions_and_a_past_time_deletes()
    {
        using var t = new RedisTestKeyspace();
        t.Keyspace.WriteString(B("k"), B("v"), 0, 0);
        await Assert.That(RedisKeys.Expire(t.Keyspace, B("k"), t.NowMs + 1000, ExpireCondition.Xx)).IsFalse();
        await Assert.That(RedisKeys.Expire(t.Keyspace, B("k"), t.NowMs + 1000, ExpireCondition.Nx)).IsTrue();
        await Assert.That(RedisKeys.Expire(t.Keyspace, B("k"), t.NowMs + 500, ExpireCondition.Gt)).IsFalse();
        await Assert.That(RedisKeys.Expire(t.Keyspace, B("k"), t.NowMs + 500, ExpireCondition.Lt)).IsTrue();
        await Assert.That(RedisKeys.TimeToLive(t.Keyspace, B("k"), false, false)).IsEqualTo(1).Because("500 ms rounds to 1 s");
        await Assert.That(RedisKeys.Persist(t.Keyspace, B("k"))).IsTrue();
        await Assert.That(RedisKeys.TimeToLive(t.Keyspace, B("k"), false, false)).IsEqualTo(-1);
        await Assert.That(RedisKeys.Expire(t.Keyspace, B("k"), t.NowMs, ExpireCondition.None)).IsTrue();
        await Assert.That(RedisKeys.TimeToLive(t.Keyspace, B("k"), false, false)).IsEqualTo(-2);
    }

    [Test]
    public async Task Command_deadlines_overflow_like_Redis()
    {
        await Assert.That(RedisExpiry.TryCommandDeadline(-5, seconds: true, absolute: false, 1000, out long when)).IsTrue();
        await Assert.That(when).IsEqualTo(-4000);
        await Assert.That(RedisExpiry.TryCommandDeadline(long.MaxValue / 1000 + 1, seconds: true, absolute: true, 0, out _)).IsFalse();
        await Assert.That(RedisExpiry.TryCommandDeadline(long.MaxValue, seconds: false, absolute: false, 1, out _)).IsFalse();
        await Assert.That(RedisExpiry.TryCommandDeadline(long.MaxValue, seconds: false, absolute: true, 1, out when)).IsTrue();
        await Assert.That(when).IsEqualTo(long.MaxValue);
    }

    [Test]
    public async Task Scan_visits_count_keys_and_resumes_after_the_last()
    {
        using var t = new RedisTestKeyspace();
        foreach (string k in new[] { "a1", "a2", "b1", "b2", "b3" })
        {
            t.Keyspace.WriteString(B(k), B("v"), 0, 0);
        }

        RedisSets.Add(t.Keyspace, B("set"), Args("m"), out _);
        var found = new List<byte[]>();
        RedisKeys.Scan(t.Keyspace, default, null, 3, null, found, out byte[]? resume);
        await Assert.That(string.Join(",", found.ConvertAll(b => S(b)))).IsEqualTo("a1,a2,b1");
        found.Clear();
        RedisKeys.Scan(t.Keyspace, [.. resume!, 0], "b*"u8.ToArray(), 10, RedisType.String, found, out resume);
        await Assert.That(string.Join(",", found.ConvertAll(b => S(b)))).IsEqualTo("b2,b3");
        await Assert.That(resume).IsNull();
        await Assert.That(RedisKeys.Count(t.Keyspace)).IsEqualTo((6L, 0L));
    }

    [Test]
    public async Task Element_scan_replies_pairs_per_type_and_type_checks()
    {
        using var t = new RedisTestKeyspace();
        RedisSortedSets.SetScore(t.Keyspace, B("z"), B("m"), 1.5, false, 0);
        t.Keyspace.WriteCollectionMeta(B("z"), new KeyMeta { Type = RedisType.ZSet, Count = 1 }, 0);
        var items = new List<byte[]>();
        await Assert.That(RedisKeys.ScanElements(t.Keyspace, B("z"), RedisType.ZSet, default, null, 10, items, out byte[]? resume)).IsEqualTo(RedisError.None);
        await Assert.That(string.Join(",", items.ConvertAll(b => S(b)))).IsEqualTo("m,1.5");
        await Assert.That(resume).IsNull();
        await Assert.That(RedisKeys.ScanElements(t.Keyspace, B("z"), RedisType.Hash, default, null, 10, items, out _)).IsEqualTo(RedisError.WrongType);
    }
}
