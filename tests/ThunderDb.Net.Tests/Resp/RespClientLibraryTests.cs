using StackExchange.Redis;
using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>StackExchange.Redis against the server, RESP2 and RESP3, one test per command family.</summary>
public class RespClientLibraryTests
{
    private static async Task<ConnectionMultiplexer> ConnectAsync(RespTestServer server, RedisProtocol protocol = RedisProtocol.Resp2)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { server.Endpoint },
            Protocol = protocol,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
        };
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    [Test]
    [Arguments(RedisProtocol.Resp2)]
    [Arguments(RedisProtocol.Resp3)]
    public async Task Strings_and_keys(RedisProtocol protocol)
    {
        await using RespTestServer server = RespTestServer.Start();
        await using ConnectionMultiplexer redis = await ConnectAsync(server, protocol);
        IDatabase db = redis.GetDatabase();
        await Assert.That(await db.StringSetAsync("a", "1")).IsTrue();
        await Assert.That((string?)await db.StringGetAsync("a")).IsEqualTo("1");
        await Assert.That(await db.StringIncrementAsync("a", 9)).IsEqualTo(10);
        await Assert.That(await db.StringIncrementAsync("f", 1.5)).IsEqualTo(1.5);
        await Assert.That(await db.StringSetAsync("b", "x", TimeSpan.FromSeconds(50))).IsTrue();
        TimeSpan? ttl = await db.KeyTimeToLiveAsync("b");
        await Assert.That(ttl!.Value.TotalSeconds).IsGreaterThan(40);
        await Assert.That(await db.KeyExistsAsync("b")).IsTrue();
        await Assert.That(await db.KeyDeleteAsync(["a", "b", "zz"])).IsEqualTo(2);
        await Assert.That(await db.StringSetAsync("c", "v", when: When.NotExists)).IsTrue();
        await Assert.That(await db.StringSetAsync("c", "v", when: When.NotExists)).IsFalse();
        await Assert.That((string?)await db.StringGetSetAsync("c", "w")).IsEqualTo("v");
        await Assert.That(await db.KeyRenameAsync("c", "d")).IsTrue();
        await Assert.That(await db.KeyTypeAsync("d")).IsEqualTo(RedisType.String);
        RedisValue[] values = await db.StringGetAsync(["d", "none"]);
        await Assert.That((string?)values[0]).IsEqualTo("w");
        await Assert.That(values[1].IsNull).IsTrue();
        var keys = new List<string>();
        await foreach (RedisKey k in redis.GetServer(server.Endpoint).KeysAsync(pattern: "*", pageSize: 1))
        {
            keys.Add(k!);
        }

        keys.Sort(StringComparer.Ordinal);
        await Assert.That(string.Join(",", keys)).IsEqualTo("d,f");
        await Assert.That((await redis.GetServer(server.Endpoint).PingAsync()).TotalSeconds).IsLessThan(5);
    }

    [Test]
    [Arguments(RedisProtocol.Resp2)]
    [Arguments(RedisProtocol.Resp3)]
    public async Task Hashes_lists_sets_sorted_sets(RedisProtocol protocol)
    {
        await using RespTestServer server = RespTestServer.Start();
        await using ConnectionMultiplexer redis = await ConnectAsync(server, protocol);
        IDatabase db = redis.GetDatabase();

        await db.HashSetAsync("h", [new HashEntry("a", "1"), new HashEntry("b", "2")]);
        HashEntry[] entries = await db.HashGetAllAsync("h");
        await Assert.That(entries.Length).IsEqualTo(2);
        await Assert.That((string?)await db.HashGetAsync("h", "b")).IsEqualTo("2");
        await Assert.That(await db.HashIncrementAsync("h", "a", 5)).IsEqualTo(6);
        await Assert.That(await db.HashLengthAsync("h")).IsEqualTo(2);

        await Assert.That(await db.ListRightPushAsync("l", ["x", "y", "z"])).IsEqualTo(3);
        RedisValue[] range = await db.ListRangeAsync("l", 0, -1);
        await Assert.That(string.Join(",", range.Select(v => (string?)v))).IsEqualTo("x,y,z");
        await Assert.That((string?)await db.ListLeftPopAsync("l")).IsEqualTo("x");
        await Assert.That(await db.ListLengthAsync("l")).IsEqualTo(2);

        await Assert.That(await db.SetAddAsync("s", ["1", "2", "3"])).IsEqualTo(3);
        await Assert.That(await db.SetContainsAsync("s", "2")).IsTrue();
        await db.SetAddAsync("t", ["2", "3", "4"]);
        RedisValue[] inter = await db.SetCombineAsync(SetOperation.Intersect, "s", "t");
        await Assert.That(inter.Length).IsEqualTo(2);

        await db.SortedSetAddAsync("z", [new SortedSetEntry("a", 3), new SortedSetEntry("b", 1), new SortedSetEntry("c", 2)]);
        SortedSetEntry[] ranked = await db.SortedSetRangeByRankWithScoresAsync("z", 0, -1);
        await Assert.That(string.Join(",", ranked.Select(e => $"{e.Element}:{e.Score}"))).IsEqualTo("b:1,c:2,a:3");
        await Assert.That(await db.SortedSetScoreAsync("z", "c")).IsEqualTo(2);
        await Assert.That(await db.SortedSetRankAsync("z", "a")).IsEqualTo(2);
        RedisValue[] byScore = await db.SortedSetRangeByScoreAsync("z", 1.5, 10, order: Order.Descending);
        await Assert.That(string.Join(",", byScore.Select(v => (string?)v))).IsEqualTo("a,c");
        SortedSetEntry? min = await db.SortedSetPopAsync("z");
        await Assert.That(min!.Value.Element.ToString()).IsEqualTo("b");
    }

    [Test]
    public async Task Transactions_with_conditions_use_watch_and_exec()
    {
        await using RespTestServer server = RespTestServer.Start();
        await using ConnectionMultiplexer redis = await ConnectAsync(server);
        IDatabase db = redis.GetDatabase();
        await db.StringSetAsync("balance", "10");
        ITransaction tx = db.CreateTransaction();
        tx.AddCondition(Condition.StringEqual("balance", "10"));
        _ = tx.StringDecrementAsync("balance", 3);
        _ = tx.StringIncrementAsync("other", 3);
        await Assert.That(await tx.ExecuteAsync()).IsTrue();
        await Assert.That((string?)await db.StringGetAsync("balance")).IsEqualTo("7");
        ITransaction failing = db.CreateTransaction();
        failing.AddCondition(Condition.StringEqual("balance", "10"));
        _ = failing.StringSetAsync("balance", "0");
        await Assert.That(await failing.ExecuteAsync()).IsFalse();
        await Assert.That((string?)await db.StringGetAsync("balance")).IsEqualTo("7");
    }

    [Test]
    [Arguments(RedisProtocol.Resp2)]
    [Arguments(RedisProtocol.Resp3)]
    public async Task Pub_sub_delivers_channel_and_pattern_messages(RedisProtocol protocol)
    {
        await using RespTestServer server = RespTestServer.Start();
        await using ConnectionMultiplexer redis = await ConnectAsync(server, protocol);
        ISubscriber sub = redis.GetSubscriber();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var patterned = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await sub.SubscribeAsync(RedisChannel.Literal("news"), (_, m) => received.TrySetResult(m!));
        await sub.SubscribeAsync(RedisChannel.Pattern("ne*"), (c, m) => patterned.TrySetResult(c + "=" + m));
        long receivers = await sub.PublishAsync(RedisChannel.Literal("news"), "hello");
        await Assert.That(receivers).IsEqualTo(2);
        await Assert.That(await received.Task.WaitAsync(TimeSpan.FromSeconds(5))).IsEqualTo("hello");
        await Assert.That(await patterned.Task.WaitAsync(TimeSpan.FromSeconds(5))).IsEqualTo("news=hello");
    }
}
