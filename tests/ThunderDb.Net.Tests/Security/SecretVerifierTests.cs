using System.Diagnostics;
using System.Net;
using ThunderDb.Net.Security;

namespace ThunderDb.Net.Tests.Security;

public class LoginThrottleTests
{
    [Test]
    public async Task The_delay_doubles_per_failure_and_is_bounded()
    {
        await Assert.That(LoginThrottle.Delay(0)).IsEqualTo(TimeSpan.Zero);
        await Assert.That(LoginThrottle.Delay(1)).IsEqualTo(TimeSpan.FromMilliseconds(50));
        await Assert.That(LoginThrottle.Delay(2)).IsEqualTo(TimeSpan.FromMilliseconds(100));
        await Assert.That(LoginThrottle.Delay(5)).IsEqualTo(TimeSpan.FromMilliseconds(800));
        await Assert.That(LoginThrottle.Delay(7)).IsEqualTo(LoginThrottle.MaxDelay);
        await Assert.That(LoginThrottle.Delay(10_000)).IsEqualTo(LoginThrottle.MaxDelay);
    }

    [Test]
    public async Task Failures_count_per_address_and_per_connection_and_a_success_clears_the_address()
    {
        var throttle = new LoginThrottle();
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");
        throttle.Failed(a);
        throttle.Failed(a);
        throttle.Failed(a);
        await Assert.That(throttle.DelayFor(a, 0)).IsEqualTo(TimeSpan.FromMilliseconds(200));
        await Assert.That(throttle.DelayFor(IPAddress.Parse("::ffff:192.0.2.1"), 0)).IsEqualTo(TimeSpan.FromMilliseconds(200));
        await Assert.That(throttle.DelayFor(b, 0)).IsEqualTo(TimeSpan.Zero);
        await Assert.That(throttle.DelayFor(b, 4)).IsEqualTo(TimeSpan.FromMilliseconds(400));
        await Assert.That(throttle.DelayFor(a, 5)).IsEqualTo(TimeSpan.FromMilliseconds(800));
        throttle.Succeeded(a);
        await Assert.That(throttle.DelayFor(a, 0)).IsEqualTo(TimeSpan.Zero);
    }
}

public class SecretVerifierTests
{
    private static readonly string Hash = BCrypt.Net.BCrypt.HashPassword("s3cret", BCrypt.Net.BCrypt.GenerateSalt(4, 'b'));

    [Test]
    public async Task Right_and_wrong_secrets_and_a_null_hash_refuses_all()
    {
        var v = new SecretVerifier(Hash);
        await Assert.That(await v.VerifyAsync("s3cret", null, 0, CancellationToken.None)).IsTrue();
        await Assert.That(await v.VerifyAsync("S3cret", IPAddress.Loopback, 0, CancellationToken.None)).IsFalse();
        await Assert.That(v.Throttle.FailuresOf(IPAddress.Loopback)).IsEqualTo(1);
        await Assert.That(await new SecretVerifier(null).VerifyAsync("s3cret", null, 0, CancellationToken.None)).IsFalse();
    }

    [Test]
    public async Task A_verified_secret_answers_synchronously_afterwards()
    {
        var v = new SecretVerifier(Hash);
        await Assert.That(await v.VerifyAsync("s3cret", null, 0, CancellationToken.None)).IsTrue();
        var again = v.VerifyAsync("s3cret", null, 0, CancellationToken.None);
        await Assert.That(again.IsCompletedSuccessfully).IsTrue();
        await Assert.That(again.Result).IsTrue();
    }

    [Test]
    [Timeout(30_000)]
    public async Task Bcrypt_does_not_run_on_the_calling_thread(CancellationToken ct)
    {
        // The first check of a cost-12 hash takes ~0.25 s of CPU; the caller gets a pending task at once.
        var costly = BCrypt.Net.BCrypt.HashPassword("slow", BCrypt.Net.BCrypt.GenerateSalt(12, 'b'));
        var v = new SecretVerifier(costly);
        var sw = Stopwatch.StartNew();
        var pending = v.VerifyAsync("slow", null, 0, ct);
        var returnedAfter = sw.Elapsed;
        await Assert.That(pending.IsCompleted).IsFalse();
        await Assert.That(returnedAfter).IsLessThan(TimeSpan.FromMilliseconds(50));
        await Assert.That(await pending).IsTrue();
    }

    [Test]
    [Timeout(30_000)]
    public async Task A_connection_that_failed_waits_longer_before_its_next_check(CancellationToken ct)
    {
        var v = new SecretVerifier(Hash);
        var sw = Stopwatch.StartNew();
        await Assert.That(await v.VerifyAsync("s3cret", IPAddress.Parse("192.0.2.9"), connectionFailures: 4, ct)).IsTrue();
        await Assert.That(sw.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390));
    }
}
