using System.Diagnostics;
using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>The real redis-cli and redis-benchmark (Debian redis-tools) against the in-test server.</summary>
public class RespRedisToolsTests
{
    private static async Task<(int Exit, string Output)> RunAsync(string tool, string arguments, string? stdin = null, int timeoutMs = 60_000)
    {
        var info = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException(tool + " did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(tool + " " + arguments + " did not finish");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    [Test]
    public async Task Redis_cli_one_shots()
    {
        await using RespTestServer server = RespTestServer.Start();
        string p = "-h 127.0.0.1 -p " + server.Port;
        await Assert.That((await RunAsync("redis-cli", p + " PING")).Output.Trim()).IsEqualTo("PONG");
        await Assert.That((await RunAsync("redis-cli", p + " SET greeting hello")).Output.Trim()).IsEqualTo("OK");
        await Assert.That((await RunAsync("redis-cli", p + " GET greeting")).Output.Trim()).IsEqualTo("hello");
        await Assert.That((await RunAsync("redis-cli", p + " -e GET nothing")).Output.Trim()).IsEqualTo("");
        (int exit, string output) = await RunAsync("redis-cli", p + " -e INCR greeting");
        await Assert.That(exit).IsNotEqualTo(0);
        await Assert.That(output).Contains("ERR value is not an integer or out of range");
        await Assert.That((await RunAsync("redis-cli", p + " RPUSH l a b c")).Output.Trim()).IsEqualTo("3");
        await Assert.That((await RunAsync("redis-cli", p + " LRANGE l 0 -1")).Output.Trim()).IsEqualTo("a\nb\nc");
        await Assert.That((await RunAsync("redis-cli", p + " -3 HSET h f v")).Output.Trim()).IsEqualTo("1");
        await Assert.That((await RunAsync("redis-cli", p + " --no-raw HGETALL h")).Output.Trim()).IsEqualTo("1) \"f\"\n2) \"v\"");
        await Assert.That((await RunAsync("redis-cli", p + " INFO keyspace")).Output).Contains("db0:keys=3");
    }

    [Test]
    public async Task Redis_cli_interactive_session()
    {
        await using RespTestServer server = RespTestServer.Start();
        (int exit, string output) = await RunAsync("redis-cli", "-h 127.0.0.1 -p " + server.Port, "SET a 1\nINCRBY a 41\nGET a\nSELECT 3\nDBSIZE\n");
        await Assert.That(exit).IsEqualTo(0);
        await Assert.That(output.Replace("\r", "", StringComparison.Ordinal)).IsEqualTo("OK\n42\n42\nOK\n0\n");
    }

    [Test]
    public async Task Redis_benchmark_default_tests_run_without_errors()
    {
        await using RespTestServer server = RespTestServer.Start();
        (int exit, string output) = await RunAsync("redis-benchmark", $"-h 127.0.0.1 -p {server.Port} -n 200 -c 4 -q", timeoutMs: 120_000);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "thunderdb-resp-benchmark.txt"), output);
        await Assert.That(exit).IsEqualTo(0);
        await Assert.That(output).DoesNotContain("ERR");
        foreach (string test in new[] { "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_600", "MSET" })
        {
            bool reported = output.Contains(test + ": ", StringComparison.Ordinal) || output.Contains(test + " (", StringComparison.Ordinal);
            await Assert.That(reported).IsTrue();
        }
    }

    [Test]
    public async Task Redis_benchmark_pipelined()
    {
        await using RespTestServer server = RespTestServer.Start();
        (int exit, string output) = await RunAsync("redis-benchmark", $"-h 127.0.0.1 -p {server.Port} -t set,get,incr,lpush,lpop,hset -n 2000 -r 1000 -c 10 -P 16 -q", timeoutMs: 120_000);
        await Assert.That(exit).IsEqualTo(0);
        await Assert.That(output).DoesNotContain("ERR");
        await Assert.That(output).Contains("GET:");
    }
}
