using System.Security.Cryptography;
using System.Text;

namespace ThunderDb.Core.Catalog;

/// <summary>How a role's password is stored when set from cleartext: PostgreSQL's password_encryption.</summary>
public enum PasswordEncryption
{
    ScramSha256,
    Md5,
}

/// <summary>
/// The stored forms of a role's password (pg_authid.rolpassword) and the checks against them. A PASSWORD given
/// already hashed (<c>SCRAM-SHA-256$...</c> or <c>md5</c> + 32 hex digits) is stored as given, as PostgreSQL does.
/// </summary>
public static class RolePasswords
{
    /// <summary>The stored form of a PASSWORD literal for role <paramref name="roleName"/>.</summary>
    public static string Encrypt(string password, string roleName, PasswordEncryption encryption)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (ScramVerifier.TryParse(password) is not null || IsMd5Hash(password))
        {
            return password;
        }

        return encryption == PasswordEncryption.Md5 ? Md5Hash(password, roleName) : ScramSha256.Derive(password).ToString();
    }

    /// <summary><c>md5</c> + hex(MD5(password + user)): PostgreSQL's MD5 password hash.</summary>
    public static string Md5Hash(string password, string user)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(user);
#pragma warning disable CA5351 // MD5 is what the PostgreSQL md5 method is defined with; it is offered only when configured
        return "md5" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
#pragma warning restore CA5351
    }

    /// <summary>What an MD5 client answers for <paramref name="md5Hash"/> and <paramref name="salt"/>: <c>md5</c> + hex(MD5(hex part + salt)).</summary>
    public static string Md5Response(string md5Hash, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(md5Hash);
        byte[] hex = Encoding.ASCII.GetBytes(md5Hash[3..]);
        byte[] input = [.. hex, .. salt];
#pragma warning disable CA5351 // see Md5Hash
        return "md5" + Convert.ToHexStringLower(MD5.HashData(input));
#pragma warning restore CA5351
    }

    public static bool IsMd5Hash(string? text) =>
        text is { Length: 35 } && text.StartsWith("md5", StringComparison.Ordinal) && text.AsSpan(3).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>True when cleartext <paramref name="password"/> matches the stored secret (SCRAM verifier or MD5 hash) of <paramref name="user"/>.</summary>
    public static bool Matches(string? stored, string password, string user)
    {
        if (ScramVerifier.TryParse(stored) is { } verifier)
        {
            return ScramSha256.Matches(verifier, password);
        }

        return IsMd5Hash(stored) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored!), Encoding.ASCII.GetBytes(Md5Hash(password, user)));
    }
}
