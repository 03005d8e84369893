using Npgsql;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;
using static ThunderDb.Host.Tests.Postgres.NpgsqlTests;

namespace ThunderDb.Host.Tests.Postgres;

/// <summary>
/// Npgsql against the published binary, beyond single statements: pooled reuse (DISCARD ALL), a data source with
/// concurrent connections, pg_stat_activity / pg_backend_pid / pg_cancel_backend / pg_terminate_backend,
/// LISTEN / NOTIFY, ParameterStatus, and the errors that must not close a connection.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class NpgsqlSessionTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(90_000)]
    public async Task A_pooled_connection_is_reset_with_discard_all_and_reused(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        string cs = ConnectionString(server, ";Maximum Pool Size=1");
        int pid;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            pid = conn.ProcessID;
            await ExecAsync(conn, "SET application_name = 'changed'", ct);
            await ExecAsync(conn, "LISTEN pooled", ct);
        }

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await Assert.That(conn.ProcessID).IsEqualTo(pid);
            // DISCARD ALL ran before this statement: the setting is back to its default and the LISTEN is gone
            await Assert.That(await ScalarAsync(conn, "SHOW application_name", ct)).IsEqualTo("");
            await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'changed'", ct)).IsEqualTo(0L);
            await using var prepared = new NpgsqlCommand("SELECT $1::int + 1", conn) { Parameters = { new NpgsqlParameter { Value = 41 } } };
            await prepared.PrepareAsync(ct);
            await Assert.That(await prepared.ExecuteScalarAsync(ct)).IsEqualTo(42);
        }

        // with a prepared statement kept, Npgsql resets with RESET ALL, CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all(), DISCARD SEQUENCES/TEMP instead
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await Assert.That(conn.ProcessID).IsEqualTo(pid);
            await using var prepared = new NpgsqlCommand("SELECT $1::int + 1", conn) { Parameters = { new NpgsqlParameter { Value = 1 } } };
            await prepared.PrepareAsync(ct);
            await Assert.That(await prepared.ExecuteScalarAsync(ct)).IsEqualTo(2);
        }

        foreach (string what in new[] { "PLANS", "SEQUENCES", "TEMP", "ALL" })
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(ct);
            await ExecAsync(conn, "DISCARD " + what, ct);
        }

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var inside = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(conn, "DISCARD ALL", ct));
            await Assert.That(inside!.SqlState).IsEqualTo("25001");
        }
    }

    [Test]
    [Timeout(120_000)]
    public async Task A_data_source_serves_concurrent_connections(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var source = NpgsqlDataSource.Create(ConnectionString(server));
        await using (var setup = await source.OpenConnectionAsync(ct))
        {
            await ExecAsync(setup, "CREATE TABLE c (worker int, n int, PRIMARY KEY (worker, n))", ct);
            await ExecAsync(setup, "CREATE TABLE counter (id int PRIMARY KEY, v int)", ct);
            await ExecAsync(setup, "INSERT INTO counter VALUES (1, 0)", ct);
        }

        const int Workers = 8, Rounds = 25;
        var pids = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                await using var conn = await source.OpenConnectionAsync(ct);
                pids[conn.ProcessID] = true;
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var insert = new NpgsqlCommand("INSERT INTO c VALUES ($1, $2)", conn, tx) { Parameters = { new() { Value = w }, new() { Value = i } } })
                {
                    await insert.ExecuteNonQueryAsync(ct);
                }

                await using (var bump = new NpgsqlCommand("UPDATE counter SET v = v + 1 WHERE id = 1", conn, tx))
                {
                    await bump.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
            }
        }, ct)));

        await using var check = await source.OpenConnectionAsync(ct);
        await Assert.That(await ScalarAsync(check, "SELECT count(*) FROM c", ct)).IsEqualTo((long)(Workers * Rounds));
        await Assert.That(await ScalarAsync(check, "SELECT v FROM counter", ct)).IsEqualTo(Workers * Rounds);
        await Assert.That(pids.Count).IsGreaterThan(1).And.IsLessThanOrEqualTo(Workers);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Pg_stat_activity_lists_backends_that_pg_cancel_and_pg_terminate_reach(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var victim = await OpenAsync(server, ct, ";Application Name=victim;Pooling=false");
        await using var admin = await OpenAsync(server, ct, ";Pooling=false");
        await Assert.That(await ScalarAsync(victim, "SELECT pg_backend_pid()", ct)).IsEqualTo(victim.ProcessID);
        await ExecAsync(admin, "CREATE TABLE held (id int PRIMARY KEY)", ct);

        await using (var cmd = new NpgsqlCommand(
            "SELECT usename, datname, application_name, client_addr, state, backend_start IS NOT NULL FROM pg_stat_activity WHERE pid = $1", admin)
            { Parameters = { new() { Value = victim.ProcessID } } })
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await Assert.That(await reader.ReadAsync(ct)).IsTrue();
            await Assert.That(reader.GetString(0)).IsEqualTo("thunder");
            await Assert.That(reader.GetString(1)).IsEqualTo("postgres");
            await Assert.That(reader.GetString(2)).IsEqualTo("victim");
            await Assert.That(reader.GetString(3)).IsEqualTo("127.0.0.1");
            await Assert.That(reader.GetString(4)).IsEqualTo("idle");
            await Assert.That(reader.GetBoolean(5)).IsTrue();
        }

        // a running statement shows as active with its text, and pg_cancel_backend stops it with 57014
        var sleeping = ScalarAsync(victim, "SELECT pg_sleep(20)", ct);
        string? state = null;
        for (int i = 0; i < 100 && state != "active"; i++)
        {
            await Task.Delay(50, ct);
            await using var probe = new NpgsqlCommand("SELECT state || ':' || query FROM pg_stat_activity WHERE pid = $1", admin) { Parameters = { new() { Value = victim.ProcessID } } };
            string row = (string)(await probe.ExecuteScalarAsync(ct))!;
            state = row.Split(':')[0];
            if (state == "active")
            {
                await Assert.That(row).IsEqualTo("active:SELECT pg_sleep(20)");
            }
        }

        await using (var cancel = new NpgsqlCommand("SELECT pg_cancel_backend($1)", admin) { Parameters = { new() { Value = victim.ProcessID } } })
        {
            await Assert.That((bool)(await cancel.ExecuteScalarAsync(ct))!).IsTrue();
        }

        var cancelled = await Assert.ThrowsAsync<PostgresException>(async () => await sleeping);
        await Assert.That(cancelled!.SqlState).IsEqualTo("57014");
        await Assert.That((bool)(await ScalarAsync(admin, "SELECT pg_cancel_backend(999999)", ct))!).IsFalse();

        // an open transaction of a terminated backend rolls back: its row never appears and its key is free
        await using (var tx = await victim.BeginTransactionAsync(ct))
        {
            await ExecAsync(victim, "INSERT INTO held VALUES (1)", ct);
            await using (var terminate = new NpgsqlCommand("SELECT pg_terminate_backend($1)", admin) { Parameters = { new() { Value = victim.ProcessID } } })
            {
                await Assert.That((bool)(await terminate.ExecuteScalarAsync(ct))!).IsTrue();
            }

            var killed = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(victim, "SELECT 1", ct));
            await Assert.That(killed!.SqlState).IsEqualTo("57P01");
            await Assert.That(killed.MessageText).IsEqualTo("terminating connection due to administrator command");
        }

        await ExecAsync(admin, "INSERT INTO held VALUES (1)", ct);
        long left = 0;
        for (int i = 0; i < 50 && (left = (long)(await ScalarAsync(admin, "SELECT count(*) FROM pg_stat_activity", ct))!) > 1; i++)
        {
            await Task.Delay(50, ct);
        }

        await Assert.That(left).IsEqualTo(1L);
    }

    [Test]
    [Timeout(90_000)]
    public async Task An_open_transaction_rolls_back_when_its_client_disconnects(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var other = await OpenAsync(server, ct, ";Pooling=false");
        await ExecAsync(other, "CREATE TABLE d (id int PRIMARY KEY)", ct);
        await using (var gone = await OpenAsync(server, ct, ";Pooling=false"))
        {
            await ExecAsync(gone, "BEGIN", ct);
            await ExecAsync(gone, "INSERT INTO d VALUES (1)", ct);
        }

        // the disconnected session's uncommitted row lock is released: this insert neither waits nor conflicts
        for (int i = 0; i < 50 && (long)(await ScalarAsync(other, "SELECT count(*) FROM pg_stat_activity", ct))! > 1; i++)
        {
            await Task.Delay(50, ct);
        }

        await ExecAsync(other, "INSERT INTO d VALUES (1)", ct);
        await Assert.That(await ScalarAsync(other, "SELECT count(*) FROM d", ct)).IsEqualTo(1L);
    }

    [Test]
    [Timeout(90_000)]
    public async Task Listen_and_notify_are_delivered_at_the_notifiers_commit(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var listener = await OpenAsync(server, ct, ";Pooling=false");
        await using var notifier = await OpenAsync(server, ct, ";Pooling=false");
        var received = new System.Collections.Concurrent.ConcurrentQueue<NpgsqlNotificationEventArgs>();
        listener.Notification += (_, e) => received.Enqueue(e);
        await ExecAsync(listener, "LISTEN jobs", ct);
        await ExecAsync(listener, "LISTEN \"Other\"", ct);

        await using (var tx = await notifier.BeginTransactionAsync(ct))
        {
            await ExecAsync(notifier, "NOTIFY jobs, 'first'", ct);
            await ExecAsync(notifier, "SELECT pg_notify('jobs', 'second')", ct);
            await ExecAsync(notifier, "NOTIFY jobs, 'first'", ct); // the same notification twice in one transaction is sent once
            await ExecAsync(notifier, "NOTIFY unheard", ct);
            await Task.Delay(200, ct);
            await Assert.That(received.Count).IsEqualTo(0); // nothing before the commit
            await tx.CommitAsync(ct);
        }

        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            while (received.Count < 2)
            {
                await listener.WaitAsync(wait.Token); // idle connection: the notifications arrive without a query
            }
        }

        var got = received.ToArray();
        await Assert.That(got.Select(n => $"{n.Channel}:{n.Payload}")).IsEquivalentTo(new[] { "jobs:first", "jobs:second" });
        await Assert.That(got[0].PID).IsEqualTo(notifier.ProcessID);

        // a rolled-back NOTIFY is never sent; a quoted channel keeps its case; UNLISTEN stops delivery
        await using (var tx = await notifier.BeginTransactionAsync(ct))
        {
            await ExecAsync(notifier, "NOTIFY jobs, 'rolled back'", ct);
            await tx.RollbackAsync(ct);
        }

        await ExecAsync(notifier, "NOTIFY \"Other\", 'x'", ct);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            while (received.Count < 3)
            {
                await listener.WaitAsync(wait.Token);
            }
        }

        await Assert.That(received.Last().Channel).IsEqualTo("Other");
        await ExecAsync(listener, "UNLISTEN *", ct);
        await ExecAsync(notifier, "NOTIFY jobs, 'late'", ct);
        await Assert.That(await listener.WaitAsync(500, ct)).IsFalse();
        await Assert.That(received.Count).IsEqualTo(3);

        var tooLong = await Assert.ThrowsAsync<PostgresException>(async () => await ExecAsync(notifier, $"NOTIFY jobs, '{new string('x', 8000)}'", ct));
        await Assert.That(tooLong!.SqlState).IsEqualTo("22023");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Set_of_a_reported_parameter_sends_parameter_status(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        await using var conn = await OpenAsync(server, ct, ";Pooling=false");
        await Assert.That(conn.PostgresParameters["application_name"]).IsEqualTo("");
        await ExecAsync(conn, "SET application_name = 'reported'", ct);
        await Assert.That(conn.PostgresParameters["application_name"]).IsEqualTo("reported");
        await ExecAsync(conn, "SET IntervalStyle = 'iso_8601'", ct);
        await Assert.That(conn.PostgresParameters["IntervalStyle"]).IsEqualTo("iso_8601");
        // through the extended protocol too (reported before ReadyForQuery at Sync)
        await using (var cmd = new NpgsqlCommand("SET application_name TO 'extended'", conn))
        {
            await cmd.PrepareAsync(ct);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Assert.That(conn.PostgresParameters["application_name"]).IsEqualTo("extended");
        await ExecAsync(conn, "RESET ALL", ct);
        await Assert.That(conn.PostgresParameters["application_name"]).IsEqualTo("");
        await Assert.That(conn.PostgresParameters["IntervalStyle"]).IsEqualTo("postgres");
    }

    [Test]
    [Timeout(90_000)]
    public async Task A_transaction_over_max_transaction_size_fails_with_54000_and_the_connection_stays(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, sections: "wal_buffer_size = 65536\nmax_transaction_size = 102400", ct: ct);
        await using var conn = await OpenAsync(server, ct, ";Pooling=false");
        await ExecAsync(conn, "CREATE TABLE big (id int PRIMARY KEY, v text)", ct);
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var e = await Assert.ThrowsAsync<PostgresException>(async () =>
            {
                for (int i = 0; i < 200; i++)
                {
                    await ExecAsync(conn, $"INSERT INTO big VALUES ({i}, repeat('x', 1000))", ct);
                }

                await tx.CommitAsync(ct);
            });
            await Assert.That(e!.SqlState).IsEqualTo("54000");
        }

        await Assert.That(await ScalarAsync(conn, "SELECT count(*) FROM big", ct)).IsEqualTo(0L);
        await ExecAsync(conn, "INSERT INTO big VALUES (1, 'small')", ct);
        await Assert.That(await ScalarAsync(conn, "SELECT v FROM big", ct)).IsEqualTo("small");
    }

    [Test]
    [Timeout(120_000)]
    public async Task Statement_timeout_set_by_the_session_or_at_connect_cancels_with_57014(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        await using var conn = await OpenAsync(server, ct);

        await ExecAsync(conn, "SET statement_timeout = '300ms'", ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(conn, "SELECT pg_sleep(10)", ct));
        await Assert.That(e!.SqlState).IsEqualTo("57014");
        await Assert.That(e.MessageText).IsEqualTo("canceling statement due to statement timeout");
        await Assert.That(watch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)).And.IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(await ScalarAsync(conn, "SHOW statement_timeout", ct)).IsEqualTo("300ms");

        // SET LOCAL lasts for its transaction only; a statement under the limit is unaffected
        await ExecAsync(conn, "RESET statement_timeout", ct);
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await ExecAsync(conn, "SET LOCAL statement_timeout = 200", ct);
            await Assert.That(await ScalarAsync(conn, "SHOW statement_timeout", ct)).IsEqualTo("200ms");
            await tx.CommitAsync(ct);
        }

        await Assert.That(await ScalarAsync(conn, "SHOW statement_timeout", ct)).IsEqualTo("0");
        await ExecAsync(conn, "SELECT pg_sleep(0.4)", ct);

        // at connect, as libpq's options=-c statement_timeout=... (Npgsql: Options)
        await using var limited = await OpenAsync(server, ct, ";Options=-c statement_timeout=250");
        await Assert.That(await ScalarAsync(limited, "SHOW statement_timeout", ct)).IsEqualTo("250ms");
        var atConnect = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(limited, "SELECT pg_sleep(10)", ct));
        await Assert.That(atConnect!.SqlState).IsEqualTo("57014");
        await Assert.That(await ScalarAsync(limited, "SELECT 'usable'", ct)).IsEqualTo("usable");
    }
}
