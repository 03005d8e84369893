using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ThunderDb.Core.Catalog;

/// <summary>
/// A SCRAM-SHA-256 verifier as PostgreSQL stores it in pg_authid.rolpassword:
/// <c>SCRAM-SHA-256$iterations:base64(salt)$base64(StoredKey):base64(ServerKey)</c>.
/// </summary>
public sealed record ScramVerifier(int Iterations, byte[] Salt, byte[] StoredKey, byte[] ServerKey)
{
    public const string Prefix = "SCRAM-SHA-256$";

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Iterations}:{Convert.ToBase64String(Salt)}${Convert.ToBase64String(StoredKey)}:{Convert.ToBase64String(ServerKey)}");

    /// <summary>The verifier <paramref name="text"/> holds, or null when it is not a well-formed one.</summary>
    public static ScramVerifier? TryParse(string? text)
    {
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string[] parts = text[Prefix.Length..].Split('$');
        if (parts.Length != 2)
        {
            return null;
        }

        string[] head = parts[0].Split(':');
        string[] keys = parts[1].Split(':');
        if (head.Length != 2 || keys.Length != 2
            || !int.TryParse(head[0], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations) || iterations < 1)
        {
            return null;
        }

        byte[]? salt = FromBase64(head[1]), stored = FromBase64(keys[0]), server = FromBase64(keys[1]);
        return salt is { Length: > 0 } && stored is { Length: ScramSha256.KeyLength } && server is { Length: ScramSha256.KeyLength }
            ? new ScramVerifier(iterations, salt, stored, server)
            : null;
    }

    private static byte[]? FromBase64(string s)
    {
        var buffer = new byte[(s.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(s, buffer, out int n) ? buffer[..n] : null;
    }
}

/// <summary>
/// The SCRAM-SHA-256 computations of RFC 5802 / RFC 7677 (Hi = PBKDF2-HMAC-SHA-256, HMAC, H = SHA-256), with
/// PostgreSQL's choices: 16-byte salts, 4096 iterations, and the password prepared with (most of) SASLprep when
/// it is not plain ASCII.
/// </summary>
public static class ScramSha256
{
    public const int KeyLength = 32;
    public const int DefaultIterations = 4096;
    public const int SaltLength = 16;

    /// <summary>A verifier for <paramref name="password"/> with a fresh random salt.</summary>
    public static ScramVerifier Derive(string password) => Derive(password, RandomNumberGenerator.GetBytes(SaltLength), DefaultIterations);

    public static ScramVerifier Derive(string password, byte[] salt, int iterations)
    {
        byte[] salted = SaltedPassword(password, salt, iterations);
        byte[] clientKey = Hmac(salted, "Client Key");
        var verifier = new ScramVerifier(iterations, salt, SHA256.HashData(clientKey), Hmac(salted, "Server Key"));
        CryptographicOperations.ZeroMemory(salted);
        CryptographicOperations.ZeroMemory(clientKey);
        return verifier;
    }

    /// <summary>SaltedPassword := Hi(Normalize(password), salt, i).</summary>
    public static byte[] SaltedPassword(string password, byte[] salt, int iterations)
    {
        byte[] prepared = Encoding.UTF8.GetBytes(SaslPrep(password));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(prepared, salt, iterations, HashAlgorithmName.SHA256, KeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prepared);
        }
    }

    /// <summary>True when <paramref name="password"/> is the one <paramref name="verifier"/> was made from (a cleartext login).</summary>
    public static bool Matches(ScramVerifier verifier, string password)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        byte[] salted = SaltedPassword(password, verifier.Salt, verifier.Iterations);
        byte[] storedKey = SHA256.HashData(Hmac(salted, "Client Key"));
        CryptographicOperations.ZeroMemory(salted);
        return CryptographicOperations.FixedTimeEquals(storedKey, verifier.StoredKey);
    }

    /// <summary>
    /// The server's check of a client-final-message: ClientKey := ClientProof XOR HMAC(StoredKey, AuthMessage),
    /// accepted when H(ClientKey) = StoredKey.
    /// </summary>
    public static bool VerifyClientProof(ScramVerifier verifier, string authMessage, ReadOnlySpan<byte> clientProof)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        if (clientProof.Length != KeyLength)
        {
            return false;
        }

        byte[] signature = Hmac(verifier.StoredKey, authMessage);
        Span<byte> clientKey = stackalloc byte[KeyLength];
        for (int i = 0; i < KeyLength; i++)
        {
            clientKey[i] = (byte)(clientProof[i] ^ signature[i]);
        }

        Span<byte> storedKey = stackalloc byte[KeyLength];
        SHA256.HashData(clientKey, storedKey);
        return CryptographicOperations.FixedTimeEquals(storedKey, verifier.StoredKey);
    }

    /// <summary>ServerSignature := HMAC(ServerKey, AuthMessage), sent in the server-final-message (<c>v=</c>).</summary>
    public static byte[] ServerSignature(ScramVerifier verifier, string authMessage)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return Hmac(verifier.ServerKey, authMessage);
    }

    /// <summary>ClientProof := ClientKey XOR HMAC(H(ClientKey), AuthMessage): what a client sends (for tests and tools).</summary>
    public static byte[] ClientProof(byte[] saltedPassword, string authMessage)
    {
        byte[] clientKey = Hmac(saltedPassword, "Client Key");
        byte[] signature = Hmac(SHA256.HashData(clientKey), authMessage);
        for (int i = 0; i < signature.Length; i++)
        {
            signature[i] ^= clientKey[i];
        }

        return signature;
    }

    /// <summary>
    /// SASLprep (RFC 4013) as far as the build allows: ASCII passwords are used as they are (as PostgreSQL does);
    /// others get non-ASCII spaces mapped to a space and the "mapped to nothing" characters removed. The NFKC step
    /// is not applied (the server runs with invariant globalization, which has no Unicode normalization tables),
    /// so a non-ASCII password that is not already in NFKC form (compatibility characters, decomposed accents)
    /// gives a different verifier than libpq's; typed passwords are almost always NFC, where the two agree.
    /// </summary>
    public static string SaslPrep(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Ascii.IsValid(password))
        {
            return password;
        }

        var mapped = new StringBuilder(password.Length);
        foreach (char c in password)
        {
            if (c is '\u00AD' or '\u034F' or '\u1806' or '\u180B' or '\u180C' or '\u180D' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF'
                || c is >= '\uFE00' and <= '\uFE0F')
            {
                continue; // RFC 3454 B.1: mapped to nothing
            }

            mapped.Append(c is '\u00A0' or '\u1680' or '\u202F' or '\u205F' or '\u3000' || c is >= '\u2000' and <= '\u200A' ? ' ' : c);
        }

        return mapped.ToString();
    }

    private static byte[] Hmac(byte[] key, string text) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text));
}
