using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using ThunderDb.Core.Catalog;

namespace ThunderDb.Net.Postgres;

/// <summary>
/// Password authentication with the configured method (<see cref="PgAuthMethod"/>), for the configured superuser
/// and for catalog roles. Every refusal, unknown user or wrong password alike, is the same FATAL 28P01 after the
/// same exchange (unknown users get a mock SCRAM salt or a random MD5 salt), so the answer does not tell which
/// names exist. Passwords are never logged.
/// <para>
/// The superuser's configured secret is a bcrypt hash, which no challenge-response method can use. At its first
/// successful cleartext login while SCRAM (or MD5) is configured, the server derives a SCRAM-SHA-256 verifier (and
/// the MD5 hash when MD5 is configured) and stores it in the catalog, tied to a fingerprint of the bcrypt hash;
/// later logins use SCRAM. Until then (and after the hash is rotated) the superuser logs in with the cleartext
/// password, checked with bcrypt, logged as a warning when the connection is not TLS-protected.
/// </para>
/// </summary>
internal sealed partial class PgConnection
{
    private const int AuthCleartext = 3, AuthMd5 = 5, AuthSasl = 10, AuthSaslContinue = 11, AuthSaslFinal = 12;

    private enum Exchange
    {
        Cleartext,
        Md5,
        Scram,
    }

    private async Task<bool> AuthenticateAsync(string user, bool overTls, CancellationToken cancellationToken)
    {
        if (!_server.Options.AuthEnabled)
        {
            return true;
        }

        IPAddress? from = (_conn.Io.Socket.RemoteEndPoint as IPEndPoint)?.Address;
        CatalogSnapshot catalog = _server.Engine.Catalog.Current;
        bool isSuperuser = user == _server.Options.SuperuserName;
        SuperuserSecretDef? derived = isSuperuser && catalog.SuperuserSecret is { } s && s.BcryptFingerprint == _server.SuperuserHashFingerprint ? s : null;
        string? stored = isSuperuser ? derived?.ScramVerifier : catalog.FindRole(user)?.Password;
        string? md5 = isSuperuser ? (derived?.Md5User == user ? derived.Md5Hash : null) : RolePasswords.IsMd5Hash(stored) ? stored : null;
        ScramVerifier? verifier = ScramVerifier.TryParse(stored);
        Exchange exchange = _server.Options.AuthMethod switch
        {
            PgAuthMethod.Password => Exchange.Cleartext,
            PgAuthMethod.Md5 when md5 is not null => Exchange.Md5,
            PgAuthMethod.Md5 => verifier is not null ? Exchange.Scram : isSuperuser ? Exchange.Cleartext : Exchange.Md5,
            _ => verifier is null && isSuperuser ? Exchange.Cleartext : Exchange.Scram,
        };

        bool ok = exchange switch
        {
            Exchange.Scram => await ScramAsync(user, verifier, from, cancellationToken).ConfigureAwait(false),
            Exchange.Md5 => await Md5Async(user, md5, from, cancellationToken).ConfigureAwait(false),
            _ => await CleartextAsync(user, isSuperuser, stored, overTls, from, cancellationToken).ConfigureAwait(false),
        };
        if (!ok)
        {
            // the user name is the client's own input; the password is never logged
            _server.Logger.LogWarning("pg: password authentication failed for user {User} from {Remote}", user, from);
            await TrySendFatalAsync("28P01", $"password authentication failed for user \"{user}\"").ConfigureAwait(false);
            return false;
        }

        _server.Logger.LogDebug("pg: user {User} authenticated with {Method}", user,
            exchange switch { Exchange.Scram => "scram-sha-256", Exchange.Md5 => "md5", _ => "password" });
        return true;
    }

    private async Task<bool> ScramAsync(string user, ScramVerifier? verifier, IPAddress? from, CancellationToken cancellationToken)
    {
        var scram = new PgScramExchange(verifier ?? PgScramExchange.MockVerifier(user, _server.MockSecret));
        _out.Begin((byte)'R');
        _out.Int32(AuthSasl);
        _out.CString(PgScramExchange.Mechanism);
        _out.Byte(0);
        _out.End();
        byte[]? initial = await ReadPasswordMessageAsync(cancellationToken).ConfigureAwait(false);
        if (initial is null)
        {
            return false;
        }

        string clientFirst = ReadSaslInitialResponse(initial);
        string serverFirst = scram.ServerFirst(clientFirst);
        _out.Begin((byte)'R');
        _out.Int32(AuthSaslContinue);
        _out.Bytes(Encoding.ASCII.GetBytes(serverFirst));
        _out.End();
        byte[]? final = await ReadPasswordMessageAsync(cancellationToken).ConfigureAwait(false);
        if (final is null)
        {
            return false;
        }

        await WaitTurnAsync(from, cancellationToken).ConfigureAwait(false);
        string? serverFinal = scram.ServerFinal(Utf8(final));
        if (serverFinal is null || verifier is null)
        {
            _server.Passwords.Throttle.Failed(from);
            return false;
        }

        _server.Passwords.Throttle.Succeeded(from);
        _out.Begin((byte)'R');
        _out.Int32(AuthSaslFinal);
        _out.Bytes(Encoding.ASCII.GetBytes(serverFinal));
        _out.End();
        return true;
    }

    private async Task<bool> Md5Async(string user, string? md5Hash, IPAddress? from, CancellationToken cancellationToken)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(4);
        _out.Begin((byte)'R');
        _out.Int32(AuthMd5);
        _out.Bytes(salt);
        _out.End();
        byte[]? reply = await ReadPasswordMessageAsync(cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return false;
        }

        string response = PasswordString(reply);
        await WaitTurnAsync(from, cancellationToken).ConfigureAwait(false);
        bool ok = md5Hash is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(response), Encoding.ASCII.GetBytes(RolePasswords.Md5Response(md5Hash, salt)));
        Count(ok, from);
        return ok;
    }

    private async Task<bool> CleartextAsync(string user, bool isSuperuser, string? stored, bool overTls, IPAddress? from, CancellationToken cancellationToken)
    {
        bool deriving = isSuperuser && _server.Options.AuthMethod != PgAuthMethod.Password;
        if (deriving && !overTls)
        {
            _server.Logger.LogWarning(
                "pg: the superuser {User} has no SCRAM verifier yet, so its password is asked for in cleartext on a connection without TLS, once: "
                + "enable TLS (security.tls_enabled) to protect it", user);
        }

        _out.Begin((byte)'R');
        _out.Int32(AuthCleartext);
        _out.End();
        byte[]? reply = await ReadPasswordMessageAsync(cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return false;
        }

        string password = PasswordString(reply);
        if (isSuperuser)
        {
            // bcrypt, off the event loop, throttled and counted by the verifier
            if (!await _server.Passwords.VerifyAsync(password, from, 0, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            if (deriving)
            {
                await StoreSuperuserSecretAsync(user, password, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }

        await WaitTurnAsync(from, cancellationToken).ConfigureAwait(false);
        bool ok = RolePasswords.Matches(stored, password, user);
        Count(ok, from);
        return ok;
    }

    /// <summary>The secrets derived from the superuser's password, just checked against the bcrypt hash; later logins use them.</summary>
    private async Task StoreSuperuserSecretAsync(string user, string password, CancellationToken cancellationToken)
    {
        string? fingerprint = _server.SuperuserHashFingerprint;
        if (fingerprint is null)
        {
            return;
        }

        string? md5 = _server.Options.AuthMethod == PgAuthMethod.Md5 ? RolePasswords.Md5Hash(password, user) : null;
        var secret = new SuperuserSecretDef(fingerprint, ScramSha256.Derive(password).ToString(), md5, user);
        if (await _server.Engine.Catalog.StoreSuperuserSecretAsync(secret, cancellationToken).ConfigureAwait(false))
        {
            _server.Logger.LogInformation("pg: stored a SCRAM-SHA-256 verifier{Md5} for the superuser {User}: its later logins use {Method}",
                md5 is null ? "" : " and an MD5 hash", user, md5 is null ? "SCRAM" : "MD5");
        }
    }

    private async ValueTask WaitTurnAsync(IPAddress? from, CancellationToken cancellationToken)
    {
        TimeSpan delay = _server.Passwords.Throttle.DelayFor(from, 0);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Count(bool ok, IPAddress? from)
    {
        if (ok)
        {
            _server.Passwords.Throttle.Succeeded(from);
        }
        else
        {
            _server.Passwords.Throttle.Failed(from);
        }
    }

    /// <summary>Sends what is pending and reads the client's 'p' message (PasswordMessage, SASLInitialResponse or SASLResponse); null when the client left.</summary>
    private async Task<byte[]?> ReadPasswordMessageAsync(CancellationToken cancellationToken)
    {
        await _out.FlushAsync(_conn, cancellationToken).ConfigureAwait(false);
        (byte Type, ReadOnlyMemory<byte> Body)? reply = await _in.ReadAsync(startup: false, cancellationToken).ConfigureAwait(false);
        if (reply is not { } r)
        {
            return null;
        }

        if (r.Type != (byte)'p')
        {
            throw new PgProtocolException($"expected password response, got message type {r.Type}");
        }

        return r.Body.ToArray();
    }

    private static string PasswordString(byte[] body)
    {
        var reader = new PgBody(body);
        return reader.CString();
    }

    /// <summary>SASLInitialResponse: the mechanism chosen, then the length-prefixed client-first-message.</summary>
    private static string ReadSaslInitialResponse(byte[] body)
    {
        var reader = new PgBody(body);
        string mechanism = reader.CString();
        if (mechanism != PgScramExchange.Mechanism)
        {
            throw new PgProtocolException($"client selected an invalid SASL authentication mechanism \"{mechanism}\"");
        }

        int length = reader.Int32();
        return length < 0 ? "" : Utf8(reader.Bytes(length).ToArray());
    }

    private static string Utf8(byte[] bytes)
    {
        try
        {
            return PgText.Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new PgProtocolException("malformed SCRAM message (" + PgText.InvalidUtf8(e).Message + ")");
        }
    }
}
