using System.Globalization;
using System.Text.RegularExpressions;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// <c>redis-benchmark</c> with its default test list, plain and pipelined, against the published binary:
/// every test finishes with a rate and no error, and afterwards the data is what the runs wrote.
/// </summary>
[NotInParallel("thunderdb-process")]
public partial class RedisBenchmarkTests
{
    private const int Requests = 2000;

    // redis-benchmark 7's default list, as its -q summary lines name the tests.
    private static readonly string[] DefaultTests =
    [
        "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP",
        "ZADD", "ZPOPMIN", "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
        "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)", "MSET (10 keys)",
    ];

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(150_000)]
    public async Task Default_test_list_plain_and_pipelined_runs_without_errors_and_leaves_consistent_data(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);

        await RunDefaultListAsync(server, []);
        // Without -r the INCR test hits the literal key "counter:__rand_int__" once per request.
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "GET", "counter:__rand_int__")).Stdout.Trim()).IsEqualTo("2000");

        await RunDefaultListAsync(server, ["-P", "16"]);
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "GET", "counter:__rand_int__")).Stdout.Trim()).IsEqualTo("4000");

        // The runs' other keys hold what redis-benchmark writes: 3-byte random values (-d default), a list, a hash.
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "STRLEN", "key:__rand_int__")).Stdout.Trim()).IsEqualTo("3");
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "TYPE", "mylist")).Stdout.Trim()).IsEqualTo("list");
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "HSTRLEN", "myhash", "element:__rand_int__")).Stdout.Trim()).IsEqualTo("3");
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "ZCARD", "myzset")).Stdout.Trim()).IsEqualTo("0");

        // A counter under a known number of increments from several clients at once, pipelined.
        var incr = await ExternalTool.RunAsync(
            "redis-benchmark",
            ["-h", "127.0.0.1", "-p", server.RespPortText, "-n", "3000", "-c", "10", "-P", "8", "-q", "INCR", "exact-counter"],
            null,
            TimeSpan.FromSeconds(60));
        await Assert.That(incr.ExitCode).IsEqualTo(0).Because(incr.ToString());
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "GET", "exact-counter")).Stdout.Trim()).IsEqualTo("3000");

        // Still answering, and a clean shutdown afterwards.
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "PING")).Stdout.Trim()).IsEqualTo("PONG");
        await Assert.That(await server.StopAsync()).IsEqualTo(0).Because(server.Process.AllOutput);
    }

    private static async Task RunDefaultListAsync(RunningServer server, string[] extra)
    {
        var run = await ExternalTool.RunAsync(
            "redis-benchmark",
            ["-h", "127.0.0.1", "-p", server.RespPortText, "-n", Requests.ToString(CultureInfo.InvariantCulture), "-c", "10", "-q", .. extra],
            null,
            TimeSpan.FromSeconds(60));
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.ToString());
        await Assert.That(run.Stderr.Trim()).IsEmpty().Because(run.Stderr);
        await Assert.That(run.Stdout).DoesNotContain("rror").Because(run.Stdout);

        // -q prints progress lines ended by '\r' and one final "NAME: RATE requests per second" per test.
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var segment in run.Stdout.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = RateLine().Match(segment);
            if (m.Success)
            {
                rates[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        foreach (var test in DefaultTests)
        {
            await Assert.That(rates.TryGetValue(test, out var rate) && rate > 0).IsTrue().Because($"no rate for {test} in:\n{run.Stdout}");
        }
    }

    [GeneratedRegex(@"^(.+): ([0-9]+(?:\.[0-9]+)?) requests per second")]
    private static partial Regex RateLine();
}
