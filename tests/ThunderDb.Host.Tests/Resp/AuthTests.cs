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

        using var client = await MiniRespClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await client.CallAsync(ct, "SET", "k", "v") as string).StartsWith("-NOAUTH");
        await Assert.That(await client.CallAsync(ct, "GET", "k") as string).StartsWith("-NOAUTH");
        await Assert.That(await client.CallAsync(ct, "AUTH", "admin", "not the password") as string).StartsWith("-WRONGPASS");
        await Assert.That(await client.CallAsync(ct, "AUTH", "someone", Password) as string).StartsWith("-WRONGPASS");
        await Assert.That(await client.CallAsync(ct, "GET", "k") as string).StartsWith("-NOAUTH");
        await Assert.That(await client.CallAsync(ct, "AUTH", "admin", Password)).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "SET", "k", "v")).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "GET", "k")).IsEqualTo("v");

        // A second connection is not authenticated by the first one's AUTH.
        using var other = await MiniRespClient.ConnectAsync(server.RespPort, ct);
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
}
