using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisListsTests
{
    private static List<string> Range(RedisTestKeyspace t, string key)
    {
        t.Keyspace.Lookup(B(key), out KeyMeta meta);
        var items = new List<string>();
        using IKvCursor cursor = RedisLists.OpenRange(t.Keyspace, B(key), meta, 0, meta.Count - 1);
        while (cursor.MoveNext())
        {
            items.Add(S(cursor.Value));
        }

        return items;
    }

    [Test]
    public async Task Pushes_at_both_ends_keep_order_and_pops_take_the_ends()
    {
        using var t = new RedisTestKeyspace();
        KeyMeta meta = default;
        RedisLists.Push(t.Keyspace, B("l"), ref meta, left: false, B("b"));
        RedisLists.Push(t.Keyspace, B("l"), ref meta, left: true, B("a"));
        RedisLists.Push(t.Keyspace, B("l"), ref meta, left: false, B("c"));
        t.Keyspace.WriteCollectionMeta(B("l"), meta, 0);
        await Assert.That(Range(t, "l")).IsEquivalentTo(["a", "b", "c"]);
        await Assert.That(RedisLists.TryGet(t.Keyspace, B("l"), meta, -1, out ReadOnlySpan<byte> last) && last.SequenceEqual(B("c"))).IsTrue();
        await Assert.That(RedisLists.Pop(t.Keyspace, B("l"), ref meta, left: true, out ReadOnlySpan<byte> first) && first.SequenceEqual(B("a"))).IsTrue();
        await Assert.That(meta.Count).IsEqualTo(2);
        await Assert.That(RedisLists.Set(t.Keyspace, B("l"), meta, 5, B("x"))).IsFalse();
        await Assert.That(RedisLists.Set(t.Keyspace, B("l"), meta, 0, B("B"))).IsTrue();
        await Assert.That(Range(t, "l")).IsEquivalentTo(["B", "c"]);
    }

    [Test]
    public async Task Trim_and_rewrite_renumber_and_an_emptied_list_is_gone()
    {
        using var t = new RedisTestKeyspace();
        KeyMeta meta = default;
        foreach (string v in new[] { "1", "2", "3", "4", "5" })
        {
            RedisLists.Push(t.Keyspace, B("l"), ref meta, left: false, B(v));
        }

        t.Keyspace.WriteCollectionMeta(B("l"), meta, 0);
        (long from, long to) = RedisRange.Normalize(1, -2, meta.Count);
        RedisLists.Trim(t.Keyspace, B("l"), ref meta, from, to);
        await Assert.That(Range(t, "l")).IsEquivalentTo(["2", "3", "4"]);
        List<byte[]> items = RedisLists.Items(t.Keyspace, B("l"));
        items.Insert(1, B("x"));
        RedisLists.Rewrite(t.Keyspace, B("l"), ref meta, items);
        await Assert.That(Range(t, "l")).IsEquivalentTo(["2", "x", "3", "4"]);
        RedisLists.Trim(t.Keyspace, B("l"), ref meta, 1, 0);
        await Assert.That(t.Keyspace.Lookup(B("l"), out _)).IsEqualTo(RedisType.None);
    }
}
