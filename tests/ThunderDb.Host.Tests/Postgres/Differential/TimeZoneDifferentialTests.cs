using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// EXTRACT and AT TIME ZONE: named zones with their daylight-saving rules (an overlap and a gap), POSIX offsets, interval
/// zones, an unknown zone, column names: one psql script against ThunderDB and PostgreSQL 15 must print the same.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class TimeZoneDifferentialTests
{
    private const string Script = """
        SELECT EXTRACT(YEAR FROM timestamp '2024-05-17 10:20:30.5'), EXTRACT(dow FROM date '2024-05-17'), extract('epoch' from timestamptz '2024-01-01 00:00+00'), EXTRACT(SECOND FROM time '10:20:30.25');
        SELECT EXTRACT(MONTH FROM interval '14 months'), EXTRACT(hour FROM interval '3 days 4 hours');
        SELECT timestamptz '2024-07-01 12:00+00' AT TIME ZONE 'America/New_York', timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'America/New_York';
        SELECT timestamp '2024-07-01 12:00' AT TIME ZONE 'Europe/Paris', timestamp '2024-07-01 12:00' AT TIME ZONE 'UTC';
        SELECT timestamptz '2024-07-01 12:00+00' AT TIME ZONE '+05', timestamptz '2024-07-01 12:00+00' AT TIME ZONE 'UTC+3', timestamptz '2024-07-01 12:00+00' AT TIME ZONE INTERVAL '+05:30';
        SELECT timestamp '2024-11-03 01:30' AT TIME ZONE 'America/New_York', timestamp '2024-03-10 02:30' AT TIME ZONE 'America/New_York';
        SELECT timestamptz '2024-07-01 12:00+00' AT TIME ZONE 'Nowhere/Land';
        SELECT now() AT TIME ZONE 'UTC' IS NOT NULL AS ok;
        SELECT (timestamp '2024-07-01 12:00' AT TIME ZONE 'Asia/Kolkata') AT TIME ZONE 'Asia/Tokyo';
        SELECT timezone('Europe/Berlin', timestamptz '2024-12-24 18:00+00');
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Extract_and_at_time_zone_print_what_postgresql_prints(CancellationToken ct) =>
        await PsqlScriptDifferential.AssertSamePrintoutAsync(Script, ct);
}
