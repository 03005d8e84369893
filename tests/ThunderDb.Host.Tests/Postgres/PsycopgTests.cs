using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>psycopg 3 (python3-psycopg) against the published binary: binary parameters and results, server-side prepare, transactions, errors, notifies.</summary>
[NotInParallel("thunderdb-process")]
public sealed class PsycopgTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static async Task<string> RunAsync(RunningServer server, string body)
    {
        string script = "import datetime, decimal, uuid, threading, time, psycopg\nfrom psycopg.types.json import Json, Jsonb\n"
            + $"DSN = \"host=127.0.0.1 port={server.PgPort} user=thunder dbname=postgres sslmode=disable\"\n" + body;
        var r = await ExternalTool.RunAsync("/usr/bin/python3", ["-"], script, TimeSpan.FromSeconds(40));
        await Assert.That(r.ExitCode).IsEqualTo(0).Because(r.ToString());
        return r.Stdout;
    }

    [Test]
    [Timeout(90_000)]
    public async Task Binary_parameters_and_results_round_trip_every_type(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string output = await RunAsync(server, """
            values = (1, -7, 2**40, 1.25, decimal.Decimal("-123.4500"), True, "h\u00e9", b"\x00\xff", datetime.date(2024, 2, 29),
                      datetime.time(1, 2, 3, 4), datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                      datetime.timedelta(days=3, seconds=5, microseconds=7), uuid.UUID("12345678-1234-5678-1234-567812345678"),
                      Jsonb({"a": [1, None]}), [1, None, 3], ["x", None])
            with psycopg.connect(DSN, autocommit=True) as c:
                c.execute("CREATE TABLE ty (id int PRIMARY KEY, i2 int2, i8 int8, f8 float8, n numeric, b bool, t text, by bytea, d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j jsonb, ia int4[], ta text[])")
                c.execute("INSERT INTO ty VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", values, binary=True)
                c.execute("INSERT INTO ty VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", (2,) + values[1:])
                for binary in (True, False):
                    rows = c.execute("SELECT * FROM ty ORDER BY id", binary=binary).fetchall()
                    for row in rows:
                        expected = (row[0],) + values[1:14] + ({"a": [1, None]}, [1, None, 3], ["x", None])
                        print("binary" if binary else "text", row[0], "same" if row == expected else f"differs {row!r} vs {expected!r}")
            """);
        await Assert.That(output).Contains("binary 1 same").And.Contains("binary 2 same").And.Contains("text 1 same").And.Contains("text 2 same");
        await Assert.That(output).DoesNotContain("differs");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Prepare_transactions_errors_and_notifies(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string output = await RunAsync(server, """
            with psycopg.connect(DSN) as c:
                c.execute("CREATE TABLE acc (id int PRIMARY KEY, bal int)")
                c.commit()
                for i in range(10):
                    c.execute("INSERT INTO acc VALUES (%s, %s)", (i, i * 10), prepare=True)
                c.commit()
                print("prepared", c.execute("SELECT count(*), sum(bal) FROM acc WHERE id >= %s", (0,), prepare=True).fetchone())
                c.rollback()
                # nested transaction blocks are savepoints: the inner one rolls back alone
                with c.transaction():
                    c.execute("UPDATE acc SET bal = bal - 5 WHERE id = 1")
                    try:
                        with c.transaction():
                            c.execute("UPDATE acc SET bal = bal + 5 WHERE id = 2")
                            c.execute("INSERT INTO acc VALUES (1, 0)")
                    except psycopg.errors.UniqueViolation as e:
                        print("inner", e.sqlstate, e.diag.message_primary, "|", e.diag.message_detail)
                print("balances", c.execute("SELECT bal FROM acc WHERE id IN (1, 2) ORDER BY id").fetchall())
                c.rollback()
                try:
                    c.execute("SELECT * FROM acc WHER id = 1")  # WHER is an alias: the error is at "id"
                except psycopg.errors.SyntaxError as e:
                    print("syntax", e.sqlstate, e.diag.statement_position)
                c.rollback()

            listener = psycopg.connect(DSN, autocommit=True)
            listener.execute("LISTEN events")
            def notify():
                time.sleep(0.3)
                with psycopg.connect(DSN) as n:
                    n.execute("NOTIFY events, 'one'")
                    n.execute("SELECT pg_notify('events', 'two')")
                    n.commit()
            threading.Thread(target=notify).start()
            got = []
            for n in listener.notifies():
                got.append((n.channel, n.payload, n.pid > 0))
                if len(got) == 2:
                    break
            print("notifies", got)
            listener.close()
            """);
        await Assert.That(output).Contains("prepared (10, 450)");
        await Assert.That(output).Contains("inner 23505 duplicate key value violates unique constraint \"acc_pkey\" | Key (id)=(1) already exists.");
        await Assert.That(output).Contains("balances [(5,), (20,)]");
        await Assert.That(output).Contains("syntax 42601 24");
        await Assert.That(output).Contains("notifies [('events', 'one', True), ('events', 'two', True)]");
    }
}
