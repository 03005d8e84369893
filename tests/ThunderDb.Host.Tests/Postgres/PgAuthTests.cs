using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// PostgreSQL authentication with real clients (psql, psycopg 3 over libpq 15) against the published binary:
/// SCRAM-SHA-256 by default, MD5 and cleartext when configured, the superuser's bcrypt secret, and roles made
/// with CREATE / ALTER / DROP USER.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class PgAuthTests
{
    private const string SuperPassword = "super secret 1";

    /// <summary>One hash for every server of the class, so a restart on the same data keeps the superuser's derived verifier valid.</summary>
    private static readonly string SuperHash = BCrypt.Net.BCrypt.HashPassword(SuperPassword, BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static Task<RunningServer> StartAsync(TempDirectory dir, string method, CancellationToken ct, string? hash = null)
    {
        return RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{hash ?? SuperHash}"
            pg_auth_method = "{method}"

            [logging]
            level = "debug"
            """, ct: ct);
    }

    private static Task<ToolResult> Psql(RunningServer server, string user, string password, string sql, string database = "postgres") =>
        PsqlTests.PsqlAsync(server.PgPort, null, new Dictionary<string, string> { ["PGPASSWORD"] = password },
            "-U", user, "-d", database, "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql);

    private static async Task<string> AdminAsync(RunningServer server, string sql)
    {
        ToolResult r = await Psql(server, "admin", SuperPassword, sql);
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        return r.Stdout.Trim();
    }

    private static int Count(RunningServer server, string fragment) =>
        server.Process.AllOutput.Split('\n').Count(l => l.Contains(fragment, StringComparison.Ordinal));

    [Test]
    [Timeout(120_000)]
    public async Task Scram_for_the_superuser_after_its_first_login_and_for_created_users(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir, "scram-sha-256", ct);

        // first login: cleartext checked with bcrypt (warned: no TLS), then the verifier is stored; later ones are SCRAM
        await Assert.That(await AdminAsync(server, "SELECT current_user, session_user")).IsEqualTo("admin|admin");
        await Assert.That(server.Process.AllOutput).Contains("has no SCRAM verifier yet");
        await Assert.That(server.Process.AllOutput).Contains("stored a SCRAM-SHA-256 verifier for the superuser admin");
        await Assert.That(Count(server, "user admin authenticated with password")).IsEqualTo(1);
        await Assert.That(await AdminAsync(server, "CREATE USER alice WITH PASSWORD 'alice pw' CREATEDB; CREATE ROLE readers")).IsEqualTo("CREATE ROLE\nCREATE ROLE");
        await Assert.That(Count(server, "user admin authenticated with scram-sha-256")).IsEqualTo(1);
        ToolResult wrongSuper = await Psql(server, "admin", "nope", "SELECT 1");
        await Assert.That(wrongSuper.Stderr).Contains("FATAL:  password authentication failed for user \"admin\"");

        ToolResult alice = await Psql(server, "alice", "alice pw", "SELECT current_user, session_user; SHOW is_superuser");
        await Assert.That(alice.ExitCode).IsEqualTo(0).Because(alice.ToString());
        await Assert.That(alice.Stdout.Trim()).IsEqualTo("alice|alice\noff");
        await Assert.That(Count(server, "user alice authenticated with scram-sha-256")).IsEqualTo(1);

        // a wrong password and an unknown user get the same answer
        ToolResult wrong = await Psql(server, "alice", "guess", "SELECT 1");
        await Assert.That(wrong.ExitCode).IsEqualTo(2);
        await Assert.That(wrong.Stderr).Contains("FATAL:  password authentication failed for user \"alice\"");
        ToolResult stranger = await Psql(server, "mallory", "guess", "SELECT 1");
        await Assert.That(stranger.Stderr).Contains("FATAL:  password authentication failed for user \"mallory\"");

        // a role without LOGIN is refused after its password checks out
        await AdminAsync(server, "ALTER ROLE readers PASSWORD 'readers pw'");
        ToolResult nologin = await Psql(server, "readers", "readers pw", "SELECT 1");
        await Assert.That(nologin.Stderr).Contains("FATAL:  role \"readers\" is not permitted to log in");
        ToolResult noDb = await Psql(server, "alice", "alice pw", "SELECT 1", database: "nosuchdb");
        await Assert.That(noDb.Stderr).Contains("FATAL:  database \"nosuchdb\" does not exist");

        // only a superuser manages roles
        ToolResult denied = await PsqlTests.PsqlAsync(server.PgPort, null, new Dictionary<string, string> { ["PGPASSWORD"] = "alice pw" },
            "-U", "alice", "-d", "postgres", "-c", "\\set VERBOSITY verbose", "-c", "CREATE ROLE x");
        await Assert.That(denied.Stderr).Contains("ERROR:  42501: permission denied to create role");

        // psql \du as PostgreSQL 15 prints it
        ToolResult du = await PsqlTests.PsqlAsync(server.PgPort, null, new Dictionary<string, string> { ["PGPASSWORD"] = SuperPassword },
            "-U", "admin", "-d", "postgres", "-c", "\\du");
        await Assert.That(du.Stdout).Contains("""
             Role name |                         Attributes                         | Member of 
            -----------+------------------------------------------------------------+-----------
             admin     | Superuser, Create role, Create DB, Replication, Bypass RLS | {}
             alice     | Create DB                                                  | {}
             readers   | Cannot login                                               | {}
            """);

        // ALTER USER ... PASSWORD: the old password stops working, the new one works; DROP USER: nothing works
        await AdminAsync(server, "ALTER USER alice PASSWORD 'second pw'");
        await Assert.That((await Psql(server, "alice", "alice pw", "SELECT 1")).Stderr).Contains("password authentication failed for user \"alice\"");
        await Assert.That((await Psql(server, "alice", "second pw", "SELECT 1")).ExitCode).IsEqualTo(0);
        await AdminAsync(server, "DROP USER alice");
        await Assert.That((await Psql(server, "alice", "second pw", "SELECT 1")).Stderr).Contains("password authentication failed for user \"alice\"");

        await Assert.That(server.Process.AllOutput).DoesNotContain("alice pw");
        await Assert.That(server.Process.AllOutput).DoesNotContain("second pw");
        await Assert.That(server.Process.AllOutput).DoesNotContain(SuperPassword);
    }

    [Test]
    [Timeout(120_000)]
    public async Task Psycopg_logs_in_with_scram_and_the_superuser_verifier_survives_a_restart(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var first = await StartAsync(dir, "scram-sha-256", ct))
        {
            await AdminAsync(first, "CREATE USER app PASSWORD 'app pw'");
        }

        await using var server = await StartAsync(dir, "scram-sha-256", ct);
        string script = $$"""
            import psycopg
            for user, password in (("app", "app pw"), ("admin", "{{SuperPassword}}"), ("app", "bad")):
                try:
                    with psycopg.connect("host=127.0.0.1 port={{server.PgPort}} dbname=postgres sslmode=disable", user=user, password=password) as c:
                        print("ok", c.execute("SELECT current_user").fetchone()[0], c.info.parameter_status("is_superuser"))
                except psycopg.OperationalError as e:
                    print("refused", user, "password authentication failed" in str(e))
            """;
        ToolResult r = await ExternalTool.RunAsync("/usr/bin/python3", ["-"], script, TimeSpan.FromSeconds(30));
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Stdout).Contains("ok app off\nok admin on\nrefused app True");
        // the hash did not change, so the verifier stored before the restart still applies: no cleartext login at all
        await Assert.That(Count(server, "user admin authenticated with scram-sha-256")).IsEqualTo(1);
        await Assert.That(Count(server, "authenticated with password")).IsEqualTo(0);
    }

    [Test]
    [Timeout(120_000)]
    public async Task Md5_when_configured_and_scram_for_roles_whose_secret_is_a_verifier(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir, "md5", ct);
        await AdminAsync(server, "CREATE USER bob PASSWORD 'bob pw'");
        await Assert.That(server.Process.AllOutput).Contains("stored a SCRAM-SHA-256 verifier and an MD5 hash for the superuser admin");
        await Assert.That(await AdminAsync(server, "SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = 'bob'")).IsEqualTo("md5");
        await Assert.That(Count(server, "user admin authenticated with md5")).IsEqualTo(1);

        ToolResult bob = await Psql(server, "bob", "bob pw", "SELECT current_user");
        await Assert.That(bob.Stdout.Trim()).IsEqualTo("bob").Because(bob.ToString());
        await Assert.That(Count(server, "user bob authenticated with md5")).IsEqualTo(1);
        await Assert.That((await Psql(server, "bob", "bad", "SELECT 1")).Stderr).Contains("FATAL:  password authentication failed for user \"bob\"");

        // a pre-hashed SCRAM verifier: PostgreSQL's md5 method then runs SCRAM, and so does this one
        string verifier = ThunderDb.Core.Catalog.ScramSha256.Derive("carol pw").ToString();
        await AdminAsync(server, $"CREATE USER carol PASSWORD '{verifier}'");
        ToolResult carol = await Psql(server, "carol", "carol pw", "SELECT current_user");
        await Assert.That(carol.Stdout.Trim()).IsEqualTo("carol").Because(carol.ToString());
        await Assert.That(Count(server, "user carol authenticated with scram-sha-256")).IsEqualTo(1);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Password_method_asks_for_cleartext_and_checks_the_stored_verifier(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartAsync(dir, "password", ct);
        await AdminAsync(server, "CREATE USER dan PASSWORD 'dan pw'");
        await Assert.That(server.Process.AllOutput).DoesNotContain("stored a SCRAM-SHA-256 verifier");
        ToolResult dan = await Psql(server, "dan", "dan pw", "SELECT current_user");
        await Assert.That(dan.Stdout.Trim()).IsEqualTo("dan").Because(dan.ToString());
        await Assert.That(Count(server, "user dan authenticated with password")).IsEqualTo(1);
        await Assert.That((await Psql(server, "dan", "dan", "SELECT 1")).Stderr).Contains("FATAL:  password authentication failed for user \"dan\"");
    }

    [Test]
    [Timeout(120_000)]
    public async Task Rotating_the_superuser_hash_retires_the_derived_verifier_at_once(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var before = await StartAsync(dir, "scram-sha-256", ct))
        {
            await AdminAsync(before, "SELECT 1");
            await AdminAsync(before, "SELECT 2");
            await Assert.That(Count(before, "user admin authenticated with scram-sha-256")).IsEqualTo(1);
        }

        const string NewPassword = "rotated secret 2";
        string newHash = BCrypt.Net.BCrypt.HashPassword(NewPassword, BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await StartAsync(dir, "scram-sha-256", ct, newHash);
        ToolResult old = await Psql(server, "admin", SuperPassword, "SELECT 1");
        await Assert.That(old.Stderr).Contains("FATAL:  password authentication failed for user \"admin\"");
        await Assert.That(Count(server, "user admin authenticated")).IsEqualTo(0);

        ToolResult fresh = await Psql(server, "admin", NewPassword, "SELECT current_user");
        await Assert.That(fresh.Stdout.Trim()).IsEqualTo("admin").Because(fresh.ToString());
        await Assert.That(Count(server, "user admin authenticated with password")).IsEqualTo(1);
        await Assert.That((await Psql(server, "admin", NewPassword, "SELECT 1")).ExitCode).IsEqualTo(0);
        await Assert.That(Count(server, "user admin authenticated with scram-sha-256")).IsEqualTo(1);
    }
}
