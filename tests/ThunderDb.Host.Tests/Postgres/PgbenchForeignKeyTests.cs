using System.Globalization;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>pgbench (postgresql-client-15) initializing its tables with keys against the published binary, and psql describing them.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PgbenchForeignKeyTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(180_000)]
    public async Task Pgbench_init_with_primary_and_foreign_keys_succeeds_and_psql_shows_them(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string port = server.PgPort.ToString(CultureInfo.InvariantCulture);

        // d: drop, t: create tables, G: generate rows in the server, p: primary keys, f: foreign keys
        var init = await ExternalTool.RunAsync("pgbench", ["-i", "-s", "1", "-I", "dtGpf", "-h", "127.0.0.1", "-p", port, "-U", "thunder", "postgres"],
            null, TimeSpan.FromSeconds(150), new Dictionary<string, string> { ["PGCONNECT_TIMEOUT"] = "10" });
        await Assert.That(init.ExitCode).IsEqualTo(0).Because(init.ToString());
        await Assert.That(init.Stderr).Contains("creating foreign keys...");

        var accounts = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-c", "\\d pgbench_accounts");
        await Assert.That(accounts.ExitCode).IsEqualTo(0).Because(accounts.ToString());
        await Assert.That(accounts.Stdout).Contains("""
            Indexes:
                "pgbench_accounts_pkey" PRIMARY KEY, btree (aid)
            Foreign-key constraints:
                "pgbench_accounts_bid_fkey" FOREIGN KEY (bid) REFERENCES pgbench_branches(bid)
            Referenced by:
                TABLE "pgbench_history" CONSTRAINT "pgbench_history_aid_fkey" FOREIGN KEY (aid) REFERENCES pgbench_accounts(aid)
            """);
        var branches = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-c", "\\d pgbench_branches");
        await Assert.That(branches.Stdout).Contains("""
            Referenced by:
                TABLE "pgbench_accounts" CONSTRAINT "pgbench_accounts_bid_fkey" FOREIGN KEY (bid) REFERENCES pgbench_branches(bid)
                TABLE "pgbench_history" CONSTRAINT "pgbench_history_bid_fkey" FOREIGN KEY (bid) REFERENCES pgbench_branches(bid)
                TABLE "pgbench_tellers" CONSTRAINT "pgbench_tellers_bid_fkey" FOREIGN KEY (bid) REFERENCES pgbench_branches(bid)
            """);

        // the keys are enforced: a history row for a missing account is refused with PostgreSQL's error
        var orphan = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-c",
            "INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 100001, 0)");
        await Assert.That(orphan.Stderr).Contains("""
            ERROR:  insert or update on table "pgbench_history" violates foreign key constraint "pgbench_history_aid_fkey"
            DETAIL:  Key (aid)=(100001) is not present in table "pgbench_accounts".
            """);
    }
}
