using System.Globalization;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Durability;

/// <summary>
/// pgbench -i (COPY of 200,000 rows in one transaction, ADD PRIMARY KEY, DROP TABLE of the previous load: the large
/// write sets the write set's ascending run holds) against the real binary with SIGKILL: an acknowledged load survives
/// the kill whole, and a load killed part-way leaves each table either absent, empty or complete, never partial.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class PgbenchCrashTests
{
    private const string Pgbench = "/usr/lib/postgresql/15/bin/pgbench";
    private static readonly Dictionary<string, string> Env = new() { ["PGCONNECT_TIMEOUT"] = "10" };

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static Task<ToolResult> InitAsync(RunningServer server, int scale) =>
        ExternalTool.RunAsync(Pgbench, ["-i", "-s", scale.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-p", server.PgPort.ToString(CultureInfo.InvariantCulture), "-U", "thunder", "postgres"],
            null, TimeSpan.FromSeconds(200), Env);

    private static async Task<string> QueryAsync(RunningServer server, string sql)
    {
        var result = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-A", "-t", "-c", sql);
        return (result.Stdout + result.Stderr).Trim();
    }

    [Test]
    [Timeout(300_000)]
    public async Task An_acknowledged_load_survives_sigkill_and_a_killed_load_leaves_no_partial_table(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            var init = await InitAsync(server, 2);
            await Assert.That(init.ExitCode).IsEqualTo(0).Because(init.ToString());
            await server.KillAsync();
        }

        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            await Assert.That(await QueryAsync(server, "SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT sum(abalance) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_tellers), (SELECT count(*) FROM pgbench_branches)"))
                .IsEqualTo("200000|0|20|2");
            await Assert.That(await QueryAsync(server, "SELECT bid FROM pgbench_accounts WHERE aid = 123456")).IsEqualTo("2");
            await Assert.That(await QueryAsync(server, "SELECT count(*) FROM pg_indexes WHERE indexname = 'pgbench_accounts_pkey'")).IsEqualTo("1");

            // Again (drop, create, COPY, keys), killed part-way: wherever the kill lands, every table is all or nothing.
            var load = InitAsync(server, 2);
            await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
            await server.KillAsync();
            _ = await load;
        }

        await using (var server = await RunningServer.StartAsync(dir, ct: ct))
        {
            foreach ((string table, int rows) in new[] { ("pgbench_accounts", 200_000), ("pgbench_tellers", 20), ("pgbench_branches", 2) })
            {
                var count = await QueryAsync(server, $"SELECT count(*) FROM {table}");
                await Assert.That(count == "0" || count == rows.ToString(CultureInfo.InvariantCulture) || count.Contains("does not exist", StringComparison.Ordinal))
                    .IsTrue().Because($"{table} after the kill: {count}");
            }

            var reload = await InitAsync(server, 1);
            await Assert.That(reload.ExitCode).IsEqualTo(0).Because(reload.ToString());
            await Assert.That(await QueryAsync(server, "SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT sum(abalance) FROM pgbench_accounts)")).IsEqualTo("100000|0");
            await Assert.That(await server.StopAsync()).IsEqualTo(0);
        }
    }
}
