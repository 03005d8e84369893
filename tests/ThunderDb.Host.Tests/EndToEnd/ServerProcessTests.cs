using System.Net;
using System.Text.Json;

namespace ThunderDb.Host.Tests.EndToEnd;

/// <summary>The real published binary as a child process: probes, reload, shutdown, and the failure exits.</summary>
[NotInParallel("thunderdb-process")]
public class ServerProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static string Config(TempDirectory dir, int httpPort, string extra = "", string level = "info") => $"""
        http_port = {httpPort}
        data_dir = "{dir.Combine("data")}"
        query_timeout = "30s"

        [logging]
        level = "{level}"
        {extra}
        """;

    private static async Task<HttpResponseMessage> WaitReadyAsync(HttpClient http, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var r = await http.GetAsync(new Uri("/admin/ready", UriKind.Relative));
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return r;
                }
            }
            catch (HttpRequestException)
            {
                // not bound yet
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("server not ready:\n" + server.AllOutput);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Starts_serves_probes_reloads_on_sighup_and_stops_on_sigterm(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        var configPath = dir.Write("thunderdb.toml", Config(dir, port));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        var ready = await WaitReadyAsync(http, server);
        await Assert.That(await ready.Content.ReadAsStringAsync(ct)).Contains("\"status\":\"ready\"");
        await Assert.That(Directory.Exists(dir.Combine("data"))).IsTrue();

        var endpointLine = await server.WaitForLineAsync("Listening: http", StartTimeout);
        await Assert.That(endpointLine).Contains($"127.0.0.1:{port}");
        // Only what is bound is claimed: admin HTTP, PostgreSQL and RESP (MySQL and the cluster port are not built yet).
        await Assert.That(server.StdoutLines.Count(l => l.Contains("Listening:", StringComparison.Ordinal))).IsEqualTo(3);
        await Assert.That(server.AllOutput).Contains("Listening: resp on 127.0.0.1:");
        await Assert.That(server.AllOutput).Contains("Listening: pg on 127.0.0.1:");

        var live = await http.GetAsync(new Uri("/admin/live", UriKind.Relative), ct);
        await Assert.That(live.StatusCode).IsEqualTo(HttpStatusCode.OK);

        using (var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/health", UriKind.Relative), ct)))
        {
            var root = health.RootElement;
            await Assert.That(root.GetProperty("status").GetString()).IsEqualTo("healthy");
            await Assert.That(root.GetProperty("disk_ok").GetBoolean()).IsTrue();
            await Assert.That(root.GetProperty("free_percent").GetDouble()).IsGreaterThan(0);
            var checks = root.GetProperty("checks");
            await Assert.That(checks.GetProperty("database").GetProperty("status").GetString()).IsEqualTo("ok");
            await Assert.That(checks.GetProperty("storage").GetProperty("status").GetString()).IsEqualTo("ok");
            await Assert.That(checks.GetProperty("disk_io").GetProperty("status").GetString()).IsEqualTo("ok");
            await Assert.That(checks.GetProperty("disk_space").GetProperty("status").GetString()).IsNotNull();
        }

        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        string[] expected =
        [
            "counter thunderdb_queries_total", "counter thunderdb_queries_failed_total", "histogram thunderdb_query_duration_seconds",
            "counter thunderdb_transactions_started_total", "counter thunderdb_transactions_committed_total", "counter thunderdb_transactions_aborted_total",
            "gauge thunderdb_active_connections", "gauge thunderdb_active_transactions", "gauge thunderdb_buffer_pool_hit_ratio",
            "counter thunderdb_buffer_pool_hits_total", "counter thunderdb_buffer_pool_misses_total", "gauge thunderdb_wal_size_bytes",
            "counter thunderdb_pages_read_total", "counter thunderdb_pages_written_total", "counter thunderdb_bytes_read_total",
            "counter thunderdb_bytes_written_total", "counter thunderdb_raft_proposals_total", "counter thunderdb_raft_commits_total",
            "gauge thunderdb_regions_count", "histogram thunderdb_transaction_duration_seconds",
        ];
        foreach (var m in expected)
        {
            var parts = m.Split(' ');
            await Assert.That(metrics).Contains($"# TYPE {parts[1]} {parts[0]}");
        }

        var adminMetrics = await http.GetStringAsync(new Uri("/admin/metrics", UriKind.Relative), ct);
        await Assert.That(adminMetrics).Contains("\"queries_total\":0");
        await Assert.That(adminMetrics).Contains("\"average_query_time_ms\":null");

        var backups = await http.GetAsync(new Uri("/admin/backups", UriKind.Relative), ct);
        await Assert.That(backups.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await backups.Content.ReadAsStringAsync(ct)).Contains("\"backups\":[]");
        var kill = await http.DeleteAsync(new Uri("/admin/connections/42", UriKind.Relative), ct);
        await Assert.That(kill.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await kill.Content.ReadAsStringAsync(ct)).Contains("no open connection with id 42");

        // SIGHUP: level and query_timeout apply live; a port change is reported as needing a restart.
        File.WriteAllText(configPath, Config(dir, port, level: "debug").Replace("\"30s\"", "\"45s\"", StringComparison.Ordinal) + "\n[storage]\npage_size = 8192\n");
        server.Signal(ServerProcess.SIGHUP);
        await server.WaitForLineAsync("logging.level changed info -> debug", StartTimeout);
        await server.WaitForLineAsync("query_timeout changed 30s -> 45s", StartTimeout);
        await server.WaitForLineAsync("storage.page_size changed (16384 -> 8192) but requires restart", StartTimeout);

        // A broken file on reload keeps the running settings.
        File.WriteAllText(configPath, "[storage]\npage_size = 1000\n");
        server.Signal(ServerProcess.SIGHUP);
        var failure = await server.WaitForLineAsync("Configuration reload failed", StartTimeout);
        await Assert.That(failure).Contains("storage.page_size");
        var stillLive = await http.GetAsync(new Uri("/admin/live", UriKind.Relative), ct);
        await Assert.That(stillLive.StatusCode).IsEqualTo(HttpStatusCode.OK);

        server.Signal(ServerProcess.SIGTERM);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(exit).IsEqualTo(0);
        await Assert.That(server.StdoutLines[^1]).EndsWith("INFO [Host] ThunderDB server stopped");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Embedded_default_creates_data_under_the_working_directory_and_stops_on_sigint(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(dir.Path, [], new Dictionary<string, string> { ["THUNDERDB_HTTP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitReadyAsync(http, server);
        await Assert.That(Directory.Exists(dir.Combine("data"))).IsTrue();
        await Assert.That(server.AllOutput).Contains($"Listening: http (admin, metrics) on 127.0.0.1:{port}");

        server.Signal(ServerProcess.SIGINT);
        await Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
        await Assert.That(server.StdoutLines[^1]).Contains("INFO [Host] ThunderDB server stopped");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Admin_endpoints_need_the_bearer_token_when_authentication_is_on(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        var tokenHash = BCrypt.Net.BCrypt.HashPassword("admin-token-1", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        var passwordHash = BCrypt.Net.BCrypt.HashPassword("pw", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        var configPath = dir.Write("t.toml", Config(dir, port, $"[security]\nauthentication_enabled = true\nsuperuser_password_hash = \"{passwordHash}\"\n"));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath], new Dictionary<string, string> { ["THUNDERDB_ADMIN_TOKEN_HASH"] = tokenHash });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitReadyAsync(http, server);

        var none = await http.GetAsync(new Uri("/admin/metrics", UriKind.Relative), ct);
        await Assert.That(none.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(await none.Content.ReadAsStringAsync(ct)).Contains("\"error\":\"unauthorized\"");

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/admin/metrics");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "nope");
        await Assert.That((await http.SendAsync(wrong, ct)).StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);

        using var right = new HttpRequestMessage(HttpMethod.Get, "/admin/metrics");
        right.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "admin-token-1");
        await Assert.That((await http.SendAsync(right, ct)).StatusCode).IsEqualTo(HttpStatusCode.OK);

        // The probes stay open.
        await Assert.That((await http.GetAsync(new Uri("/admin/health", UriKind.Relative), ct)).StatusCode).IsEqualTo(HttpStatusCode.OK);
        server.Signal(ServerProcess.SIGTERM);
        await Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Port_in_use_exits_1_naming_protocol_and_port(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var configPath = dir.Write("t.toml", Config(dir, port));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath]);
        await Assert.That(await server.WaitForExitAsync(StartTimeout)).IsEqualTo(1);
        await Assert.That(server.AllOutput).Contains($"(http) on 127.0.0.1 port {port}: address already in use");
        await Assert.That(Directory.Exists(dir.Combine("data"))).IsFalse();
    }

    [Test]
    [Timeout(60_000)]
    public async Task Bad_config_exits_1_with_file_line_and_key_and_creates_nothing(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var configPath = dir.Write("t.toml", Config(dir, ServerProcess.FreePort(), "[storage]\npage_size = 1000\n"));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath]);
        await Assert.That(await server.WaitForExitAsync(StartTimeout)).IsEqualTo(1);
        await Assert.That(server.Stderr).Contains($"{configPath}:8: storage.page_size: must be a power of two");
        await Assert.That(Directory.GetFileSystemEntries(dir.Path)).Count().IsEqualTo(1);
    }

    [Test]
    [Timeout(60_000)]
    public async Task An_ipv4_mapped_listen_address_serves_on_the_ipv4_address(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        var configPath = dir.Write("t.toml", "listen_addr = \"::ffff:127.0.0.1\"\n" + Config(dir, port));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitReadyAsync(http, server);
        await Assert.That(server.AllOutput).Contains($"Listening: http (admin, metrics) on 127.0.0.1:{port}");
        server.Signal(ServerProcess.SIGTERM);
        await Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
    }

    [Test]
    [Timeout(60_000)]
    public async Task An_address_not_on_this_host_is_a_one_line_error_and_exit_1(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to this machine, so bind fails with EADDRNOTAVAIL.
        var configPath = dir.Write("t.toml", "listen_addr = \"192.0.2.1\"\n" + Config(dir, port, "[security]\nallow_unauthenticated_network = true\n"));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath]);
        await Assert.That(await server.WaitForExitAsync(StartTimeout)).IsEqualTo(1);
        await Assert.That(server.AllOutput).Contains($"Cannot start the admin HTTP endpoint (http) on 192.0.2.1 port {port}: Cannot assign requested address");
        await Assert.That(server.AllOutput).DoesNotContain("Hosting failed to start");
        await Assert.That(server.AllOutput).DoesNotContain("   at ");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_read_only_store_logs_that_the_final_checkpoint_was_skipped(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var port = ServerProcess.FreePort();
        // A critical threshold just under 100% free: the disk monitor turns the store read-only at once.
        var configPath = dir.Write("t.toml", Config(dir, port, "[storage]\ndisk_space_warn_percent = 100.0\ndisk_space_critical_percent = 99.999\n"));
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", configPath]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        await WaitReadyAsync(http, server);
        await server.WaitForLineAsync("Disk space critical", StartTimeout);
        server.Signal(ServerProcess.SIGTERM);
        await Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
        await Assert.That(server.AllOutput).Contains("Final checkpoint skipped (the store is read-only: disk space critical");
        await Assert.That(server.AllOutput).DoesNotContain("Final checkpoint written");
        await Assert.That(server.StdoutLines[^1]).Contains("ThunderDB server stopped");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Protected_mode_refuses_a_public_listen_address(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--listen", "0.0.0.0", "--data-dir", dir.Combine("data")]);
        await Assert.That(await server.WaitForExitAsync(StartTimeout)).IsEqualTo(1);
        await Assert.That(server.Stderr).Contains("--listen: listen_addr: protected mode");
        await Assert.That(Directory.Exists(dir.Combine("data"))).IsFalse();
    }

    [Test]
    [Timeout(60_000)]
    public async Task Hash_password_prints_a_verifiable_bcrypt_hash(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--hash-password", "your-secure-password"]);
        await Assert.That(await server.WaitForExitAsync(StartTimeout)).IsEqualTo(0);
        var hash = server.StdoutLines.Single();
        await Assert.That(hash).StartsWith("$2b$12$");
        await Assert.That(BCrypt.Net.BCrypt.Verify("your-secure-password", hash)).IsTrue();

        // bcrypt ignores bytes past 72: a longer secret is refused as a usage error, nothing printed on stdout.
        await using var tooLong = await ServerProcess.StartAsync(dir.Path, ["--hash-password", new string('x', 100)]);
        await Assert.That(await tooLong.WaitForExitAsync(StartTimeout)).IsEqualTo(2);
        await Assert.That(tooLong.Stderr).Contains("--hash-password: the secret is 100 bytes, bcrypt uses only the first 72");
        await Assert.That(tooLong.StdoutLines).IsEmpty();
    }

    [Test]
    [Timeout(60_000)]
    public async Task Usage_errors_exit_2_and_restore_from_a_non_backup_is_refused(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var unknown = await ServerProcess.StartAsync(dir.Path, ["--frobnicate"]))
        {
            await Assert.That(await unknown.WaitForExitAsync(StartTimeout)).IsEqualTo(2);
            await Assert.That(unknown.Stderr).Contains("unknown option '--frobnicate'");
            await Assert.That(unknown.Stderr).Contains("Usage: thunderdb");
        }

        await using (var badTime = await ServerProcess.StartAsync(dir.Path, ["--restore-pitr", "noon", "--restore-backup", dir.Path]))
        {
            await Assert.That(await badTime.WaitForExitAsync(StartTimeout)).IsEqualTo(2);
        }

        await using (var restore = await ServerProcess.StartAsync(dir.Path, ["--restore-pitr", "2025-01-15T12:30:00Z", "--restore-backup", dir.Path]))
        {
            await Assert.That(await restore.WaitForExitAsync(StartTimeout)).IsEqualTo(1);
            await Assert.That(restore.Stderr).Contains("restore refused");
            await Assert.That(restore.Stderr).Contains("has no manifest.json");
        }

        await using (var version = await ServerProcess.StartAsync(dir.Path, ["--version"]))
        {
            await Assert.That(await version.WaitForExitAsync(StartTimeout)).IsEqualTo(0);
            await Assert.That(version.StdoutLines.Single()).StartsWith("thunderdb ");
        }
    }
}
