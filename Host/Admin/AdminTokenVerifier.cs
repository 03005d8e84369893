using System.Security.Cryptography;
using System.Text;

namespace ThunderDb.Host.Admin;

public enum AdminAuthResult
{
    Allowed,
    Missing,
    Invalid,
    NotConfigured,
}

/// <summary>
/// Checks <c>Authorization: Bearer &lt;token&gt;</c> against <c>security.admin_token_hash</c> (a bcrypt hash, so
/// the config never holds the token). bcrypt costs ~0.25 s at cost 12, so a token that verified once is
/// remembered as its SHA-256 and later requests cost one hash and a fixed-time compare (microseconds).
/// bcrypt runs one at a time, so wrong tokens cannot burn every core.
/// </summary>
public sealed class AdminTokenVerifier(bool required, string? tokenHash)
{
    private const int MaxRemembered = 16;
    private readonly SemaphoreSlim _bcryptGate = new(1, 1);
    private readonly Lock _lock = new();
    private byte[][] _accepted = [];

    public bool Required { get; } = required;

    public async ValueTask<AdminAuthResult> CheckAsync(string? authorizationHeader, CancellationToken cancellationToken)
    {
        if (!Required)
        {
            return AdminAuthResult.Allowed;
        }

        if (tokenHash is null)
        {
            return AdminAuthResult.NotConfigured;
        }

        const string prefix = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || authorizationHeader.Length == prefix.Length)
        {
            return AdminAuthResult.Missing;
        }

        var token = authorizationHeader[prefix.Length..].Trim();
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        if (IsRemembered(digest))
        {
            return AdminAuthResult.Allowed;
        }

        await _bcryptGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsRemembered(digest))
            {
                return AdminAuthResult.Allowed;
            }

            if (!BCrypt.Net.BCrypt.Verify(token, tokenHash))
            {
                return AdminAuthResult.Invalid;
            }

            lock (_lock)
            {
                _accepted = _accepted.Length >= MaxRemembered ? [digest] : [.. _accepted, digest];
            }

            return AdminAuthResult.Allowed;
        }
        finally
        {
            _bcryptGate.Release();
        }
    }

    private bool IsRemembered(byte[] digest)
    {
        foreach (var known in Volatile.Read(ref _accepted))
        {
            if (CryptographicOperations.FixedTimeEquals(known, digest))
            {
                return true;
            }
        }

        return false;
    }
}
