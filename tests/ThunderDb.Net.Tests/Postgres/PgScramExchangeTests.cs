using System.Text;
using ThunderDb.Core.Catalog;
using ThunderDb.Net.Postgres;

namespace ThunderDb.Net.Tests.Postgres;

/// <summary>The server side of the SCRAM-SHA-256 exchange, driven as libpq drives it.</summary>
public sealed class PgScramExchangeTests
{
    private static readonly byte[] Salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

    /// <summary>What a client sends last for <paramref name="password"/>, given the server-first-message.</summary>
    private static string ClientFinal(string password, string clientFirstBare, string serverFirst, string gs2 = "n,,")
    {
        string nonce = serverFirst.Split(',')[0][2..];
        string withoutProof = $"c={Convert.ToBase64String(Encoding.ASCII.GetBytes(gs2))},r={nonce}";
        byte[] salted = ScramSha256.SaltedPassword(password, Salt, 4096);
        byte[] proof = ScramSha256.ClientProof(salted, clientFirstBare + "," + serverFirst + "," + withoutProof);
        return withoutProof + ",p=" + Convert.ToBase64String(proof);
    }

    [Test]
    public async Task The_right_password_gets_the_server_signature_and_a_wrong_one_nothing()
    {
        ScramVerifier verifier = ScramSha256.Derive("pencil", Salt, 4096);
        var exchange = new PgScramExchange(verifier);
        string serverFirst = exchange.ServerFirst("n,,n=,r=rOprNGfwEbeRWgbNEkqO");
        await Assert.That(serverFirst).StartsWith("r=rOprNGfwEbeRWgbNEkqO");
        await Assert.That(serverFirst).EndsWith(",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        string clientFinal = ClientFinal("pencil", "n=,r=rOprNGfwEbeRWgbNEkqO", serverFirst);
        string? serverFinal = exchange.ServerFinal(clientFinal);
        await Assert.That(serverFinal).IsNotNull();
        string authMessage = "n=,r=rOprNGfwEbeRWgbNEkqO," + serverFirst + "," + clientFinal[..clientFinal.LastIndexOf(",p=", StringComparison.Ordinal)];
        await Assert.That(serverFinal!).IsEqualTo("v=" + Convert.ToBase64String(ScramSha256.ServerSignature(verifier, authMessage)));

        var again = new PgScramExchange(verifier);
        string first = again.ServerFirst("y,,n=user,r=abc");
        await Assert.That(again.ServerFinal(ClientFinal("pen", "n=user,r=abc", first, "y,,"))).IsNull();
    }

    [Test]
    public async Task Channel_binding_authzid_and_tampered_messages_are_protocol_violations()
    {
        ScramVerifier verifier = ScramSha256.Derive("pencil", Salt, 4096);
        await Assert.That(() => new PgScramExchange(verifier).ServerFirst("p=tls-server-end-point,,n=,r=abc")).Throws<PgProtocolException>();
        await Assert.That(() => new PgScramExchange(verifier).ServerFirst("n,a=bob,n=,r=abc")).Throws<PgProtocolException>();
        await Assert.That(() => new PgScramExchange(verifier).ServerFirst("n,,n=,m=ext,r=abc")).Throws<PgProtocolException>();
        await Assert.That(() => new PgScramExchange(verifier).ServerFirst("")).Throws<PgProtocolException>();

        var exchange = new PgScramExchange(verifier);
        string serverFirst = exchange.ServerFirst("n,,n=,r=abc");
        string good = ClientFinal("pencil", "n=,r=abc", serverFirst);
        await Assert.That(() => exchange.ServerFinal(good.Replace("c=biws", "c=eSws", StringComparison.Ordinal))).Throws<PgProtocolException>();
        await Assert.That(() => exchange.ServerFinal(good.Replace(",r=abc", ",r=abd", StringComparison.Ordinal))).Throws<PgProtocolException>();
        await Assert.That(() => exchange.ServerFinal("c=biws,r=abc")).Throws<PgProtocolException>();
    }

    [Test]
    public async Task A_mock_verifier_keeps_its_salt_per_name_and_accepts_nothing()
    {
        byte[] secret = new byte[32];
        ScramVerifier a = PgScramExchange.MockVerifier("ghost", secret);
        ScramVerifier b = PgScramExchange.MockVerifier("ghost", secret);
        await Assert.That(a.Salt.SequenceEqual(b.Salt)).IsTrue();
        await Assert.That(a.Salt.SequenceEqual(PgScramExchange.MockVerifier("other", secret).Salt)).IsFalse();
        await Assert.That(ScramSha256.Matches(a, "")).IsFalse();
    }
}
