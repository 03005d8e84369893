using StackExchange.Redis;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// StackExchange.Redis writes every data type, the server goes down (SIGKILL with <c>sync_commit = true</c>,
/// or a graceful SIGTERM with <c>sync_commit = false</c>) and a restart on the same data directory
/// reads back everything acknowledged, with TTLs still counting down.
/// </summary>
[NotInParallel("thunderdb-process")]
public class RestartTests
{
    private static readonly TimeSpan LongTtl = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan ShortTtl = TimeSpan.FromSeconds(3);

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(90_000)]
    public async Task Sigkill_with_sync_commit_keeps_every_acknowledged_write_and_ttl(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        DateTime shortDeadline;
        await using (var first = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct))
        {
            shortDeadline = await WriteAllAsync(first.RespPort);
            await first.KillAsync();
        }

        await using var second = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct);
        await VerifyAllAsync(second.RespPort, shortDeadline, ct);
        await Assert.That(await second.StopAsync()).IsEqualTo(0).Because(second.Process.AllOutput);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Graceful_sigterm_without_sync_commit_keeps_everything(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        DateTime shortDeadline;
        await using (var first = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct))
        {
            shortDeadline = await WriteAllAsync(first.RespPort);
            await Assert.That(await first.StopAsync()).IsEqualTo(0).Because(first.Process.AllOutput);
            await Assert.That(first.Process.StdoutLines[^1]).Contains("ThunderDB server stopped");
        }

        await using var second = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        await VerifyAllAsync(second.RespPort, shortDeadline, ct);
        await Assert.That(await second.StopAsync()).IsEqualTo(0).Because(second.Process.AllOutput);
    }

    private static ConnectionMultiplexer Connect(int port) => ConnectionMultiplexer.Connect(new ConfigurationOptions
    {
        EndPoints = { { "127.0.0.1", port } },
        ConnectTimeout = 5000,
        SyncTimeout = 5000,
        AsyncTimeout = 5000,
        AbortOnConnectFail = true,
        ConnectRetry = 1,
    });

    /// <summary>Writes and awaits each reply; returns when the short-TTL key must be gone.</summary>
    private static async Task<DateTime> WriteAllAsync(int port)
    {
        using var mux = Connect(port);
        var db = mux.GetDatabase();

        for (var i = 0; i < 50; i++)
        {
            await Assert.That(await db.StringSetAsync($"str:{i}", $"value-{i}-" + new string('s', i * 10))).IsTrue();
        }

        await Assert.That(await db.StringSetAsync("ttl:long", "stays", LongTtl)).IsTrue();
        await Assert.That(await db.StringSetAsync("ttl:short", "goes", ShortTtl)).IsTrue();
        var shortDeadline = DateTime.UtcNow + ShortTtl;
        await Assert.That(await db.StringIncrementAsync("counter", 41)).IsEqualTo(41);
        await Assert.That(await db.StringIncrementAsync("counter")).IsEqualTo(42);

        await db.HashSetAsync("hash", [new HashEntry("name", "ada"), new HashEntry("lang", "en"), new HashEntry("visits", 7)]);
        await Assert.That(await db.HashIncrementAsync("hash", "visits", 3)).IsEqualTo(10);
        await Assert.That(await db.KeyExpireAsync("hash", LongTtl)).IsTrue();

        await Assert.That(await db.ListRightPushAsync("list", ["a", "b", "c", "d"])).IsEqualTo(4);
        await Assert.That(await db.ListLeftPushAsync("list", "z")).IsEqualTo(5);
        await Assert.That((string?)await db.ListRightPopAsync("list")).IsEqualTo("d");

        await Assert.That(await db.SetAddAsync("set", ["red", "green", "blue", "red"])).IsEqualTo(3);
        await Assert.That(await db.SetRemoveAsync("set", "green")).IsTrue();

        await Assert.That(await db.SortedSetAddAsync("zset", [new SortedSetEntry("one", 1), new SortedSetEntry("two", 2), new SortedSetEntry("three", 3.5)])).IsEqualTo(3);
        await Assert.That(await db.SortedSetIncrementAsync("zset", "one", 10)).IsEqualTo(11);

        var tx = db.CreateTransaction();
        _ = tx.StringSetAsync("tx:a", "A");
        _ = tx.StringSetAsync("tx:b", "B");
        await Assert.That(await tx.ExecuteAsync()).IsTrue();

        await Assert.That(await db.KeyDeleteAsync("str:49")).IsTrue();
        return shortDeadline;
    }

    private static async Task VerifyAllAsync(int port, DateTime shortDeadline, CancellationToken ct)
    {
        using var mux = Connect(port);
        var db = mux.GetDatabase();

        for (var i = 0; i < 49; i++)
        {
            await Assert.That((string?)await db.StringGetAsync($"str:{i}")).IsEqualTo($"value-{i}-" + new string('s', i * 10));
        }

        await Assert.That(await db.KeyExistsAsync("str:49")).IsFalse();
        await Assert.That((long)await db.StringGetAsync("counter")).IsEqualTo(42);
        await Assert.That((string?)await db.StringGetAsync("tx:a")).IsEqualTo("A");
        await Assert.That((string?)await db.StringGetAsync("tx:b")).IsEqualTo("B");

        var hash = (await db.HashGetAllAsync("hash")).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        await Assert.That(hash).IsEquivalentTo(new Dictionary<string, string?> { ["name"] = "ada", ["lang"] = "en", ["visits"] = "10" });
        var list = (await db.ListRangeAsync("list")).Select(v => v.ToString()).ToArray();
        await Assert.That(list).IsEquivalentTo(["z", "a", "b", "c"], TUnit.Assertions.Enums.CollectionOrdering.Matching);
        var set = (await db.SetMembersAsync("set")).Select(v => v.ToString()).Order(StringComparer.Ordinal).ToArray();
        await Assert.That(set).IsEquivalentTo(["blue", "red"], TUnit.Assertions.Enums.CollectionOrdering.Matching);
        var zset = await db.SortedSetRangeByRankWithScoresAsync("zset");
        await Assert.That(zset.Select(e => $"{e.Element}={e.Score}")).IsEquivalentTo(["two=2", "three=3.5", "one=11"], TUnit.Assertions.Enums.CollectionOrdering.Matching);

        // Persisted keys have no TTL; expiring ones keep theirs and it keeps counting down.
        await Assert.That(await db.KeyTimeToLiveAsync("counter")).IsNull();
        var ttl1 = await db.KeyTimeToLiveAsync("ttl:long");
        var hashTtl = await db.KeyTimeToLiveAsync("hash");
        await Assert.That(ttl1).IsNotNull();
        await Assert.That(ttl1!.Value).IsGreaterThan(LongTtl - TimeSpan.FromSeconds(60)).And.IsLessThanOrEqualTo(LongTtl);
        await Assert.That(hashTtl).IsNotNull();
        await Assert.That(hashTtl!.Value).IsGreaterThan(LongTtl - TimeSpan.FromSeconds(60)).And.IsLessThanOrEqualTo(LongTtl);
        await Assert.That((string?)await db.StringGetAsync("ttl:long")).IsEqualTo("stays");

        await Task.Delay(1200, ct);
        var ttl2 = await db.KeyTimeToLiveAsync("ttl:long");
        await Assert.That(ttl2!.Value).IsLessThan(ttl1.Value);

        // The short TTL ran out across the restart (or right after): the key disappears on its own.
        var wait = shortDeadline - DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct);
        }

        await Assert.That((string?)await db.StringGetAsync("ttl:short")).IsNull();
        await Assert.That(await db.KeyExistsAsync("ttl:short")).IsFalse();
    }
}
