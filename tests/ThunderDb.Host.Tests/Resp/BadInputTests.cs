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
        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);
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

    [Test]
    [Timeout(60_000)]
    public async Task A_transaction_over_max_transaction_size_answers_execabort_and_the_connection_stays_usable(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        // 200 queued 1 KB SETs pass a 100 KB storage.max_transaction_size (a write set larger than the WAL buffer alone
        // commits in chunks: LargeTransactionCrashTests).
        await using var server = await RunningServer.StartAsync(dir, sections: "wal_buffer_size = 65536\nmax_transaction_size = 102400", ct: ct);
        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);
        var value = new string('v', 1024);
        await Assert.That(await client.CallAsync(ct, "MULTI")).IsEqualTo("OK");
        await client.SendPipelineAsync(ct, Enumerable.Range(0, 200).Select(i => new[] { "SET", $"big:{i}", value }));
        for (var i = 0; i < 200; i++)
        {
            await Assert.That(await client.ReadAsync(ct)).IsEqualTo("QUEUED");
        }

        var exec = await client.CallAsync(ct, "EXEC") as string;
        await Assert.That(exec).StartsWith("-EXECABORT Transaction discarded because of: ERR transaction too large");
        await Assert.That(exec).Contains("storage.max_transaction_size (102400 bytes)");
        await Assert.That(await client.CallAsync(ct, "PING")).IsEqualTo("PONG");
        await Assert.That(await client.CallAsync(ct, "EXISTS", "big:0", "big:199")).IsEqualTo(0L);
        await Assert.That(await client.CallAsync(ct, "SET", "after", "ok")).IsEqualTo("OK");
        await Assert.That(server.Process.AllOutput).DoesNotContain("failed in the storage engine");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_blocking_move_into_a_key_too_large_answers_the_error_and_keeps_the_connection(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await client.CallAsync(ct, "RPUSH", "src", "a")).IsEqualTo(1L);
        var moved = await client.CallAsync(ct, "BLMOVE", "src", new string('k', 20_000), "LEFT", "LEFT", "1") as string;
        await Assert.That(moved).StartsWith("-ERR key too large");
        await Assert.That(await client.CallAsync(ct, "PING")).IsEqualTo("PONG");
        await Assert.That(await client.CallAsync(ct, "LLEN", "src")).IsEqualTo(1L);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Values_beyond_the_wal_buffer_are_refused_early_and_never_logged_as_engine_errors(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        // Lands in the [storage] table RunningServer writes last.
        await using var server = await RunningServer.StartAsync(dir, sections: "wal_buffer_size = 1048576", ct: ct);
        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);
        long max = 1048576 - 16384 - 1024;
        var tooLarge = $"-ERR value is too large (max {max} bytes, set by storage.wal_buffer_size)";
        for (int i = 0; i < 5; i++)
        {
            await Assert.That(await client.CallAsync(ct, "SETRANGE", "k", "536870911", "x") as string).IsEqualTo(tooLarge);
        }

        // Each value fits, both together do not fit one WAL record: the commit logs them as chunk records.
        var half = new string('v', 600_000);
        await Assert.That(await client.CallAsync(ct, "MSET", "a", half, "b", half) as string).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "STRLEN", "a")).IsEqualTo(600_000L);
        await Assert.That(await client.CallAsync(ct, "STRLEN", "b")).IsEqualTo(600_000L);

        string log = server.Process.AllOutput;
        await Assert.That(log).DoesNotContain("ERROR");
        await Assert.That(log).DoesNotContain("   at ");
    }
}
