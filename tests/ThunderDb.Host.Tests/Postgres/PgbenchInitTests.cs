using System.Globalization;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>pgbench -i with its default steps (COPY, VACUUM ANALYZE, primary keys) and with server-side generation, then a short run.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PgbenchInitTests
{
    private const string Pgbench = "/usr/lib/postgresql/15/bin/pgbench";

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(300_000)]
    [Arguments("dtgvp")]
    [Arguments("dtGvpf")]
    public async Task Pgbench_initializes_and_a_short_run_keeps_the_balances_consistent(string steps, CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string port = server.PgPort.ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string> { ["PGCONNECT_TIMEOUT"] = "10" };
        string[] init = steps == "dtgvp" ? ["-i", "-s", "1"] : ["-i", "-s", "1", "-I", steps];
        var initialized = await ExternalTool.RunAsync(Pgbench, [.. init, "-h", "127.0.0.1", "-p", port, "-U", "thunder", "postgres"], null, TimeSpan.FromSeconds(200), env);
        await Assert.That(initialized.ExitCode).IsEqualTo(0).Because(initialized.ToString());
        await Assert.That(initialized.Stderr).Contains("vacuuming...");
        await Assert.That(initialized.Stderr).Contains("done in");

        string Counts() => "SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_tellers), (SELECT count(*) FROM pgbench_branches), "
            + "(SELECT reltuples FROM pg_class WHERE relname = 'pgbench_accounts')";
        var counts = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-A", "-t", "-c", Counts());
        await Assert.That(counts.Stdout.Trim()).IsEqualTo("100000|10|1|100000").Because(counts.ToString());

        var run = await ExternalTool.RunAsync(Pgbench, ["-c", "4", "-t", "50", "-h", "127.0.0.1", "-p", port, "-U", "thunder", "postgres"], null, TimeSpan.FromSeconds(200), env);
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.ToString());
        await Assert.That(run.Stdout).Contains("number of transactions actually processed: 200/200");
        await Assert.That(run.Stdout).Contains("number of failed transactions: 0");

        var sums = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-A", "-t", "-c",
            "SELECT (SELECT count(*) FROM pgbench_history), (SELECT sum(delta) FROM pgbench_history), (SELECT sum(abalance) FROM pgbench_accounts), "
            + "(SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(tbalance) FROM pgbench_tellers)");
        string[] parts = sums.Stdout.Trim().Split('|');
        await Assert.That(parts.Length).IsEqualTo(5).Because(sums.ToString());
        await Assert.That(parts[0]).IsEqualTo("200");
        await Assert.That(parts[2]).IsEqualTo(parts[1]);
        await Assert.That(parts[3]).IsEqualTo(parts[1]);
        await Assert.That(parts[4]).IsEqualTo(parts[1]);
    }
}
