using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Durability;

/// <summary>The real binary refuses to start when THUNDERDB_WAL_DIR points at a directory that is not its WAL.</summary>
[NotInParallel("thunderdb-process")]
public class WalDirectoryTests
{
    private const int SIGKILL = 9;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task A_mistyped_wal_dir_after_sigkill_stops_startup_naming_the_directory_and_lsn(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var respPort = ServerProcess.FreePort();
        var httpPort = ServerProcess.FreePort();
        var config = dir.Write("thunderdb.toml", $"""
            http_port = {httpPort}
            data_dir = "{dir.Combine("data")}"
            [storage]
            sync_commit = true
            """);
        await using (var server = await ServerProcess.StartAsync(dir.Path, ["--config", config], CrashRecoveryTests.RespPortEnv(respPort)))
        {
            await CrashRecoveryTests.WaitReadyAsync(httpPort, server, ct);
            using var client = await RespTestClient.ConnectAsync(respPort, ct);
            for (var i = 0; i < 50; i++)
            {
                await Assert.That(await client.CallAsync(ct, "SET", $"k{i}", $"v{i}")).IsEqualTo("OK");
            }

            server.Signal(SIGKILL);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var typo = dir.Combine("data/wall");
        var env = CrashRecoveryTests.RespPortEnv(ServerProcess.FreePort());
        env["THUNDERDB_WAL_DIR"] = typo;
        await using (var refused = await ServerProcess.StartAsync(dir.Path, ["--config", config], env))
        {
            var exit = await refused.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await Assert.That(exit).IsNotEqualTo(0).Because(refused.AllOutput);
            await Assert.That(refused.AllOutput).Contains(typo);
            await Assert.That(refused.AllOutput).Contains("needs the WAL from LSN 0");
        }

        // With the right directory every acknowledged key is back.
        respPort = ServerProcess.FreePort();
        await using var recovered = await ServerProcess.StartAsync(dir.Path, ["--config", config], CrashRecoveryTests.RespPortEnv(respPort));
        await CrashRecoveryTests.WaitReadyAsync(httpPort, recovered, ct);
        using var check = await RespTestClient.ConnectAsync(respPort, ct);
        for (var i = 0; i < 50; i++)
        {
            await Assert.That(await check.CallAsync(ct, "GET", $"k{i}")).IsEqualTo($"v{i}");
        }

        recovered.Signal(ServerProcess.SIGTERM);
        await Assert.That(await recovered.WaitForExitAsync(TimeSpan.FromSeconds(20))).IsEqualTo(0).Because(recovered.AllOutput);
    }
}
