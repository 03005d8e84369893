using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Tests.Configuration;

public class DurationTests
{
    [Test]
    [Arguments("100ms", 100)]
    [Arguments("1s", 1000)]
    [Arguments("30s", 30_000)]
    [Arguments("5m", 300_000)]
    [Arguments("24h", 86_400_000)]
    [Arguments("7d", 604_800_000)]
    [Arguments("1h30m", 5_400_000)]
    [Arguments("0s", 0)]
    public async Task Parses_runbook_durations(string text, long ms)
    {
        await Assert.That(Duration.TryParse(text, out var d)).IsTrue();
        await Assert.That((long)d.TotalMilliseconds).IsEqualTo(ms);
        await Assert.That(Duration.TryParse(Duration.Format(d), out var again)).IsTrue();
        await Assert.That(again).IsEqualTo(d);
    }

    [Test]
    [Arguments("")]
    [Arguments("5")]
    [Arguments("m5")]
    [Arguments("5 m")]
    [Arguments("-5s")]
    [Arguments("1.5s")]
    [Arguments("5y")]
    [Arguments("99999999999999999999s")]
    public async Task Rejects_malformed_durations(string text)
    {
        await Assert.That(Duration.TryParse(text, out _)).IsFalse();
    }

    [Test]
    public async Task Formats_the_shortest_exact_form()
    {
        await Assert.That(Duration.Format(TimeSpan.FromSeconds(90))).IsEqualTo("1m30s");
        await Assert.That(Duration.Format(TimeSpan.FromMilliseconds(250))).IsEqualTo("250ms");
        await Assert.That(Duration.Format(TimeSpan.Zero)).IsEqualTo("0s");
    }
}
