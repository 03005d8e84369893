using ThunderDb.Host.Tests.Durability;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>Input the store cannot hold fails its own command with a clear error and never the database.</summary>
[NotInParallel("thunderdb-process")]
public class BadInputTests
{
    [Test]
    [Timeout(60_000)]
    public async Task Oversized_keys_and_members_fail_their_command_and_the_store_stays_writable(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        using var client = await MiniRespClient.ConnectAsync(server.RespPort, ct);
        var huge = new string('k', 20_000);

        var set = await client.CallAsync(ct, "SET", huge, "v") as string;
        await Assert.That(set).StartsWith("-ERR key too large");

        var sadd = await client.CallAsync(ct, "SADD", "small-set", huge) as string;
        await Assert.That(sadd).StartsWith("-ERR key too large");

        await client.CallAsync(ct, "MULTI");
        await client.CallAsync(ct, "SET", "in-multi", "1");
        await client.CallAsync(ct, "HSET", "h", huge, "1");
        var exec = await client.CallAsync(ct, "EXEC") as string;
        await Assert.That(exec).StartsWith("-EXECABORT");

        // Nothing of the discarded transaction is there, and writes still work.
        await Assert.That(await client.CallAsync(ct, "GET", "in-multi")).IsNull();
        await Assert.That(await client.CallAsync(ct, "SET", "after", "ok") as string).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "GET", "after") as string).IsEqualTo("ok");
        await Assert.That(await client.CallAsync(ct, "EXISTS", "small-set")).IsEqualTo(0L);
    }
}
