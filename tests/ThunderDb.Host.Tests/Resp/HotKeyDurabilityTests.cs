using StackExchange.Redis;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// Writers of one hot key with <c>sync_commit = true</c>: each takes the key's write stripe in the engine's lock
/// manager, which lets the next writer go on once the commit is applied, before its fsync. The next one then builds
/// on a commit that is not durable yet; these tests check that this loses nothing: every INCR reply is distinct,
/// the final value counts every acknowledged INCR, a list gets every element, and all of it survives SIGKILL.
/// </summary>
[NotInParallel("thunderdb-process")]
public class HotKeyDurabilityTests
{
    private const int Clients = 12;
    private const int PerClient = 150;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Concurrent_writers_of_one_key_lose_nothing_and_survive_sigkill(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var replies = new System.Collections.Concurrent.ConcurrentBag<long>();
        await using (var first = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct))
        {
            var writers = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                // One connection per writer so they really race (a multiplexer would pipeline them on one socket).
                using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{first.RespPort},syncTimeout=20000,asyncTimeout=20000");
                var db = redis.GetDatabase();
                for (var i = 0; i < PerClient; i++)
                {
                    replies.Add(await db.StringIncrementAsync("hot:counter"));
                    await db.ListRightPushAsync("hot:list", $"{c}:{i}");
                }
            }, ct)).ToArray();
            await Task.WhenAll(writers).WaitAsync(ct);
            await first.KillAsync();
        }

        await Assert.That(replies.Count).IsEqualTo(Clients * PerClient);
        await Assert.That(replies.Distinct().Count()).IsEqualTo(Clients * PerClient);
        await Assert.That(replies.Max()).IsEqualTo(Clients * PerClient);

        await using var second = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct);
        using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{second.RespPort}"))
        {
            var db = redis.GetDatabase();
            await Assert.That((long)await db.StringGetAsync("hot:counter")).IsEqualTo(Clients * PerClient);
            var list = (await db.ListRangeAsync("hot:list")).Select(v => v.ToString()).ToList();
            await Assert.That(list.Count).IsEqualTo(Clients * PerClient);
            await Assert.That(list.Distinct().Count()).IsEqualTo(Clients * PerClient);
            for (var c = 0; c < Clients; c++)
            {
                var mine = list.Where(v => v.StartsWith($"{c}:", StringComparison.Ordinal)).Select(v => int.Parse(v[(v.IndexOf(':') + 1)..])).ToList();
                await Assert.That(mine).IsEquivalentTo(Enumerable.Range(0, PerClient), TUnit.Assertions.Enums.CollectionOrdering.Matching); // each writer's order kept
            }
        }

        await Assert.That(await second.StopAsync()).IsEqualTo(0).Because(second.Process.AllOutput);
    }
}
