using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Postgres.Differential;

/// <summary>
/// COPY TO STDOUT of one table of varied types, in text, CSV and binary, from ThunderDB and from the distribution's
/// PostgreSQL 15: the bytes must be the same. A binary file PostgreSQL wrote loads into ThunderDB with COPY FROM.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class CopyDifferentialTests
{
    private const string Schema = """
        CREATE TABLE v (id int PRIMARY KEY, big bigint, amount numeric(12,3), label text, flag boolean, day date, at timestamp, note varchar(20));
        INSERT INTO v VALUES
          (1, 9000000000, 12.5, 'plain', true, '2024-02-29', '2024-02-29 13:14:15.123456', 'x'),
          (2, -1, -0.001, E'tab\there\nnew line \\ backslash', false, '1999-12-31', '2000-01-01 00:00:00', NULL),
          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (4, 0, 0, '', true, '1970-01-01', '1970-01-01 00:00:01', 'a,b "q"'),
          (5, 42, 123456789.123, 'café ☃ \N', false, '2038-01-19', '2038-01-19 03:14:07.5', E'\\.');
        """;

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static async Task<ToolResult> PsqlAsync(int port, string user, string script) =>
        await PsqlTests.PsqlAsync(port, script, null, "-U", user, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q");

    [Test]
    [Timeout(180_000)]
    public async Task Copy_to_stdout_is_byte_for_byte_postgresql_and_its_binary_loads_back(CancellationToken ct)
    {
        await using var reference = await ReferencePostgres.StartAsync();
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        string[] formats = ["text", "csv", "binary"];
        string Export(string who) => string.Concat(formats.Select(f =>
            $"\\copy (SELECT * FROM v ORDER BY id) to '{dir.Combine($"{who}-query.{f}")}' with (format {f})\n"
            + $"\\copy v to '{dir.Combine($"{who}-table.{f}")}' with (format {f}{(f == "binary" ? "" : ", header")})\n"));
        var pg = await PsqlAsync(reference.Port, reference.User, Schema + Export("pg"));
        await Assert.That(pg.ExitCode).IsEqualTo(0).Because(pg.ToString());
        var thunder = await PsqlAsync(server.PgPort, "thunder", Schema + Export("thunder"));
        await Assert.That(thunder.ExitCode).IsEqualTo(0).Because(thunder.ToString());
        foreach (string f in formats)
        {
            foreach (string kind in new[] { "query", "table" })
            {
                byte[] want = await File.ReadAllBytesAsync(dir.Combine($"pg-{kind}.{f}"), ct);
                byte[] got = await File.ReadAllBytesAsync(dir.Combine($"thunder-{kind}.{f}"), ct);
                await Assert.That(Convert.ToHexString(got)).IsEqualTo(Convert.ToHexString(want)).Because($"{kind} {f}:\n{System.Text.Encoding.UTF8.GetString(want)}\nvs\n{System.Text.Encoding.UTF8.GetString(got)}");
            }
        }

        // PostgreSQL's binary file into a ThunderDB table, then out again as text: PostgreSQL's text
        string load = $"""
            CREATE TABLE w (id int PRIMARY KEY, big bigint, amount numeric(12,3), label text, flag boolean, day date, at timestamp, note varchar(20));
            \copy w from '{dir.Combine("pg-table.binary")}' with (format binary)
            \copy w to '{dir.Combine("thunder-reloaded.text")}' with (format text, header)
            """;
        var loaded = await PsqlAsync(server.PgPort, "thunder", load);
        await Assert.That(loaded.ExitCode).IsEqualTo(0).Because(loaded.ToString());
        await Assert.That(await File.ReadAllTextAsync(dir.Combine("thunder-reloaded.text"), ct)).IsEqualTo(await File.ReadAllTextAsync(dir.Combine("pg-table.text"), ct));
    }
}
