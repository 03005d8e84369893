using System.Diagnostics;
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
        await Assert.That(await v.CheckAsync(null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);
    }

    [Test]
    public async Task Missing_wrong_and_right_tokens()
    {
        var v = new AdminTokenVerifier(required: true, TokenHash);
        await Assert.That(await v.CheckAsync(null, CancellationToken.None)).IsEqualTo(AdminAuthResult.Missing);
        await Assert.That(await v.CheckAsync("Basic abc", CancellationToken.None)).IsEqualTo(AdminAuthResult.Missing);
        await Assert.That(await v.CheckAsync("Bearer nope", CancellationToken.None)).IsEqualTo(AdminAuthResult.Invalid);
        await Assert.That(await v.CheckAsync("Bearer tok-123", CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);
        await Assert.That(await v.CheckAsync("bearer tok-123", CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);
    }

    [Test]
    public async Task No_configured_hash_refuses_with_a_reason()
    {
        var v = new AdminTokenVerifier(required: true, tokenHash: null);
        await Assert.That(await v.CheckAsync("Bearer anything", CancellationToken.None)).IsEqualTo(AdminAuthResult.NotConfigured);
    }

    [Test]
    public async Task A_verified_token_is_cached_so_later_checks_skip_bcrypt()
    {
        var costly = BCrypt.Net.BCrypt.HashPassword("slow-token", BCrypt.Net.BCrypt.GenerateSalt(12, 'b'));
        var v = new AdminTokenVerifier(required: true, costly);
        await Assert.That(await v.CheckAsync("Bearer slow-token", CancellationToken.None)).IsEqualTo(AdminAuthResult.Allowed);

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            await v.CheckAsync("Bearer slow-token", CancellationToken.None);
        }

        // 1000 cached checks must cost far less than a single bcrypt at cost 12 (~250 ms).
        await Assert.That(sw.Elapsed.TotalMilliseconds).IsLessThan(100);
    }
}
