using System.Globalization;
using System.Text;
using ThunderDb.Host.Tests.EndToEnd;
using static ThunderDb.Host.Tests.Resp.RedisDifferentialTests;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// HyperLogLogs too large for the line-by-line corpus, against the real <c>redis-server</c>: the same PFADDs (10, 1000,
/// 100000 elements, text and binary) must give the same PFADD replies, the same PFCOUNT, and the same bytes under GET
/// (sparse, the promotion to dense, the cached count), and PFMERGE / multi-key PFCOUNT the same unions.
/// </summary>
[NotInParallel("thunderdb-process")]
public class RedisHyperLogLogDifferentialTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(120_000)]
    public async Task Counts_and_bytes_match_redis_from_10_to_100000_elements(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisOracle.StartAsync(dir, ct);
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        using var oracle = await RespTestClient.ConnectAsync(redis.Port, "redis-server", ct, Encoding.Latin1);
        using var ours = await RespTestClient.ConnectAsync(server.RespPort, "thunderdb", ct, Encoding.Latin1);

        var divergences = new List<string>();
        async Task Both(string[] args)
        {
            var expected = (await oracle.CallAsync(args, ct)).ToString();
            var actual = (await ours.CallAsync(args, ct)).ToString();
            if (expected != actual)
            {
                var shown = string.Join(' ', args.Take(4)) + (args.Length > 4 ? $" ... ({args.Length} args)" : "");
                divergences.Add($"{shown}\n    redis:     {Clip(expected)}\n    thunderdb: {Clip(actual)}");
            }
        }

        var random = new Random(15);
        foreach (var n in new[] { 10, 1000, 100_000 })
        {
            foreach (var binary in new[] { false, true })
            {
                var key = $"hll:{n}:{(binary ? "bin" : "text")}";
                for (var start = 0; start < n; start += 1000)
                {
                    var batch = Math.Min(1000, n - start);
                    var args = new string[batch + 2];
                    args[0] = "PFADD";
                    args[1] = key;
                    for (var i = 0; i < batch; i++)
                    {
                        args[i + 2] = binary ? RandomLatin1(random) : "element:" + (start + i).ToString(CultureInfo.InvariantCulture);
                    }

                    await Both(args);
                    if (start == 0 || start + batch >= n)
                    {
                        await Both(["GET", key]); // sparse early, dense (or cached) later
                    }
                }

                await Both(["PFCOUNT", key]);
                await Both(["GET", key]);
                await Both(["PFCOUNT", key]);
            }
        }

        await Both(["PFCOUNT", "hll:10:text", "hll:1000:text", "hll:100000:bin"]);
        await Both(["PFMERGE", "merged:sparse", "hll:10:text", "hll:10:bin"]);
        await Both(["GET", "merged:sparse"]);
        await Both(["PFCOUNT", "merged:sparse"]);
        await Both(["PFMERGE", "merged:dense", "hll:10:text", "hll:100000:text", "hll:1000:bin"]);
        await Both(["GET", "merged:dense"]);
        await Both(["PFCOUNT", "merged:dense"]);
        await Both(["PFMERGE", "hll:10:text", "hll:1000:text"]);
        await Both(["GET", "hll:10:text"]);
        await Both(["PFCOUNT", "hll:10:text", "merged:dense", "missing"]);

        await Assert.That(divergences).IsEmpty().Because($"{divergences.Count} replies diverge from redis-server:\n" + string.Join('\n', divergences));
    }

    private static string RandomLatin1(Random random)
    {
        var chars = new char[random.Next(0, 24)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0, 256);
        }

        return new string(chars);
    }

    private static string Clip(string s) => s.Length <= 300 ? s : s[..300] + $"... ({s.Length} chars)";
}
