using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>RESP AUTH with <c>[security] authentication_enabled</c> and the superuser's bcrypt hash.</summary>
[NotInParallel("thunderdb-process")]
public class AuthTests
{
    private const string Password = "correct horse battery staple";

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(60_000)]
    public async Task Noauth_before_auth_then_auth_admin_works_and_a_wrong_password_is_wrongpass(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var hash = BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{hash}"
            """, ct: ct);

        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await client.CallAsync(ct, "SET", "k", "v") as string).StartsWith("-NOAUTH");
        await Assert.That(await client.CallAsync(ct, "GET", "k") as string).StartsWith("-NOAUTH");
        await Assert.That(await client.CallAsync(ct, "AUTH", "admin", "not the password") as string).StartsWith("-WRONGPASS");
        await Assert.That(await client.CallAsync(ct, "AUTH", "someone", Password) as string).StartsWith("-WRONGPASS");
        await Assert.That(await client.CallAsync(ct, "GET", "k") as string).StartsWith("-NOAUTH");
        await Assert.That(await client.CallAsync(ct, "AUTH", "admin", Password)).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "SET", "k", "v")).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "GET", "k")).IsEqualTo("v");

        // A second connection is not authenticated by the first one's AUTH.
        using var other = await RespTestClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await other.CallAsync(ct, "GET", "k") as string).StartsWith("-NOAUTH");

        // redis-cli: -e fails on NOAUTH, --user/--pass authenticates, a wrong password is refused.
        var noauth = await ExternalTool.RedisCliAsync(server.RespPort, "-e", "GET", "k");
        await Assert.That(noauth.ExitCode).IsEqualTo(1);
        await Assert.That(noauth.Stdout + noauth.Stderr).Contains("NOAUTH");
        var authed = await ExternalTool.RedisCliAsync(server.RespPort, "--user", "admin", "--pass", Password, "--no-auth-warning", "GET", "k");
        await Assert.That(authed.Stdout.Trim()).IsEqualTo("v").Because(authed.ToString());
        var session = await ExternalTool.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", server.RespPortText], $"AUTH admin wrong\nAUTH admin \"{Password}\"\nGET k\n", TimeSpan.FromSeconds(20));
        await Assert.That(session.Lines.Length).IsEqualTo(3).Because(session.ToString());
        await Assert.That(session.Lines[0]).StartsWith("WRONGPASS");
        await Assert.That(session.Lines[1]).IsEqualTo("OK");
        await Assert.That(session.Lines[2]).IsEqualTo("v");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Pipelined_wrong_passwords_do_not_stall_other_clients_and_are_throttled_and_logged(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        const string WrongPassword = "not-the-password-7f3a";
        // Cost 12, as 'thunderdb --hash-password' makes: ~0.25 s of CPU per check.
        var hash = BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(12, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{hash}"
            """, ct: ct);

        // Sockets are spread over one event loop per core: with several clients some share the attacker's loop.
        var clients = new List<RespTestClient>();
        for (var i = 0; i < 4; i++)
        {
            clients.Add(await RespTestClient.ConnectAsync(server.RespPort, ct));
            await Assert.That(await clients[i].CallAsync(ct, "AUTH", "admin", Password)).IsEqualTo("OK");
        }

        using var attacker = await RespTestClient.ConnectAsync(server.RespPort, ct);
        // One round trip first, so the session waits in a receive and the pipeline arrives through the event loop.
        await Assert.That(await attacker.CallAsync(ct, "PING") as string).StartsWith("-NOAUTH");
        await Task.Delay(50, ct);
        await attacker.SendPipelineAsync(ct, Enumerable.Range(0, 40).Select(i => new[] { "AUTH", "admin", i % 2 == 0 ? WrongPassword : WrongPassword + i }));

        // While the 40 AUTHs are being checked, the other client is answered at once, every time.
        var worst = TimeSpan.Zero;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            foreach (var client in clients)
            {
                var one = System.Diagnostics.Stopwatch.StartNew();
                await Assert.That(await client.CallAsync(ct, "PING")).IsEqualTo("PONG");
                worst = one.Elapsed > worst ? one.Elapsed : worst;
            }

            await Task.Delay(20, ct);
        }

        await Assert.That(worst).IsLessThan(TimeSpan.FromMilliseconds(300));

        // Each failure slows the next attempt on that connection (50 ms doubling, 2 s at most), so 3 s get through
        // only a handful of the 40; each failure is logged with the user and the address.
        await server.Process.WaitForLineAsync("RESP AUTH failed for user 'admin' from 127.0.0.1:", TimeSpan.FromSeconds(5));
        var failures = server.Process.StdoutLines.Count(l => l.Contains("RESP AUTH failed", StringComparison.Ordinal));
        await Assert.That(failures).IsBetween(1, 12);
        await Assert.That(server.Process.AllOutput).DoesNotContain(WrongPassword);
        foreach (var client in clients)
        {
            await Assert.That(await client.CallAsync(ct, "GET", "nothing")).IsNull();
            client.Dispose();
        }
    }
}
