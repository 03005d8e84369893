using System.Diagnostics;
using ThunderDb.Host.Tests.EndToEnd;
using static ThunderDb.Host.Tests.Resp.RedisDifferentialTests;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// Streams against the real binary over raw RESP: XREAD BLOCK and XREADGROUP BLOCK woken by an XADD from another
/// connection (and timing out with nil), and a SIGKILL after acknowledged XADD / XREADGROUP / XACK that loses none of them.
/// </summary>
[NotInParallel("thunderdb-process")]
public class StreamTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(60_000)]
    public async Task Xread_block_is_woken_by_xadd_from_another_client_and_times_out_with_nil(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        using var reader = await RespTestClient.ConnectAsync(server.RespPort, "reader", ct);
        using var writer = await RespTestClient.ConnectAsync(server.RespPort, "writer", ct);
        await writer.CallAsync(["XADD", "s", "1-1", "old", "x"], ct);

        // `$` means entries after the last one at call time: the old entry is not returned, the new one is.
        var watch = Stopwatch.StartNew();
        var blocked = reader.CallAsync(["XREAD", "BLOCK", "4000", "STREAMS", "other", "s", "$", "$"], ct);
        await Task.Delay(300, ct);
        await Assert.That(blocked.IsCompleted).IsFalse();
        await Assert.That((await writer.CallAsync(["XADD", "s", "2-1", "f", "v"], ct)).ToString()).IsEqualTo("\"2-1\"");
        var reply = await blocked;
        await Assert.That(reply.ToString()).IsEqualTo("*[*[\"s\", *[*[\"2-1\", *[\"f\", \"v\"]]]]]");
        await Assert.That(watch.Elapsed).IsLessThan(TimeSpan.FromSeconds(3));

        watch.Restart();
        var timedOut = await reader.CallAsync(["XREAD", "BLOCK", "300", "STREAMS", "s", "$"], ct);
        await Assert.That(timedOut.ToString()).IsEqualTo("*nil");
        await Assert.That(watch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));

        // An ID before the end is served at once, without blocking.
        var direct = await reader.CallAsync(["XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "s", "0"], ct);
        await Assert.That(direct.ToString()).IsEqualTo("*[*[\"s\", *[*[\"1-1\", *[\"old\", \"x\"]]]]]");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Xreadgroup_block_delivers_a_new_entry_to_one_consumer_and_records_it_pending(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, syncCommit: false, ct: ct);
        using var consumer = await RespTestClient.ConnectAsync(server.RespPort, "consumer", ct);
        using var writer = await RespTestClient.ConnectAsync(server.RespPort, "writer", ct);
        await Assert.That((await writer.CallAsync(["XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"], ct)).ToString()).IsEqualTo("+OK");

        var blocked = consumer.CallAsync(["XREADGROUP", "GROUP", "workers", "alice", "BLOCK", "4000", "STREAMS", "jobs", ">"], ct);
        await Task.Delay(300, ct);
        await Assert.That(blocked.IsCompleted).IsFalse();
        await writer.CallAsync(["XADD", "jobs", "5-1", "job", "42"], ct);
        await Assert.That((await blocked).ToString()).IsEqualTo("*[*[\"jobs\", *[*[\"5-1\", *[\"job\", \"42\"]]]]]");

        var pending = await writer.CallAsync(["XPENDING", "jobs", "workers"], ct);
        await Assert.That(pending.ToString()).IsEqualTo("*[:1, \"5-1\", \"5-1\", *[*[\"alice\", \"1\"]]]");
        await Assert.That((await writer.CallAsync(["XACK", "jobs", "workers", "5-1"], ct)).ToString()).IsEqualTo(":1");

        // Nothing new for the group: a short BLOCK answers nil.
        var none = await consumer.CallAsync(["XREADGROUP", "GROUP", "workers", "alice", "BLOCK", "200", "STREAMS", "jobs", ">"], ct);
        await Assert.That(none.ToString()).IsEqualTo("*nil");
    }

    [Test]
    [Timeout(90_000)]
    public async Task Sigkill_after_acknowledged_stream_writes_keeps_entries_groups_and_pel(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var first = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct))
        {
            using var client = await RespTestClient.ConnectAsync(first.RespPort, "writer", ct);
            for (var i = 1; i <= 20; i++)
            {
                await Assert.That((await client.CallAsync(["XADD", "events", $"{i}-0", "n", $"{i}"], ct)).ToString()).IsEqualTo($"\"{i}-0\"");
            }

            await client.CallAsync(["XDEL", "events", "3-0"], ct);
            await client.CallAsync(["XGROUP", "CREATE", "events", "g", "0"], ct);
            await client.CallAsync(["XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "events", ">"], ct);
            await Assert.That((await client.CallAsync(["XACK", "events", "g", "1-0"], ct)).ToString()).IsEqualTo(":1");
            await first.KillAsync();
        }

        await using var second = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct);
        using var after = await RespTestClient.ConnectAsync(second.RespPort, "reader", ct);
        await Assert.That((await after.CallAsync(["XLEN", "events"], ct)).ToString()).IsEqualTo(":19");
        await Assert.That((await after.CallAsync(["XRANGE", "events", "-", "(5", "COUNT", "3"], ct)).ToString())
            .IsEqualTo("*[*[\"1-0\", *[\"n\", \"1\"]], *[\"2-0\", *[\"n\", \"2\"]], *[\"4-0\", *[\"n\", \"4\"]]]");
        await Assert.That((await after.CallAsync(["XPENDING", "events", "g"], ct)).ToString())
            .IsEqualTo("*[:2, \"2-0\", \"4-0\", *[*[\"c1\", \"2\"]]]");
        var next = await after.CallAsync(["XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "events", ">"], ct);
        await Assert.That(next.ToString()).IsEqualTo("*[*[\"events\", *[*[\"5-0\", *[\"n\", \"5\"]]]]]");
        await Assert.That((await after.CallAsync(["XADD", "events", "20-0", "n", "dup"], ct)).ToString())
            .IsEqualTo("-ERR The ID specified in XADD is equal or smaller than the target stream top item");
        await Assert.That(await second.StopAsync()).IsEqualTo(0).Because(second.Process.AllOutput);
    }
}
