using System.Globalization;
using System.Net;
using System.Text.Json;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>COPY with psql, VACUUM, and the admin vacuum endpoint, against the published binary.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PgCopyTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(90_000)]
    public async Task Psql_copies_a_csv_file_in_and_the_table_out_and_a_bad_line_leaves_the_session_usable(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string good = dir.Write("good.csv", "id,name,note\n1,alpha,\"tab\there\"\n2,\"with, comma\",\n3,\"multi\nline \"\"quoted\"\"\",x\n");
        string bad = dir.Write("bad.csv", "4,d,\n5x,e,\n6,f,\n");
        string script = $"""
            CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, note text);
            \copy t from '{good}' csv header
            COPY t TO STDOUT;
            \copy t from '{bad}' csv
            SELECT count(*) AS after_bad FROM t;
            COPY t (id, note) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *);
            """;
        var r = await PsqlTests.PsqlAsync(server.PgPort, script, null, "-U", "thunder", "-d", "postgres", "-A", "-t");
        await Assert.That(r.Stdout).Contains("CREATE TABLE\nCOPY 3\n1\talpha\ttab\\there\n2\twith, comma\t\\N\n3\tmulti\\nline \"quoted\"\tx\n").Because(r.ToString());
        await Assert.That(r.Stderr).Contains("ERROR:  invalid input syntax for type integer: \"5x\"\nCONTEXT:  COPY t, line 2, column id: \"5x\"");
        // nothing of the failed COPY stays (row 4 was before the bad line), and the session goes on
        await Assert.That(r.Stdout).Contains("\n3\n\"1\",\"tab\there\"\n\"2\",\n\"3\",\"x\"\n");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Vacuum_runs_outside_a_block_and_the_admin_endpoint_vacuums_one_table(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var tokenHash = BCrypt.Net.BCrypt.HashPassword("vacuum-token", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        var pwHash = BCrypt.Net.BCrypt.HashPassword("pw", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{pwHash}"
            admin_token_hash = "{tokenHash}"
            """, ct: ct);
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = "pw" };
        // each -c is its own Query message: VACUUM in a multi-statement one would be inside its implicit block (25001, as in PostgreSQL)
        var setup = await PsqlTests.PsqlAsync(server.PgPort, null, env, "-U", "admin", "-d", "postgres", "-A", "-t",
            "-c", "CREATE TABLE my_table (id int PRIMARY KEY, v int); INSERT INTO my_table SELECT g, g FROM generate_series(1, 200) g",
            "-c", "UPDATE my_table SET v = v + 1", "-c", "DELETE FROM my_table WHERE id > 150", "-c", "VACUUM ANALYZE my_table",
            "-c", "SELECT reltuples FROM pg_class WHERE relname = 'my_table'", "-c", "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'my_table'");
        await Assert.That(setup.ExitCode).IsEqualTo(0).Because(setup.ToString());
        await Assert.That(setup.Stdout).Contains("VACUUM\n150\n150");
        var inBlock = await PsqlTests.PsqlAsync(server.PgPort, "BEGIN;\nVACUUM my_table;\n", env, "-U", "admin", "-d", "postgres");
        var multi = await PsqlTests.PsqlAsync(server.PgPort, null, env, "-U", "admin", "-d", "postgres", "-c", "SELECT 1; VACUUM my_table");
        await Assert.That(multi.Stderr).Contains("ERROR:  VACUUM cannot run inside a transaction block");
        await Assert.That(inBlock.Stderr).Contains("ERROR:  VACUUM cannot run inside a transaction block");

        using var anonymous = server.Http();
        var refused = await anonymous.PostAsync(new Uri("/admin/vacuum/my_table", UriKind.Relative), null, ct);
        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);

        using var admin = server.Http("vacuum-token");
        var done = await admin.PostAsync(new Uri("/admin/vacuum/my_table", UriKind.Relative), null, ct);
        string body = await done.Content.ReadAsStringAsync(ct);
        await Assert.That(done.StatusCode).IsEqualTo(HttpStatusCode.OK).Because(body);
        using (var json = JsonDocument.Parse(body))
        {
            await Assert.That(json.RootElement.GetProperty("table").GetString()).IsEqualTo("public.my_table");
            await Assert.That(json.RootElement.GetProperty("live_rows").GetInt64()).IsEqualTo(150);
            await Assert.That(json.RootElement.GetProperty("versions_removed").GetInt64()).IsGreaterThanOrEqualTo(0);
        }

        var missing = await admin.PostAsync(new Uri("/admin/vacuum/no_such_table", UriKind.Relative), null, ct);
        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        using (var json = JsonDocument.Parse(await missing.Content.ReadAsStringAsync(ct)))
        {
            await Assert.That(json.RootElement.GetProperty("error").GetString()).IsEqualTo("not_found");
            await Assert.That(json.RootElement.GetProperty("detail").GetString()).Contains("relation \"no_such_table\" does not exist");
        }

        var stats = await PsqlTests.PsqlAsync(server.PgPort, null, env, "-U", "admin", "-d", "postgres", "-A", "-t", "-c",
            "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'my_table'");
        await Assert.That(stats.Stdout.Trim()).IsEqualTo("2").Because(stats.ToString());
    }
}
