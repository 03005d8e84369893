using System.Buffers.Binary;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Engine;
using ThunderDb.Net.Postgres;
using ThunderDb.Net.Tests.Support;
using ThunderDb.Net.Transport;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>The SASL / SCRAM-SHA-256 messages at the byte level, and what malformed ones get.</summary>
public sealed class PgAuthWireTests
{
    private static async Task<PgServer> StartAsync()
    {
        var engine = await SqlEngine.OpenAsync(new InMemoryKvDatabase());
        var options = new PgServerOptions
        {
            AuthEnabled = true,
            SuperuserName = "admin",
            SuperuserPasswordHash = BCrypt.Net.BCrypt.HashPassword("admin pw", BCrypt.Net.BCrypt.GenerateSalt(4, 'b')),
        };
        var server = new PgServer(engine, options, NullLogger.Instance, new ConnectionRegistry());
        BatchResult r = await engine.OpenSession("admin").ExecuteAsync("CREATE USER tester PASSWORD 'pencil'");
        if (r.Error is not null)
        {
            throw r.Error;
        }

        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return server;
    }

    private static async Task<PgClient> ConnectAsync(PgServer server, string user, CancellationToken ct)
    {
        var client = await PgClient.ConnectAsync(server.LocalEndPoint!.Port, ct);
        byte[] parameters = [0, 3, 0, 0, .. Encoding.UTF8.GetBytes($"user\0{user}\0database\0postgres\0"), 0];
        var packet = new byte[4 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, packet.Length);
        parameters.CopyTo(packet, 4);
        await client.SendAsync(packet, ct);
        return client;
    }

    private static byte[] SaslInitial(string mechanism, string clientFirst)
    {
        byte[] data = Encoding.UTF8.GetBytes(clientFirst);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        return PgClient.Message((byte)'p', [.. Encoding.UTF8.GetBytes(mechanism), 0, .. length, .. data]);
    }

    private static int AuthCode(byte[] body) => BinaryPrimitives.ReadInt32BigEndian(body);

    /// <summary>Reads AuthenticationSASL and AuthenticationSASLContinue after sending the client-first-message: the server-first-message.</summary>
    private static async Task<string> ServerFirstAsync(PgClient client, string clientFirst, CancellationToken ct)
    {
        var sasl = await client.ReadAsync(ct);
        if (sasl.Type != (byte)'R' || AuthCode(sasl.Body) != 10)
        {
            throw new InvalidOperationException("expected AuthenticationSASL");
        }

        await client.SendAsync(SaslInitial("SCRAM-SHA-256", clientFirst), ct);
        var next = await client.ReadAsync(ct);
        return next.Type == (byte)'R' && AuthCode(next.Body) == 11 ? Encoding.ASCII.GetString(next.Body.AsSpan(4)) : throw new InvalidOperationException("expected SASLContinue");
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_scram_exchange_offers_only_scram_sha_256_and_proves_the_server_too(CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await ConnectAsync(server, "tester", ct);
        var sasl = await client.ReadAsync(ct);
        await Assert.That(AuthCode(sasl.Body)).IsEqualTo(10);
        await Assert.That(Encoding.ASCII.GetString(sasl.Body.AsSpan(4))).IsEqualTo("SCRAM-SHA-256\0\0");

        await client.SendAsync(SaslInitial("SCRAM-SHA-256", "n,,n=,r=clientnonce"), ct);
        var cont = await client.ReadAsync(ct);
        await Assert.That(AuthCode(cont.Body)).IsEqualTo(11);
        string serverFirst = Encoding.ASCII.GetString(cont.Body.AsSpan(4));
        string[] parts = serverFirst.Split(',');
        await Assert.That(parts[0]).StartsWith("r=clientnonce");
        byte[] salt = Convert.FromBase64String(parts[1][2..]);
        await Assert.That(parts[2]).IsEqualTo("i=4096");

        string withoutProof = $"c=biws,{parts[0]}";
        string authMessage = "n=,r=clientnonce," + serverFirst + "," + withoutProof;
        byte[] salted = ScramSha256.SaltedPassword("pencil", salt, 4096);
        byte[] proof = ScramSha256.ClientProof(salted, authMessage);
        await client.SendAsync(PgClient.Message((byte)'p', Encoding.ASCII.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof))), ct);
        var final = await client.ReadAsync(ct);
        await Assert.That(AuthCode(final.Body)).IsEqualTo(12);
        ScramVerifier fromPassword = ScramSha256.Derive("pencil", salt, 4096);
        await Assert.That(Encoding.ASCII.GetString(final.Body.AsSpan(4)))
            .IsEqualTo("v=" + Convert.ToBase64String(ScramSha256.ServerSignature(fromPassword, authMessage)));
        var ok = await client.ReadAsync(ct);
        await Assert.That(ok.Type).IsEqualTo((byte)'R');
        await Assert.That(AuthCode(ok.Body)).IsEqualTo(0);
        while ((await client.ReadAsync(ct)).Type != (byte)'Z')
        {
        }

        await Assert.That(await client.QueryAsync("SELECT current_user", ct)).IsEqualTo("tester\n");
    }

    [Test]
    [Timeout(30_000)]
    public async Task An_unknown_user_sees_a_stable_salt_and_the_same_refusal_as_a_wrong_password(CancellationToken ct)
    {
        await using var server = await StartAsync();
        var salts = new List<string>();
        foreach (string user in new[] { "ghost", "ghost", "tester" })
        {
            using var client = await ConnectAsync(server, user, ct);
            string serverFirst = await ServerFirstAsync(client, "n,,n=,r=abc", ct);
            salts.Add(serverFirst.Split(',')[1]);
            string withoutProof = $"c=biws,{serverFirst.Split(',')[0]}";
            await client.SendAsync(PgClient.Message((byte)'p', Encoding.ASCII.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(new byte[32]))), ct);
            var error = await client.ReadAsync(ct);
            await Assert.That(error.Type).IsEqualTo((byte)'E');
            await Assert.That(PgClient.Field(error.Body, 'C')).IsEqualTo("28P01");
            await Assert.That(PgClient.Field(error.Body, 'M')).IsEqualTo($"password authentication failed for user \"{user}\"");
            await Assert.That(await client.ReadEndAsync(ct)).IsTrue();
        }

        await Assert.That(salts[0]).IsEqualTo(salts[1]);
        await Assert.That(salts[0]).IsNotEqualTo(salts[2]);
    }

    [Test]
    [Timeout(30_000)]
    [Arguments("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc")]
    [Arguments("SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abc")]
    [Arguments("SCRAM-SHA-256", "x,,n=,r=abc")]
    [Arguments("SCRAM-SHA-256", "n,,r=abc")]
    [Arguments("SCRAM-SHA-256", "n,a=admin,n=,r=abc")]
    public async Task Malformed_sasl_messages_are_protocol_violations(string mechanism, string clientFirst, CancellationToken ct)
    {
        await using var server = await StartAsync();
        using var client = await ConnectAsync(server, "tester", ct);
        await Assert.That(AuthCode((await client.ReadAsync(ct)).Body)).IsEqualTo(10);
        await client.SendAsync(SaslInitial(mechanism, clientFirst), ct);
        var error = await client.ReadAsync(ct);
        await Assert.That(error.Type).IsEqualTo((byte)'E');
        await Assert.That(PgClient.Field(error.Body, 'C')).IsEqualTo("08P01");
        await Assert.That(await client.ReadEndAsync(ct)).IsTrue();
    }
}
