using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Durability;

/// <summary>
/// Large transactions with the real binary and SIGKILL: a MULTI/EXEC whose write set is many times
/// <c>wal_buffer_size</c> (so it is logged as chunk records before its commit record) survives a kill once EXEC
/// answered, and leaves nothing when the process dies while its chunks are being written.
/// </summary>
[NotInParallel("thunderdb-process")]
public class LargeTransactionCrashTests
{
    private const int SIGKILL = 9;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static string Config(TempDirectory dir, int httpPort) => dir.Write("thunderdb.toml", $"""
        http_port = {httpPort}
        data_dir = "{dir.Combine("data")}"
        [storage]
        sync_commit = true
        wal_buffer_size = 1048576
        checkpoint_interval = "1s"
        """);

    private static string Value(int i) => i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + new string((char)('a' + (i % 26)), 1000);

    /// <summary>Sends MULTI, <paramref name="count"/> SETs and EXEC while reading the replies; returns the task of EXEC's reply.</summary>
    private static async Task<Task<object?>> SendLargeMultiAsync(RespTestClient client, string prefix, int count, CancellationToken ct)
    {
        var replies = Task.Run(async () =>
        {
            for (var i = 0; i < count + 1; i++)
            {
                var reply = await client.ReadAsync(ct);
                if (reply is not ("OK" or "QUEUED"))
                {
                    throw new InvalidDataException($"reply {i} to the queued transaction: {reply}");
                }
            }

            return await client.ReadAsync(ct);
        }, ct);
        await client.SendPipelineAsync(ct, [["MULTI"]]);
        for (var start = 0; start < count; start += 1000)
        {
            await client.SendPipelineAsync(ct, Enumerable.Range(start, Math.Min(1000, count - start)).Select(i => new[] { "SET", $"{prefix}:{i:D6}", Value(i) }));
        }

        await client.SendPipelineAsync(ct, [["EXEC"]]);
        return replies;
    }

    private static async Task<int> CountPresentAsync(int respPort, string prefix, int count, CancellationToken ct)
    {
        using var client = await RespTestClient.ConnectAsync(respPort, ct);
        var present = 0;
        for (var i = 0; i < count; i += 37)
        {
            var got = await client.CallAsync(ct, "GET", $"{prefix}:{i:D6}") as string;
            if (got is not null)
            {
                await Assert.That(got).IsEqualTo(Value(i));
                present++;
            }
        }

        return present;
    }

    [Test]
    [Timeout(240_000)]
    public async Task A_large_multi_exec_survives_sigkill_once_acknowledged_and_leaves_nothing_when_killed_mid_commit(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        const int Committed = 20_000; // ~20 MB: 20 times the WAL buffer
        const int Killed = 60_000;
        var sampled = (Committed + 36) / 37;

        var respPort = ServerProcess.FreePort();
        var httpPort = ServerProcess.FreePort();
        await using (var server = await ServerProcess.StartAsync(dir.Path, ["--config", Config(dir, httpPort)], CrashRecoveryTests.RespPortEnv(respPort)))
        {
            await CrashRecoveryTests.WaitReadyAsync(httpPort, server, ct);
            using var client = await RespTestClient.ConnectAsync(respPort, ct);
            var exec = await (await SendLargeMultiAsync(client, "done", Committed, ct)).WaitAsync(TimeSpan.FromSeconds(120), ct);
            await Assert.That(exec is object?[] { Length: Committed }).IsTrue().Because($"EXEC answered {exec}");
            server.Signal(SIGKILL);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        respPort = ServerProcess.FreePort();
        httpPort = ServerProcess.FreePort();
        await using (var server = await ServerProcess.StartAsync(dir.Path, ["--config", Config(dir, httpPort)], CrashRecoveryTests.RespPortEnv(respPort)))
        {
            await CrashRecoveryTests.WaitReadyAsync(httpPort, server, ct);
            await Assert.That(await CountPresentAsync(respPort, "done", Committed, ct)).IsEqualTo(sampled);

            // Now a larger one, killed while its chunks are going to the WAL (EXEC has not answered).
            var walDir = Path.Combine(dir.Combine("data"), "wal");
            long WalBytes() => Directory.EnumerateFiles(walDir, "*.wal").Sum(f => new FileInfo(f).Length);
            var before = WalBytes();
            using var client = await RespTestClient.ConnectAsync(respPort, ct);
            var exec = await SendLargeMultiAsync(client, "lost", Killed, ct);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (WalBytes() - before < 8L << 20 && !exec.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, ct);
            }

            server.Signal(SIGKILL);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await Assert.That(exec.IsCompletedSuccessfully).IsFalse().Because("the kill was meant to land before EXEC answered");
            await Assert.That(WalBytes() - before).IsGreaterThanOrEqualTo(8L << 20).Because("part of the transaction had reached the WAL");
        }

        respPort = ServerProcess.FreePort();
        httpPort = ServerProcess.FreePort();
        await using (var server = await ServerProcess.StartAsync(dir.Path, ["--config", Config(dir, httpPort)], CrashRecoveryTests.RespPortEnv(respPort)))
        {
            await CrashRecoveryTests.WaitReadyAsync(httpPort, server, ct);
            await Assert.That(await CountPresentAsync(respPort, "lost", Killed, ct)).IsEqualTo(0);
            await Assert.That(await CountPresentAsync(respPort, "done", Committed, ct)).IsEqualTo(sampled);
            server.Signal(ServerProcess.SIGTERM);
            await Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(30))).IsEqualTo(0).Because(server.AllOutput);
        }
    }
}
