using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using StackExchange.Redis;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Transport;

/// <summary>
/// <c>security.tls_enabled</c> against the real binary and real clients: the RESP port speaks TLS only
/// (redis-cli --tls, StackExchange.Redis), the admin port serves HTTPS and plain HTTP (curl), plaintext on
/// the TLS port is refused without harm, and a bad certificate stops startup.
/// </summary>
public sealed class TlsTests
{
    internal static string TlsSection(TempDirectory dir) => $"""
        [security]
        tls_enabled = true
        tls_cert_path = "{dir.Combine("tls.crt")}"
        tls_key_path = "{dir.Combine("tls.key")}"
        """;

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, usable as its own CA file.</summary>
    internal static void WriteCertificate(TempDirectory dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=thunderdb-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        dir.Write("tls.crt", cert.ExportCertificatePem());
        dir.Write("tls.key", key.ExportPkcs8PrivateKeyPem());
    }

    private static async Task<RunningServer> StartTlsServerAsync(TempDirectory dir)
    {
        WriteCertificate(dir);
        return await RunningServer.StartAsync(dir, sections: TlsSection(dir));
    }

    [Test]
    [Timeout(90_000)]
    public async Task Redis_cli_speaks_tls_to_the_resp_port(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartTlsServerAsync(dir);
        string[] tls = ["--tls", "--cacert", dir.Combine("tls.crt")];
        var set = await ExternalTool.RedisCliAsync(server.RespPort, [.. tls, "SET", "greeting", "over tls"]);
        await Assert.That(set.Stdout.Trim()).IsEqualTo("OK").Because(set.ToString());
        var get = await ExternalTool.RedisCliAsync(server.RespPort, [.. tls, "GET", "greeting"]);
        await Assert.That(get.Stdout.Trim()).IsEqualTo("over tls").Because(get.ToString());

        // Without --tls the client gets no reply: the port is TLS only.
        var plain = await ExternalTool.RedisCliAsync(server.RespPort, "PING");
        await Assert.That(plain.Stdout).DoesNotContain("PONG");
        await Assert.That(server.Process.AllOutput).Contains("TLS handshake from");
    }

    [Test]
    [Timeout(90_000)]
    public async Task StackExchange_Redis_over_tls_validates_the_certificate(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartTlsServerAsync(dir);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(dir.Combine("tls.crt")));
        var options = ConfigurationOptions.Parse($"127.0.0.1:{server.RespPort}");
        options.Ssl = true;
        options.SslHost = "localhost";
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 10_000;
        bool validated = false;
        options.CertificateValidation += (_, certificate, _, errors) =>
        {
            // Trust exactly our certificate (it is self-signed, so the platform reports an untrusted root).
            validated = certificate is not null && certificate.GetCertHashString() == ca.GetCertHashString()
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            return validated;
        };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        IDatabase db = redis.GetDatabase();
        await db.StringSetAsync("k", "v");
        await Assert.That((string?)await db.StringGetAsync("k")).IsEqualTo("v");
        await Assert.That(await db.StringIncrementAsync("n", 5)).IsEqualTo(5);
        await Assert.That(validated).IsTrue();
    }

    [Test]
    [Timeout(90_000)]
    public async Task Admin_port_serves_https_and_plain_http(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartTlsServerAsync(dir);
        var https = await ExternalTool.RunAsync("curl", ["-sS", "--cacert", dir.Combine("tls.crt"), $"https://127.0.0.1:{server.HttpPort}/admin/live"], null, TimeSpan.FromSeconds(20));
        await Assert.That(https.ExitCode).IsEqualTo(0).Because(https.ToString());
        await Assert.That(https.Stdout).Contains("alive");

        // Against a certificate it does not trust, curl refuses: the port really is TLS.
        var untrusted = await ExternalTool.RunAsync("curl", ["-sS", $"https://127.0.0.1:{server.HttpPort}/admin/live"], null, TimeSpan.FromSeconds(20));
        await Assert.That(untrusted.ExitCode).IsNotEqualTo(0);

        // The runbook's commands use http:// on the same port.
        var plain = await ExternalTool.RunAsync("curl", ["-sS", $"http://127.0.0.1:{server.HttpPort}/metrics"], null, TimeSpan.FromSeconds(20));
        await Assert.That(plain.ExitCode).IsEqualTo(0).Because(plain.ToString());
        await Assert.That(plain.Stdout).Contains("thunderdb_");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Plaintext_and_garbage_on_the_tls_port_are_closed_and_the_server_is_unharmed(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await StartTlsServerAsync(dir);
        foreach (byte[] junk in new[] { "PING\r\n"u8.ToArray(), "*1\r\n$4\r\nPING\r\n"u8.ToArray(), new byte[] { 0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3 } })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, server.RespPort, ct);
            await socket.SendAsync(junk, SocketFlags.None, ct);
            var reply = new byte[256];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            int total = 0;
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(reply.AsMemory(total), SocketFlags.None, timeout.Token)) > 0 && total < reply.Length)
                {
                    total += n;
                }
            }
            catch (SocketException)
            {
                // reset: also a refusal
            }

            await Assert.That(Encoding.ASCII.GetString(reply, 0, total)).DoesNotContain("PONG");
        }

        var ok = await ExternalTool.RedisCliAsync(server.RespPort, "--tls", "--cacert", dir.Combine("tls.crt"), "PING");
        await Assert.That(ok.Stdout.Trim()).IsEqualTo("PONG").Because(ok.ToString());
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_key_that_is_not_pem_stops_startup_naming_the_files(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        WriteCertificate(dir);
        dir.Write("tls.key", "this is not a key\n");
        var config = dir.Write("thunderdb.toml", $"""
            http_port = {ServerProcess.FreePort()}
            data_dir = "{dir.Combine("data")}"
            {TlsSection(dir)}
            """);
        await using var process = await ServerProcess.StartAsync(dir.Path, ["--config", config]);
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(exit).IsEqualTo(1);
        await Assert.That(process.AllOutput).Contains(dir.Combine("tls.key"));
        await Assert.That(process.AllOutput).DoesNotContain("   at ");
    }
}
