using System.Globalization;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>psql (postgresql-client-15) against the published binary's pg_port: queries, errors, transactions.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PsqlTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    /// <summary>psql with no ~/.psqlrc, unaligned output, against 127.0.0.1:port.</summary>
    internal static Task<ToolResult> PsqlAsync(int port, string? stdin, IReadOnlyDictionary<string, string>? env, params string[] args) =>
        ExternalTool.RunAsync("psql", ["-X", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. args], stdin, TimeSpan.FromSeconds(30),
            new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["PGCONNECT_TIMEOUT"] = "10" });

    [Test]
    [Timeout(60_000)]
    public async Task Multi_statement_query_creates_inserts_and_selects(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        var r = await PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
            "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'a'), (2, NULL); SELECT id, name FROM t ORDER BY id");
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Stdout).Contains("CREATE TABLE\nINSERT 0 2\n id | name \n----+------\n  1 | a\n  2 | \n(2 rows)");

        var count = await PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-A", "-t", "-c", "SELECT count(*), max(id) FROM t");
        await Assert.That(count.Stdout.Trim()).IsEqualTo("2|2").Because(count.ToString());
        await Assert.That(server.Process.AllOutput).Contains($"Listening: pg on 127.0.0.1:{server.PgPort}");
        await Assert.That(server.Process.AllOutput).DoesNotContain("ports left unbound: pg");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Errors_carry_the_sqlstate_and_stop_the_script(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        var r = await PsqlAsync(server.PgPort, "\\set VERBOSITY verbose\nSELECT * FROM missing_table;\nSELECT 'not reached';\n", null,
            "-U", "thunder", "-d", "postgres", "-v", "ON_ERROR_STOP=1");
        await Assert.That(r.ExitCode).IsEqualTo(3).Because(r.ToString());
        await Assert.That(r.Stderr).Contains("ERROR:  42P01: relation \"missing_table\" does not exist");
        await Assert.That(r.Stdout).DoesNotContain("not reached");

        var db = await PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "nosuchdb", "-c", "SELECT 1");
        await Assert.That(db.ExitCode).IsEqualTo(2);
        await Assert.That(db.Stderr).Contains("FATAL:  database \"nosuchdb\" does not exist");
    }

    [Test]
    [Timeout(60_000)]
    public async Task An_error_aborts_the_transaction_until_rollback(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        const string Script = """
            CREATE TABLE acct (id int PRIMARY KEY, balance int);
            INSERT INTO acct VALUES (1, 100);
            BEGIN;
            UPDATE acct SET balance = 0 WHERE id = 1;
            SELECT 1 / 0;
            SELECT balance FROM acct;
            ROLLBACK;
            SELECT balance FROM acct;
            """;
        var r = await PsqlAsync(server.PgPort, Script, null, "-U", "thunder", "-d", "postgres", "-A", "-t");
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Stderr).Contains("ERROR:  division by zero");
        await Assert.That(r.Stderr).Contains("ERROR:  current transaction is aborted, commands ignored until end of transaction block");
        await Assert.That(r.Stdout).Contains("ROLLBACK\n100");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Password_authentication_accepts_the_superuser_and_refuses_wrong_passwords(CancellationToken ct)
    {
        const string Password = "pg secret 42";
        using var dir = new TempDirectory();
        var hash = BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{hash}"
            """, ct: ct);
        var ok = await PsqlAsync(server.PgPort, null, new Dictionary<string, string> { ["PGPASSWORD"] = Password },
            "-U", "admin", "-d", "postgres", "-A", "-t", "-c", "SELECT current_user");
        await Assert.That(ok.ExitCode).IsEqualTo(0).Because(ok.ToString());
        await Assert.That(ok.Stdout.Trim()).IsEqualTo("admin");

        var wrong = await PsqlAsync(server.PgPort, null, new Dictionary<string, string> { ["PGPASSWORD"] = "nope" },
            "-U", "admin", "-d", "postgres", "-c", "SELECT 1");
        await Assert.That(wrong.ExitCode).IsEqualTo(2);
        await Assert.That(wrong.Stderr).Contains("FATAL:  password authentication failed for user \"admin\"");

        var stranger = await PsqlAsync(server.PgPort, null, new Dictionary<string, string> { ["PGPASSWORD"] = Password },
            "-U", "mallory", "-d", "postgres", "-c", "SELECT 1");
        await Assert.That(stranger.Stderr).Contains("FATAL:  password authentication failed for user \"mallory\"");
        await Assert.That(server.Process.AllOutput).DoesNotContain("nope");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Size_listings_of_tables_indexes_databases_and_views_answer(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        var setup = await PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
            "CREATE TABLE sized (id int PRIMARY KEY, v text); CREATE INDEX sized_v ON sized (v); CREATE VIEW sized_view AS SELECT id FROM sized WHERE id > 5;" +
            " INSERT INTO sized SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g");
        await Assert.That(setup.ExitCode).IsEqualTo(0).Because(setup.ToString());

        var r = await PsqlAsync(server.PgPort, null, null, "-U", "thunder", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-A",
            "-c", "\\dt+ sized", "-c", "\\di+ sized*", "-c", "\\l+ postgres", "-c", "\\d+ sized_view", "-c", "\\df");
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        // 2000 rows of 200 bytes: the table, and the index that holds every value again, are each a few hundred kB
        await Assert.That(r.Stdout).Matches(@"public\|sized\|table\|\w+\|permanent\|heap\|\d{3} kB\|");
        await Assert.That(r.Stdout).Matches(@"public\|sized_v\|index\|\w+\|sized\|permanent\|btree\|\d{3} kB\|");
        await Assert.That(r.Stdout).Matches(@"postgres\|\w+\|UTF8\|.*\|\d+ kB\|pg_default\|");
        await Assert.That(r.Stdout).Contains("View definition:");
        await Assert.That(r.Stdout).Contains("List of functions");
    }
}
