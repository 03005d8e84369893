using System.Security.Cryptography;
using System.Text;
using ThunderDb.Core.Catalog;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// The server side of one SCRAM-SHA-256 exchange as PostgreSQL runs it inside SASL (RFC 5802 / 7677): the
/// client-first-message (gs2 header <c>n,,</c> or <c>y,,</c>, the user name ignored in favour of the startup
/// packet's, as PostgreSQL does), the server-first-message (combined nonce, salt, iterations), then the
/// client-final-message's channel binding, nonce and proof. Channel binding (SCRAM-SHA-256-PLUS) is not offered,
/// so a client asking for it (<c>p=</c>) is refused. A malformed message is a protocol violation (08P01); a wrong
/// proof is an authentication failure the caller reports as 28P01.
/// </summary>
internal sealed class PgScramExchange(ScramVerifier verifier)
{
    public const string Mechanism = "SCRAM-SHA-256";
    private const int ServerNonceBytes = 18;

    private string? _gs2Header;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;

    /// <summary>A verifier no password matches (same salt for the same name on every attempt), for unknown users: the exchange runs as for a real one and fails.</summary>
    public static ScramVerifier MockVerifier(string user, byte[] serverSecret)
    {
        byte[] salt = HMACSHA256.HashData(serverSecret, Encoding.UTF8.GetBytes("scram mock salt\0" + user))[..ScramSha256.SaltLength];
        return new ScramVerifier(ScramSha256.DefaultIterations, salt, RandomNumberGenerator.GetBytes(ScramSha256.KeyLength), RandomNumberGenerator.GetBytes(ScramSha256.KeyLength));
    }

    /// <summary>Reads the client-first-message and returns the server-first-message.</summary>
    public string ServerFirst(string clientFirst)
    {
        ArgumentNullException.ThrowIfNull(clientFirst);
        int at;
        switch (clientFirst.Length > 0 ? clientFirst[0] : '\0')
        {
            case 'n' or 'y' when clientFirst.Length > 1 && clientFirst[1] == ',':
                at = 2;
                break;
            case 'p':
                throw Malformed("the client requires SCRAM channel binding, which was not offered (SCRAM-SHA-256-PLUS is not supported)");
            default:
                throw Malformed("malformed SCRAM message (unexpected channel-binding flag)");
        }

        if (clientFirst.AsSpan(at).StartsWith("a="))
        {
            throw Malformed("client uses authorization identity, but it is not supported");
        }

        if (at >= clientFirst.Length || clientFirst[at] != ',')
        {
            throw Malformed("malformed SCRAM message (comma expected after the authorization identity)");
        }

        _gs2Header = clientFirst[..(at + 1)];
        _clientFirstBare = clientFirst[(at + 1)..];
        string[] attributes = _clientFirstBare.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal))
        {
            throw Malformed("malformed SCRAM message (user name attribute expected)");
        }

        if (attributes[1].StartsWith("m=", StringComparison.Ordinal))
        {
            throw Malformed("client requires an unsupported SCRAM extension");
        }

        if (!attributes[1].StartsWith("r=", StringComparison.Ordinal) || attributes[1].Length < 3 || !IsPrintable(attributes[1].AsSpan(2)))
        {
            throw Malformed("malformed SCRAM message (nonce attribute expected)");
        }

        _nonce = attributes[1][2..] + Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(verifier.Salt)},i={verifier.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return _serverFirst;
    }

    /// <summary>
    /// Reads the client-final-message: the server-final-message (<c>v=ServerSignature</c>) when the proof is
    /// right, null when it is wrong.
    /// </summary>
    public string? ServerFinal(string clientFinal)
    {
        ArgumentNullException.ThrowIfNull(clientFinal);
        if (_serverFirst is null)
        {
            throw new InvalidOperationException("ServerFirst has not run");
        }

        int proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw Malformed("malformed SCRAM message (proof attribute expected at the end)");
        }

        string withoutProof = clientFinal[..proofAt];
        string[] attributes = withoutProof.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("c=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            throw Malformed("malformed SCRAM message (channel binding and nonce attributes expected)");
        }

        if (FromBase64(attributes[0][2..]) is not { } binding || !binding.AsSpan().SequenceEqual(Encoding.ASCII.GetBytes(_gs2Header!)))
        {
            throw Malformed("SCRAM channel binding check failed");
        }

        if (attributes[1][2..] != _nonce)
        {
            throw Malformed("SCRAM nonce mismatch");
        }

        byte[] proof = FromBase64(clientFinal[(proofAt + 3)..]) ?? throw Malformed("malformed SCRAM message (invalid proof)");
        string authMessage = _clientFirstBare + "," + _serverFirst + "," + withoutProof;
        if (!ScramSha256.VerifyClientProof(verifier, authMessage, proof))
        {
            return null;
        }

        return "v=" + Convert.ToBase64String(ScramSha256.ServerSignature(verifier, authMessage));
    }

    private static bool IsPrintable(ReadOnlySpan<char> nonce)
    {
        foreach (char c in nonce)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }

        return true;
    }

    private static byte[]? FromBase64(string s)
    {
        var buffer = new byte[(s.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(s, buffer, out int n) ? buffer[..n] : null;
    }

    private static PgProtocolException Malformed(string message) => new(message);
}
