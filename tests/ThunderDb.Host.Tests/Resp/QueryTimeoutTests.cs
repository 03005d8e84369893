using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// <c>query_timeout</c> on the real binary: long RESP commands (KEYS over a million keys, SUNIONSTORE, ZUNIONSTORE) stop
/// with an error once it passes and change nothing; the value set by a SIGHUP reload is the one commands use.
/// </summary>
[NotInParallel("thunderdb-process")]
public class QueryTimeoutTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(300_000)]
    public async Task Long_commands_past_a_reloaded_query_timeout_stop_with_an_error_and_change_nothing(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, topLevel: "query_timeout = \"0s\"", ct: ct);
        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);

        // A million keys (MSET of 1000 pairs at a time), a 200,000-member set and a 200,000-member sorted set.
        await SendAllAsync(client, Enumerable.Range(0, 1000).Select(b =>
            (string[])["MSET", .. Enumerable.Range(0, 1000).SelectMany(i => new[] { $"key:{b}:{i}", "v" })]), ct);
        await SendAllAsync(client, Enumerable.Range(0, 200).Select(b =>
            (string[])["SADD", "bigset", .. Enumerable.Range(0, 1000).Select(i => $"m{b}:{i}")]), ct);
        await SendAllAsync(client, Enumerable.Range(0, 200).Select(b =>
            (string[])["ZADD", "bigzset", .. Enumerable.Range(0, 1000).SelectMany(i => new[] { $"{i}", $"z{b}:{i}" })]), ct);
        await Assert.That(await client.CallAsync(ct, "DBSIZE")).IsEqualTo(1_000_002L);

        // No timeout yet: a KEYS that matches nothing still walks every key, and finishes.
        await Assert.That(await client.CallAsync(ct, "KEYS", "nomatch*") is object?[] { Length: 0 }).IsTrue();

        // Reload with a 10 ms timeout: the running server must apply it to the next command.
        string config = dir.Combine("thunderdb.toml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("query_timeout = \"0s\"", "query_timeout = \"10ms\"", StringComparison.Ordinal));
        server.Process.Signal(ServerProcess.SIGHUP);
        await server.Process.WaitForLineAsync("query_timeout changed 0s -> 10ms", LineTimeout);

        string timedOut = "-ERR query_timeout exceeded";
        await Assert.That(await client.CallAsync(ct, "KEYS", "nomatch*") as string).StartsWith(timedOut);
        await Assert.That(await client.CallAsync(ct, "SUNIONSTORE", "dest", "bigset", "bigset") as string).StartsWith(timedOut);
        await Assert.That(await client.CallAsync(ct, "ZUNIONSTORE", "zdest", "1", "bigzset") as string).StartsWith(timedOut);

        // Inside MULTI the whole transaction is discarded, including the write queued before the long command.
        await Assert.That(await client.CallAsync(ct, "MULTI")).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "SET", "marker", "1")).IsEqualTo("QUEUED");
        await Assert.That(await client.CallAsync(ct, "SUNIONSTORE", "dest", "bigset")).IsEqualTo("QUEUED");
        await Assert.That(await client.CallAsync(ct, "EXEC") as string).StartsWith("-EXECABORT");

        // Nothing changed, the connection still works, and short commands are unaffected.
        await Assert.That(await client.CallAsync(ct, "EXISTS", "dest", "zdest", "marker")).IsEqualTo(0L);
        await Assert.That(await client.CallAsync(ct, "DBSIZE")).IsEqualTo(1_000_002L);
        await Assert.That(await client.CallAsync(ct, "SCARD", "bigset")).IsEqualTo(200_000L);
        await Assert.That(await client.CallAsync(ct, "GET", "key:7:7")).IsEqualTo("v");
        await Assert.That(server.Process.AllOutput).DoesNotContain("storage engine error");
    }

    private static async Task SendAllAsync(RespTestClient client, IEnumerable<string[]> commands, CancellationToken ct)
    {
        foreach (string[][] batch in commands.Chunk(50))
        {
            await client.SendPipelineAsync(ct, batch);
            for (int i = 0; i < batch.Length; i++)
            {
                object? reply = await client.ReadAsync(ct);
                if (reply is string s && s.StartsWith('-'))
                {
                    throw new InvalidOperationException("load failed: " + s);
                }
            }
        }
    }
}
