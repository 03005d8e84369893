using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;
using ThunderDb.Host.Tests.Transport;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>TLS on pg_port (psql sslmode), psycopg 3 over the extended protocol, and pg connections in /admin/connections.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PgClientTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(90_000)]
    public async Task Psql_sslmode_require_gets_tls_and_plaintext_is_refused_on_a_tls_server(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        TlsTests.WriteCertificate(dir);
        await using var server = await RunningServer.StartAsync(dir, sections: TlsTests.TlsSection(dir), ct: ct);
        var tls = await PsqlTests.PsqlAsync(server.PgPort, null, null,
            "-d", $"dbname=postgres user=thunder sslmode=verify-full sslrootcert={dir.Combine("tls.crt")}", "-c", "\\conninfo");
        await Assert.That(tls.ExitCode).IsEqualTo(0).Because(tls.ToString());
        await Assert.That(tls.Stdout).Contains("SSL connection (protocol: TLSv1.");

        var plain = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-d", "dbname=postgres user=thunder sslmode=disable", "-c", "SELECT 1");
        await Assert.That(plain.ExitCode).IsEqualTo(2);
        await Assert.That(plain.Stderr).Contains("accepts TLS connections only");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Psql_sslmode_disable_works_and_require_fails_without_tls(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        var plain = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-d", "dbname=postgres user=thunder sslmode=disable", "-A", "-t", "-c", "SELECT 40 + 2");
        await Assert.That(plain.Stdout.Trim()).IsEqualTo("42").Because(plain.ToString());
        var require = await PsqlTests.PsqlAsync(server.PgPort, null, null, "-d", "dbname=postgres user=thunder sslmode=require", "-c", "SELECT 1");
        await Assert.That(require.ExitCode).IsEqualTo(2);
        await Assert.That(require.Stderr).Contains("server does not support SSL");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Psycopg_binds_parameters_server_side_in_text_and_binary(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string script = $$"""
            import datetime, decimal, psycopg
            with psycopg.connect("host=127.0.0.1 port={{server.PgPort}} user=thunder dbname=postgres sslmode=disable", autocommit=True) as c:
                c.execute("CREATE TABLE p (id int PRIMARY KEY, n bigint, f float8, s text, d date, ts timestamp, b bool, num numeric)")
                c.execute("INSERT INTO p VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                          (1, 2**40, 1.5, "h\u00e9llo", datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 2, 3, 4, 5, 6), True, decimal.Decimal("12.50")))
                c.execute("INSERT INTO p (id) VALUES (%s)", (2,), binary=True)
                for binary in (False, True):
                    rows = c.execute("SELECT * FROM p WHERE id >= %s ORDER BY id", (1,), binary=binary).fetchall()
                    print(binary, rows)
                try:
                    c.execute("SELECT * FROM nothere WHERE id = %s", (1,))
                except psycopg.Error as e:
                    print("error", e.sqlstate)
                print("count", c.execute("SELECT count(*) FROM p").fetchone()[0])
            """;
        var r = await ExternalTool.RunAsync("/usr/bin/python3", ["-"], script, TimeSpan.FromSeconds(30));
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        const string Row1 = "(1, 1099511627776, 1.5, 'héllo', datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 2, 3, 4, 5, 6), True, Decimal('12.50'))";
        const string Row2 = "(2, None, None, None, None, None, None, None)";
        await Assert.That(r.Stdout).Contains($"False [{Row1}, {Row2}]");
        await Assert.That(r.Stdout).Contains($"True [{Row1}, {Row2}]");
        await Assert.That(r.Stdout).Contains("error 42P01");
        await Assert.That(r.Stdout).Contains("count 2");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Pg_connections_are_listed_and_closed_by_the_admin_endpoint(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.PgPort, ct);
        byte[] parameters = [0, 3, 0, 0, .. "user\0watcher\0database\0postgres\0application_name\0e2e-pg\0\0"u8];
        var startup = new byte[4 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
        parameters.CopyTo(startup, 4);
        await socket.SendAsync(startup, SocketFlags.None, ct);
        var buffer = new byte[4096];
        int got = 0;
        while (got == 0 || buffer[got - 6] != (byte)'Z')
        {
            got += await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, ct);
        }

        using var http = server.Http();
        long id;
        using (var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/connections", UriKind.Relative), ct)))
        {
            var entry = list.RootElement.GetProperty("connections").EnumerateArray().Single(c => c.GetProperty("protocol").GetString() == "pg");
            await Assert.That(entry.GetProperty("user").GetString()).IsEqualTo("watcher");
            await Assert.That(entry.GetProperty("name").GetString()).IsEqualTo("e2e-pg");
            id = entry.GetProperty("id").GetInt64();
        }

        using var kill = await http.DeleteAsync(new Uri($"/admin/connections/{id}", UriKind.Relative), ct);
        await Assert.That((int)kill.StatusCode).IsEqualTo(200);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await Assert.That(await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)).IsEqualTo(0);
    }
}

/// <summary>CancelRequest and the per-protocol connection limit, against the published binary.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PgBackendTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(90_000)]
    public async Task Cancel_request_stops_the_running_statement_with_57014(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string script = $$"""
            import threading, time, psycopg
            with psycopg.connect("host=127.0.0.1 port={{server.PgPort}} user=thunder dbname=postgres sslmode=disable", autocommit=True) as c:
                c.execute("CREATE TABLE big (id int PRIMARY KEY)")
                c.execute("INSERT INTO big VALUES " + ",".join(f"({i})" for i in range(1, 1001)))
                threading.Timer(0.5, c.cancel).start()
                started = time.monotonic()
                try:
                    c.execute("SELECT count(*) FROM big a WHERE EXISTS (SELECT 1 FROM big b WHERE EXISTS (SELECT 1 FROM big c WHERE c.id + b.id + a.id < 0))")
                    print("not cancelled")
                except psycopg.errors.QueryCanceled as e:
                    print("cancelled", e.sqlstate, time.monotonic() - started < 10)
                print("after", c.execute("SELECT count(*) FROM big").fetchone()[0])
            """;
        var r = await ExternalTool.RunAsync("/usr/bin/python3", ["-"], script, TimeSpan.FromSeconds(40));
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Stdout).Contains("cancelled 57014 True");
        await Assert.That(r.Stdout).Contains("after 1000");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Connections_over_the_limit_get_53300(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, sections: "", ct: ct, topLevel: "max_connections_per_protocol = 1");
        string script = $$"""
            import time, psycopg
            first = psycopg.connect("host=127.0.0.1 port={{server.PgPort}} user=thunder dbname=postgres sslmode=disable")
            try:
                psycopg.connect("host=127.0.0.1 port={{server.PgPort}} user=thunder dbname=postgres sslmode=disable")
                print("second connected")
            except psycopg.OperationalError as e:
                print("refused:", str(e).strip().splitlines()[-1])
            first.close()
            # the server frees the slot when it has seen the Terminate: retry briefly
            for attempt in range(50):
                try:
                    again = psycopg.connect("host=127.0.0.1 port={{server.PgPort}} user=thunder dbname=postgres sslmode=disable")
                    break
                except psycopg.OperationalError:
                    time.sleep(0.1)
            print("again", again.execute("SELECT 1").fetchone()[0])
            """;
        var r = await ExternalTool.RunAsync("/usr/bin/python3", ["-"], script, TimeSpan.FromSeconds(30));
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        await Assert.That(r.Stdout).Contains("sorry, too many clients already");
        await Assert.That(r.Stdout).Contains("again 1");
    }
}
