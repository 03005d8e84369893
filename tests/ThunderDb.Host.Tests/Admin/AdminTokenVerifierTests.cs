using System.Diagnostics;
using System.Net;
using ThunderDb.Host.Admin;

namespace ThunderDb.Host.Tests.Admin;

public class AdminTokenVerifierTests
{
    // Cost 4 keeps the test fast; the server accepts any bcrypt cost the hash names.
    private static readonly string TokenHash = BCrypt.Net.BCrypt.HashPassword("tok-123", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));

    [Test]
    public async Task Not_required_allows_everything()
    {
        var v = new AdminTokenVerifier(required: false, tokenHash: null);
        await Assert.That(await v.CheckAsync(null, null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);
    }

    [Test]
    public async Task Missing_wrong_and_right_tokens()
    {
        var v = new AdminTokenVerifier(required: true, TokenHash);
        await Assert.That(await v.CheckAsync(null, null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Missing);
        await Assert.That(await v.CheckAsync("Basic abc", null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Missing);
        await Assert.That(await v.CheckAsync("Bearer nope", null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Invalid);
        await Assert.That(await v.CheckAsync("Bearer tok-123", null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);
        await Assert.That(await v.CheckAsync("bearer tok-123", null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);
    }

    [Test]
    public async Task No_configured_hash_refuses_with_a_reason()
    {
        var v = new AdminTokenVerifier(required: true, tokenHash: null);
        await Assert.That(await v.CheckAsync("Bearer anything", null, CancellationToken.None)).IsEqualTo(AdminAuthResult.NotConfigured);
    }

    [Test]
    public async Task A_verified_token_is_cached_so_later_checks_skip_bcrypt()
    {
        var costly = BCrypt.Net.BCrypt.HashPassword("slow-token", BCrypt.Net.BCrypt.GenerateSalt(12, 'b'));
        var v = new AdminTokenVerifier(required: true, costly);
        await Assert.That(await v.CheckAsync("Bearer slow-token", null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            await v.CheckAsync("Bearer slow-token", null, CancellationToken.None);
        }

        // 1000 cached checks must cost far less than a single bcrypt at cost 12 (~250 ms).
        await Assert.That(sw.Elapsed.TotalMilliseconds).IsLessThan(100);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Wrong_tokens_from_one_address_do_not_hold_up_the_right_token_from_another(CancellationToken ct)
    {
        var hash = BCrypt.Net.BCrypt.HashPassword("right-token", BCrypt.Net.BCrypt.GenerateSalt(11, 'b'));
        var single = Stopwatch.StartNew();
        BCrypt.Net.BCrypt.Verify("warm-up", hash);
        single.Stop();

        var v = new AdminTokenVerifier(required: true, hash);
        using var stopAttack = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var attacker = IPAddress.Parse("10.0.0.2");
        var wrong = Enumerable.Range(0, 30).Select(i => v.CheckAsync($"Bearer wrong-{i}", attacker, stopAttack.Token).AsTask()).ToArray();
        await Task.Delay(20, ct);

        var right = Stopwatch.StartNew();
        var result = await v.CheckAsync("Bearer right-token", IPAddress.Parse("10.0.0.1"), ct);
        right.Stop();
        await stopAttack.CancelAsync();
        foreach (var t in wrong)
        {
            try
            {
                await Assert.That(await t).IsEqualTo(AdminAuthResult.Invalid);
            }
            catch (OperationCanceledException)
            {
                // still throttled when the test ended
            }
        }

        await Assert.That(result).IsEqualTo(AdminAuthResult.Allowed);
        // Serialised, the right token waited behind ~30 bcrypt runs; now at most one of the attacker's is ahead of it.
        await Assert.That(right.Elapsed).IsLessThan(single.Elapsed * 6 + TimeSpan.FromMilliseconds(200))
            .Because($"one bcrypt takes {single.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_rejected_token_is_remembered_so_repeating_it_skips_bcrypt(CancellationToken ct)
    {
        var costly = BCrypt.Net.BCrypt.HashPassword("slow-token", BCrypt.Net.BCrypt.GenerateSalt(12, 'b'));
        var v = new AdminTokenVerifier(required: true, costly);
        await Assert.That(await v.CheckAsync("Bearer wrong", IPAddress.Parse("10.0.1.1"), ct)).IsEqualTo(AdminAuthResult.Invalid);

        // From other addresses (no throttle delay): the cached rejection answers without bcrypt (~250 ms each at cost 12).
        var sw = Stopwatch.StartNew();
        for (var i = 2; i < 22; i++)
        {
            await Assert.That(await v.CheckAsync("Bearer wrong", IPAddress.Parse($"10.0.1.{i}"), ct)).IsEqualTo(AdminAuthResult.Invalid);
        }

        await Assert.That(sw.Elapsed.TotalMilliseconds).IsLessThan(200);
    }
}
