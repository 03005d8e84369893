using System.Net;
using ThunderDb.Net.Security;

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
/// the config never holds the token) through the shared <see cref="SecretVerifier"/>: bcrypt runs off the request
/// thread and concurrently across addresses, a token that verified once costs microseconds afterwards, a wrong one
/// is remembered for a while, and repeated failures from one address slow down (a growing delay, at most one check
/// per core at a time for that address).
/// </summary>
public sealed class AdminTokenVerifier(bool required, string? tokenHash)
{
    private readonly SecretVerifier _tokens = new(tokenHash);

    public bool Required { get; } = required;

    public async ValueTask<AdminAuthResult> CheckAsync(string? authorizationHeader, IPAddress? from, CancellationToken cancellationToken)
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
        return await _tokens.VerifyAsync(token, from, connectionFailures: 0, cancellationToken).ConfigureAwait(false)
            ? AdminAuthResult.Allowed
            : AdminAuthResult.Invalid;
    }
}
