using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ThunderDb.Net.Security;

/// <summary>
/// Checks a password or token against one bcrypt hash for every front end (RESP AUTH, the admin bearer token, and
/// the PostgreSQL and MySQL logins to come). bcrypt at cost 12 takes about 0.25 s of CPU, so:
/// <list type="bullet">
/// <item>it never runs on the caller's thread (a socket event loop would stall every client on it): it runs on a
/// dedicated thread, at most one per core at a time, and the caller awaits it;</item>
/// <item>a secret that verified is remembered (a keyed SHA-256 digest, never the secret), so later checks cost
/// microseconds and complete synchronously; a wrong one is remembered for 30 s, so repeating it costs no bcrypt;</item>
/// <item>failures are throttled per address and per connection (<see cref="LoginThrottle"/>), and an address checks
/// at most one secret per core at a time, so wrong secrets from one address cannot queue in front of other addresses'.</item>
/// </list>
/// </summary>
public sealed class SecretVerifier
{
    private const int MaxAccepted = 16;
    private const int MaxRejected = 4096;
    private const long RejectedForMs = 30_000;

    private readonly string? _bcryptHash;
    private readonly byte[] _digestKey = RandomNumberGenerator.GetBytes(32);
    private readonly SemaphoreSlim _cores = new(Math.Max(1, Environment.ProcessorCount));
    private readonly Lock _lock = new();
    private readonly HashSet<SecretDigest> _accepted = [];
    private readonly Dictionary<SecretDigest, long> _rejectedUntil = [];

    /// <param name="bcryptHash">The hash to check against; null refuses every secret.</param>
    public SecretVerifier(string? bcryptHash, LoginThrottle? throttle = null)
    {
        _bcryptHash = bcryptHash;
        Throttle = throttle ?? new LoginThrottle();
    }

    public LoginThrottle Throttle { get; }

    /// <summary>True when <paramref name="secret"/> matches the hash.</summary>
    /// <param name="from">The client's address, for the throttle.</param>
    /// <param name="connectionFailures">Failed attempts already made on the client's connection.</param>
    public async ValueTask<bool> VerifyAsync(string secret, IPAddress? from, int connectionFailures, CancellationToken cancellationToken)
    {
        SecretDigest digest = Digest(secret);
        if (IsAccepted(digest))
        {
            return true;
        }

        await WaitTurnAsync(from, connectionFailures, cancellationToken).ConfigureAwait(false);
        SemaphoreSlim gate = Throttle.GateFor(from);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool ok;
        try
        {
            // Again after the gate: connections sending one password from one address mostly run bcrypt once.
            ok = IsAccepted(digest) || (!IsRejected(digest) && await RunBcryptAsync(secret, digest, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            gate.Release();
        }

        if (ok)
        {
            Throttle.Succeeded(from);
        }
        else
        {
            Throttle.Failed(from);
        }

        return ok;
    }

    /// <summary>A login refused before any secret is checked (an unknown user): throttled and counted like a wrong secret; always false.</summary>
    public async ValueTask<bool> RefuseAsync(IPAddress? from, int connectionFailures, CancellationToken cancellationToken)
    {
        await WaitTurnAsync(from, connectionFailures, cancellationToken).ConfigureAwait(false);
        Throttle.Failed(from);
        return false;
    }

    private async ValueTask WaitTurnAsync(IPAddress? from, int connectionFailures, CancellationToken cancellationToken)
    {
        TimeSpan delay = Throttle.DelayFor(from, connectionFailures);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> RunBcryptAsync(string secret, SecretDigest digest, CancellationToken cancellationToken)
    {
        if (_bcryptHash is null)
        {
            return false;
        }

        await _cores.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool ok;
        try
        {
            // A thread of its own: a quarter second of CPU on a thread-pool thread would starve the pool's other work.
            string hash = _bcryptHash;
            ok = await Task.Factory.StartNew(() => BCrypt.Net.BCrypt.Verify(secret, hash), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
        finally
        {
            _cores.Release();
        }

        Remember(digest, ok);
        return ok;
    }

    private SecretDigest Digest(string secret)
    {
        int max = Encoding.UTF8.GetMaxByteCount(secret.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[512] : new byte[max];
        int length = Encoding.UTF8.GetBytes(secret, utf8);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_digestKey, utf8[..length], hash);
        CryptographicOperations.ZeroMemory(utf8[..length]);
        return new SecretDigest(
            BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]), BitConverter.ToUInt64(hash[16..]), BitConverter.ToUInt64(hash[24..]));
    }

    private bool IsAccepted(SecretDigest digest)
    {
        lock (_lock)
        {
            return _accepted.Contains(digest);
        }
    }

    private bool IsRejected(SecretDigest digest)
    {
        lock (_lock)
        {
            if (!_rejectedUntil.TryGetValue(digest, out long until))
            {
                return false;
            }

            if (Environment.TickCount64 < until)
            {
                return true;
            }

            _rejectedUntil.Remove(digest);
            return false;
        }
    }

    private void Remember(SecretDigest digest, bool accepted)
    {
        lock (_lock)
        {
            if (accepted)
            {
                if (_accepted.Count >= MaxAccepted)
                {
                    _accepted.Clear();
                }

                _accepted.Add(digest);
                return;
            }

            long now = Environment.TickCount64;
            if (_rejectedUntil.Count >= MaxRejected)
            {
                foreach (KeyValuePair<SecretDigest, long> e in _rejectedUntil)
                {
                    if (e.Value <= now)
                    {
                        _rejectedUntil.Remove(e.Key);
                    }
                }

                if (_rejectedUntil.Count >= MaxRejected)
                {
                    _rejectedUntil.Clear();
                }
            }

            _rejectedUntil[digest] = now + RejectedForMs;
        }
    }

    /// <summary>HMAC-SHA256 of a secret under a per-process random key: comparable, useless to anyone who reads memory.</summary>
    private readonly record struct SecretDigest(ulong A, ulong B, ulong C, ulong D);
}
