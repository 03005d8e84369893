using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Admin;

/// <summary>
/// The admin bearer token guards every protected endpoint however its path is spelled: routing ignores case and
/// decodes %XX, so each spelling is sent raw over TCP (HttpClient would normalise it) to the published binary.
/// </summary>
[NotInParallel("thunderdb-process")]
public class AdminAuthorizationTests
{
    private const string Token = "admin-token-variants";

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Every_protected_route_needs_the_token_in_every_spelling(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var tokenHash = BCrypt.Net.BCrypt.HashPassword(Token, BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        var pwHash = BCrypt.Net.BCrypt.HashPassword("pw", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));
        await using var server = await RunningServer.StartAsync(dir, sections: $"""
            [security]
            authentication_enabled = true
            superuser_password_hash = "{pwHash}"
            admin_token_hash = "{tokenHash}"
            """, ct: ct);

        using var victim = await RespTestClient.ConnectAsync(server.RespPort, ct);
        await Assert.That(await victim.CallAsync(ct, "AUTH", "admin", "pw")).IsEqualTo("OK");
        var victimId = ((long)(await victim.CallAsync(ct, "CLIENT", "ID"))!).ToString(CultureInfo.InvariantCulture);

        (string Method, string Tail)[] routes =
        [
            ("GET", "metrics"),
            ("GET", "connections"),
            ("GET", "queries"),
            ("GET", "backups"),
            ("POST", "backup"),
            ("POST", "vacuum/t"),
            ("DELETE", "connections/" + victimId),
        ];

        var routedVariants = 0;
        foreach (var (method, rest) in routes)
        {
            foreach (var path in Spellings(rest))
            {
                var anonymous = await SendAsync(server.HttpPort, method, path, bearer: null, ct);
                await Assert.That(anonymous.Status is 401 or 404).IsTrue().Because($"{method} {path} without a token answered {anonymous}");
                if (method == "DELETE")
                {
                    continue; // with the token it would kill the victim; the anonymous answer is what matters
                }

                // A spelling that reaches the endpoint with the token must have been refused without it.
                var authorized = await SendAsync(server.HttpPort, method, path, Token, ct);
                if (!authorized.Body.Contains("no endpoint", StringComparison.Ordinal))
                {
                    routedVariants++;
                    await Assert.That(anonymous.Status).IsEqualTo(401).Because($"{method} {path} reaches the endpoint ({authorized}) and answered {anonymous} without a token");
                }
            }
        }

        // Case and %XX variants are routed, so the loop above really exercised the check on them.
        await Assert.That(routedVariants).IsGreaterThanOrEqualTo(6 * 5);

        // No anonymous DELETE reached the session.
        await Assert.That(await victim.CallAsync(ct, "PING")).IsEqualTo("PONG");

        // The runbook's probes and the Prometheus scrape stay open, however spelled.
        foreach (var open in new[] { "/admin/live", "/ADMIN/live", "/admin/ready", "/Admin/Ready", "/admin/health", "/metrics", "/METRICS" })
        {
            var r = await SendAsync(server.HttpPort, "GET", open, bearer: null, ct);
            await Assert.That(r.Status).IsEqualTo(200).Because($"GET {open}: {r}");
        }

        var authorizedKill = await SendAsync(server.HttpPort, "DELETE", "/ADMIN/connections/" + victimId, Token, ct);
        await Assert.That(authorizedKill.Status).IsEqualTo(200).Because(authorizedKill.ToString());
    }

    /// <summary>Ways to write <c>/admin/{rest}</c> that a router might still send to the endpoint.</summary>
    private static IEnumerable<string> Spellings(string rest)
    {
        foreach (var admin in new[] { "admin", "ADMIN", "Admin", "aDmin", "%61dmin", "%41DMIN", "adm%69n" })
        {
            yield return $"/{admin}/{rest}";
            yield return $"/{admin}/{rest}/";
            yield return $"/{admin}/{rest.ToUpperInvariant()}";
        }

        yield return $"//admin/{rest}";
        yield return $"/admin//{rest}";
        yield return $"//ADMIN//{rest}//";
        yield return $"/admin/./{rest}";
        yield return $"/x/../ADMIN/{rest}";
        yield return $"/admin/{rest}?x=1";
    }

    private static async Task<RawResponse> SendAsync(int port, string method, string path, string? bearer, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = tcp.GetStream();
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n");
        if (bearer is not null)
        {
            request.Append(CultureInfo.InvariantCulture, $"Authorization: Bearer {bearer}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(timeout.Token);
        var statusLine = text.AsSpan(0, text.IndexOf('\r', StringComparison.Ordinal));
        var status = int.Parse(statusLine.Slice(9, 3), CultureInfo.InvariantCulture);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return new RawResponse(status, bodyStart < 0 ? "" : text[(bodyStart + 4)..]);
    }

    private sealed record RawResponse(int Status, string Body)
    {
        public override string ToString() => $"{Status} {Body}";
    }
}
