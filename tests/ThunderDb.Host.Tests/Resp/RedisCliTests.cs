using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary><c>redis-cli</c> (the distribution's redis-tools) against the published binary.</summary>
[NotInParallel("thunderdb-process")]
public class RedisCliTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(60_000)]
    public async Task One_shot_commands_set_get_error_exit_code_and_info_keyspace(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        var port = server.RespPort;

        var set = await ExternalTool.RedisCliAsync(port, "SET", "greeting", "hello world");
        await Assert.That(set.ExitCode).IsEqualTo(0).Because(set.ToString());
        await Assert.That(set.Stdout.Trim()).IsEqualTo("OK");

        var get = await ExternalTool.RedisCliAsync(port, "GET", "greeting");
        await Assert.That(get.Stdout.Trim()).IsEqualTo("hello world");

        var missing = await ExternalTool.RedisCliAsync(port, "GET", "no-such-key");
        await Assert.That(missing.ExitCode).IsEqualTo(0);
        await Assert.That(missing.Stdout.Trim()).IsEmpty();

        // -e: an error reply makes redis-cli exit 1; without it the error is printed and the exit is 0.
        var bad = await ExternalTool.RedisCliAsync(port, "-e", "NOSUCHCOMMAND", "x");
        await Assert.That(bad.ExitCode).IsEqualTo(1).Because(bad.ToString());
        await Assert.That(bad.Stdout + bad.Stderr).Contains("ERR unknown command 'NOSUCHCOMMAND'");
        var wrongType = await ExternalTool.RedisCliAsync(port, "-e", "LPUSH", "greeting", "x");
        await Assert.That(wrongType.ExitCode).IsEqualTo(1);
        await Assert.That(wrongType.Stdout + wrongType.Stderr).Contains("WRONGTYPE");
        var lenient = await ExternalTool.RedisCliAsync(port, "NOSUCHCOMMAND");
        await Assert.That(lenient.ExitCode).IsEqualTo(0);
        var ok = await ExternalTool.RedisCliAsync(port, "-e", "SET", "ttl-key", "v", "EX", "100");
        await Assert.That(ok.ExitCode).IsEqualTo(0).Because(ok.ToString());

        var info = await ExternalTool.RedisCliAsync(port, "INFO", "keyspace");
        await Assert.That(info.Stdout).Contains("# Keyspace");
        await Assert.That(info.Lines).Contains(l => l.StartsWith("db0:keys=2,expires=1,", StringComparison.Ordinal)).Because(info.Stdout);

        var dbsize = await ExternalTool.RedisCliAsync(port, "DBSIZE");
        await Assert.That(dbsize.Stdout.Trim()).IsEqualTo("2");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Interactive_session_fed_through_stdin_runs_every_line_in_order(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        const string Script = """
            SET visits 10
            INCRBY visits 5
            GET visits
            RPUSH queue a b c
            LRANGE queue 0 -1
            HSET user:1 name ada lang en
            HGET user:1 name
            SELECT 3
            DBSIZE
            SELECT 0
            DBSIZE
            NOSUCHCOMMAND
            PING
            QUIT
            GET visits

            """;
        var run = await ExternalTool.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", server.RespPortText], Script, TimeSpan.FromSeconds(20));
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.ToString());
        string[] expected = ["OK", "15", "15", "3", "a", "b", "c", "2", "ada", "OK", "0", "OK", "3"];
        await Assert.That(run.Lines.Take(expected.Length)).IsEquivalentTo(expected, TUnit.Assertions.Enums.CollectionOrdering.Matching).Because(run.Stdout);
        await Assert.That(run.Lines[expected.Length]).StartsWith("ERR unknown command 'NOSUCHCOMMAND'");
        await Assert.That(run.Lines[expected.Length + 1]).IsEqualTo("PONG");
        // redis-cli handles QUIT itself: the session ends there, with nothing more printed.
        await Assert.That(run.Lines.Length).IsEqualTo(expected.Length + 2).Because(run.Stdout);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Scan_with_a_pattern_lists_exactly_the_matching_keys(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        var script = new System.Text.StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            script.Append("SET user:").Append(i).Append(" u\n");
            script.Append("SET order:").Append(i).Append(" o\n");
        }

        var load = await ExternalTool.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", server.RespPortText], script.ToString(), TimeSpan.FromSeconds(30));
        await Assert.That(load.ExitCode).IsEqualTo(0).Because(load.Stderr);

        var scan = await ExternalTool.RedisCliAsync(server.RespPort, "--scan", "--pattern", "user:*");
        await Assert.That(scan.ExitCode).IsEqualTo(0).Because(scan.ToString());
        var keys = scan.Lines;
        await Assert.That(keys.Length).IsEqualTo(300).Because("SCAN must return each key exactly once");
        await Assert.That(keys.Distinct().Count()).IsEqualTo(300);
        await Assert.That(keys.All(k => k.StartsWith("user:", StringComparison.Ordinal))).IsTrue();

        var all = await ExternalTool.RedisCliAsync(server.RespPort, "--scan");
        await Assert.That(all.Lines.Length).IsEqualTo(600);
    }

    [Test]
    [Timeout(60_000)]
    public async Task Resp3_hello_answers_a_map_and_replies_use_resp3_types(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);

        var hello = await ExternalTool.RedisCliAsync(server.RespPort, "-3", "HELLO", "3");
        await Assert.That(hello.ExitCode).IsEqualTo(0).Because(hello.ToString());
        await Assert.That(hello.Lines).Contains("proto 3").Because(hello.Stdout);
        await Assert.That(hello.Lines).Contains("server redis");

        // A tty-style rendering shows the RESP3 types: map entries and a double.
        var script = "HSET h f 1\nHGETALL h\nZADD z 1.5 m\nZSCORE z m\n";
        var run = await ExternalTool.RunAsync("redis-cli", ["-3", "--no-raw", "-h", "127.0.0.1", "-p", server.RespPortText], script, TimeSpan.FromSeconds(20));
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.ToString());
        await Assert.That(run.Stdout).Contains("1# \"f\" => \"1\"").Because(run.Stdout);
        await Assert.That(run.Stdout).Contains("(double) 1.5").Because(run.Stdout);
    }
}
