using System.Net;
using System.Text.Json;
using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary><c>/admin/connections</c> list and kill over real RESP clients of the published binary.</summary>
[NotInParallel("thunderdb-process")]
public class AdminConnectionsTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(60_000)]
    public async Task Lists_connections_and_delete_closes_the_client(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        using var http = server.Http();

        using (var empty = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/connections", UriKind.Relative), ct)))
        {
            await Assert.That(empty.RootElement.GetProperty("count").GetInt32()).IsEqualTo(0);
        }

        using var victim = await RespTestClient.ConnectAsync(server.RespPort, ct);
        using var bystander = await RespTestClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await victim.CallAsync(ct, "CLIENT", "SETNAME", "e2e-victim")).IsEqualTo("OK");
        await Assert.That(await victim.CallAsync(ct, "SET", "k", "v")).IsEqualTo("OK");
        await Assert.That(await bystander.CallAsync(ct, "CLIENT", "SETNAME", "e2e-bystander")).IsEqualTo("OK");
        var victimId = (long)(await victim.CallAsync(ct, "CLIENT", "ID"))!;

        JsonElement entry;
        using (var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/connections", UriKind.Relative), ct)))
        {
            var root = list.RootElement;
            await Assert.That(root.GetProperty("count").GetInt32()).IsEqualTo(2);
            entry = root.GetProperty("connections").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "e2e-victim").Clone();
        }

        await Assert.That(entry.GetProperty("id").GetInt64()).IsEqualTo(victimId);
        await Assert.That(entry.GetProperty("protocol").GetString()).IsEqualTo("resp");
        await Assert.That(entry.GetProperty("remote").GetString()).StartsWith("127.0.0.1:");
        await Assert.That(entry.GetProperty("local").GetString()).IsEqualTo($"127.0.0.1:{server.RespPort}");
        await Assert.That(entry.GetProperty("user").GetString()).IsEqualTo("default");
        await Assert.That(entry.GetProperty("command").GetString()).IsEqualTo("CLIENT").IgnoringCase();
        await Assert.That(entry.GetProperty("started_at").GetDateTimeOffset()).IsGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
        await Assert.That(entry.GetProperty("idle_ms").GetInt64()).IsGreaterThanOrEqualTo(0);

        var kill = await http.DeleteAsync(new Uri($"/admin/connections/{victimId}", UriKind.Relative), ct);
        await Assert.That(kill.StatusCode).IsEqualTo(HttpStatusCode.OK);
        using (var body = JsonDocument.Parse(await kill.Content.ReadAsStringAsync(ct)))
        {
            await Assert.That(body.RootElement.GetProperty("id").GetInt64()).IsEqualTo(victimId);
            await Assert.That(body.RootElement.GetProperty("status").GetString()).IsEqualTo("killed");
        }

        // The killed client sees its connection closed; the other one keeps working.
        Exception? closed = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await victim.CallAsync(timeout.Token, "PING");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            closed = e;
        }

        await Assert.That(closed).IsNotNull();
        await Assert.That(await bystander.CallAsync(ct, "GET", "k")).IsEqualTo("v");

        await WaitUntilAsync(async () =>
        {
            using var after = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/connections", UriKind.Relative), ct));
            return after.RootElement.GetProperty("connections").EnumerateArray().All(c => c.GetProperty("id").GetInt64() != victimId);
        }, ct);

        var again = await http.DeleteAsync(new Uri($"/admin/connections/{victimId}", UriKind.Relative), ct);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await again.Content.ReadAsStringAsync(ct)).Contains("\"error\":\"not_found\"");
        var notNumber = await http.DeleteAsync(new Uri("/admin/connections/abc", UriKind.Relative), ct);
        await Assert.That(notNumber.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);

        // Idle clients are not running a query: /admin/queries lists none of them.
        using (var queries = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/queries", UriKind.Relative), ct)))
        {
            await Assert.That(queries.RootElement.GetProperty("count").GetInt32()).IsEqualTo(0);
        }
    }

    [Test]
    [Timeout(60_000)]
    public async Task Delete_ends_a_blocked_redis_cli_session(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        using var http = server.Http();

        // redis-cli blocks in BLPOP for up to 20 s; the kill must end it long before.
        var cli = ExternalTool.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", server.RespPortText], "CLIENT SETNAME blocked-cli\nBLPOP nothing-here 20\n", TimeSpan.FromSeconds(30));
        long id = 0;
        await WaitUntilAsync(async () =>
        {
            using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/connections", UriKind.Relative), ct));
            foreach (var c in list.RootElement.GetProperty("connections").EnumerateArray())
            {
                if (c.GetProperty("name").GetString() == "blocked-cli" && string.Equals(c.GetProperty("command").GetString(), "BLPOP", StringComparison.OrdinalIgnoreCase))
                {
                    id = c.GetProperty("id").GetInt64();
                    return true;
                }
            }

            return false;
        }, ct);

        // The blocked BLPOP is a running query, with its connection id and a running time that grows.
        long firstRunning = -1;
        await WaitUntilAsync(async () =>
        {
            using var q = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/queries", UriKind.Relative), ct));
            foreach (var e in q.RootElement.GetProperty("queries").EnumerateArray())
            {
                if (e.GetProperty("connection_id").GetInt64() == id && string.Equals(e.GetProperty("command").GetString(), "BLPOP", StringComparison.OrdinalIgnoreCase))
                {
                    firstRunning = e.GetProperty("running_ms").GetInt64();
                    return true;
                }
            }

            return false;
        }, ct);
        await Task.Delay(300, ct);
        using (var q2 = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/queries", UriKind.Relative), ct)))
        {
            var entry = q2.RootElement.GetProperty("queries").EnumerateArray().Single(e => e.GetProperty("connection_id").GetInt64() == id);
            await Assert.That(entry.GetProperty("running_ms").GetInt64()).IsGreaterThanOrEqualTo(firstRunning + 250);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var kill = await http.DeleteAsync(new Uri($"/admin/connections/{id}", UriKind.Relative), ct);
        await Assert.That(kill.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var result = await cli;
        await Assert.That(started.Elapsed).IsLessThan(TimeSpan.FromSeconds(10));
        await Assert.That(result.Stdout + result.Stderr).Contains("Server closed the connection").Because(result.ToString());
    }

    [Test]
    [Timeout(60_000)]
    public async Task Connections_endpoints_need_the_bearer_token_when_authentication_is_on(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var tokenHash = BCrypt.Net.BCrypt.HashPassword("admin-token-2", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        var pwHash = BCrypt.Net.BCrypt.HashPassword("pw", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{pwHash}"
            admin_token_hash = "{tokenHash}"
            """, ct: ct);

        using var anonymous = server.Http();
        await Assert.That((await anonymous.GetAsync(new Uri("/admin/connections", UriKind.Relative), ct)).StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That((await anonymous.DeleteAsync(new Uri("/admin/connections/1", UriKind.Relative), ct)).StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That((await anonymous.GetAsync(new Uri("/admin/queries", UriKind.Relative), ct)).StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);

        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await client.CallAsync(ct, "AUTH", "admin", "pw")).IsEqualTo("OK");

        using var admin = server.Http("admin-token-2");
        using var list = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/admin/connections", UriKind.Relative), ct));
        var only = list.RootElement.GetProperty("connections").EnumerateArray().Single();
        await Assert.That(only.GetProperty("user").GetString()).IsEqualTo("admin");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met within 10 s");
            }

            await Task.Delay(25, ct);
        }
    }
}
