using ThunderDb.Core.Redis;
using ThunderDb.Core.Txn;
using static ThunderDb.Core.Tests.Redis.RedisTestKeyspace;

namespace ThunderDb.Core.Tests.Redis.Types;

public class RedisListCommandsTests
{
    private static string Items(RedisTestKeyspace t, string key) => string.Join(",", RedisLists.Items(t.Keyspace, B(key)).ConvertAll(b => S(b)));

    private static RedisTestKeyspace WithList(params string[] items)
    {
        var t = new RedisTestKeyspace();
        RedisLists.Push(t.Keyspace, B("l"), left: false, onlyIfExists: false, Args(items), out _);
        return t;
    }

    [Test]
    public async Task Push_with_X_only_touches_an_existing_list()
    {
        using var t = new RedisTestKeyspace();
        await Assert.That(RedisLists.Push(t.Keyspace, B("l"), left: true, onlyIfExists: true, Args("a"), out long length)).IsEqualTo(RedisError.None);
        await Assert.That(length).IsEqualTo(0);
        RedisLists.Push(t.Keyspace, B("l"), left: true, onlyIfExists: false, Args("a", "b"), out length);
        RedisLists.Push(t.Keyspace, B("l"), left: false, onlyIfExists: true, Args("c"), out length);
        await Assert.That(length).IsEqualTo(3);
        await Assert.That(Items(t, "l")).IsEqualTo("b,a,c");
    }

    [Test]
    public async Task Position_with_rank_count_and_maxlen()
    {
        using RedisTestKeyspace t = WithList("a", "b", "a", "c", "a");
        RedisLists.Position(t.Keyspace, B("l"), B("a"), 1, -1, 0, out long first, out List<long>? all);
        await Assert.That((first, all is null)).IsEqualTo((0L, true));
        RedisLists.Position(t.Keyspace, B("l"), B("a"), -1, -1, 0, out first, out _);
        await Assert.That(first).IsEqualTo(4);
        RedisLists.Position(t.Keyspace, B("l"), B("a"), 2, 0, 0, out _, out all);
        await Assert.That(string.Join(",", all!)).IsEqualTo("2,4");
        RedisLists.Position(t.Keyspace, B("l"), B("a"), -1, 2, 0, out _, out all);
        await Assert.That(string.Join(",", all!)).IsEqualTo("4,2");
        RedisLists.Position(t.Keyspace, B("l"), B("a"), 1, 0, 2, out _, out all);
        await Assert.That(string.Join(",", all!)).IsEqualTo("0").Because("MAXLEN 2 compares the first two elements only");
        RedisLists.Position(t.Keyspace, B("l"), B("x"), 1, -1, 0, out first, out _);
        await Assert.That(first).IsEqualTo(-1);
    }

    [Test]
    public async Task Move_pops_one_end_and_pushes_the_other_even_onto_itself()
    {
        using RedisTestKeyspace t = WithList("a", "b", "c");
        await Assert.That(RedisLists.Move(t.Keyspace, B("l"), B("m"), fromLeft: false, toLeft: true, out byte[]? moved)).IsEqualTo(RedisError.None);
        await Assert.That(S(moved)).IsEqualTo("c");
        RedisLists.Move(t.Keyspace, B("l"), B("l"), fromLeft: true, toLeft: false, out moved);
        await Assert.That(Items(t, "l")).IsEqualTo("b,a");
        await Assert.That(Items(t, "m")).IsEqualTo("c");
        RedisLists.Move(t.Keyspace, B("missing"), B("m"), true, true, out moved);
        await Assert.That(moved).IsNull();
    }

    [Test]
    public async Task Move_type_checks_the_destination_before_anything_changes()
    {
        using RedisTestKeyspace t = WithList("a");
        t.Keyspace.WriteString(B("s"), B("v"), 0, 0);
        await Assert.That(RedisLists.Move(t.Keyspace, B("l"), B("s"), true, true, out _)).IsEqualTo(RedisError.WrongType);
        await Assert.That(Items(t, "l")).IsEqualTo("a");
        await Assert.That(RedisLists.Position(t.Keyspace, B("s"), B("a"), 1, -1, 0, out _, out _)).IsEqualTo(RedisError.WrongType);
    }

    [Test]
    public async Task PopFromFirst_skips_empty_keys_and_stops_at_the_first_list()
    {
        using RedisTestKeyspace t = WithList("a", "b", "c");
        t.Keyspace.WriteString(B("s"), B("v"), 0, 0);
        var popped = new List<byte[]>();
        await Assert.That(RedisLists.PopFromFirst(t.Keyspace, Args("none", "l", "s"), left: false, 2, popped, out int index)).IsEqualTo(RedisError.None);
        await Assert.That(index).IsEqualTo(1);
        await Assert.That(string.Join(",", popped.ConvertAll(b => S(b)))).IsEqualTo("c,b");
        popped.Clear();
        await Assert.That(RedisLists.PopFromFirst(t.Keyspace, Args("s", "l"), left: true, 1, popped, out index)).IsEqualTo(RedisError.WrongType);
        await Assert.That(RedisLists.PopFromFirst(t.Keyspace, Args("none"), left: true, 1, popped, out index)).IsEqualTo(RedisError.None);
        await Assert.That(index).IsEqualTo(-1);
    }

    [Test]
    public async Task Insert_and_remove_matching_renumber()
    {
        using RedisTestKeyspace t = WithList("a", "b", "a", "c", "a");
        RedisLists.Insert(t.Keyspace, B("l"), before: false, B("b"), B("x"), out long length);
        await Assert.That(length).IsEqualTo(6);
        RedisLists.Insert(t.Keyspace, B("l"), before: true, B("nope"), B("x"), out length);
        await Assert.That(length).IsEqualTo(-1);
        RedisLists.RemoveMatching(t.Keyspace, B("l"), -2, B("a"), out long removed);
        await Assert.That(removed).IsEqualTo(2);
        await Assert.That(Items(t, "l")).IsEqualTo("a,b,x,c");
        RedisLists.RemoveMatching(t.Keyspace, B("l"), 0, B("a"), out removed);
        await Assert.That(Items(t, "l")).IsEqualTo("b,x,c");
    }
}
