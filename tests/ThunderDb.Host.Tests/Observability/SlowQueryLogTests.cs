using Npgsql;
using ThunderDb.Host.Tests.Durability;
using ThunderDb.Host.Tests.EndToEnd;
using ThunderDb.Host.Tests.Postgres;
using ThunderDb.Host.Tests.Resp;

namespace ThunderDb.Host.Tests.Observability;

/// <summary>
/// The runbook's slow-query log on the real binary: <c>logging.slow_query_enabled</c> and <c>slow_query_threshold</c>
/// log statements at least that slow under the <c>slow_query</c> marker (grep-able as the runbook greps it), for SQL over
/// the PostgreSQL protocol (simple and extended) and for RESP commands, never with a password in the text, and a SIGHUP
/// turns it off or changes the threshold in the running server.
/// </summary>
[NotInParallel("thunderdb-process")]
public sealed class SlowQueryLogTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    private static int SlowLines(RunningServer server, string fragment) =>
        server.Process.StdoutLines.Count(l => l.Contains("slow_query", StringComparison.Ordinal) && l.Contains(fragment, StringComparison.Ordinal));

    [Test]
    [Timeout(120_000)]
    public async Task Slow_sql_is_logged_in_json_with_duration_and_text_and_a_reload_turns_it_off(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        const string logging = "[logging]\nformat = \"json\"\nslow_query_enabled = true\nslow_query_threshold = \"150ms\"\n";
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, sections: logging, ct: ct);
        await using var conn = await NpgsqlTests.OpenAsync(server, ct);

        // Simple protocol: the slow statement is logged, the fast one is not.
        await NpgsqlTests.ExecAsync(conn, "SELECT 4711 AS fast_marker", ct);
        await NpgsqlTests.ExecAsync(conn, "SELECT pg_sleep(0.3), 'simple_marker'", ct);
        string line = await server.Process.WaitForLineAsync("simple_marker", LineTimeout);
        await Assert.That(line).StartsWith("{");
        await Assert.That(line).Contains("slow_query: duration: ");
        await Assert.That(line).Contains("\"Protocol\":\"pg\"");
        await Assert.That(line).Contains("\"User\":\"thunder\"");
        await Assert.That(line).Contains("\"@l\":\"Warning\"");
        double ms = DurationOf(line);
        await Assert.That(ms).IsGreaterThanOrEqualTo(290).And.IsLessThan(30_000);

        // Extended protocol (Npgsql with a parameter): logged with the statement text as prepared.
        await using (var cmd = new NpgsqlCommand("SELECT pg_sleep(@s), 'extended_marker'", conn))
        {
            cmd.Parameters.AddWithValue("s", 0.3);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await Assert.That(await server.Process.WaitForLineAsync("extended_marker", LineTimeout)).Contains("pg_sleep($1)");
        await Assert.That(SlowLines(server, "fast_marker")).IsEqualTo(0);

        // A slow statement that sets a password is logged without its text.
        await NpgsqlTests.ExecAsync(conn, "SELECT pg_sleep(0.3), md5('hunter2secret') AS password", ct);
        await server.Process.WaitForLineAsync("statement with a password, not logged", LineTimeout);
        await Assert.That(server.Process.AllOutput).DoesNotContain("hunter2secret");

        // SIGHUP with the log off: the running server stops logging.
        string config = dir.Combine("thunderdb.toml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("slow_query_enabled = true", "slow_query_enabled = false", StringComparison.Ordinal));
        server.Process.Signal(ServerProcess.SIGHUP);
        string reload = await server.Process.WaitForLineAsync("\"Key\":\"logging.slow_query_enabled\"", LineTimeout);
        await Assert.That(reload).Contains("\"Old\":\"true\",\"New\":\"false\"");
        await NpgsqlTests.ExecAsync(conn, "SELECT pg_sleep(0.3), 'after_reload_marker'", ct);
        await NpgsqlTests.ExecAsync(conn, "SELECT 'flush_marker'", ct);
        await Assert.That(SlowLines(server, "after_reload_marker")).IsEqualTo(0);
    }

    [Test]
    [Timeout(120_000)]
    public async Task Slow_resp_commands_are_logged_as_redis_slowlog_shows_them_without_secrets(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        const string logging = "[logging]\nslow_query_enabled = true\nslow_query_threshold = \"150ms\"\n";
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, sections: logging, ct: ct);
        using var client = await RespTestClient.ConnectAsync(server.RespPort, ct);

        // A script that spins on TIME for 300 ms is slow; the SET before it is not.
        const string spin = "local s = redis.call('TIME') local t repeat t = redis.call('TIME') until (t[1] - s[1]) * 1000000 + (t[2] - s[2]) >= 300000 return 'spun'";
        await Assert.That(await client.CallAsync(ct, "SET", "fast_key", "v")).IsEqualTo("OK");
        await Assert.That(await client.CallAsync(ct, "EVAL", spin, "0")).IsEqualTo("spun");
        string line = await server.Process.WaitForLineAsync("EVAL", LineTimeout);
        await Assert.That(line).Contains("slow_query: duration: ");
        await Assert.That(line).Contains("protocol=resp");
        await Assert.That(line).Contains("statement: EVAL \"local s = redis.call('TIME') local t repeat");
        await Assert.That(line).EndsWith("... (8 more bytes)\" 0");
        await Assert.That(DurationOf(line)).IsGreaterThanOrEqualTo(290);
        await Assert.That(SlowLines(server, "fast_key")).IsEqualTo(0);

        // Threshold 0 logs every command; AUTH's arguments are never written out.
        string config = dir.Combine("thunderdb.toml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"150ms\"", "\"0s\"", StringComparison.Ordinal));
        server.Process.Signal(ServerProcess.SIGHUP);
        await server.Process.WaitForLineAsync("logging.slow_query_threshold changed", LineTimeout);
        await client.CallAsync(ct, "AUTH", "default", "s3cret-never-logged");
        await Assert.That(await client.CallAsync(ct, "SET", "every_key", "v")).IsEqualTo("OK");
        await server.Process.WaitForLineAsync("SET every_key v", LineTimeout);
        await Assert.That(await server.Process.WaitForLineAsync("statement: AUTH", LineTimeout)).Contains("(redacted)");
        await Assert.That(server.Process.AllOutput).DoesNotContain("s3cret-never-logged");

        // Redis's own SLOWLOG keeps the same arguments, redacted the same way
        await Assert.That(await client.CallAsync(ct, "CONFIG", "SET", "slowlog-log-slower-than", "0")).IsEqualTo("OK");
        await client.CallAsync(ct, "AUTH", "default", "s3cret-never-logged");
        var slowlog = (object?[])(await client.CallAsync(ct, "SLOWLOG", "GET", "1"))!;
        var entry = (object?[])slowlog[0]!;
        await Assert.That(string.Join(" ", ((object?[])entry[3]!).Select(a => a as string))).IsEqualTo("AUTH (redacted) (redacted)");
        await Assert.That((string)entry[4]!).StartsWith("127.0.0.1:");

        // A long argument is cut as Redis's SLOWLOG cuts it.
        await client.CallAsync(ct, "SET", "long_key", new string('x', 500));
        await client.CallAsync(ct, "SET", "binary_key", "a b\n\u0001\"");
        await Assert.That(await server.Process.WaitForLineAsync("SET binary_key", LineTimeout)).EndsWith("SET binary_key \"a b\\n\\x01\\\"\"");
        await Assert.That(await server.Process.WaitForLineAsync("SET long_key", LineTimeout)).Contains("... (372 more bytes)");
    }

    private static double DurationOf(string line)
    {
        const string marker = "duration: ";
        int at = line.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        int end = line.IndexOf(" ms", at, StringComparison.Ordinal);
        return double.Parse(line.AsSpan(at, end - at), System.Globalization.CultureInfo.InvariantCulture);
    }
}
