using System.Collections.Concurrent;
using System.Net.Http;
using ThunderDb.Host.Tests.EndToEnd;

namespace ThunderDb.Host.Tests.Durability;

/// <summary>
/// Durability with real processes: concurrent writers record every acknowledged write, the server is
/// killed with SIGKILL at a random moment, restarted, and every acknowledged write must be there;
/// MULTI/EXEC pairs must be all-or-nothing. Several kill cycles on the same data directory.
/// </summary>
[NotInParallel("thunderdb-process")]
public class CrashRecoveryTests
{
    private const int SIGKILL = 9;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    /// <summary>
    /// Second case: checkpoints every second (most cycles are killed after one ran under load) and a 64-page buffer
    /// pool far smaller than the data, so evictions write back throughout and race the checkpoints.
    /// </summary>
    [Test]
    [Timeout(180_000)]
    [Arguments("2s", 8388608, 16384)]
    [Arguments("1s", 262144, 4096)]
    public async Task Acknowledged_writes_survive_repeated_sigkill(string checkpointInterval, long bufferPoolSize, int pageSize, CancellationToken ct)
    {
        using var dir = new TempDirectory();
        var acked = new ConcurrentDictionary<string, string>();
        var attemptedPairs = new ConcurrentBag<int>();
        var ackedPairs = new ConcurrentBag<int>();
        var counters = new ConcurrentDictionary<string, (long Acked, long Sent)>(); // pipelined INCRs: one group commit per batch
        var random = new Random(20261128);
        var pairSeq = 0;
        const int Cycles = 6;

        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var respPort = ServerProcess.FreePort();
            var httpPort = ServerProcess.FreePort();
            var config = dir.Write("thunderdb.toml", $"""
                http_port = {httpPort}
                data_dir = "{dir.Combine("data")}"
                [storage]
                sync_commit = true
                checkpoint_interval = "{checkpointInterval}"
                buffer_pool_size = {bufferPoolSize}
                page_size = {pageSize}
                """);
            await using var server = await ServerProcess.StartAsync(dir.Path, ["--config", config], RespPortEnv(respPort));
            await WaitReadyAsync(httpPort, server, ct);

            // Everything acknowledged in earlier cycles is still there, with its exact value.
            await VerifyAsync(respPort, acked, attemptedPairs, ackedPairs, ct);
            await VerifyCountersAsync(respPort, counters, ct);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                try
                {
                    using var client = await RespTestClient.ConnectAsync(respPort, stop.Token);
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        if (w % 4 == 1)
                        {
                            // A pipeline of 8 INCRs on one counter: the server commits them as one group. Every
                            // acknowledged reply value must survive; the counter can never exceed what was sent.
                            var key = $"pc:{cycle}:{w}";
                            var (acked0, sent0) = counters.GetValueOrDefault(key);
                            counters[key] = (acked0, sent0 + 8);
                            await client.SendPipelineAsync(stop.Token, Enumerable.Repeat(new[] { "INCR", key }, 8));
                            for (var j = 0; j < 8; j++)
                            {
                                if (await client.ReadAsync(stop.Token) is long v)
                                {
                                    var (a, s) = counters[key];
                                    counters[key] = (Math.Max(a, v), s);
                                }
                            }
                        }
                        else if (w % 4 == 3)
                        {
                            var id = Interlocked.Increment(ref pairSeq);
                            attemptedPairs.Add(id);
                            await client.CallAsync(stop.Token, "MULTI");
                            await client.CallAsync(stop.Token, "SET", $"pair:{id}:a", "A");
                            await client.CallAsync(stop.Token, "SET", $"pair:{id}:b", "B");
                            if (await client.CallAsync(stop.Token, "EXEC") is object?[] { Length: 2 })
                            {
                                ackedPairs.Add(id);
                            }
                        }
                        else
                        {
                            var key = $"k:{cycle}:{w}:{i}";
                            var value = $"v{cycle}-{w}-{i}-" + new string('x', i % 300);
                            if (await client.CallAsync(stop.Token, "SET", key, value) is "OK")
                            {
                                acked[key] = value;
                            }
                        }
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidDataException)
                {
                    // The server was killed under us; what was acknowledged before is what counts.
                }
            }, CancellationToken.None)).ToArray();

            await Task.Delay(random.Next(300, 1500), ct);
            server.Signal(SIGKILL);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        await Assert.That(acked.Count).IsGreaterThan(100);
        await Assert.That(ackedPairs.Count).IsGreaterThan(10);

        // A last clean start verifies the final kill too.
        var finalResp = ServerProcess.FreePort();
        var finalHttp = ServerProcess.FreePort();
        var finalConfig = dir.Write("thunderdb.toml", $"""
            http_port = {finalHttp}
            data_dir = "{dir.Combine("data")}"
            [storage]
            page_size = {pageSize}
            """);
        await using var last = await ServerProcess.StartAsync(dir.Path, ["--config", finalConfig], RespPortEnv(finalResp));
        await WaitReadyAsync(finalHttp, last, ct);
        await VerifyAsync(finalResp, acked, attemptedPairs, ackedPairs, ct);
        await VerifyCountersAsync(finalResp, counters, ct);
        await Assert.That(counters.Values.Sum(c => c.Acked)).IsGreaterThan(100);
        last.Signal(ServerProcess.SIGTERM);
        var exit = await last.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await Assert.That(exit).IsEqualTo(0).Because(last.AllOutput);
    }

    internal static Dictionary<string, string> RespPortEnv(int port) =>
        new() { ["THUNDERDB_RESP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static async Task VerifyCountersAsync(int port, ConcurrentDictionary<string, (long Acked, long Sent)> counters, CancellationToken ct)
    {
        using var client = await RespTestClient.ConnectAsync(port, ct);
        foreach (var (key, (acked, sent)) in counters)
        {
            var value = await client.CallAsync(ct, "GET", key) is string s ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
            await Assert.That(value).IsGreaterThanOrEqualTo(acked).Because($"counter {key}: an acknowledged INCR reply was {acked}, after the kill it is {value}");
            await Assert.That(value).IsLessThanOrEqualTo(sent).Because($"counter {key}: {sent} INCRs were sent, the counter is {value}");
        }
    }

    private static async Task VerifyAsync(int port, ConcurrentDictionary<string, string> acked, ConcurrentBag<int> attemptedPairs, ConcurrentBag<int> ackedPairs, CancellationToken ct)
    {
        using var client = await RespTestClient.ConnectAsync(port, ct);
        var missing = new List<string>();
        foreach (var (key, value) in acked)
        {
            var got = await client.CallAsync(ct, "GET", key) as string;
            if (got != value)
            {
                missing.Add($"{key}: expected {value.Length} bytes, got {(got is null ? "nil" : got.Length + " bytes")}");
            }
        }

        await Assert.That(missing).IsEmpty();

        var acknowledged = ackedPairs.ToHashSet();
        foreach (var id in attemptedPairs)
        {
            var a = await client.CallAsync(ct, "GET", $"pair:{id}:a") as string;
            var b = await client.CallAsync(ct, "GET", $"pair:{id}:b") as string;
            var both = a == "A" && b == "B";
            var neither = a is null && b is null;
            await Assert.That(both || neither).IsTrue().Because($"MULTI/EXEC pair {id} is half applied: a={a ?? "nil"} b={b ?? "nil"}");
            if (acknowledged.Contains(id))
            {
                await Assert.That(both).IsTrue().Because($"acknowledged MULTI/EXEC pair {id} lost");
            }
        }
    }

    internal static async Task WaitReadyAsync(int httpPort, ServerProcess server, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var r = await http.GetAsync(new Uri("/admin/ready", UriKind.Relative), ct);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(25, ct);
        }

        throw new TimeoutException("server not ready:\n" + server.AllOutput);
    }
}
